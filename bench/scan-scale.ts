import type { QueueSettings } from '../tools/local/queues.js';
import { type Child, startChild } from './child.js';
import type { Fleet } from './fleet.js';
import type { SandboxUsage } from './sandbox-host.js';
import type { ClaimsCost, ClaimsRequest, ScanRequest, ScanRun } from './scan-child.js';
import type { Target } from './wiring.js';

/** The root the bench fleets live under (the scanner's TOKEN_PATH). */
export const BENCH_TOKEN_PATH = '/license-tokens/';

/** One scan run and what the sandbox did to answer it. */
export interface MeasuredScan extends ScanRun {
  /** CPU time the sandbox process spent answering this scan. */
  readonly sandboxCpuMs: number;
  /** Calls the sandbox answered during the scan, by `service:Operation` (cross-check). */
  readonly sandboxCalls: Record<string, number>;
}

/** Every run at one fleet size. */
export interface ScalePoint {
  readonly parameters: number;
  readonly due: number;
  readonly previousTokens: boolean;
  /** Tokens the fleet's records name (current and previous): one claim each. */
  readonly namedTokens: number;
  readonly seedSeconds: number;
  /** The scan's claims on the fleet's tokens, measured alone in a process of their own. */
  readonly claims: ClaimsCost;
  readonly scanner: readonly MeasuredScan[];
  readonly naive: readonly MeasuredScan[];
  /** One more run of each, forcing a full GC every LIVE_HEAP_EVERY_MS to see the live heap. */
  readonly live: { readonly scanner?: MeasuredScan; readonly naive?: MeasuredScan };
}

/** How often the live-heap run forces a full GC. */
export const LIVE_HEAP_EVERY_MS = 50;

/** How to run the scan-scale phase. */
export interface ScanPlan {
  readonly sizes: readonly number[];
  /** Fresh-process runs of each variant per size (the median is reported). */
  readonly repeats: number;
  /** Also scan this many parameters whose records carry a previous token (scanner only). */
  readonly previousTokensAt: number | undefined;
}

const SANDBOX_HOST = new URL('./sandbox-host.ts', import.meta.url);
const SCAN_CHILD = new URL('./scan-child.ts', import.meta.url);

const delta = (
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, value - (before[key] ?? 0)] as const)
      .filter(([, value]) => value > 0),
  );

async function measure(
  host: Child,
  request: Omit<ScanRequest, 'queueUrl'>,
  run: string,
): Promise<MeasuredScan> {
  // A queue per run: FIFO deduplication would otherwise swallow the second run's jobs.
  const queues = await host.request<{ jobQueueUrl: string }>('queues', {
    prefix: `bench-${request.variant}-${run}`,
  } satisfies QueueSettings);
  const before = await host.request<SandboxUsage>('usage');
  const child = startChild(SCAN_CHILD, { exposeGc: true });
  try {
    const result = await child.request<ScanRun>('scan', {
      ...request,
      queueUrl: queues.jobQueueUrl,
    } satisfies ScanRequest);
    const after = await host.request<SandboxUsage>('usage');
    return {
      ...result,
      sandboxCpuMs: after.cpuMs - before.cpuMs,
      sandboxCalls: delta(before.calls, after.calls),
    };
  } finally {
    await child.close();
  }
}

/** The scan's claims on the fleet's tokens, in a fresh process (the runner starts it with GC). */
async function measureClaims(host: Child, request: Omit<ClaimsRequest, 'queueUrl'>) {
  const queues = await host.request<{ jobQueueUrl: string }>('queues', {
    prefix: 'bench-claims',
  } satisfies QueueSettings);
  const child = startChild(SCAN_CHILD, { exposeGc: true });
  try {
    return await child.request<ClaimsCost>('claims', {
      ...request,
      queueUrl: queues.jobQueueUrl,
    } satisfies ClaimsRequest);
  } finally {
    await child.close();
  }
}

/** Seeds one fleet in a fresh sandbox host and scans it with both scanners, `repeats` times. */
async function scalePoint(
  parameters: number,
  options: {
    readonly repeats: number;
    readonly previousTokens: boolean;
    readonly naive: boolean;
    /** The scanner's timeout, as serverless.yml deploys it. */
    readonly timeoutMs: number;
  },
  progress: (line: string) => void,
): Promise<ScalePoint> {
  const host = startChild(SANDBOX_HOST);
  try {
    const target = await host.request<Target>('endpoint');
    const fleet = await host.request<Fleet>('seed', {
      tokenPath: BENCH_TOKEN_PATH,
      count: parameters,
      dueEvery: 10,
      previousTokens: options.previousTokens,
    });
    progress(
      `  seeded ${parameters} parameters (${fleet.due} due${options.previousTokens ? ', with previous tokens' : ''}) in ${fleet.seconds.toFixed(1)} s`,
    );
    const scanner: MeasuredScan[] = [];
    const naive: MeasuredScan[] = [];
    const live: { scanner?: MeasuredScan; naive?: MeasuredScan } = {};
    const base = { ...target, tokenPath: BENCH_TOKEN_PATH, timeoutMs: options.timeoutMs };
    const variants = options.naive ? (['scanner', 'naive'] as const) : (['scanner'] as const);
    for (let run = 1; run <= options.repeats; run++) {
      // Alternate which goes first, so neither always meets a warmer sandbox.
      for (const variant of run % 2 === 1 ? variants : [...variants].reverse()) {
        const result = await measure(host, { ...base, variant }, String(run));
        (variant === 'scanner' ? scanner : naive).push(result);
        progress(
          `  ${variant.padEnd(7)} run ${run}: ${result.wallMs.toFixed(0)} ms, ${result.enqueued} jobs`,
        );
      }
    }
    for (const variant of variants) {
      live[variant] = await measure(
        host,
        { ...base, variant, liveHeapEveryMs: LIVE_HEAP_EVERY_MS },
        'live',
      );
      progress(
        `  ${variant.padEnd(7)} live-heap run: ${((live[variant]?.memory.peakLiveHeapBytes ?? 0) / 1e6).toFixed(1)} MB at most after GC`,
      );
    }
    const claims = await measureClaims(host, base);
    progress(
      `  claims: ${claims.namedTokens} named tokens (${fleet.tokensMinted} minted), ${(claims.bytes / 1e6).toFixed(1)} MB, ${Math.round(claims.bytes / claims.namedTokens)} B each; the audit's ledger ${((claims.auditBytes - claims.bytes) / 1e6).toFixed(1)} MB for ${claims.awaiting} awaiting a job${claims.recent === undefined ? '' : `, rotated within the lookback ${((claims.recent.auditBytes - claims.bytes) / 1e6).toFixed(1)} MB`}`,
    );
    return {
      parameters,
      due: fleet.due,
      previousTokens: options.previousTokens,
      namedTokens: claims.namedTokens,
      seedSeconds: fleet.seconds,
      claims,
      scanner,
      naive,
      live,
    };
  } finally {
    await host.close();
  }
}

/** The scan-scale phase: every size with both scanners, then the previous-token variant. */
export async function runScanScale(
  plan: ScanPlan,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<{ points: ScalePoint[]; previousTokens: ScalePoint | undefined }> {
  const points: ScalePoint[] = [];
  for (const size of plan.sizes) {
    progress(`Scan scale: ${size} parameters`);
    points.push(
      await scalePoint(
        size,
        { repeats: plan.repeats, previousTokens: false, naive: true, timeoutMs },
        progress,
      ),
    );
  }
  let previousTokens: ScalePoint | undefined;
  if (plan.previousTokensAt !== undefined) {
    progress(`Scan scale: ${plan.previousTokensAt} parameters with previous tokens`);
    previousTokens = await scalePoint(
      plan.previousTokensAt,
      { repeats: 1, previousTokens: true, naive: false, timeoutMs },
      progress,
    );
  }
  return { points, previousTokens };
}
