import { CreateTokenCommand } from '@aws-sdk/client-license-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProjectError } from '../../src/aws/sdk-errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { REDACTED } from '../../src/observability/redact.js';
import { Secret } from '../../src/rotation/secret.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { runChaos } from '../chaos/run.js';
import { Invariant } from '../chaos/violations.js';
import { LICENSE_ARN } from '../helpers/factories.js';
import { loadHostileJobs } from '../helpers/hostile-jobs.js';
import { capturedOutput, clearCapturedOutput } from '../helpers/output.js';
import { clientsFor, startTestSandbox } from '../helpers/sandbox.js';
import { thrown } from '../helpers/thrown.js';
import { TokenFinder } from '../helpers/token-finder.js';

const printed = (): string => capturedOutput.join('');

describe("the logger's own safeguard, against tokens License Manager (the sandbox) really minted", () => {
  let sandbox: Sandbox;
  let token: string;

  beforeAll(async () => {
    // Every token it mints is registered with the file-wide leak check (test/helpers/setup.ts).
    sandbox = await startTestSandbox();
    const minted = await clientsFor(sandbox).licenseManager.send(
      new CreateTokenCommand({ LicenseArn: LICENSE_ARN, ClientToken: 'secret-safety' }),
    );
    token = minted.Token ?? '';
    expect(token).toMatch(/^eyJ/);
  });
  afterAll(() => sandbox.close());

  /** Logs one mistake and returns the line it printed. */
  const logged = (mistake: (log: ReturnType<typeof createLogger>) => void): string => {
    clearCapturedOutput();
    mistake(createLogger());
    const line = printed();
    expect(line, 'the mistake printed nothing').toMatch(/\S/);
    return line;
  };

  it.each([
    ['in the message', (log) => log.info(`minted ${token} for acme`)],
    ['as a field', (log) => log.info('minted', { token })],
    ['deep in nested objects', (log) => log.info('minted', { a: { b: { c: { value: token } } } })],
    ['in arrays', (log) => log.info('minted', { list: [token, { deeper: ['x', token] }] })],
    ['as a key', (log) => log.info('minted', { byToken: { [token]: 'tok-1' } })],
    [
      'in a persistent key',
      (log) => {
        log.appendKeys({ session: token });
        log.info('minted');
      },
    ],
    [
      "in an error's message and its cause's",
      (log) =>
        log.error('failed', {
          error: new Error(`refused ${token}`, { cause: new Error(`because of ${token}`) }),
        }),
    ],
    [
      "in an error's cause that is not an Error",
      (log) => log.error('failed', { error: new Error('refused', { cause: { token } }) }),
    ],
    [
      'in properties an error carries',
      (log) =>
        log.error('failed', {
          error: Object.assign(new Error('refused'), { request: { Token: token } }),
        }),
    ],
    ['in an error logged on its own', (log) => log.error(new Error(`refused ${token}`) as never)],
  ] as const satisfies readonly (readonly [
    string,
    (log: ReturnType<typeof createLogger>) => void,
  ])[])('redacts a token %s', (_where, mistake) => {
    const line = logged(mistake);
    expect(line.includes(token), 'the token was printed').toBe(false);
    expect(line).toContain(REDACTED);
  });

  it('redacts what AWS echoes back in an SDK error, logged raw by mistake', async () => {
    // License Manager's validation messages quote the offending value: here, the token itself.
    const sdkError = await thrown(
      clientsFor(sandbox, { maxAttempts: 1 }).licenseManager.send(
        new CreateTokenCommand({ LicenseArn: token, ClientToken: 'echo' }),
      ),
    );
    expect(sdkError.message.includes(token), 'the sandbox echoes the value, as AWS does').toBe(
      true,
    );
    const line = logged((log) => log.error('CreateToken failed', { error: sdkError }));
    expect(line.includes(token)).toBe(false);
    expect(line).toContain('ValidationException');
    // And the project's own error keeps nothing of it either.
    const ours = toProjectError('CreateToken', sdkError);
    expect(new TokenFinder().findIn(ours)).toEqual([]);
    expect(`${ours.message}\n${ours.stack}`.includes(token)).toBe(false);
  });

  it('keeps a Secret out of every form a log line can take', () => {
    const line = logged((log) => log.info('minted', { secret: new Secret(token) }));
    expect(line.includes(token)).toBe(false);
    expect(JSON.parse(line)).toMatchObject({ secret: REDACTED });
  });

  it('leaves everything else of the line alone', () => {
    const line = logged((log) =>
      log.info('Token rotated', { parameterName: '/license-tokens/acme/prod', tokenId: 'tok-1' }),
    );
    expect(JSON.parse(line)).toMatchObject({
      message: 'Token rotated',
      parameterName: '/license-tokens/acme/prod',
      tokenId: 'tok-1',
    });
  });
});

describe("the chaos suite's leak check", () => {
  it('finds a minted token wherever it sits in a text, and nothing else', () => {
    const finder = new TokenFinder();
    const a = 'eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJhIn0.c2lnbmF0dXJlLWE';
    const b = 'eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJiIn0.c2lnbmF0dXJlLWI';
    finder.add(a);
    finder.add(b);
    expect(finder.find(`{"msg":"x","t":"${a}"}`)).toEqual([a]);
    expect(finder.find(`glued${a}glued and ${b}.`).sort()).toEqual([a, b].sort());
    expect(finder.find(`${a.slice(0, -1)}`)).toEqual([]);
    expect(finder.find('eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJjIn0.c2lnbmF0dXJlLWM')).toEqual([]);
    expect(finder.findIn(new Error('wrapped', { cause: { token: b } }))).toEqual([b]);
  });
});

describe('every log line, metric line, error, job and dead letter of a run through the real handlers', () => {
  it('carries no minted token, and the safety net never had to act', async () => {
    // A short chaos run: the handlers with their middleware (so EMF metric lines are printed),
    // faults, crashes, hostile jobs and provoked permanent failures (dead letters with reasons).
    const report = await runChaos({
      seed: 20_261_127,
      days: 45,
      fleetSize: 24,
      hostile: loadHostileJobs(),
    });
    const leaks = report.violations.filter((v) => v.invariant === Invariant.NoSecretLeaks);
    expect(leaks).toEqual([]);
    // It looked at something: lines of both kinds, errors, and the tokens to look for.
    expect(report.figures.logLines).toBeGreaterThan(100);
    expect(report.figures.metricLines).toBeGreaterThan(10);
    expect(report.figures.errorsChecked).toBeGreaterThan(0);
    const { expected } = report.figures.deadLetters;
    expect(expected['hostile job'] + expected['hostile record']).toBeGreaterThan(0);
    expect(report.figures.tokensMinted).toBeGreaterThan(0);
  }, 60_000);
});
