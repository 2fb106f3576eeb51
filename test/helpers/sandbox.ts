import { type SandboxClients, sandboxClients } from '../../src/local/clients.js';
import { SandboxClock } from '../../src/sandbox/clock.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/sandbox.js';
import { LICENSE_ARN } from './factories.js';
import { mintedTokens } from './secrets.js';

/** The region the tests' clients sign for (and the sandbox's default). */
export const TEST_REGION = 'us-east-1';

/**
 * Starts a sandbox for a test: a frozen clock (time moves only when the test moves it), the
 * factories' license, and every token it mints registered with the leak check.
 */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    seed: 20_261_127,
    clock: new SandboxClock({ frozen: true }),
    licenses: [{ licenseArn: LICENSE_ARN, homeRegion: TEST_REGION }],
    onSecret: (value) => mintedTokens.add(value),
    ...options,
  });
}

/** SDK clients for the sandbox; `maxAttempts: 1` turns the SDK's own retries off. */
export function clientsFor(
  sandbox: Sandbox,
  options: { region?: string; maxAttempts?: number } = {},
): SandboxClients {
  return sandboxClients(
    sandbox.endpoint,
    options.region ?? TEST_REGION,
    options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts },
  );
}
