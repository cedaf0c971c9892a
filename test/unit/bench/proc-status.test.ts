// bench/ipc.ts procStatusMb: the /proc/<pid>/status reader behind the load run's RSS columns and the broker's RSS.
import { describe, expect, it } from 'vitest';
import { procStatusMb } from '../../../bench/ipc.js';

describe.runIf(process.platform === 'linux')('procStatusMb', () => {
  it('reads kB fields of this process in MB; RssAnon + RssFile + RssShmem make up VmRSS', () => {
    const s = procStatusMb('self', ['VmRSS', 'RssAnon', 'RssFile', 'RssShmem']);
    expect(s?.VmRSS).toBeGreaterThan(1);
    expect((s?.RssAnon ?? 0) + (s?.RssFile ?? 0) + (s?.RssShmem ?? 0)).toBeCloseTo(s?.VmRSS ?? -1, 0);
    expect(procStatusMb(process.pid, ['VmRSS'])?.VmRSS).toBeGreaterThan(1);
  });

  it.each([
    { name: 'a field that is not there', pid: 'self' as const, keys: ['VmRSS', 'NoSuchField'] },
    { name: 'a process that does not exist', pid: 2 ** 22 + 1, keys: ['VmRSS'] },
  ])('null for $name', ({ pid, keys }) => {
    expect(procStatusMb(pid, keys)).toBeNull();
  });
});
