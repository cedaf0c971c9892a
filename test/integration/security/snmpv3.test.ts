// SNMPv3 USM mistakes against an agent we did not write (Debian snmpd, SPEC §7, §16.3): each wrong
// key or level never yields data and leaves a health reason that names what to check, not a bare
// timeout. (authPriv SHA/AES polling and a SET: poller-snmpd.test.ts; v3 traps: traps.test.ts.)
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snmpdAvailable, startSnmpd, type SnmpdHandle } from '../../support/snmpd/index.js';
import { requires } from '../../support/requires.js';
import { testPdu } from '../../support/pdu.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/snmprec/cyberpower-pdu44005-ats.snmprec', import.meta.url));

describe.runIf(requires('Debian snmpd', snmpdAvailable()))('SNMPv3 credentials mistakes → a clear health reason', () => {
  let agent: SnmpdHandle;
  beforeAll(async () => {
    agent = await startSnmpd({
      fixture: FIXTURE,
      v3Users: [{ name: 'p2mpriv', auth: 'SHA', authKey: 'auth-pass-1234', priv: 'AES', privKey: 'priv-pass-5678', access: 'rw' }],
    });
  }, 30_000);
  afterAll(async () => {
    await agent?.stop();
  });

  const v3 = (over: Record<string, string> = {}) => ({
    username: 'p2mpriv', security_level: 'authPriv' as const, auth_protocol: 'sha' as const, auth_key: 'auth-pass-1234',
    priv_protocol: 'aes' as const, priv_key: 'priv-pass-5678', context: '', ...over,
  });

  it.each([
    ['the right keys (control)', {}, null],
    ['a wrong auth key', { auth_key: 'wrong-auth-0000' }, /Wrong Digest.*auth_key/],
    ['a wrong auth protocol', { auth_protocol: 'md5' }, /Wrong Digest.*auth_protocol/],
    ['an unknown user', { username: 'nobody' }, /Unknown User Name.*username/],
    ['a wrong priv key', { priv_key: 'wrong-priv-0000' }, /priv_key/],
    ['a wrong priv protocol', { priv_protocol: 'des' }, /priv_(key|protocol)/],
  ] as const)('%s', async (_what, over, reason) => {
    const pdu = testPdu(agent.port, { id: 'v3', version: '3', timeoutMs: 400, retries: 0, v3: v3(over as Record<string, string>) });
    try {
      const snap = await pdu.cycle();
      const h = pdu.device.healthState();
      if (reason === null) {
        expect(snap?.identity.model, h.lastError ?? '').toBe('PDU44005');
        return;
      }
      expect(snap).toBeNull();
      expect(h.consecutiveFailures).toBe(1);
      expect(h.lastError).toMatch(reason);
    } finally {
      await pdu.device.stop();
    }
  });
});
