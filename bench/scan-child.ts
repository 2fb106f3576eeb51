/**
 * One scan in a process of its own, so its peak RSS and heap are the scan's: the real scanner
 * (src/app, as the handler wires it) or the naive baseline, against the sandbox host's endpoint.
 */

import type { ScheduledEvent } from 'aws-lambda';
import scheduled from '../events/scheduled-event.json' with { type: 'json' };
import { createScanner, wireScanner } from '../src/app/scanner.js';
import { LicenseManagerTokens } from '../src/aws/license-manager.js';
import { SqsMessageQueue } from '../src/aws/message-queue.js';
import { SsmParameterStore } from '../src/aws/parameter-store.js';
import { readScannerConfig } from '../src/config.js';
import { MINUTE_MS } from '../src/time.js';
import { lambdaContext } from '../tools/local/lambda-context.js';
import { serve } from './child.js';
import { type MemoryUse, measureMemory } from './memory.js';
import { naiveScan } from './naive-scan.js';
import { type CallCounts, CallLog } from './sdk-calls.js';
import {
  asLambda,
  BENCH_ENVIRONMENT,
  countedClients,
  countedEventBus,
  type Target,
} from './wiring.js';

/** Which scanner to run, and against what. */
export interface ScanRequest extends Target {
  readonly variant: 'scanner' | 'naive';
  readonly tokenPath: string;
  readonly queueUrl: string;
  /** The scanner's timeout as serverless.yml deploys it: the context counts down from it. */
  readonly timeoutMs: number;
  /** Force a full GC this often and record the live heap (a separate, diagnostic run). */
  readonly liveHeapEveryMs?: number;
}

/** What one scan did and cost. */
export interface ScanRun {
  readonly variant: 'scanner' | 'naive';
  readonly wallMs: number;
  /** CPU time of this process during the scan (the sandbox's is counted apart). */
  readonly cpuMs: number;
  readonly memory: MemoryUse;
  readonly calls: CallCounts;
  readonly retries: number;
  readonly scanned: number;
  readonly due: number;
  readonly enqueued: number;
  readonly revocationsEnqueued: number;
  readonly enqueueFailures: number;
}

async function scanOnce(request: ScanRequest): Promise<ScanRun> {
  const log = new CallLog();
  const clients = countedClients(request, log);
  let run: () => Promise<
    Omit<ScanRun, 'variant' | 'wallMs' | 'cpuMs' | 'memory' | 'calls' | 'retries'>
  >;
  if (request.variant === 'scanner') {
    const config = readScannerConfig({
      TOKEN_PATH: request.tokenPath,
      JOB_QUEUE_URL: request.queueUrl,
      ...BENCH_ENVIRONMENT,
    });
    const store = new SsmParameterStore(clients.ssm);
    const deps = wireScanner(config, {
      store,
      pickups: store,
      events: countedEventBus(clients, config.eventBusName),
      queue: new SqsMessageQueue(config.jobQueueUrl, clients.sqs),
      tokens: new LicenseManagerTokens(clients.licenseManager),
    });
    const handler = asLambda(deps, createScanner(deps));
    // The live-heap run measures memory, and its forced GCs slow it down: the function's
    // timeout (after which middy stops the handler) holds only the timed runs.
    const timeoutMs = request.liveHeapEveryMs === undefined ? request.timeoutMs : 60 * MINUTE_MS;
    run = async () => {
      const summary = await handler(
        structuredClone(scheduled) as ScheduledEvent,
        lambdaContext('license-token-rotator-bench-scanner', timeoutMs),
      );
      return {
        scanned: summary.scanned,
        due: summary.due + summary.expired,
        enqueued: summary.enqueued,
        revocationsEnqueued: summary.revocationsEnqueued,
        enqueueFailures: summary.enqueueFailures,
      };
    };
  } else {
    run = async () => {
      const summary = await naiveScan(clients, {
        tokenPath: request.tokenPath,
        queueUrl: request.queueUrl,
        now: new Date(),
      });
      return {
        scanned: summary.scanned,
        due: summary.due + summary.expired,
        enqueued: summary.enqueued,
        revocationsEnqueued: 0,
        enqueueFailures: 0,
      };
    };
  }
  const { result, memory } = await measureMemory(
    async () => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const outcome = await run();
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return { outcome, wallMs, cpuMs: (used.user + used.system) / 1000 };
    },
    request.liveHeapEveryMs === undefined ? {} : { liveEveryMs: request.liveHeapEveryMs },
  );
  return {
    variant: request.variant,
    wallMs: result.wallMs,
    cpuMs: result.cpuMs,
    memory,
    calls: log.counts,
    retries: log.retries(),
    ...result.outcome,
  };
}

serve({ scan: (payload) => scanOnce(payload as ScanRequest) });
