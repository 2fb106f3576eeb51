import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type ClientOptions, licenseManagerClientFor, ssmClient } from '../aws/clients.js';
import { LicenseManagerTokens } from '../aws/license-manager.js';
import { SsmParameterStore } from '../aws/parameter-store.js';
import { SsmTokenVault } from '../aws/token-vault.js';
import type { ExchangeConfig } from '../config.js';
import { TransientError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics, MetricName } from '../observability/metrics.js';
import { pickedUpEvent } from '../rotation/events.js';
import {
  type ExchangeOutcome,
  exchange,
  parseExchangeRequest,
  RefusalReason,
} from '../rotation/exchange.js';
import type {
  EventPublisher,
  LicenseTokens,
  ParameterStore,
  Pickups,
  TokenVault,
} from '../rotation/ports.js';
import { eventBus, publishSafely } from './events.js';

/** Everything the exchange uses, so tests and the local runner can hand in their own. */
export interface ExchangeDeps {
  readonly config: ExchangeConfig;
  readonly store: ParameterStore;
  readonly vault: TokenVault;
  readonly tokens: Pick<LicenseTokens, 'verifyToken'>;
  readonly pickups: Pickups;
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
}

/** Builds the exchange's production dependencies; any of them can be replaced. */
export function wireExchange(
  config: ExchangeConfig,
  options: { clients?: ClientOptions } & Partial<Omit<ExchangeDeps, 'config'>> = {},
): ExchangeDeps {
  const ssm = ssmClient(options.clients);
  const store = new SsmParameterStore(ssm);
  return {
    config,
    store: options.store ?? store,
    vault: options.vault ?? new SsmTokenVault(ssm),
    tokens: options.tokens ?? new LicenseManagerTokens(licenseManagerClientFor(options.clients)),
    pickups: options.pickups ?? store,
    events: options.events ?? eventBus(config.eventBusName, options.clients),
    logger: options.logger ?? createLogger(),
    metrics: options.metrics ?? createMetrics(),
    clock: options.clock ?? (() => new Date()),
  };
}

/** The largest request body the exchange reads: a name and a token fit many times over. */
export const MAX_BODY_BYTES = 8192;

const json = (statusCode: number, body: object): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** The one answer to every refusal: it never says which check failed. */
export const REFUSAL = json(403, { message: 'refused' });

/** The request body as text, or undefined when it is not a POST of at most MAX_BODY_BYTES. */
function bodyOf(event: APIGatewayProxyEventV2): string | undefined {
  if (event.requestContext.http.method !== 'POST' || event.body === undefined) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body);
  return raw.length > MAX_BODY_BYTES ? undefined : raw.toString('utf8');
}

/** Counts, logs (never the token) and announces how one exchange ended. */
async function report(deps: ExchangeDeps, outcome: ExchangeOutcome, requestId: string) {
  const { logger, metrics } = deps;
  if (outcome.kind === 'refused') {
    metrics.addMetric(MetricName.ExchangeRefusals, MetricUnit.Count, 1);
    logger.warn('Exchange refused', { requestId, why: outcome.why });
    return;
  }
  const { token: _token, ...told } = outcome;
  metrics.addMetric(MetricName.ExchangeDeliveries, MetricUnit.Count, 1);
  logger.info('Exchange delivered', { requestId, ...told });
  if (outcome.pickedUp === undefined) return;
  metrics.addMetric(MetricName.PickupsRecorded, MetricUnit.Count, 1);
  const { parameterName, version, pickedUp } = outcome;
  await publishSafely(deps, [pickedUpEvent(parameterName, version, pickedUp.tokenId, pickedUp.at)]);
}

/**
 * Builds the plain exchange function: a function URL request in, the newest token or the one
 * refusal out. A failure that may pass (throttling, a write between two reads) answers 503, so
 * the host's agent tries again later; it is not a refusal.
 */
export function createExchange(
  deps: ExchangeDeps,
): (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event, context) => {
    const body = bodyOf(event);
    const request =
      body === undefined ? undefined : parseExchangeRequest(body, deps.config.tokenPath);
    let outcome: ExchangeOutcome;
    try {
      outcome =
        request === undefined
          ? { kind: 'refused', why: RefusalReason.BadRequest }
          : await exchange(request, deps, deps.config);
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      deps.logger.warn('Exchange failed; the host will try again', { error });
      return json(503, { message: 'try again later' });
    }
    await report(deps, outcome, context.awsRequestId);
    if (outcome.kind === 'refused') return REFUSAL;
    return json(200, {
      v: 1,
      parameterName: outcome.parameterName,
      version: outcome.version,
      tokenId: outcome.tokenId,
      expiresAt: outcome.expiresAt,
      token: outcome.token.reveal(),
    });
  };
}
