import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import scheduledEvent from '../../../events/scheduled-event.json' with { type: 'json' };
import { DAY_MS } from '../../../src/time.js';
import { lambdaContext } from '../../../tools/local/lambda-context.js';
import { seedToken } from '../../../tools/local/seed.js';
import type { Sandbox } from '../../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, TOKEN_PATH } from '../../helpers/factories.js';
import { clientsFor, startTestSandbox } from '../../helpers/sandbox.js';
import { wiredHandlers } from './wired.js';

describe('the handlers npm start wires', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startTestSandbox();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await sandbox.close();
  });

  it("run on the clock they are given: the sandbox's, moved a year ahead", async () => {
    await seedToken(sandbox, clientsFor(sandbox), {
      name: `${TOKEN_PATH}acme/prod`,
      licenseArn: LICENSE_ARN,
      ageDays: 0,
    });
    const handlers = await wiredHandlers(sandbox);
    const scan = () =>
      handlers.scanner(
        structuredClone(scheduledEvent) as ScheduledEvent,
        lambdaContext('scanner-test'),
      );

    const today = await scan();
    sandbox.clock.advance(400 * DAY_MS);
    const nextYear = await scan();

    expect([today.ok, today.expired]).toEqual([1, 0]);
    expect([nextYear.ok, nextYear.expired]).toEqual([0, 1]);
  });

  it("read their settings from the handlers' environment, not from this process's", async () => {
    vi.stubEnv('REVOCATION_POLICY', 'never');
    vi.stubEnv('REVOKE_PREVIOUS_AFTER_HOURS', '1');

    const { revocation } = await wiredHandlers(sandbox);

    expect(revocation).toMatchObject({
      revocationPolicy: 'after-pickup',
      revokePreviousAfterHours: 72,
    });
  });
});
