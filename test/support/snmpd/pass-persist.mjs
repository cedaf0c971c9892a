#!/usr/bin/env node
// net-snmp `pass_persist` backend serving one snmprec fixture (plain JS, no deps).
//
//   pass_persist .1.3.6.1.4.1.3808 /path/to/node /path/to/pass-persist.mjs <fixture.snmprec> [options]
//
// Options:
//   --base <oid>       subtree served (default 1.3.6.1.4.1.3808); records outside it are ignored
//   --delay-ms <ms>    reboot off-time and pending-command duration (default 2000)
//   --log <file>       append a trace of every request and reply to <file> (snmpd drops the
//                      child's stderr, so this is the way to see what happened)
//
// Protocol (snmpd.conf(5), "pass_persist"; requests are line based, OIDs have a leading dot):
//   PING                     -> PONG
//   get\n<oid>               -> <oid>\n<type>\n<value>   or NONE
//   getnext\n<oid>           -> first record strictly after <oid>, or NONE
//   set\n<oid>\n<type> <val> -> DONE | not-writable | wrong-type | wrong-value | wrong-length
//   empty line               -> ignored (snmpd 5.9 sends one after each set)
//   EOF                      -> exit
// stdout carries the protocol and nothing else; diagnostics go to stderr.
//
// Writable objects (CPS-MIB, ePDU subtree B = 1.3.6.1.4.1.3808.1.1.3):
//   B.3.3.1.1.4.{n}  ePDUOutletControlOutletCommand (integer 1..7)
//     1 immediateOn  -> status B.3.5.1.1.4.{n} = 1 (on)
//     2 immediateOff -> status = 2 (off)
//     3 immediateReboot -> off, pending B.3.5.1.1.5.{n} = 1, on again after --delay-ms
//     4 delayedOn / 5 delayedOff / 6 delayedReboot -> pending = 1 for --delay-ms, then applied
//     7 cancelPendingCommand -> pending = 2, scheduled action dropped
//     Reading the command column returns the outlet state (1 on / 2 off), as the MIB says.
//   B.1.1.0          ePDUIdentName (string or octet)
// snmprec records of type 5 (Null; real agents sometimes answer NULL) are not served: a GET of
// them answers NONE (noSuchInstance) and GETNEXT skips them, because pass_persist cannot
// return a NULL value.
import { appendFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const B = '1.3.6.1.4.1.3808.1.1.3';
const OUTLET_COMMAND = `${B}.3.3.1.1.4`;
const OUTLET_STATE = `${B}.3.5.1.1.4`;
const OUTLET_PENDING = `${B}.3.5.1.1.5`;
const DEVICE_NAME = `${B}.1.1.0`;
const NAME_MAX = 63;

function fail(msg) {
  process.stderr.write(`pass-persist: ${msg}\n`);
  process.exit(2);
}

let traceFile;

function trace(msg) {
  if (traceFile === undefined) return;
  try {
    appendFileSync(traceFile, `${new Date().toISOString()} ${msg}\n`);
  } catch {
    // tracing is best effort
  }
}

function log(msg) {
  process.stderr.write(`pass-persist: ${msg}\n`);
  trace(`ERROR ${msg}`);
}

// ---- arguments -------------------------------------------------------------------------------
const argv = process.argv.slice(2);
let fixture;
let base = '1.3.6.1.4.1.3808';
let delayMs = 2000;
while (argv.length > 0) {
  const a = argv.shift();
  if (a === '--base') base = String(argv.shift() ?? '').replace(/^\./, '');
  else if (a === '--delay-ms') delayMs = Number(argv.shift());
  else if (a === '--log') traceFile = argv.shift();
  else if (fixture === undefined) fixture = a;
  else fail(`unexpected argument ${a}`);
}
if (!fixture) fail('usage: pass-persist.mjs <fixture.snmprec> [--base <oid>] [--delay-ms <ms>]');
if (!/^\d+(\.\d+)*$/.test(base)) fail(`bad --base ${base}`);
if (!Number.isFinite(delayMs) || delayMs < 0) fail('bad --delay-ms');

// ---- OID helpers -----------------------------------------------------------------------------
function parseOid(s) {
  const t = s.trim().replace(/^\./, '');
  if (!/^\d+(\.\d+)*$/.test(t)) return undefined;
  return t.split('.').map(Number);
}

function cmp(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function isUnder(oidStr, prefix) {
  return oidStr === prefix || oidStr.startsWith(prefix + '.');
}

// ---- fixture ---------------------------------------------------------------------------------
/** @typedef {{ oid: number[]; key: string; type: string; value: string }} Rec */
/** @type {Rec[]} */
const records = [];
/** @type {Map<string, Rec>} */
const byKey = new Map();

let text;
try {
  text = readFileSync(fixture, 'utf8');
} catch (e) {
  fail(`cannot read fixture ${fixture}: ${e instanceof Error ? e.message : String(e)}`);
}
let lineNo = 0;
for (const raw of text.split(/\r?\n/)) {
  lineNo++;
  const line = raw.replace(/\r$/, '');
  if (line.trim() === '' || line.startsWith('#')) continue;
  const p1 = line.indexOf('|');
  const p2 = p1 < 0 ? -1 : line.indexOf('|', p1 + 1);
  if (p1 < 0 || p2 < 0) fail(`${fixture}:${lineNo}: not OID|TYPE|VALUE`);
  const oid = parseOid(line.slice(0, p1));
  if (!oid) fail(`${fixture}:${lineNo}: bad OID`);
  const type = line.slice(p1 + 1, p2);
  const value = line.slice(p2 + 1);
  const key = oid.join('.');
  if (!isUnder(key, base) || key === base) continue;
  if (byKey.has(key)) fail(`${fixture}:${lineNo}: duplicate OID ${key}`);
  const rec = { oid, key, type, value };
  records.push(rec);
  byKey.set(key, rec);
}
records.sort((a, b) => cmp(a.oid, b.oid));

// ---- value rendering -------------------------------------------------------------------------
function hexSpaced(buf) {
  return [...buf].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** @returns {[string, string] | undefined} pass_persist type and value line */
function render(rec) {
  const { type, value } = rec;
  switch (type) {
    case '2':
      return ['integer', value];
    case '4':
      // A newline cannot travel in a `string` reply; anything not printable goes as hex.
      if (/^[\x20-\x7e]*$/.test(value)) return ['string', value];
      return ['octet', hexSpaced(Buffer.from(value, 'utf8'))];
    case '4x':
      return ['octet', hexSpaced(Buffer.from(value, 'hex'))];
    case '6':
      return ['objectid', '.' + value.replace(/^\./, '')];
    case '64':
      return ['ipaddress', value];
    case '65':
      return ['counter', value];
    case '66':
      return ['gauge', value];
    case '67':
      return ['timeticks', value];
    case '70':
      return ['counter64', value];
    default:
      return undefined; // 5 (Null) and anything unknown: not served
  }
}

function reply(lines) {
  trace(`< ${lines.join(' | ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}

function answer(rec) {
  const r = render(rec);
  if (!r) return false;
  reply(['.' + rec.key, r[0], r[1]]);
  return true;
}

function doGet(oidText) {
  const oid = parseOid(oidText);
  const rec = oid ? byKey.get(oid.join('.')) : undefined;
  if (!rec || !answer(rec)) reply(['NONE']);
}

function doGetNext(oidText) {
  const oid = parseOid(oidText);
  if (!oid) return reply(['NONE']);
  // first record strictly greater than oid (binary search), skipping unservable ones
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(records[mid].oid, oid) <= 0) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < records.length; i++) {
    if (answer(records[i])) return;
  }
  reply(['NONE']);
}

// ---- SET -------------------------------------------------------------------------------------
/** @type {Map<number, NodeJS.Timeout>} */
const timers = new Map();

function setInt(key, v) {
  const rec = byKey.get(key);
  if (rec) rec.value = String(v);
}

function setOutletState(n, state) {
  setInt(`${OUTLET_STATE}.${n}`, state);
  setInt(`${OUTLET_COMMAND}.${n}`, state); // reading the command column returns the state
}

function schedule(n, fn) {
  const old = timers.get(n);
  if (old) clearTimeout(old);
  const t = setTimeout(() => {
    timers.delete(n);
    fn();
  }, delayMs);
  timers.set(n, t);
}

function cancel(n) {
  const old = timers.get(n);
  if (old) clearTimeout(old);
  timers.delete(n);
}

function outletCommand(n, cmd) {
  const pending = `${OUTLET_PENDING}.${n}`;
  switch (cmd) {
    case 1:
      cancel(n);
      setInt(pending, 2);
      setOutletState(n, 1);
      return;
    case 2:
      cancel(n);
      setInt(pending, 2);
      setOutletState(n, 2);
      return;
    case 3:
      setOutletState(n, 2);
      setInt(pending, 1);
      schedule(n, () => {
        setOutletState(n, 1);
        setInt(pending, 2);
      });
      return;
    case 4:
    case 5:
    case 6:
      setInt(pending, 1);
      schedule(n, () => {
        if (cmd === 4) {
          setOutletState(n, 1);
          setInt(pending, 2);
        } else if (cmd === 5) {
          setOutletState(n, 2);
          setInt(pending, 2);
        } else {
          setOutletState(n, 2);
          schedule(n, () => {
            setOutletState(n, 1);
            setInt(pending, 2);
          });
        }
      });
      return;
    case 7:
      cancel(n);
      setInt(pending, 2);
      return;
  }
}

/** Parse `TYPE VALUE` as formatted by snmpd (strings and octets come quoted). */
function parseSetValue(line) {
  const m = /^(\S+)\s*(.*)$/.exec(line.trim());
  if (!m) return { type: '', value: '' };
  let value = m[2];
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return { type: m[1].toLowerCase(), value };
}

function doSet(oidText, valueLine) {
  const oid = parseOid(oidText);
  if (!oid) return reply(['not-writable']);
  const key = oid.join('.');
  const rec = byKey.get(key);
  const { type, value } = parseSetValue(valueLine);

  if (rec && isUnder(key, OUTLET_COMMAND) && oid.length === OUTLET_COMMAND.split('.').length + 1) {
    if (type !== 'integer') return reply(['wrong-type']);
    if (!/^-?\d+$/.test(value)) return reply(['wrong-value']);
    const cmd = Number(value);
    if (cmd < 1 || cmd > 7) return reply(['wrong-value']);
    const n = oid[oid.length - 1];
    if (!byKey.has(`${OUTLET_STATE}.${n}`)) return reply(['not-writable']);
    outletCommand(n, cmd);
    return reply(['DONE']);
  }

  if (rec && key === DEVICE_NAME) {
    let name;
    if (type === 'string') name = value;
    else if (type === 'octet') {
      const bytes = value.split(/\s+/).filter(Boolean);
      if (!bytes.every((h) => /^[0-9a-fA-F]{1,2}$/.test(h))) return reply(['wrong-value']);
      name = Buffer.from(bytes.map((h) => parseInt(h, 16))).toString('latin1');
    } else return reply(['wrong-type']);
    if (name.length > NAME_MAX) return reply(['wrong-length']);
    rec.type = /^[\x20-\x7e]*$/.test(name) ? '4' : '4x';
    rec.value = rec.type === '4' ? name : Buffer.from(name, 'latin1').toString('hex');
    return reply(['DONE']);
  }

  return reply(['not-writable']);
}

// ---- main loop -------------------------------------------------------------------------------
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
/** @type {string[]} */
let pending = [];
/** @type {string | undefined} */
let command;

rl.on('line', (line) => {
  trace(`> ${line}`);
  try {
    if (command === undefined) {
      const c = line.trim();
      if (c === '') {
        // snmpd 5.9 sends an empty line after every `set` request; it is not a request.
        return;
      } else if (c === 'PING') {
        reply(['PONG']);
      } else if (c === 'get' || c === 'getnext' || c === 'set') {
        command = c;
        pending = [];
      } else {
        log(`unknown command ${JSON.stringify(c)}`);
      }
      return;
    }
    pending.push(line);
    const need = command === 'set' ? 2 : 1;
    if (pending.length < need) return;
    const c = command;
    const args = pending;
    command = undefined;
    pending = [];
    if (c === 'get') doGet(args[0] ?? '');
    else if (c === 'getnext') doGetNext(args[0] ?? '');
    else doSet(args[0] ?? '', args[1] ?? '');
  } catch (e) {
    log(`error: ${e instanceof Error ? e.stack : String(e)}`);
    command = undefined;
    pending = [];
    reply(['NONE']);
  }
});
rl.on('close', () => process.exit(0));
process.stdout.on('error', () => process.exit(0)); // snmpd went away
