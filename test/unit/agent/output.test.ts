import { describe, expect, it } from 'vitest';
import { AgentOutput, fingerprint, isoSeconds } from '../../../src/agent/output.js';
import { sha256Hex } from '../../../src/agent/sigv4.js';
import { fakeJwt, fakeToken } from '../../helpers/secrets.js';

describe("the agent's output", () => {
  it('scrubs every registered secret and anything shaped like a JWT from what it says', () => {
    const [out, err]: [string[], string[]] = [[], []];
    const output = new AgentOutput(
      { write: (t: string) => out.push(t) },
      { write: (t: string) => err.push(t) },
    );
    const secret = fakeToken();
    const jwt = fakeJwt();
    output.secret(secret, '');

    output.say(`held ${secret} and ${jwt}`);
    output.problem(`failed with ${secret}`);
    output.warn('careful');

    expect(out).toEqual(['held [REDACTED] and [REDACTED]\n']);
    expect(err).toEqual([
      'license-token-agent: failed with [REDACTED]\n',
      'license-token-agent: warning: careful\n',
    ]);
  });

  it('keeps the latest secrets of a long run, and those used again, but not every one ever seen', () => {
    const out: string[] = [];
    const output = new AgentOutput({ write: (t: string) => out.push(t) }, { write: () => true });
    const token = fakeToken();
    const hourly = Array.from({ length: 100 }, () => fakeToken());
    for (const secret of hourly) output.secret(token, secret);

    output.say([token, ...hourly.slice(-60)].join(' '));
    output.say(hourly[0] ?? '');

    expect(out[0]).toBe(`${Array(61).fill('[REDACTED]').join(' ')}\n`);
    expect(out[1]).toBe(`${hourly[0]}\n`);
  });

  it('prints credentials as they are, only through printRaw', () => {
    const out: string[] = [];
    const output = new AgentOutput({ write: (t: string) => out.push(t) }, { write: () => true });
    const secret = fakeToken();
    output.secret(secret);
    output.printRaw(`{"SecretAccessKey":"${secret}"}\n`);
    expect(out.join('').includes(secret)).toBe(true);
  });

  it('shows a token as the start of its SHA-256, and times to the second', () => {
    const token = fakeToken();
    expect(fingerprint(token)).toBe(`${sha256Hex(token).slice(0, 6)}…`);
    expect(fingerprint(token)).not.toContain(token.slice(0, 6));
    expect(isoSeconds(new Date('2027-11-27T11:50:00.000Z'))).toBe('2027-11-27T11:50:00Z');
    expect(isoSeconds(new Date('2027-11-27T11:50:00.250Z'))).toBe('2027-11-27T11:50:00Z');
  });
});
