import { type SandboxClients, sandboxClients } from '../../tools/local/clients.js';
import { AwsError } from '../../tools/sandbox/aws-error.js';
import { SandboxClock } from '../../tools/sandbox/clock.js';
import { Input, type JsonObject } from '../../tools/sandbox/input.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../tools/sandbox/sandbox.js';
import type { AwsService, RequestContext } from '../../tools/sandbox/service.js';
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

/** The request context of an in-process call: the test region, a dummy key, no real origin. */
export const REQUEST: RequestContext = {
  region: TEST_REGION,
  accountId: '123456789012',
  accessKeyId: 'AKIATESTKEY',
  origin: 'http://127.0.0.1:4566',
};

/** Calls one operation of a service in-process (no HTTP), as the server would. */
export async function invoke(
  service: AwsService,
  operation: string,
  body: JsonObject,
  context: Partial<RequestContext> = {},
): Promise<JsonObject> {
  return service.handle(operation, new Input(body, service.inputProblem), {
    ...REQUEST,
    ...context,
  });
}

/** Calls one operation that must fail, and returns the AwsError it answered. */
export async function refusal(
  service: AwsService,
  operation: string,
  body: JsonObject,
  context: Partial<RequestContext> = {},
): Promise<AwsError> {
  try {
    await invoke(service, operation, body, context);
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error(`expected ${operation} to fail`);
}
