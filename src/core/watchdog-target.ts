// What a watchdog's `target` names (SPEC §12.7): an http(s) URL (a GET judged as in §11.2), a
// `host:port` (a TCP connect), or the name of a switch probe target (its latest result). Pure;
// in core/ because the config schema checks config-file watchdogs with it too.

export type ParsedTarget =
  | { kind: 'url'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'switch'; name: string };

export type TargetParse = { ok: true; target: ParsedTarget } | { ok: false; message: string; problem: string; hint: string };

const HINT = 'write e.g. http://192.168.1.1/, 192.168.1.1:80, or the name of a switch';
/** A DNS name or an IPv4 address (labels of letters, digits and hyphens). */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** A switch name: no scheme, no colon, no whitespace. */
const SWITCH_NAME = /^[^\s:/]{1,64}$/;

/** A refusal: `message` is problem and hint in one line; the config schema shows them apart. */
function bad(problem: string): TargetParse {
  return { ok: false, message: `${problem}: ${HINT}`, problem, hint: HINT };
}

function port(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/** Classify and check a target; the message says what is wrong and how to write it. */
export function parseTarget(raw: string): TargetParse {
  const t = raw.trim();
  if (t === '') return bad(`is empty`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    if (!/^https?:\/\//i.test(t)) return bad(`"${t}" is not an http(s) URL`);
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      return bad(`"${t}" is not a valid URL`);
    }
    if (u.hostname === '') return bad(`"${t}" has no host`);
    return { ok: true, target: { kind: 'url', url: u.href } };
  }
  // [v6]:port
  const v6 = /^\[([0-9a-f:.]+)\]:(\S+)$/i.exec(t);
  if (v6) {
    const p = port(v6[2] as string);
    return p === null ? bad(`"${t}": the port must be 1-65535`) : { ok: true, target: { kind: 'tcp', host: v6[1] as string, port: p } };
  }
  const colon = t.lastIndexOf(':');
  if (colon >= 0) {
    const host = t.slice(0, colon);
    const p = port(t.slice(colon + 1));
    if (!HOSTNAME.test(host)) return bad(`"${t}": "${host}" is not a host name or IPv4 address`);
    if (p === null) return bad(`"${t}": the port must be 1-65535`);
    return { ok: true, target: { kind: 'tcp', host, port: p } };
  }
  if (!SWITCH_NAME.test(t)) return bad(`"${t}" is neither a URL, a host:port nor a switch name`);
  return { ok: true, target: { kind: 'switch', name: t } };
}

/**
 * The watchdogs whose target is the switch `name` (SPEC §12.7): removing or renaming that switch
 * would leave them without a target (a config-file one would stop the next start), so the switch
 * service refuses it while this is not empty.
 */
export function watchdogsOnSwitch(name: string, watchdogs: ReadonlyArray<{ name: string; target: string }>): string[] {
  return watchdogs.filter((w) => {
    const t = parseTarget(w.target);
    return t.ok && t.target.kind === 'switch' && t.target.name === name;
  }).map((w) => w.name);
}

/** Why the switch `name` may not be removed or renamed, or null (the message names the fix). */
export function switchInUse(name: string, watchdogs: ReadonlyArray<{ name: string; target: string }>): string | null {
  const users = watchdogsOnSwitch(name, watchdogs);
  if (users.length === 0) return null;
  return `switch "${name}" is the target of watchdog${users.length > 1 ? 's' : ''} ${users.join(', ')}: point ${users.length > 1 ? 'them' : 'it'} at another target or remove ${users.length > 1 ? 'them' : 'it'} first`;
}
