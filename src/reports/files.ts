import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { P2mError } from '../core/errors.js';
import type { ReportDownload, ReportFileInfo } from '../core/reports.js';
import { isDeviceId, parseReportFilename } from './naming.js';

// Report files on disk (SPEC §13.7): `{root}/{device_id}/{weekly|monthly}-{period}.{pdf,html}`.
// Written atomically (temporary name, then rename: a reader never sees half a file), never
// deleted. Every path is built from a checked device id and a parsed file name, and checked
// again to lie inside the root, so nothing outside the reports folder is ever read.

let tmpSeq = 0;

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** `{root}/{deviceId}/{filename}` after both parts passed the naming rules; P2mError (400) otherwise. */
export function reportPath(root: string, deviceId: string, filename: string): string {
  if (!isDeviceId(deviceId)) throw new P2mError('P2M_ERR_VALIDATION', 'device_id must be 1-64 characters of A-Z a-z 0-9 _ -', 'device_id');
  if (!parseReportFilename(filename)) {
    throw new P2mError('P2M_ERR_VALIDATION', 'filename must be weekly-YYYY-MM-DD (a Monday) or monthly-YYYY-MM, then .pdf or .html', 'filename');
  }
  const base = resolve(root);
  const path = resolve(base, deviceId, filename);
  if (!path.startsWith(base + sep)) throw new P2mError('P2M_ERR_VALIDATION', 'filename is outside the reports folder', 'filename');
  return path;
}

/** True when the file exists (as anything). */
export async function reportExists(root: string, deviceId: string, filename: string): Promise<boolean> {
  try {
    await lstat(reportPath(root, deviceId, filename));
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Write (or replace) one report file atomically. */
export async function writeReport(root: string, deviceId: string, filename: string, data: string | Buffer): Promise<void> {
  const path = reportPath(root, deviceId, filename);
  await mkdir(join(resolve(root), deviceId), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${++tmpSeq}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A regular file that is a report (symbolic links are not followed), or null. */
export async function openReport(root: string, deviceId: string, filename: string): Promise<ReportDownload | null> {
  const path = reportPath(root, deviceId, filename);
  try {
    const st = await lstat(path);
    if (!st.isFile()) return null;
    return { path, size: st.size, format: parseReportFilename(filename)?.format ?? 'pdf' };
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return null;
    throw err;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return [];
    throw err;
  }
}

/** Every report file (only of `deviceId` when given): newest period first, then device, then format. */
export async function listReports(root: string, deviceId?: string): Promise<ReportFileInfo[]> {
  const devices = deviceId === undefined ? (await names(root)).filter(isDeviceId) : isDeviceId(deviceId) ? [deviceId] : [];
  const out: ReportFileInfo[] = [];
  for (const dev of devices) {
    for (const filename of await names(join(root, dev))) {
      const parsed = parseReportFilename(filename);
      if (!parsed) continue;
      const st = await lstat(join(root, dev, filename)).catch(() => null);
      if (!st?.isFile()) continue;
      out.push({
        filename, device_id: dev, report_type: parsed.type, period: parsed.period, format: parsed.format, size_bytes: st.size, created: Math.floor(st.mtimeMs / 1000),
      });
    }
  }
  return out.sort(
    (a, b) => b.period.localeCompare(a.period) || a.device_id.localeCompare(b.device_id) || a.report_type.localeCompare(b.report_type) || a.format.localeCompare(b.format),
  );
}
