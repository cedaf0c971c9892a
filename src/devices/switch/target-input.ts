import { httpUrlProblem } from '../../config/schema/common.js';
import type { SwitchInput, SwitchRole, SwitchTarget } from '../../core/power.js';

// Validation and normalisation of a switch target as a user gives it (config, REST, CLI, MQTT;
// SPEC §11.1). Pure. An invalid target is rejected here, when it is added, and never probed
// (SPEC §11.2 last row). Input may come straight from JSON, so every field's type is checked.

export type NormalizedSwitch = Pick<SwitchTarget, 'name' | 'url' | 'ip' | 'role' | 'active' | 'group'>;
export type SwitchInputField = 'name' | 'url' | 'ip' | 'role' | 'active' | 'group';
export type SwitchInputCheck = { ok: true; value: NormalizedSwitch } | { ok: false; field: SwitchInputField; error: string };

export const NAME_MAX = 100;
export const GROUP_MAX = 64;
export const URL_MAX = 2048;

// C0 controls, DEL and C1 controls: they break logs, topics and tables.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

type Fail = Extract<SwitchInputCheck, { ok: false }>;
const fail = (field: SwitchInputField, error: string): Fail => ({ ok: false, field, error: `${field}: ${error}` });

export function normalizeSwitchInput(input: SwitchInput): SwitchInputCheck {
  const raw = input as unknown as Record<string, unknown>;
  const name = checkText(raw.name, 'name', NAME_MAX, true);
  if (typeof name !== 'string') return name;
  const group = raw.group === undefined || raw.group === null ? '' : checkText(raw.group, 'group', GROUP_MAX, false);
  if (typeof group !== 'string') return group;

  const role = raw.role === undefined || raw.role === null ? 'sensor' : raw.role;
  if (role !== 'sensor' && role !== 'control') {
    return fail('role', `must be "sensor" (its silence suggests a power cut) or "control" (stays up in a power cut), got ${show(role)}`);
  }
  const active = raw.active === undefined || raw.active === null ? true : raw.active;
  if (typeof active !== 'boolean') return fail('active', `must be true or false, got ${show(active)}`);

  const address = targetAddress(raw.url, raw.ip);
  if (!address.ok) return address;
  return { ok: true, value: { name, url: address.url, ip: address.ip, role: role satisfies SwitchRole, active, group } };
}

function checkText(v: unknown, field: 'name' | 'group', max: number, required: boolean): string | Fail {
  if (typeof v !== 'string') return fail(field, `must be a string, got ${show(v)}`);
  const s = v.trim();
  if (required && s === '') return fail(field, 'must not be empty: give the switch a name such as "living-room-plug"');
  if (s.length > max) return fail(field, `is ${s.length} characters long; at most ${max} are allowed`);
  if (CONTROL_CHARS.test(s)) return fail(field, 'contains a control character (newline, tab, …): use printable characters only');
  return s;
}

type Address = { ok: true; url: string; ip: string } | Fail;

/** `url` wins when both are given (ip is then derived from it); `ip` alone means http://{ip}/. */
function targetAddress(urlIn: unknown, ipIn: unknown): Address {
  if (urlIn !== undefined && urlIn !== null && typeof urlIn !== 'string') return fail('url', `must be a string, got ${show(urlIn)}`);
  if (ipIn !== undefined && ipIn !== null && typeof ipIn !== 'string') return fail('ip', `must be a string, got ${show(ipIn)}`);
  const url = (urlIn ?? '').trim();
  const ip = (ipIn ?? '').trim();
  if (url !== '') return fromUrl(url);
  if (ip !== '') return fromIp(ip);
  return fail('url', 'a switch needs a url (e.g. http://192.168.1.20/) or an ip (e.g. 192.168.1.20)');
}

function fromUrl(text: string): Address {
  if (text.length > URL_MAX) return fail('url', `is ${text.length} characters long; at most ${URL_MAX} are allowed`);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return fail('url', `must start with http:// or https:// (e.g. http://${text.replace(/^\/+/, '')}), or give the host as ip`);
  }
  const problem = httpUrlProblem(text);
  if (problem) return fail('url', `${problem}: write e.g. http://192.168.1.20/ or https://host:8443/status`);
  const u = new URL(text);
  if (u.username !== '' || u.password !== '') {
    return fail('url', 'must not contain a user name or password (they would be stored and shown in clear): remove "user:password@"');
  }
  // The fragment is never sent; drop it so that equal targets compare equal.
  u.hash = '';
  return { ok: true, url: u.href, ip: hostOf(u) };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal. */
function fromIp(text: string): Address {
  if (/[\s/@?#\\]/.test(text) || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return fail('ip', `must be only a host or host:port, got ${show(text)}: put a scheme or path in url instead`);
  }
  if (text.includes('%')) return fail('ip', 'IPv6 zone ids (%eth0) are not supported in URLs: use a global or unique-local address');
  // Two or more colons outside brackets can only be an IPv6 literal without its brackets.
  const host = !text.startsWith('[') && (text.match(/:/g)?.length ?? 0) >= 2 ? `[${text}]` : text;
  let u: URL;
  try {
    u = new URL(`http://${host}/`);
  } catch {
    return fail('ip', `${show(text)} is not a host name, IP address or host:port: write e.g. 192.168.1.20 or 192.168.1.20:8080`);
  }
  if (u.pathname !== '/' || u.search !== '' || u.hostname === '') {
    return fail('ip', `${show(text)} is not a host name, IP address or host:port: write e.g. 192.168.1.20 or 192.168.1.20:8080`);
  }
  return { ok: true, url: u.href, ip: hostOf(u) };
}

/** Host part without IPv6 brackets: what PowerMon calls ip_address. */
function hostOf(u: URL): string {
  return u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (v === null) return 'null';
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : String(v);
}
