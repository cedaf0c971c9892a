import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hashPasswordCommand, type PasswordInput } from '../../../src/cli/hash-password.js';
import type { CliIO } from '../../../src/cli/io.js';
import { isPasswordHash } from '../../../src/config/schema/web.js';
import { hashPassword, parsePasswordHash, SCRYPT_PARAMS, verifyPassword } from '../../../src/core/password.js';

describe('hashPassword / verifyPassword (SPEC §16.1)', () => {
  it('produces scrypt$N$r$p$salt$hash with the §16.1 parameters, accepted by isPasswordHash', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
    expect(isPasswordHash(h)).toBe(true);
    const parsed = parsePasswordHash(h);
    expect(parsed?.salt.length).toBe(SCRYPT_PARAMS.saltBytes);
    expect(parsed?.key.length).toBe(SCRYPT_PARAMS.keyBytes);
  });

  it('salts: the same password hashes differently each time, both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('pw'), hashPassword('pw')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('pw', a)).toBe(true);
    expect(await verifyPassword('pw', b)).toBe(true);
  });

  it('rejects a wrong password, including prefixes, case changes and the empty string', async () => {
    const h = await hashPassword('Sécret-パス 1');
    expect(await verifyPassword('Sécret-パス 1', h)).toBe(true);
    const wrong = ['Sécret-パス', 'sécret-パス 1', 'Sécret-パス 1 ', ''];
    expect(await Promise.all(wrong.map((w) => verifyPassword(w, h)))).toEqual([false, false, false, false]);
  });

  it('verifies with the parameters carried in the hash (so they can be raised later)', async () => {
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('pw', salt, 32, { N: 1024, r: 4, p: 1 });
    const h = `scrypt$1024$4$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(isPasswordHash(h)).toBe(true);
    expect(await verifyPassword('pw', h)).toBe(true);
    expect(await verifyPassword('px', h)).toBe(false);
    // url-safe base64 (also accepted by isPasswordHash) decodes to the same bytes
    const urlSafe = `scrypt$1024$4$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('pw', urlSafe)).toBe(true);
  });

  const salt = Buffer.alloc(16, 1).toString('base64');
  const key = Buffer.alloc(64, 2).toString('base64');
  it.each([
    ['empty', ''],
    ['plain text', 'hunter2'],
    ['wrong scheme', `bcrypt$16384$8$5$${salt}$${key}`],
    ['too few parts', `scrypt$16384$8$5$${salt}`],
    ['too many parts', `scrypt$16384$8$5$${salt}$${key}$x`],
    ['N not a power of two', `scrypt$1000$8$5$${salt}$${key}`],
    ['N zero', `scrypt$0$8$5$${salt}$${key}`],
    ['N absurdly large (would allocate GBs)', `scrypt$1073741824$8$1$${salt}$${key}`],
    ['r zero', `scrypt$16384$0$5$${salt}$${key}`],
    ['p huge', `scrypt$16384$8$100000$${salt}$${key}`],
    ['negative number', `scrypt$-16384$8$5$${salt}$${key}`],
    ['salt not base64', `scrypt$16384$8$5$sa!t$${key}`],
    ['empty hash', `scrypt$16384$8$5$${salt}$`],
    ['key too short', `scrypt$16384$8$5$${salt}$AAAA`],
  ])('returns false (never throws) for a malformed hash: %s', async (_name, hash) => {
    await expect(verifyPassword('pw', hash)).resolves.toBe(false);
  });

  it('returns false for non-string input from untyped callers', async () => {
    await expect(verifyPassword(undefined as unknown as string, await hashPassword('x'))).resolves.toBe(false);
    await expect(verifyPassword('x', null as unknown as string)).resolves.toBe(false);
  });
});

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}

/** A fake terminal: records raw mode, feeds keystrokes when the command starts reading. */
function fakeTty(keys: string[]): PasswordInput & { rawModes: boolean[] } {
  const s = new PassThrough() as unknown as PasswordInput & { rawModes: boolean[] } & PassThrough;
  s.isTTY = true;
  s.rawModes = [];
  s.setRawMode = (raw: boolean) => s.rawModes.push(raw);
  let fed = false;
  s.on('resume', () => {
    if (fed) return;
    fed = true;
    setImmediate(() => keys.forEach((k) => s.write(k)));
  });
  return s;
}

describe('power2mqtt hash-password', () => {
  it('reads the first line of stdin and prints one verifiable hash line on stdout', async () => {
    const io = captureIO();
    const input = new PassThrough();
    input.end('pass word\r\nsecond line ignored\n');
    expect(await hashPasswordCommand([], io, input)).toBe(0);
    const line = io.stdout.trimEnd();
    expect(io.stdout.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(1);
    expect(isPasswordHash(line)).toBe(true);
    expect(await verifyPassword('pass word', line)).toBe(true);
    expect(io.stderr).toBe('');
  });

  it('accepts a last line without newline; refuses an empty password with exit 1', async () => {
    const io = captureIO();
    const input = new PassThrough();
    input.end('no-newline');
    expect(await hashPasswordCommand([], io, input)).toBe(0);
    expect(await verifyPassword('no-newline', io.stdout.trim())).toBe(true);

    const io2 = captureIO();
    const empty = new PassThrough();
    empty.end('');
    expect(await hashPasswordCommand([], io2, empty)).toBe(1);
    expect(io2.stdout).toBe('');
    expect(io2.stderr).toMatch(/empty password/);
  });

  it('--help exits 0; an unknown option or argument exits 2 with usage', async () => {
    const io = captureIO();
    expect(await hashPasswordCommand(['--help'], io, new PassThrough())).toBe(0);
    expect(io.stdout).toMatch(/usage: power2mqtt hash-password/);
    const bad = captureIO();
    expect(await hashPasswordCommand(['--bogus'], bad, new PassThrough())).toBe(2);
    expect(bad.stderr).toMatch(/usage:/);
    expect(await hashPasswordCommand(['extra'], captureIO(), new PassThrough())).toBe(2);
  });

  it('on a terminal prompts twice on stderr in raw mode (no echo), handles backspace', async () => {
    const io = captureIO();
    const tty = fakeTty(['sex', '\u007f', 'cret\r', 'secret\r']);
    expect(await hashPasswordCommand([], io, tty)).toBe(0);
    expect(io.stderr).toBe('Password: \nRepeat password: \n');
    expect(io.stderr).not.toMatch(/secret/);
    expect(tty.rawModes).toEqual([true, false, true, false]);
    expect(await verifyPassword('secret', io.stdout.trim())).toBe(true);
  });

  it('on a terminal refuses mismatching entries and Ctrl-C with exit 1, printing no hash', async () => {
    const io = captureIO();
    expect(await hashPasswordCommand([], io, fakeTty(['one\r', 'two\r']))).toBe(1);
    expect(io.stderr).toMatch(/do not match/);
    expect(io.stdout).toBe('');
    const io2 = captureIO();
    const tty = fakeTty(['abc\u0003']);
    expect(await hashPasswordCommand([], io2, tty)).toBe(1);
    expect(io2.stderr).toMatch(/cancelled/);
    expect(tty.rawModes.at(-1)).toBe(false);
  });
});
