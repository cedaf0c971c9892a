import { parseArgs } from 'node:util';
import { errorMessage } from '../core/errors.js';
import { hashPassword } from '../core/password.js';
import type { CliIO } from './io.js';

export const HASH_PASSWORD_USAGE = `usage: power2mqtt hash-password

Reads a password and prints its scrypt hash (one line) for web.auth.password_hash,
web.auth.users[].password_hash or mqtt.embedded.users[].password_hash.
On a terminal it asks twice without echo; otherwise it reads the first line of stdin:
  printf '%s\\n' "$PASSWORD" | power2mqtt hash-password
Exit codes: 0 ok, 1 empty/mismatching/unreadable password, 2 usage error.
`;

/** What the command reads from: process.stdin, or a stream in tests. */
export interface PasswordInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

// A password longer than this is almost certainly a pasted file, not a password.
const MAX_PASSWORD_BYTES = 4096;

class Cancelled extends Error {}

/** The first line of a non-interactive stream (without its line ending); '' at immediate EOF. */
function readLine(input: PasswordInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const finish = (err: Error | null, value = ''): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      // Leave the rest of stdin unread, so the process can exit.
      input.pause();
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(null, buf.slice(0, nl).replace(/\r$/, ''));
      else if (Buffer.byteLength(buf) > MAX_PASSWORD_BYTES) finish(new Error(`password longer than ${MAX_PASSWORD_BYTES} bytes`));
    };
    const onEnd = (): void => finish(null, buf.replace(/\r$/, ''));
    const onError = (err: Error): void => finish(err);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}

/** Read one line from a terminal in raw mode, echoing nothing. Ctrl-C / Ctrl-D cancel. */
function readHidden(input: PasswordInput, prompt: string, io: CliIO): Promise<string> {
  io.err(prompt);
  input.setRawMode?.(true);
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (err: Error | null): void => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      io.err('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) return finish(new Cancelled('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
        if (Buffer.byteLength(value) > MAX_PASSWORD_BYTES) return finish(new Error(`password longer than ${MAX_PASSWORD_BYTES} bytes`));
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/** `power2mqtt hash-password` (SPEC §16.1, §17): prompt/stdin → one scrypt hash line on stdout. */
export async function hashPasswordCommand(argv: string[], io: CliIO, input: PasswordInput = process.stdin): Promise<number> {
  let help: boolean | undefined;
  try {
    ({ values: { help } } = parseArgs({ args: argv, allowPositionals: false, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    io.err(`${errorMessage(err)}\n${HASH_PASSWORD_USAGE}`);
    return 2;
  }
  if (help) {
    io.out(HASH_PASSWORD_USAGE);
    return 0;
  }

  let password: string;
  try {
    if (input.isTTY) {
      // Prompts go to stderr so stdout carries only the hash (`... > hash.txt` works).
      password = await readHidden(input, 'Password: ', io);
      const again = await readHidden(input, 'Repeat password: ', io);
      if (password !== again) {
        io.err('power2mqtt: the passwords do not match\n');
        return 1;
      }
    } else {
      password = await readLine(input);
    }
  } catch (err) {
    io.err(err instanceof Cancelled ? 'power2mqtt: cancelled\n' : `power2mqtt: cannot read the password: ${errorMessage(err)}\n`);
    return 1;
  }
  if (password === '') {
    io.err('power2mqtt: empty password (type one, or pipe one line to stdin)\n');
    return 1;
  }
  io.out(`${await hashPassword(password)}\n`);
  return 0;
}
