import type { RotatorQueues } from '../tools/local/queues.js';
import { startChild } from './child.js';
import type { Fleet } from './fleet.js';
import type { DrainRequest, DrainRun } from './rotate-child.js';
import type { RotationState, SandboxUsage } from './sandbox-host.js';
import { BENCH_TOKEN_PATH } from './scan-scale.js';
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

/** A drained backlog, checked against the sandbox's state afterwards. */
export interface MeasuredRotation extends RotationCase, DrainRun {
  readonly jobs: number;
  readonly sandboxCpuMs: number;
  readonly state: RotationState;
}

const SANDBOX_HOST = new URL('./sandbox-host.ts', import.meta.url);
const ROTATE_CHILD = new URL('./rotate-child.ts', import.meta.url);

/** Seeds `jobs` due parameters in a fresh sandbox, enqueues a job each, and drains them. */
async function rotationCase(jobs: number, rotation: RotationCase): Promise<MeasuredRotation> {
  const host = startChild(SANDBOX_HOST);
  try {
    const target = await host.request<Target>('endpoint');
    await host.request<Fleet>('seed', {
      tokenPath: BENCH_TOKEN_PATH,
      count: jobs,
      dueEvery: 1,
      previousTokens: rotation.previousTokens,
    });
    const queues = await host.request<RotatorQueues>('queues', 'bench-rotation');
    const enqueued = await host.request<number>('enqueue', {
      queueUrl: queues.jobQueueUrl,
      tokenPath: BENCH_TOKEN_PATH,
    });
    const before = await host.request<SandboxUsage>('usage');
    const child = startChild(ROTATE_CHILD);
    try {
      const run = await child.request<DrainRun>('drain', {
        ...target,
        queues,
        tokenPath: BENCH_TOKEN_PATH,
        verify: rotation.verify,
        pollers: rotation.pollers,
      } satisfies DrainRequest);
      const after = await host.request<SandboxUsage>('usage');
      const state = await host.request<RotationState>('rotationState', {
        tokenPath: BENCH_TOKEN_PATH,
        queues,
      });
      return {
        ...rotation,
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

/** The rotation phase: each case `repeats` times, each time on a fresh backlog of `jobs`. */
export async function runRotation(
  plan: {
    readonly jobs: number;
    readonly repeats: number;
    readonly cases: readonly RotationCase[];
  },
  progress: (line: string) => void,
): Promise<MeasuredRotation[]> {
  const results: MeasuredRotation[] = [];
  for (let run = 1; run <= plan.repeats; run++) {
    for (const rotation of plan.cases) {
      const result = await rotationCase(plan.jobs, rotation);
      progress(
        `Rotation run ${run}: ${plan.jobs} jobs, verification ${rotation.verify ? 'on' : 'off'}, ${rotation.pollers} poller(s)${rotation.previousTokens ? ', previous tokens' : ''}: ${result.wallMs.toFixed(0)} ms, ${result.state.rotated} rotated`,
      );
      results.push(result);
    }
  }
  return results;
}
