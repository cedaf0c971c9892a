// The CLI's shared argument conventions (src/cli/io.ts): exit codes and where the text goes.
import { describe, expect, it } from 'vitest';
import { parseCommandArgs, pickSubcommand, type CliIO } from '../../../src/cli/io.js';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

const USAGE = 'usage: power2mqtt thing list|add NAME\n';

describe('pickSubcommand', () => {
  it.each([
    { args: [], result: 2, stderr: USAGE },
    { args: ['frob'], result: 2, stderr: `unknown thing command "frob"\n${USAGE}` },
    { args: ['LIST'], result: 2, stderr: `unknown thing command "LIST"\n${USAGE}` },
    { args: ['list'], result: { sub: 'list', rest: [] }, stderr: '' },
    { args: ['add', 'a', 'b'], result: { sub: 'add', rest: ['a', 'b'] }, stderr: '' },
  ])('$args', ({ args, result, stderr }) => {
    const io = capture();
    expect(pickSubcommand(io, USAGE, 'thing', args, ['list', 'add'] as const)).toEqual(result);
    expect(io.stderr).toBe(stderr);
    expect(io.stdout).toBe('');
  });
});

describe('parseCommandArgs', () => {
  const options = { n: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } as const;
  it.each([
    { args: ['--help'], code: 0, stdout: USAGE, stderr: '' },
    { args: ['-h'], code: 0, stdout: USAGE, stderr: '' },
    { args: ['--bogus'], code: 2, stdout: '', stderr: /^Unknown option '--bogus'.*\nusage: power2mqtt thing/s },
  ])('$args → exit $code', ({ args, code, stdout, stderr }) => {
    const io = capture();
    expect(parseCommandArgs(io, USAGE, { args, options })).toBe(code);
    expect(io.stdout).toBe(stdout);
    if (typeof stderr === 'string') expect(io.stderr).toBe(stderr);
    else expect(io.stderr).toMatch(stderr);
  });

  it('returns the parsed values otherwise', () => {
    const io = capture();
    const parsed = parseCommandArgs(io, USAGE, { args: ['--n', '3'], options });
    expect(typeof parsed === 'number' ? parsed : parsed.values).toEqual({ n: '3', help: false });
    expect(io.stdout + io.stderr).toBe('');
  });
});
