/**
 * Drains a queue of rotation jobs through the real rotator (src/app, wrapped as the handler is)
 * with the local event source (tools/local/event-source.ts), one poller per execution environment,
 * in a process of its own; reports throughput, per-job latency and the SDK calls per job.
 */

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createRotator, wireRotator } from '../src/app/rotator.js';
import { LicenseManagerTokens } from '../src/aws/license-manager.js';
import { SqsMessageQueue } from '../src/aws/message-queue.js';
import { SsmParameterStore } from '../src/aws/parameter-store.js';
import { readRotatorConfig } from '../src/config.js';
import { type DrainSummary, drainQueue, type SqsHandler } from '../tools/local/event-source.js';
import { LOCAL_ALLOW_LISTS } from '../tools/local/handlers.js';
import type { RotatorQueues } from '../tools/local/queues.js';
import { serve } from './child.js';
import { addCounts, type CallCounts, CallLog } from './sdk-calls.js';
import { mean, percentile } from './stats.js';
import { asLambda, countedClients, type Target } from './wiring.js';

/** One drain to run. */
export interface DrainRequest extends Target {
  readonly queues: RotatorQueues;
  readonly tokenPath: string;
  readonly verify: boolean;
  /** Concurrent pollers, each with its own rotator and clients (Lambda's MaximumConcurrency). */
  readonly pollers: number;
}

/** Latency percentiles, in milliseconds. */
export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly count: number;
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
  readonly perJob: Latency;
  readonly perInvocation: Latency;
}

interface Invocation {
  readonly startMs: number;
  readonly endMs: number;
}

const latency = (values: readonly number[]): Latency => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
  mean: mean(values),
  count: values.length,
});

/**
 * Per-job wall time inside each invocation: the FIFO batch processor runs a batch's jobs one after
 * another, and each job's first call is its DescribeParameters, so job k runs from that call's
 * start (the invocation's start for the first job) to the next job's (the invocation's end for
 * the last). The jobs of an invocation add up to its duration, logging and metrics included.
 */
function jobTimes(invocations: readonly Invocation[], log: CallLog): number[] {
  const describes = log.events
    .filter((event) => event.operation === 'ssm:DescribeParameters')
    .map((event) => event.startMs);
  return invocations.flatMap(({ startMs, endMs }) => {
    const starts = describes.filter((at) => at >= startMs && at <= endMs);
    const bounds = [startMs, ...starts.slice(1), endMs];
    return bounds.slice(1).map((end, index) => end - (bounds[index] ?? end));
  });
}

async function drain(request: DrainRequest): Promise<DrainRun> {
  const config = readRotatorConfig({
    TOKEN_PATH: request.tokenPath,
    DEAD_LETTER_QUEUE_URL: request.queues.deadLetterQueueUrl,
    ...LOCAL_ALLOW_LISTS,
    VERIFY_NEW_TOKENS: String(request.verify),
  });
  const sourceLog = new CallLog();
  const pollers = Array.from({ length: request.pollers }, (_, index) => {
    const log = new CallLog({ timeline: true });
    const clients = countedClients(request, log);
    const deps = wireRotator(config, {
      store: new SsmParameterStore(clients.ssm),
      tokens: new LicenseManagerTokens(clients.licenseManager),
      deadLetters: new SqsMessageQueue(config.deadLetterQueueUrl, clients.sqs),
    });
    const rotator = asLambda<SQSEvent, SQSBatchResponse>(deps, createRotator(deps));
    const invocations: Invocation[] = [];
    const handler: SqsHandler = async (event, context) => {
      const startMs = performance.now();
      try {
        return await rotator(event, context);
      } finally {
        invocations.push({ startMs, endMs: performance.now() });
      }
    };
    return {
      index,
      log,
      invocations,
      handler,
      sqs: countedClients(request, sourceLog).sqs,
    };
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const drained = await Promise.all(
    pollers.map((poller) =>
      drainQueue({
        sqs: poller.sqs,
        queueUrl: request.queues.jobQueueUrl,
        handler: poller.handler,
        deadline: Date.now() + 300_000,
        // Only while another poller's batch is in flight: check again soon.
        idleDelayMs: 10,
        functionName: `license-token-rotator-bench-rotator-${poller.index}`,
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const logs = pollers.map((poller) => poller.log);
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    drained,
    calls: addCounts(logs),
    retries: logs.reduce((sum, log) => sum + log.retries(), 0),
    eventSourceCalls: sourceLog.counts,
    perJob: latency(pollers.flatMap((poller) => jobTimes(poller.invocations, poller.log))),
    perInvocation: latency(
      pollers.flatMap((poller) => poller.invocations.map((i) => i.endMs - i.startMs)),
    ),
  };
}

serve({ drain: (payload) => drain(payload as DrainRequest) });
