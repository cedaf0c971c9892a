// Debian's snmpd (an agent we did not write) serving a real CyberPower PDU44005 capture through
// pass_persist, checked with Debian's own snmpget/snmpwalk/snmpset. This pins down the test
// agent itself; poller tests can then run against it knowing the data is the device's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requires } from '../support/requires.js';
import { snmpdAvailable, startSnmpd, type SnmpdHandle } from '../support/snmpd/index.js';
import { parseVarbinds, runSnmpTool, type Varbind } from '../support/snmpd/tools.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/snmprec/cyberpower-pdu44005-ats.snmprec', import.meta.url));
const B = '1.3.6.1.4.1.3808.1.1.3'; // CPS-MIB ePDU
const E2 = '1.3.6.1.4.1.3808.1.1.6'; // CPS-MIB ePDU2
const OUTLETS = 10;

const available = requires('Debian snmpd', snmpdAvailable());

interface Agent {
  h: SnmpdHandle;
  get(oids: string[], community?: string): Promise<Varbind[]>;
  walk(oid: string, bulk?: boolean): Promise<Varbind[]>;
  set(args: string[], community?: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

function client(h: SnmpdHandle): Agent {
  const target = `${h.host}:${h.port}`;
  return {
    h,
    async get(oids, community = 'public') {
      const r = await runSnmpTool('snmpget', ['-v2c', '-c', community, target, ...oids]);
      if (r.code !== 0) throw new Error(`snmpget failed (${r.code}): ${r.stderr}\n${h.logs()}`);
      return parseVarbinds(r.stdout);
    },
    async walk(oid, bulk = false) {
      const r = await runSnmpTool(bulk ? 'snmpbulkwalk' : 'snmpwalk', ['-v2c', '-c', 'public', target, oid]);
      if (r.code !== 0) throw new Error(`walk failed (${r.code}): ${r.stderr}\n${h.logs()}`);
      return parseVarbinds(r.stdout);
    },
    set(args, community = 'private') {
      return runSnmpTool('snmpset', ['-v2c', '-c', community, target, ...args]);
    },
  };
}

async function value(a: Agent, oid: string): Promise<Varbind> {
  const [vb] = await a.get([oid]);
  if (!vb) throw new Error(`no varbind for ${oid}`);
  return vb;
}

/** snmprec type -> net-snmp print label */
const TYPE_LABEL: Record<string, string> = {
  '2': 'INTEGER',
  '4': 'STRING',
  '4x': 'Hex-STRING',
  '6': 'OID',
  '64': 'IpAddress',
  '65': 'Counter32',
  '66': 'Gauge32',
  '67': 'Timeticks',
  '70': 'Counter64',
};

function fixtureRecords(prefix: string): { oid: string; type: string; value: string }[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [oid = '', type = '', ...rest] = l.split('|');
      return { oid, type, value: rest.join('|') };
    })
    .filter((r) => r.oid.startsWith(prefix + '.'));
}

describe.runIf(available)('Debian snmpd serving the PDU44005 fixture (read)', () => {
  let a: Agent;

  beforeAll(async () => {
    a = client(await startSnmpd({ fixture: FIXTURE }));
  });
  afterAll(async () => {
    await a?.h.stop();
  });

  it('listens on 127.0.0.1 at a high port, not 161', () => {
    expect(a.h.host).toBe('127.0.0.1');
    expect(a.h.port).toBeGreaterThan(1023);
  });

  it('serves the MIB-II system group from the fixture, with its own sysUpTime', async () => {
    const vbs = await a.get(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.6.0']);
    expect(vbs.map((v) => [v.type, v.value])).toEqual([
      ['STRING', 'CPS Power Distributed Unit'],
      ['OID', E2],
      ['Timeticks', expect.stringMatching(/^\d+$/)],
      ['STRING', 'ATS011'],
      ['STRING', '...cut...'],
    ]);
    // real uptime of a just-started snmpd (the capture said 161500 = 26 min 55 s)
    expect(Number(vbs[2]?.value)).toBeLessThan(60_000);
  });

  it('returns the ePDU identity strings exactly (anonymised serial kept)', async () => {
    const vbs = await a.get([`${B}.1.1.0`, `${B}.1.2.0`, `${B}.1.3.0`, `${B}.1.4.0`, `${B}.1.5.0`, `${B}.1.6.0`]);
    expect(vbs.map((v) => `${v.type}:${v.value}`)).toEqual([
      'STRING:ATS011',
      'STRING:1.1',
      'STRING:1.3.2',
      'STRING:232524',
      'STRING:PDU44005',
      'STRING:...cut...',
    ]);
  });

  it('returns one value of each fixture type exactly: INTEGER, Gauge32, STRING', async () => {
    const vbs = await a.get([
      `${B}.1.8.0`, // outlet count, INTEGER
      `${B}.5.7.0`, // input voltage, INTEGER tenths
      `${B}.2.3.1.1.2.1`, // load row 1 current, Gauge32 tenths
      `${B}.3.5.1.1.4.1`, // outlet 1 state
      `${B}.2.3.1.1.11.1`, // bank energy start time, STRING
      `${E2}.9.4.1.5.1`, // ATS source A voltage (whole volts on this firmware)
    ]);
    expect(vbs.map((v) => `${v.type}:${v.value}`)).toEqual([
      'INTEGER:10',
      'INTEGER:2179',
      'Gauge32:10',
      'INTEGER:1',
      'STRING:05/24/2023 10:08:33',
      'INTEGER:217',
    ]);
  });

  it('serves every non-NULL fixture record under .3808 exactly, in order (GETBULK walk)', async () => {
    const expected = fixtureRecords('1.3.6.1.4.1.3808')
      .filter((r) => r.type !== '5')
      .map((r) => ({ oid: r.oid, type: TYPE_LABEL[r.type] ?? `?${r.type}`, value: r.value }));
    const got = await a.walk('.1.3.6.1.4.1.3808', true);
    expect(expected.length).toBeGreaterThan(900);
    expect(got).toEqual(expected);
  });

  it('answers noSuchInstance for the objects the PDU returned as NULL', async () => {
    const nulls = fixtureRecords('1.3.6.1.4.1.3808').filter((r) => r.type === '5');
    expect(nulls.map((r) => r.oid)).toContain(`${B}.2.3.1.1.8.2`);
    const vbs = await a.get(nulls.map((r) => r.oid));
    expect(vbs).toHaveLength(nulls.length);
    for (const vb of vbs) expect(vb.type).toBe('noSuchInstance');
  });

  it('walks the ePDU outlet status table: one state row per outlet, all on', async () => {
    const rows = await a.walk(`${B}.3.5.1.1.4`);
    expect(rows.map((r) => r.oid)).toEqual(Array.from({ length: OUTLETS }, (_, i) => `${B}.3.5.1.1.4.${i + 1}`));
    expect(rows.every((r) => r.type === 'INTEGER' && r.value === '1')).toBe(true);
  });

  it('walks the load table: a total row (bank no. 0) and bank 1', async () => {
    const current = await a.walk(`${B}.2.3.1.1.2`);
    expect(current.map((r) => `${r.oid.slice(B.length + 1)}=${r.value}`)).toEqual(['2.3.1.1.2.1=10', '2.3.1.1.2.2=10']);
    const bankNo = await a.walk(`${B}.2.3.1.1.5`);
    expect(bankNo.map((r) => r.value)).toEqual(['0', '1']);
  });

  it('refuses a SET with the read community', async () => {
    const r = await a.set([`${B}.3.3.1.1.4.1`, 'i', '2'], 'public');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/noAccess|authorizationError|notWritable/);
    expect((await value(a, `${B}.3.5.1.1.4.1`)).value).toBe('1');
  });
});

describe.runIf(available)('Debian snmpd serving the PDU44005 fixture (write)', () => {
  let a: Agent;

  beforeAll(async () => {
    a = client(await startSnmpd({ fixture: FIXTURE, commandDelayMs: 1000 }));
  });
  afterAll(async () => {
    await a?.h.stop();
  });

  it('turns outlet 3 off (2) then on (1) through ePDUOutletControlOutletCommand', async () => {
    const off = await a.set([`${B}.3.3.1.1.4.3`, 'i', '2']);
    expect(off.code, off.stderr).toBe(0);
    const afterOff = await a.get([`${B}.3.5.1.1.4.3`, `${B}.3.5.1.1.4.2`, `${B}.3.5.1.1.4.4`]);
    expect(afterOff.map((v) => v.value)).toEqual(['2', '1', '1']); // only outlet 3 changed
    // the command column reads back the outlet state
    expect((await value(a, `${B}.3.3.1.1.4.3`)).value).toBe('2');

    const on = await a.set([`${B}.3.3.1.1.4.3`, 'i', '1']);
    expect(on.code, on.stderr).toBe(0);
    expect((await value(a, `${B}.3.5.1.1.4.3`)).value).toBe('1');
  });

  it('reboots an outlet: off with command pending, then on again', async () => {
    const r = await a.set([`${B}.3.3.1.1.4.5`, 'i', '3']);
    expect(r.code, r.stderr).toBe(0);
    const during = await a.get([`${B}.3.5.1.1.4.5`, `${B}.3.5.1.1.5.5`]);
    expect(during.map((v) => v.value)).toEqual(['2', '1']);
    const until = Date.now() + 5000;
    let after: string[] = [];
    while (Date.now() < until) {
      after = (await a.get([`${B}.3.5.1.1.4.5`, `${B}.3.5.1.1.5.5`])).map((v) => v.value);
      if (after[0] === '1') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(after).toEqual(['1', '2']);
  });

  it('sets the device name (ePDUIdentName)', async () => {
    const r = await a.set([`${B}.1.1.0`, 's', 'Rack A PDU']);
    expect(r.code, r.stderr).toBe(0);
    expect(await value(a, `${B}.1.1.0`)).toEqual({ oid: `${B}.1.1.0`, type: 'STRING', value: 'Rack A PDU' });
  });

  it('refuses a SET of a non-writable object (model), leaving it unchanged', async () => {
    const r = await a.set([`${B}.1.5.0`, 's', 'PDU99999']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/notWritable/);
    expect((await value(a, `${B}.1.5.0`)).value).toBe('PDU44005');
  });

  it('refuses a SET of the wrong type on the outlet command column', async () => {
    const r = await a.set([`${B}.3.3.1.1.4.4`, 's', 'off']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/wrongType/);
    expect((await value(a, `${B}.3.5.1.1.4.4`)).value).toBe('1');
  });

  it('refuses an out-of-range outlet command', async () => {
    const r = await a.set([`${B}.3.3.1.1.4.4`, 'i', '9']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/wrongValue/);
  });

  it('refuses a SET with the read community', async () => {
    const r = await a.set([`${B}.3.3.1.1.4.6`, 'i', '2'], 'public');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/noAccess|authorizationError|notWritable/);
    expect((await value(a, `${B}.3.5.1.1.4.6`)).value).toBe('1');
  });
});
