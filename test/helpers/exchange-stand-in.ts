import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isObject } from '../../src/validate.js';
import type { FunctionUrlEvent, FunctionUrlHandler } from '../../tools/local/function-url.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';

/** Which of the parameter's tokens a caller presented. */
export type Presented = 'current' | 'previous' | 'other';

/** One call the stand-in answered. */
export interface StandInCall {
  readonly parameterName: string;
  readonly presented: Presented;
  readonly status: number;
  /** The IAM caller's role session ARN, as the function URL reported it. */
  readonly userArn: string;
}

/** The exchange's one refusal, whatever the reason. */
const REFUSED: APIGatewayProxyStructuredResultV2 = {
  statusCode: 403,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'refused' }),
};

/** The request body's two fields, or undefined when it is not the contract's request. */
function requestOf(event: FunctionUrlEvent): { parameterName: string; token: string } | undefined {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(body) || Object.keys(body).length !== 2) return undefined;
  const { parameterName, token } = body;
  return typeof parameterName === 'string' && typeof token === 'string'
    ? { parameterName, token }
    : undefined;
}

/**
 * A stand-in for the token exchange that follows its contract, for the agent's tests until the
 * real function lands (the harness takes any handler). It reads the parameter from the sandbox's
 * SSM: a caller presenting the current value or the previous version's, still good at License
 * Manager, gets 200 with the current token; anyone else gets 403 `{"message":"refused"}`.
 * Presenting the current token records a pickup, as the exchange tags the parameter.
 */
export class StandInExchange {
  readonly #sandbox: Sandbox;
  readonly #calls: StandInCall[] = [];
  readonly #pickups: string[] = [];

  constructor(sandbox: Sandbox) {
    this.#sandbox = sandbox;
  }

  /** Every call answered, oldest first. */
  calls(): readonly StandInCall[] {
    return [...this.#calls];
  }

  /** The token ids whose pickup was recorded, oldest first. */
  pickups(): readonly string[] {
    return [...this.#pickups];
  }

  /** The handler to put behind a local function URL. */
  readonly handler: FunctionUrlHandler = async (event) => {
    const request = requestOf(event);
    const userArn = event.requestContext.authorizer.iam.userArn;
    if (request === undefined) return REFUSED;
    const versions = this.#sandbox.ssm.history(request.parameterName);
    const [current, previous] = [versions.at(-1), versions.at(-2)];
    const presented: Presented =
      request.token === current?.value
        ? 'current'
        : request.token === previous?.value
          ? 'previous'
          : 'other';
    const minted = this.#sandbox.licenseManager.tokens().find((t) => t.token === current?.value);
    const good = this.#sandbox.licenseManager.check(request.token).ok;
    const record = (status: number): void => {
      this.#calls.push({ parameterName: request.parameterName, presented, status, userArn });
    };
    if (current === undefined || minted === undefined || presented === 'other' || !good) {
      record(403);
      return REFUSED;
    }
    if (presented === 'current') this.#pickups.push(minted.tokenId);
    record(200);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        v: 1,
        parameterName: request.parameterName,
        version: current.version,
        tokenId: minted.tokenId,
        expiresAt: minted.expiresAt.toISOString(),
        token: current.value,
      }),
    };
  };
}
