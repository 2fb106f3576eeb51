import type { QueueSettings, RotatorQueues } from '../tools/local/queues.js';
import type { LatencyRule } from '../tools/sandbox/faults.js';
import { startChild } from './child.js';
import type { RotatorSettings } from './deployed.js';
import type { Fleet } from './fleet.js';
import { DEPLOYED_GROUPS, type GroupMode } from './groups.js';
import type { DrainRequest, DrainRun } from './rotate-child.js';
import type { RotationState, SandboxUsage } from './sandbox-host.js';
import { BENCH_TOKEN_PATH } from './scan-scale.js';
import { percentile } from './stats.js';
import type { Target } from './wiring.js';

/** One way to drain the backlog. */
export interface RotationCase {
  /** VERIFY_NEW_TOKENS: GetAccessToken with each new token before it is stored. */
  readonly verify: boolean;
  /** Concurrent execution environments (serverless.yml deploys maximumConcurrency 2). */
  readonly pollers: number;
  /**
   * Records that already carry a previousTokenId: the rotation then deletes that token after the
   * write (a second rotation). Without it, every job is a first rotation.
   */
  readonly previousTokens: boolean;
}

/** A backlog of due parameters, drained one way, with or without the network's latency. */
export interface DrainSpec extends RotationCase {
  readonly jobs: number;
  /** Added to every call the function makes, in milliseconds (0: the sandbox answers at once). */
  readonly latencyMs: number;
  readonly groups: GroupMode;
}

/** A drained backlog, checked against the sandbox's state afterwards. */
export interface MeasuredRotation extends DrainSpec, DrainRun {
  readonly sandboxCpuMs: number;
  readonly state: RotationState;
}

/** One drain under latency: the deployed rotator, its concurrency, the worst job it runs. */
export interface LatencyCase {
  readonly latencyMs: number;
  readonly jobs: number;
  /** As deployed, or the what-if of the former arrangement. */
  readonly groups: GroupMode;
}

const SANDBOX_HOST = new URL('./sandbox-host.ts', import.meta.url);
const ROTATE_CHILD = new URL('./rotate-child.ts', import.meta.url);

/**
 * The calls the function itself makes, which latency slows: SSM, License Manager, EventBridge,
 * and SQS's SendMessage (to the dead-letter queue). Lambda's poller receives and deletes outside
 * the function's time; those stay quick, and so does the drain.
 */
const FUNCTION_CALLS = ['ssm:*', 'license-manager:*', 'events:*', 'sqs:SendMessage'] as const;

/**
 * Seeds `spec.jobs` due parameters in a fresh sandbox, enqueues a job each into queues made as
 * the deployment makes them, adds the latency, and drains them.
 */
async function drainBacklog(spec: DrainSpec, deployed: RotatorSettings): Promise<MeasuredRotation> {
  const host = startChild(SANDBOX_HOST);
  try {
    const target = await host.request<Target>('endpoint');
    await host.request<Fleet>('seed', {
      tokenPath: BENCH_TOKEN_PATH,
      count: spec.jobs,
      dueEvery: 1,
      previousTokens: spec.previousTokens,
    });
    const queues = await host.request<RotatorQueues>('queues', {
      prefix: 'bench-rotation',
      visibilityTimeout: deployed.visibilityTimeoutSeconds,
      maxReceiveCount: deployed.maxReceiveCount,
    } satisfies QueueSettings);
    const enqueued = await host.request<number>('enqueue', {
      queueUrl: queues.jobQueueUrl,
      tokenPath: BENCH_TOKEN_PATH,
    });
    if (spec.latencyMs > 0) {
      await host.request<LatencyRule[]>(
        'latency',
        FUNCTION_CALLS.map((operation) => ({ operation, ms: spec.latencyMs })),
      );
    }
    const before = await host.request<SandboxUsage>('usage');
    const child = startChild(ROTATE_CHILD);
    try {
      const run = await child.request<DrainRun>('drain', {
        ...target,
        queues,
        tokenPath: BENCH_TOKEN_PATH,
        verify: spec.verify,
        pollers: spec.pollers,
        batchSize: deployed.batchSize,
        timeoutMs: deployed.timeoutMs,
        groups: spec.groups,
      } satisfies DrainRequest);
      const after = await host.request<SandboxUsage>('usage');
      const state = await host.request<RotationState>('rotationState', {
        tokenPath: BENCH_TOKEN_PATH,
        queues,
      });
      return {
        ...spec,
        ...run,
        jobs: enqueued,
        sandboxCpuMs: after.cpuMs - before.cpuMs,
        state,
      };
    } finally {
      await child.close();
    }
  } finally {
    await host.close();
  }
}

/**
 * The rotation phase: each case `repeats` times, each time on a fresh backlog of `jobs`, through
 * the rotator as deployed.
 */
export async function runRotation(
  plan: {
    readonly jobs: number;
    readonly repeats: number;
    readonly cases: readonly RotationCase[];
  },
  deployed: RotatorSettings,
  progress: (line: string) => void,
): Promise<MeasuredRotation[]> {
  const results: MeasuredRotation[] = [];
  for (let run = 1; run <= plan.repeats; run++) {
    for (const rotation of plan.cases) {
      const spec = { ...rotation, jobs: plan.jobs, latencyMs: 0, groups: DEPLOYED_GROUPS };
      const result = await drainBacklog(spec, deployed);
      progress(
        `Rotation run ${run}: ${plan.jobs} jobs, verification ${rotation.verify ? 'on' : 'off'}, ${rotation.pollers} poller(s)${rotation.previousTokens ? ', previous tokens' : ''}: ${result.wallMs.toFixed(0)} ms, ${result.state.rotated} rotated`,
      );
      results.push(result);
    }
  }
  return results;
}

/**
 * The latency phase: each case once, on a fresh backlog, drained as deployed (verification as the
 * example deployment sets it, its maximum concurrency) of the job that makes the most calls: a
 * record whose previous token is still live, so the rotation also deletes it.
 */
export async function runLatency(
  plan: { readonly cases: readonly LatencyCase[] },
  deployed: RotatorSettings,
  progress: (line: string) => void,
): Promise<MeasuredRotation[]> {
  const results: MeasuredRotation[] = [];
  for (const latency of plan.cases) {
    const spec: DrainSpec = {
      ...latency,
      verify: deployed.verifyNewTokens,
      pollers: deployed.maximumConcurrency,
      previousTokens: true,
    };
    const result = await drainBacklog(spec, deployed);
    const walls = result.batches.map((batch) => batch.wallMs / 1000);
    const deferred = result.batches.reduce((sum, batch) => sum + batch.deferred, 0);
    progress(
      `Latency ${latency.latencyMs} ms per call, ${result.jobs} jobs, ${latency.groups}: ${walls.length} batches, p50 ${percentile(walls, 50).toFixed(1)} s, max ${Math.max(...walls).toFixed(1)} s of ${deployed.timeoutMs / 1000} s; ${deferred} deferred; ${result.state.rotated} rotated, ${result.state.deadLetters} dead-lettered`,
    );
    results.push(result);
  }
  return results;
}
