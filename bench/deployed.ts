import { isObject } from '../src/validate.js';
import type { ServiceConfig } from './bundles.js';

/** The rotator as serverless.yml deploys it: what a batch is given, and how a job comes back. */
export interface RotatorSettings {
  /** The function's timeout. */
  readonly timeoutMs: number;
  /** Jobs per invocation (the SQS event source's batchSize). */
  readonly batchSize: number;
  /** Execution environments at once (the event source's maximumConcurrency). */
  readonly maximumConcurrency: number;
  /** VERIFY_NEW_TOKENS as the example deployment sets it. */
  readonly verifyNewTokens: boolean;
  /** The jobs queue's: how long a job reported as failed stays away. */
  readonly visibilityTimeoutSeconds: number;
  /** The jobs queue's redrive: receives before a job goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** Thrown when the resolved serverless.yml lacks a setting the bench reads. */
export class DeployedSettingError extends Error {
  constructor(what: string) {
    super(`serverless.yml (as osls resolves it) has no ${what}`);
    this.name = 'DeployedSettingError';
  }
}

const numberAt = (value: unknown, what: string): number => {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw new DeployedSettingError(what);
  return number;
};

/** The function's SQS event source: its settings, and the logical id of the queue it reads. */
function sqsSource(config: ServiceConfig, name: string) {
  const source = (config.functions[name]?.events ?? [])
    .map((event) => (isObject(event) ? event.sqs : undefined))
    .find(isObject);
  const arn = source?.arn;
  const getAtt = isObject(arn) ? arn['Fn::GetAtt'] : undefined;
  const queueId = Array.isArray(getAtt) ? getAtt[0] : undefined;
  if (source === undefined || typeof queueId !== 'string') {
    throw new DeployedSettingError(`SQS event source on ${name} naming its queue by Fn::GetAtt`);
  }
  return { source, queueId };
}

/** A function's timeout in the resolved serverless.yml, in milliseconds. */
export const timeoutMsOf = (config: ServiceConfig, name: string): number =>
  numberAt(config.functions[name]?.timeout, `functions.${name}.timeout`) * 1000;

/** The rotator's settings from the resolved serverless.yml (`serviceConfig()`). */
export function rotatorSettings(config: ServiceConfig, name = 'rotator'): RotatorSettings {
  const fn = config.functions[name];
  const { source, queueId } = sqsSource(config, name);
  const queue = config.resources?.Resources?.[queueId];
  const properties = isObject(queue) && isObject(queue.Properties) ? queue.Properties : {};
  const redrive = isObject(properties.RedrivePolicy) ? properties.RedrivePolicy : {};
  return {
    timeoutMs: timeoutMsOf(config, name),
    batchSize: numberAt(source.batchSize, `batchSize on ${name}'s event source`),
    maximumConcurrency: numberAt(
      source.maximumConcurrency,
      `maximumConcurrency on ${name}'s event source`,
    ),
    verifyNewTokens: String(fn?.environment?.VERIFY_NEW_TOKENS) === 'true',
    visibilityTimeoutSeconds: numberAt(
      properties.VisibilityTimeout,
      `VisibilityTimeout on ${queueId}`,
    ),
    maxReceiveCount: numberAt(redrive.maxReceiveCount, `maxReceiveCount on ${queueId}`),
  };
}
