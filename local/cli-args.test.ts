import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from './cli-args.ts';

const cli = { usage: 'usage: x [--port n]', options: { port: { type: 'string' } }, positionals: true } as const;

describe('parseCliArgs', () => {
  it('reads flags and positionals, and --help / -h', () => {
    const p = parseCliArgs(cli, ['find', '--port', '9']);
    expect(p.positionals).toEqual(['find']);
    expect(p.values.port).toBe('9');
    expect(parseCliArgs(cli, ['-h']).values.help).toBe(true);
  });

  it('turns an unknown flag into a UsageError', () => {
    expect(() => parseCliArgs(cli, ['--nope'])).toThrow(UsageError);
  });
});
