#!/usr/bin/env node
// Convert numeric `snmpwalk -On` output (net-snmp text format) to snmprec
// (`OID|TYPE|VALUE`, sorted by OID arcs). Used once to turn public captures
// into test/fixtures/snmprec/*.snmprec; kept so the conversion is repeatable.
//
// Usage: node walk-to-snmprec.mjs <walk.txt> [--keep <prefix>]... > out.snmprec
//
// Type mapping: INTEGER 2, STRING 4 (4x if not printable ASCII), Hex-STRING 4x,
// OID 6, IpAddress 64, Counter32 65, Gauge32 66, Timeticks 67, Counter64 70,
// NULL 5 (empty value). A value printed without a type tag (walks taken with
// -Ot print TimeTicks as a bare number) is TimeTicks (67).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.shift();
const keep = [];
while (args.length > 0) {
  const a = args.shift();
  if (a === '--keep' && args.length > 0) keep.push(String(args.shift()).replace(/^\./, ''));
  else {
    process.stderr.write(`unknown argument ${a}\n`);
    process.exit(2);
  }
}
if (!file) {
  process.stderr.write('usage: walk-to-snmprec.mjs <walk.txt> [--keep <oid-prefix>]...\n');
  process.exit(2);
}

function under(oid, prefix) {
  return oid === prefix || oid.startsWith(prefix + '.');
}

function cmpOid(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

function printable(s) {
  return /^[\x20-\x7e]*$/.test(s);
}

const out = new Map();
const lines = readFileSync(file, 'utf8').split(/\r?\n/);
for (const raw of lines) {
  const line = raw.trim();
  if (line === '') continue;
  const m = /^\.?([0-9.]+) = (.*)$/.exec(line);
  if (!m) {
    process.stderr.write(`skipping unparsable line: ${line}\n`);
    continue;
  }
  const oid = m[1];
  const rest = m[2];
  if (keep.length > 0 && !keep.some((p) => under(oid, p))) continue;
  let rec;
  let t;
  if ((t = /^STRING: "(.*)"$/.exec(rest))) {
    const v = t[1].replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rec = printable(v) ? `4|${v}` : `4x|${Buffer.from(v, 'latin1').toString('hex')}`;
  } else if ((t = /^STRING: (.*)$/.exec(rest))) {
    rec = `4|${t[1]}`;
  } else if (rest === '""') {
    rec = '4|';
  } else if ((t = /^Hex-STRING: ([0-9A-Fa-f ]*)$/.exec(rest))) {
    rec = `4x|${t[1].replace(/\s+/g, '').toLowerCase()}`;
  } else if ((t = /^INTEGER: (-?\d+)/.exec(rest))) {
    rec = `2|${t[1]}`;
  } else if ((t = /^Gauge32: (\d+)/.exec(rest))) {
    rec = `66|${t[1]}`;
  } else if ((t = /^Counter32: (\d+)/.exec(rest))) {
    rec = `65|${t[1]}`;
  } else if ((t = /^Counter64: (\d+)/.exec(rest))) {
    rec = `70|${t[1]}`;
  } else if ((t = /^Timeticks: \((\d+)\)/.exec(rest))) {
    rec = `67|${t[1]}`;
  } else if ((t = /^OID: \.?([0-9.]+)$/.exec(rest))) {
    rec = `6|${t[1]}`;
  } else if ((t = /^IpAddress: ([0-9.]+)$/.exec(rest))) {
    rec = `64|${t[1]}`;
  } else if (rest === 'NULL') {
    rec = '5|';
  } else if ((t = /^(\d+)$/.exec(rest))) {
    rec = `67|${t[1]}`;
  } else {
    process.stderr.write(`skipping unknown value type: ${line}\n`);
    continue;
  }
  out.set(oid, rec);
}

const oids = [...out.keys()].sort(cmpOid);
for (const oid of oids) process.stdout.write(`${oid}|${out.get(oid)}\n`);
