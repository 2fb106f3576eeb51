/**
 * Drains a queue of rotation jobs through the real rotator (src/app, wrapped as the handler is)
 * with the local event source (tools/local/event-source.ts), one poller per execution environment,
 * in a process of its own, as deployed (a batch's FIFO groups at once) or as the former arrangement
 * (its jobs one after another); reports throughput, every batch's wall time against the
 * function's timeout, and the SDK calls per job.
 */

import type { Metrics } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createRotator, fifoGroupsOf, type RotatorDeps, wireRotator } from '../src/app/rotator.js';
import { LicenseManagerTokens } from '../src/aws/license-manager.js';
import { SqsMessageQueue } from '../src/aws/message-queue.js';
import { SsmParameterStore } from '../src/aws/parameter-store.js';
import { type RotatorConfig, readRotatorConfig } from '../src/config.js';
import { createMetrics, MetricName } from '../src/observability/metrics.js';
import { MAX_BATCH_SIZE } from '../src/rotation/job-batcher.js';
import {
  type DrainSummary,
  drainQueue,
  type SqsHandler,
  successes,
} from '../tools/local/event-source.js';
import { lambdaContext } from '../tools/local/lambda-context.js';
import type { RotatorQueues } from '../tools/local/queues.js';
import { serve } from './child.js';
import { GroupMode } from './groups.js';
import { addCounts, type CallCounts, CallLog } from './sdk-calls.js';
import { mean, percentile } from './stats.js';
import {
  asLambda,
  BENCH_ENVIRONMENT,
  countedClients,
  countedEventBus,
  type Target,
} from './wiring.js';

/** One drain to run. */
export interface DrainRequest extends Target {
  readonly queues: RotatorQueues;
  readonly tokenPath: string;
  readonly verify: boolean;
  /** Concurrent pollers, each with its own rotator and clients (Lambda's MaximumConcurrency). */
  readonly pollers: number;
  /** Messages per invocation (the event source's batch size). */
  readonly batchSize: number;
  /** The function's timeout: each invocation's context counts down from it in real time. */
  readonly timeoutMs: number;
  readonly groups: GroupMode;
}

/** Latency percentiles, in milliseconds. */
export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly count: number;
}

/** One invocation: a batch of jobs and what became of them. */
export interface BatchFigures {
  readonly wallMs: number;
  readonly jobs: number;
  /** Jobs reported back as batch item failures: they come back. */
  readonly failed: number;
  /** Jobs the rotator did not start for lack of time (its JobsDeferred). */
  readonly deferred: number;
  /** Jobs stopped by a transient failure, their deadline included (its RotationRetries). */
  readonly retried: number;
  /** The rotator's SDK calls during the batch. */
  readonly calls: number;
  /** The most times a job of the batch had been received, this receive included. */
  readonly maxReceiveCount: number;
  /** The handler threw (middy stops it 5 ms before the timeout): the whole batch comes back. */
  readonly threw: boolean;
}

/** What a drain did and cost. */
export interface DrainRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly drained: DrainSummary[];
  /** The rotator's own SDK calls (its clients), all pollers together. */
  readonly calls: CallCounts;
  readonly retries: number;
  /** The event source's SQS calls (Lambda's poller, not the function). */
  readonly eventSourceCalls: CallCounts;
  readonly perInvocation: Latency;
  readonly batches: readonly BatchFigures[];
  /** Metrics the rotator counted, all pollers together, by name. */
  readonly metrics: Readonly<Record<string, number>>;
}

const latency = (values: readonly number[]): Latency => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
  mean: mean(values),
  count: values.length,
});

/** Adds up every metric value a Metrics instance is given, as it is given. */
function tallied(metrics: Metrics): Map<string, number> {
  const tally = new Map<string, number>();
  const add = metrics.addMetric.bind(metrics);
  metrics.addMetric = (name, unit, value, resolution) => {
    tally.set(name, (tally.get(name) ?? 0) + value);
    return add(name, unit, value, resolution);
  };
  return tally;
}

/**
 * The deployed rotator, or the what-if of the former arrangement built from it: the batch's FIFO
 * groups handed to the deployed rotator one at a time, so every job of the batch runs one after
 * another, as Powertools' FIFO processor ran a whole batch before.
 */
function arrange(
  deps: RotatorDeps,
  groups: GroupMode,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const rotator = createRotator(deps);
  if (groups === GroupMode.AtOnce) return rotator;
  return async (event, context) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const records of fifoGroupsOf(event.Records)) {
      const answer = await rotator({ Records: records }, context);
      failures.push(...answer.batchItemFailures);
    }
    return { batchItemFailures: failures };
  };
}

/**
 * Makes a batch's failed jobs visible again at once, as if their visibility timeout had passed:
 * the drain skips the wait, not the receive each return costs (SQS counts it towards the
 * redrive's maxReceiveCount all the same).
 */
async function returnAtOnce(
  sqs: SQSClient,
  queueUrl: string,
  records: readonly SQSRecord[],
): Promise<void> {
  for (let i = 0; i < records.length; i += MAX_BATCH_SIZE) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: records.slice(i, i + MAX_BATCH_SIZE).map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

/** One execution environment: its rotator, clients, counters and what its batches did. */
interface Poller {
  readonly functionName: string;
  readonly log: CallLog;
  readonly tally: ReadonlyMap<string, number>;
  readonly batches: readonly BatchFigures[];
  readonly handler: SqsHandler;
  /** Lambda's poller's client (the event source's calls, counted apart). */
  readonly sqs: SQSClient;
}

/** The rotator as the handler wires it, on counted clients pointed at the sandbox. */
function rotatorDeps(request: DrainRequest, config: RotatorConfig, log: CallLog): RotatorDeps {
  const clients = countedClients(request, log);
  const store = new SsmParameterStore(clients.ssm);
  return wireRotator(config, {
    store,
    pickups: store,
    events: countedEventBus(clients, config.eventBusName),
    tokens: new LicenseManagerTokens(clients.licenseManager),
    deadLetters: new SqsMessageQueue(config.deadLetterQueueUrl, clients.sqs),
    metrics: createMetrics(),
  });
}

function startPoller(
  request: DrainRequest,
  config: RotatorConfig,
  index: number,
  sourceLog: CallLog,
): Poller {
  const functionName = `license-token-rotator-bench-rotator-${index}`;
  const log = new CallLog();
  const deps = rotatorDeps(request, config, log);
  const tally = tallied(deps.metrics);
  const arranged = arrange(deps, request.groups);
  const rotator = asLambda<SQSEvent, SQSBatchResponse>(deps, arranged);
  const sqs = countedClients(request, sourceLog).sqs;
  const batches: BatchFigures[] = [];
  const counted = () => ({
    calls: log.total(),
    deferred: tally.get(MetricName.JobsDeferred) ?? 0,
    retried: tally.get(MetricName.RotationRetries) ?? 0,
  });
  const handler: SqsHandler = async (event) => {
    // Lambda's context: the remaining time counts down from the timeout in real time.
    const context = lambdaContext(functionName, request.timeoutMs);
    const before = counted();
    const startMs = performance.now();
    let response: SQSBatchResponse | undefined;
    try {
      response = await rotator(event, context);
      return response;
    } finally {
      const endMs = performance.now();
      const after = counted();
      const done = response === undefined ? [] : successes(event.Records, response);
      const failed = event.Records.filter((record) => !done.includes(record));
      batches.push({
        wallMs: endMs - startMs,
        jobs: event.Records.length,
        failed: failed.length,
        deferred: after.deferred - before.deferred,
        retried: after.retried - before.retried,
        calls: after.calls - before.calls,
        maxReceiveCount: Math.max(
          ...event.Records.map((record) => Number(record.attributes.ApproximateReceiveCount)),
        ),
        threw: response === undefined,
      });
      await returnAtOnce(sqs, request.queues.jobQueueUrl, failed);
    }
  };
  return { functionName, log, tally, batches, handler, sqs };
}

async function drain(request: DrainRequest): Promise<DrainRun> {
  const config = readRotatorConfig({
    TOKEN_PATH: request.tokenPath,
    DEAD_LETTER_QUEUE_URL: request.queues.deadLetterQueueUrl,
    ...BENCH_ENVIRONMENT,
    VERIFY_NEW_TOKENS: String(request.verify),
  });
  const sourceLog = new CallLog();
  const pollers = Array.from({ length: request.pollers }, (_, index) =>
    startPoller(request, config, index, sourceLog),
  );
  const cpu = process.cpuUsage();
  const started = performance.now();
  const drained = await Promise.all(
    pollers.map((poller) =>
      drainQueue({
        sqs: poller.sqs,
        queueUrl: request.queues.jobQueueUrl,
        handler: poller.handler,
        batchSize: request.batchSize,
        deadline: Date.now() + 900_000,
        // Only while another poller's batch is in flight: check again soon.
        idleDelayMs: 10,
        functionName: poller.functionName,
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const logs = pollers.map((poller) => poller.log);
  const batches = pollers.flatMap((poller) => poller.batches);
  const metrics: Record<string, number> = {};
  for (const [name, value] of pollers.flatMap((poller) => [...poller.tally])) {
    metrics[name] = (metrics[name] ?? 0) + value;
  }
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    drained,
    calls: addCounts(logs),
    retries: logs.reduce((sum, log) => sum + log.retries(), 0),
    eventSourceCalls: sourceLog.counts,
    perInvocation: latency(batches.map((batch) => batch.wallMs)),
    batches,
    metrics,
  };
}

serve({ drain: (payload) => drain(payload as DrainRequest) });
