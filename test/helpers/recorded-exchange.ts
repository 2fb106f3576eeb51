import { createExchange, wireExchange } from '../../src/app/exchange.js';
import { readExchangeConfig } from '../../src/config.js';
import { EventType } from '../../src/rotation/events.js';
import { isObject } from '../../src/validate.js';
import type { FunctionUrlEvent, FunctionUrlHandler } from '../../tools/local/function-url.js';
import { LOCAL_ALLOW_LISTS } from '../../tools/local/handlers.js';
import { SANDBOX_CREDENTIALS } from '../../tools/sandbox/credentials.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { TOKEN_PATH } from './factories.js';
import { TEST_REGION } from './sandbox.js';

/** Which of the parameter's tokens a caller presented (the test's own reading of SSM). */
export type Presented = 'current' | 'previous' | 'other';

/** One call the exchange answered. */
export interface RecordedCall {
  readonly parameterName: string;
  readonly presented: Presented;
  readonly status: number;
  /** The IAM caller's role session ARN, as the function URL reported it. */
  readonly userArn: string;
}

/** The request body's parameter and token, as far as they can be read. */
function requestOf(event: FunctionUrlEvent): { parameterName: string; token: string } {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  try {
    const body: unknown = JSON.parse(text);
    if (
      isObject(body) &&
      typeof body.parameterName === 'string' &&
      typeof body.token === 'string'
    ) {
      return { parameterName: body.parameterName, token: body.token };
    }
  } catch {
    // Not the contract's request: recorded as presenting nothing known.
  }
  return { parameterName: '', token: '' };
}

/**
 * The real token exchange (src/app/exchange.ts, as deployed) wired to the sandbox, behind a
 * recorder for the agent's tests: each call with which token the test sees it presented (read
 * straight from the sandbox's SSM history) and the status the exchange answered. Pickups are the
 * exchange's own Token Picked Up events.
 */
export class RecordedExchange {
  readonly #sandbox: Sandbox;
  readonly #calls: RecordedCall[] = [];
  readonly #exchange: FunctionUrlHandler;

  constructor(sandbox: Sandbox, env: Readonly<Record<string, string>> = {}) {
    this.#sandbox = sandbox;
    const config = readExchangeConfig({ TOKEN_PATH, ...LOCAL_ALLOW_LISTS, ...env });
    const clients = {
      endpoint: sandbox.endpoint,
      region: TEST_REGION,
      credentials: SANDBOX_CREDENTIALS,
    };
    const exchange = createExchange(
      wireExchange(config, { clients, clock: () => sandbox.clock.now() }),
    );
    this.#exchange = (event, context) => exchange(event, context);
  }

  /** Every call answered, oldest first. */
  calls(): readonly RecordedCall[] {
    return [...this.#calls];
  }

  /** The token ids whose pickup the exchange recorded, oldest first. */
  pickups(): readonly string[] {
    return this.#sandbox.events
      .put()
      .filter((event) => event.detailType === EventType.PickedUp)
      .map((event) => String(event.detail.tokenId));
  }

  /** The handler to put behind a local function URL. */
  readonly handler: FunctionUrlHandler = async (event, context) => {
    const request = requestOf(event);
    const versions = this.#sandbox.ssm.history(request.parameterName);
    const [current, previous] = [versions.at(-1), versions.at(-2)];
    const presented: Presented =
      request.token !== '' && request.token === current?.value
        ? 'current'
        : request.token !== '' && request.token === previous?.value
          ? 'previous'
          : 'other';
    const answer = await this.#exchange(event, context);
    const status = typeof answer === 'string' ? 200 : (answer.statusCode ?? 200);
    this.#calls.push({
      parameterName: request.parameterName,
      presented,
      status,
      userArn: event.requestContext.authorizer.iam.userArn,
    });
    return answer;
  };
}
