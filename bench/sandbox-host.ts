/**
 * The sandbox, in a process of its own, driven by the runner over IPC: it seeds fleets in-process
 * and answers the code under test over HTTP, so none of its CPU or memory is counted against the
 * scanner or the rotator (its own CPU time is reported beside theirs).
 */
import { sandboxClients } from '../tools/local/clients.js';
import {
  createRotatorQueues,
  type QueueSettings,
  type RotatorQueues,
} from '../tools/local/queues.js';
import type { LatencyRule } from '../tools/sandbox/faults.js';
import { Input } from '../tools/sandbox/input.js';
import { startSandbox } from '../tools/sandbox/sandbox.js';
import { serve } from './child.js';
import { enqueueJobs, type Fleet, type FleetSpec, seedFleet } from './fleet.js';

/** The sandbox's own CPU time and the calls it answered, by `service:Operation`. */
export interface SandboxUsage {
  readonly cpuMs: number;
  readonly calls: Record<string, number>;
}

/** What a drained rotation left behind, read from the sandbox's state. */
export interface RotationState {
  /** Parameters under the path whose version moved past 1. */
  readonly rotated: number;
  readonly jobsLeft: number;
  readonly deadLetters: number;
  /** Tokens License Manager deleted (previous tokens the rotations retired). */
  readonly tokensDeleted: number;
}

const sandbox = await startSandbox({ seed: 20_261_127 });
const clients = sandboxClients(sandbox.endpoint, sandbox.defaultRegion);

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const depth = (url: string): number => {
  const queue = sandbox.sqs.queue(url.split('/').at(-1) ?? '');
  if (queue === undefined) return Number.NaN;
  const counts = queue.counts(sandbox.clock.nowMs());
  return counts.visible + counts.inFlight + counts.delayed;
};

serve({
  endpoint: () => ({ endpoint: sandbox.endpoint, region: sandbox.defaultRegion }),
  seed: async (spec): Promise<Fleet> => {
    const fleet = await seedFleet(sandbox, spec as FleetSpec);
    // Builds the sandbox's sorted listing now, so the first scan does not pay for it.
    sandbox.ssm.handle('DescribeParameters', new Input({ MaxResults: 1 }), {
      region: sandbox.defaultRegion,
      accountId: sandbox.accountId,
      accessKeyId: 'AKIABENCHSEED',
      origin: sandbox.endpoint,
    });
    return fleet;
  },
  queues: (settings): Promise<RotatorQueues> =>
    createRotatorQueues(clients.sqs, settings as QueueSettings),
  // From now on, the matching calls wait this long before the sandbox answers them.
  latency: (rules) => {
    sandbox.faults.add({ latency: rules as LatencyRule[] });
    return sandbox.faults.rules().latency ?? [];
  },
  enqueue: (payload) => {
    const { queueUrl, tokenPath } = payload as { queueUrl: string; tokenPath: string };
    return enqueueJobs(sandbox, queueUrl, tokenPath);
  },
  usage: (): SandboxUsage => ({ cpuMs: cpuMs(), calls: Object.fromEntries(sandbox.callCounts()) }),
  rotationState: (payload): RotationState => {
    const { tokenPath, queues } = payload as { tokenPath: string; queues: RotatorQueues };
    return {
      rotated: sandbox.ssm.parameters().filter((p) => p.name.startsWith(tokenPath) && p.version > 1)
        .length,
      jobsLeft: depth(queues.jobQueueUrl),
      deadLetters: depth(queues.deadLetterQueueUrl),
      tokensDeleted: sandbox.licenseManager.tokens().filter((t) => t.status === 'DELETED').length,
    };
  },
});
