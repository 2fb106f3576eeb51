import type { ColdStart } from './cold-start.js';
import type { RotatorSettings } from './deployed.js';
import { DEPLOYED_GROUPS, GroupMode } from './groups.js';
import type { Machine } from './machine.js';
import type { MeasuredRotation, RotationCase } from './rotation.js';
import type { ClaimsCost } from './scan-child.js';
import type { MeasuredScan, ScalePoint } from './scan-scale.js';
import type { CallCounts } from './sdk-calls.js';
import { median, percentile, round } from './stats.js';

const MB = 1e6;

/** One scanner's figures at one fleet size: medians over its fresh-process runs. */
export interface VariantSummary {
  readonly runs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly sandboxCpuMs: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  /** Peak used heap per quarter of the run, from the run with the median wall time. */
  readonly peakHeapByQuarterMb: readonly number[];
  /** Peak RSS per quarter of the run, from the same run. */
  readonly peakRssByQuarterMb: readonly number[];
  readonly heapBeforeMb: number;
  readonly heapAfterMb: number;
  /** The highest heap right after a forced full GC, in the separate live-heap run. */
  readonly peakLiveHeapMb: number;
  /** Logical SDK calls by `service:Operation` (the same in every run, or `callsVary` says so). */
  readonly calls: Readonly<Record<string, number>>;
  readonly callsVary: boolean;
  /** SDK retries (attempts beyond the first), the most any run made. */
  readonly retries: number;
  /** True when the sandbox answered exactly the attempts the middleware counted, in every run. */
  readonly sandboxAgrees: boolean;
  readonly scanned: number;
  readonly due: number;
  readonly enqueued: number;
  readonly revocationsEnqueued: number;
}

/** Naive over scanner, for the figures where the comparison means something. */
export interface Ratios {
  readonly calls: number;
  readonly wall: number;
  readonly cpu: number;
  readonly sandboxCpu: number;
  readonly peakHeap: number;
}

/** The scan's claims on a fleet's tokens: one entry per token a record names, by design. */
export interface ClaimsSummary {
  readonly namedTokens: number;
  readonly mb: number;
  readonly bytesPerToken: number;
  /**
   * Besides the claims, what the audit's ledger of the parameters that may need a job keeps (the
   * whole TokenAudit less its claims, measured the same way).
   */
  readonly ledgerMb: number;
  /** Parameters whose previous token is past its grace period: each waits in the ledger. */
  readonly awaiting: number;
  /** The ledger over the parameters awaiting a job (undefined: none awaits one). */
  readonly ledgerBytesPerAwaiting: number | undefined;
  /**
   * The ledger as if every rotated record had been rotated a few days ago, inside the lookback its
   * stray mints are looked for: it then keeps each record too (undefined: no record was rotated).
   */
  readonly recent:
    | { readonly ledgerMb: number; readonly kept: number; readonly bytesPerKept: number }
    | undefined;
}

/** One fleet size. */
export interface PointSummary {
  readonly parameters: number;
  readonly due: number;
  readonly previousTokens: boolean;
  readonly seedSeconds: number;
  readonly claims: ClaimsSummary;
  readonly scanner: VariantSummary;
  readonly naive: VariantSummary | undefined;
  readonly ratios: Ratios | undefined;
}

/** One way of draining 1,000 jobs: medians over its runs. */
export interface RotationSummary extends RotationCase {
  readonly runs: number;
  readonly jobs: number;
  /** Every run rotated every job, left nothing queued and dead-lettered nothing. */
  readonly allRotated: boolean;
  readonly wallMs: number;
  readonly rotationsPerSecond: number;
  /** Each batch's wall time (an invocation: its groups at once, as deployed), percentiles. */
  readonly batchP50Ms: number;
  readonly batchP95Ms: number;
  readonly batchP99Ms: number;
  /** The rotator's calls per job, by operation, and in all. */
  readonly callsPerJob: Readonly<Record<string, number>>;
  readonly totalCallsPerJob: number;
  readonly retries: number;
  /** The rotator process's CPU per job (the event-source loop included), and the sandbox's. */
  readonly cpuMsPerJob: number;
  readonly sandboxCpuMsPerJob: number;
  readonly tokensDeleted: number;
}

/** One drain under latency: its batches against the function's timeout. */
export interface LatencySummary {
  readonly latencyMs: number;
  readonly groups: GroupMode;
  readonly pollers: number;
  readonly verify: boolean;
  readonly jobs: number;
  readonly batches: number;
  readonly batchP50Ms: number;
  readonly batchP95Ms: number;
  readonly batchMaxMs: number;
  /** Jobs handed to a batch, and jobs a batch finished (not reported back), on average. */
  readonly jobsPerBatch: number;
  readonly finishedPerBatch: number;
  /** The most jobs one batch finished: what a batch holds at this latency. */
  readonly mostFinished: number;
  /** The rotator's calls per rotated parameter, by operation and in all. */
  readonly callsPerJob: Readonly<Record<string, number>>;
  readonly totalCallsPerJob: number;
  /**
   * The batch's time not spent waiting on the injected latency, per call, median over batches:
   * the code, the SDK, the loopback and the sandbox on this machine. Only in the what-if of the
   * former arrangement, whose calls run one after another: as deployed, the groups' calls overlap.
   */
  readonly ownMsPerCall: number | undefined;
  /** Jobs not started for lack of time (the rotator's JobsDeferred). */
  readonly deferred: number;
  /** Jobs stopped by a transient failure, their deadline included (RotationRetries). */
  readonly retried: number;
  /** Batches whose handler threw: stopped at the timeout, every job back. */
  readonly batchesThrown: number;
  /** The most receives any job took (the queue's maxReceiveCount sends it to the DLQ after). */
  readonly maxReceiveCount: number;
  readonly rotated: number;
  readonly deadLetters: number;
  readonly jobsLeft: number;
  /** The whole drain in real time; failed jobs came back at once, not after their visibility. */
  readonly drainMs: number;
}

/** One target of the benchmark and how the run measured against it. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** Everything a run writes to bench/results.json. */
export interface Results {
  readonly mode: 'quick' | 'full';
  readonly machine: Machine;
  readonly seconds: number;
  /** The 1-minute load average as each phase started, and at the end: the machine is shared. */
  readonly load: Readonly<Record<string, number>>;
  readonly targets: readonly TargetCheck[];
  readonly scan: {
    readonly points: readonly PointSummary[];
    readonly previousTokens: PointSummary | undefined;
  };
  readonly rotation: readonly RotationSummary[];
  /** The rotator's settings as serverless.yml deploys them, which the drains follow. */
  readonly deployed: RotatorSettings;
  readonly latency: readonly LatencySummary[];
  readonly coldStart: ColdStart;
  /** Every run's own figures, for anyone who wants more than the medians. */
  readonly raw: {
    readonly scan: readonly ScalePoint[];
    readonly rotation: readonly Omit<MeasuredRotation, 'drained' | 'batches'>[];
    readonly latency: readonly Omit<MeasuredRotation, 'drained'>[];
  };
}

const sumCalls = (calls: CallCounts, prefix = ''): number =>
  Object.entries(calls)
    .filter(([operation]) => operation.startsWith(prefix))
    .reduce((sum, [, count]) => sum + count.calls, 0);

const logical = (calls: CallCounts): Record<string, number> =>
  Object.fromEntries(Object.entries(calls).map(([operation, count]) => [operation, count.calls]));

const sameCalls = (a: Record<string, number>, b: Record<string, number>): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

function variant(
  runs: readonly MeasuredScan[],
  live: MeasuredScan | undefined,
): VariantSummary | undefined {
  const first = runs[0];
  if (first === undefined) return undefined;
  const mid = (pick: (run: MeasuredScan) => number): number => median(runs.map(pick));
  const wall = mid((run) => run.wallMs);
  const typical = runs.reduce((best, run) =>
    Math.abs(run.wallMs - wall) < Math.abs(best.wallMs - wall) ? run : best,
  );
  const calls = logical(first.calls);
  return {
    runs: runs.length,
    wallMs: round(wall),
    cpuMs: round(mid((run) => run.cpuMs)),
    sandboxCpuMs: round(mid((run) => run.sandboxCpuMs)),
    peakRssMb: round(mid((run) => run.memory.peakRssBytes) / MB),
    peakHeapMb: round(mid((run) => run.memory.peakHeapBytes) / MB),
    peakHeapByQuarterMb: typical.memory.peakHeapByQuarter.map((bytes) => round(bytes / MB)),
    peakRssByQuarterMb: typical.memory.peakRssByQuarter.map((bytes) => round(bytes / MB)),
    heapBeforeMb: round(mid((run) => run.memory.heapBeforeBytes) / MB),
    heapAfterMb: round(mid((run) => run.memory.heapAfterBytes) / MB),
    peakLiveHeapMb: round((live?.memory.peakLiveHeapBytes ?? Number.NaN) / MB),
    calls,
    callsVary: runs.some((run) => !sameCalls(logical(run.calls), calls)),
    retries: Math.max(...runs.map((run) => run.retries)),
    sandboxAgrees: runs.every((run) =>
      sameCalls(
        Object.fromEntries(Object.entries(run.calls).map(([op, count]) => [op, count.attempts])),
        run.sandboxCalls,
      ),
    ),
    scanned: first.scanned,
    due: first.due,
    enqueued: first.enqueued,
    revocationsEnqueued: first.revocationsEnqueued,
  };
}

/** The audit's ledger, as measured: the whole TokenAudit less the claims. */
function ledgerOf(claims: ClaimsCost): Omit<ClaimsSummary, 'namedTokens' | 'mb' | 'bytesPerToken'> {
  const ledgerBytes = claims.auditBytes - claims.bytes;
  const recentBytes =
    claims.recent === undefined ? undefined : claims.recent.auditBytes - claims.bytes;
  return {
    ledgerMb: round(ledgerBytes / MB),
    awaiting: claims.awaiting,
    ledgerBytesPerAwaiting:
      claims.awaiting === 0 ? undefined : round(ledgerBytes / claims.awaiting, 0),
    recent:
      claims.recent === undefined || recentBytes === undefined
        ? undefined
        : {
            ledgerMb: round(recentBytes / MB),
            kept: claims.recent.kept,
            bytesPerKept: round(recentBytes / claims.recent.kept, 0),
          },
  };
}

/** Medians per fleet size, and the naive baseline's ratios to the scanner. */
export function summarisePoint(point: ScalePoint): PointSummary {
  const scanner = variant(point.scanner, point.live.scanner);
  if (scanner === undefined) throw new Error(`no scanner run at ${point.parameters}`);
  const naive = variant(point.naive, point.live.naive);
  const naiveCalls = point.naive[0]?.calls;
  const scannerCalls = point.scanner[0]?.calls ?? {};
  return {
    parameters: point.parameters,
    due: point.due,
    previousTokens: point.previousTokens,
    seedSeconds: round(point.seedSeconds),
    claims: {
      namedTokens: point.claims.namedTokens,
      mb: round(point.claims.bytes / MB),
      bytesPerToken: round(point.claims.bytes / point.claims.namedTokens, 0),
      ...ledgerOf(point.claims),
    },
    scanner,
    naive,
    ratios:
      naive === undefined || naiveCalls === undefined
        ? undefined
        : {
            calls: round(sumCalls(naiveCalls) / sumCalls(scannerCalls)),
            wall: round(naive.wallMs / scanner.wallMs),
            cpu: round(naive.cpuMs / scanner.cpuMs),
            sandboxCpu: round(naive.sandboxCpuMs / scanner.sandboxCpuMs),
            peakHeap: round(naive.peakHeapMb / scanner.peakHeapMb),
          },
  };
}

const caseKey = (c: RotationCase): string => `${c.verify}/${c.pollers}/${c.previousTokens}`;

/** Medians per rotation case. */
export function summariseRotation(runs: readonly MeasuredRotation[]): RotationSummary[] {
  const cases = new Map<string, MeasuredRotation[]>();
  for (const run of runs) cases.set(caseKey(run), [...(cases.get(caseKey(run)) ?? []), run]);
  return [...cases.values()].flatMap((group) => {
    const first = group[0];
    if (first === undefined) return [];
    const mid = (pick: (run: MeasuredRotation) => number): number => median(group.map(pick));
    const jobs = first.jobs;
    const wall = mid((run) => run.wallMs);
    const operations = [...new Set(group.flatMap((run) => Object.keys(run.calls)))];
    const callsPerJob = Object.fromEntries(
      operations.map((op) => [
        op,
        round(
          mid((run) => (run.calls[op]?.calls ?? 0) / jobs),
          2,
        ),
      ]),
    );
    return [
      {
        verify: first.verify,
        pollers: first.pollers,
        previousTokens: first.previousTokens,
        runs: group.length,
        jobs,
        allRotated: group.every(
          (run) =>
            run.state.rotated === jobs && run.state.jobsLeft === 0 && run.state.deadLetters === 0,
        ),
        wallMs: round(wall),
        rotationsPerSecond: round(jobs / (wall / 1000)),
        batchP50Ms: round(mid((run) => run.perInvocation.p50)),
        batchP95Ms: round(mid((run) => run.perInvocation.p95)),
        batchP99Ms: round(mid((run) => run.perInvocation.p99)),
        callsPerJob,
        totalCallsPerJob: round(
          mid((run) => sumCalls(run.calls) / jobs),
          2,
        ),
        retries: group.reduce((sum, run) => sum + run.retries, 0),
        cpuMsPerJob: round(
          mid((run) => run.cpuMs / jobs),
          2,
        ),
        sandboxCpuMsPerJob: round(
          mid((run) => run.sandboxCpuMs / jobs),
          2,
        ),
        tokensDeleted: Math.max(...group.map((run) => run.state.tokensDeleted)),
      },
    ];
  });
}

const perRotated = (run: MeasuredRotation, count: number): number =>
  round(count / run.state.rotated, 2);

/** The figures of one drain under latency. */
export function summariseLatency(run: MeasuredRotation): LatencySummary {
  const { batches } = run;
  const walls = batches.map((batch) => batch.wallMs);
  const total = (pick: (batch: (typeof batches)[number]) => number): number =>
    batches.reduce((sum, batch) => sum + pick(batch), 0);
  return {
    latencyMs: run.latencyMs,
    groups: run.groups,
    pollers: run.pollers,
    verify: run.verify,
    jobs: run.jobs,
    batches: batches.length,
    batchP50Ms: round(percentile(walls, 50)),
    batchP95Ms: round(percentile(walls, 95)),
    batchMaxMs: round(Math.max(...walls)),
    jobsPerBatch: round(total((batch) => batch.jobs) / batches.length),
    finishedPerBatch: round(total((batch) => batch.jobs - batch.failed) / batches.length),
    mostFinished: Math.max(...batches.map((batch) => batch.jobs - batch.failed)),
    callsPerJob: Object.fromEntries(
      Object.entries(run.calls).map(([op, count]) => [op, perRotated(run, count.calls)]),
    ),
    totalCallsPerJob: perRotated(run, sumCalls(run.calls)),
    ownMsPerCall:
      run.groups === GroupMode.OneAfterAnother
        ? round(
            median(
              batches
                .filter((batch) => batch.calls > 0)
                .map((batch) => (batch.wallMs - batch.calls * run.latencyMs) / batch.calls),
            ),
          )
        : undefined,
    deferred: total((batch) => batch.deferred),
    retried: total((batch) => batch.retried),
    batchesThrown: batches.filter((batch) => batch.threw).length,
    maxReceiveCount: Math.max(...batches.map((batch) => batch.maxReceiveCount)),
    rotated: run.state.rotated,
    deadLetters: run.state.deadLetters,
    jobsLeft: run.state.jobsLeft,
    drainMs: round(run.wallMs),
  };
}

/** True when a drain rotated every job, left nothing queued and dead-lettered nothing. */
export const drainedClean = (l: LatencySummary): boolean =>
  l.rotated === l.jobs && l.jobsLeft === 0 && l.deadLetters === 0;

/** Milliseconds as seconds, one decimal: `16.6 s`. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The latency targets: the deployed arrangement only (the former one is a what-if). */
function latencyTargets(
  latency: readonly LatencySummary[],
  deployed: RotatorSettings,
): TargetCheck[] {
  const timeout = seconds(deployed.timeoutMs);
  return latency
    .filter((l) => l.groups === DEPLOYED_GROUPS)
    .flatMap((l) => [
      {
        target: `Batches at ${l.latencyMs} ms per call end inside the rotator's ${timeout} timeout`,
        measured: `p50 ${seconds(l.batchP50Ms)}, p95 ${seconds(l.batchP95Ms)}, max ${seconds(l.batchMaxMs)} (${l.batches} batches, ${l.batchesThrown} stopped)`,
        met: l.batchMaxMs < deployed.timeoutMs && l.batchesThrown === 0,
      },
      {
        target: `Every job at ${l.latencyMs} ms per call rotated, deferred ones included (DLQ after ${deployed.maxReceiveCount} receives)`,
        measured: `${l.rotated} of ${l.jobs}; ${l.deferred} deferred, ${l.maxReceiveCount} receives at most, ${l.deadLetters} dead-lettered`,
        met: drainedClean(l),
      },
    ]);
}

/**
 * The calls a first rotation without verification makes: the read, the check just before the
 * write, the mint, the write, and the event announcing it.
 */
export const FIRST_ROTATION_CALLS: Readonly<Record<string, number>> = {
  'ssm:DescribeParameters': 2,
  'license-manager:CreateToken': 1,
  'ssm:PutParameter': 1,
  'events:PutEvents': 1,
};

const ceil = (n: number, per: number): number => Math.ceil(n / per);
/** The 450 KB budget, in bytes (decimal kilobytes: the stricter reading). */
export const BUNDLE_BUDGET_BYTES = 450_000;
/** Init may be this much above the floor's. */
export const INIT_MARGIN = 1.25;
/**
 * How far the scan's memory, less its claims, may rise from the smallest fleet to the largest,
 * per this many parameters more.
 */
export const MEMORY_BUDGET_MB = 20;
/** The parameters MEMORY_BUDGET_MB is for: the bench's largest fleet. */
const MEMORY_BUDGET_PER = 100_000;
/**
 * What one named token's claim may cost: its map entry, its id and the record's name. 256 B lets
 * 1,000,000 named tokens take 256 MB, half the scanner's 512 MB.
 */
export const CLAIM_BUDGET_BYTES = 256;
/**
 * What the audit's ledger may keep per parameter awaiting a job (a previous token past its grace
 * period), its record not kept for stray-mint lookups: a few fields, no more than one of its two
 * claims. After a fleet-wide rotation nearly every parameter awaits one.
 */
export const LEDGER_BUDGET_BYTES = 256;

/** The scan's live heap, less its claims: what it holds besides one entry per named token. */
export const restMb = (point: PointSummary): number =>
  round(point.scanner.peakLiveHeapMb - point.claims.mb);

/** A rise in MB, signed: `+1.2 MB`. */
const rise = (mb: number): string => `${mb >= 0 ? '+' : ''}${round(mb)} MB`;

/**
 * The memory targets: the claims (one entry per named token, by design) within their budget per
 * token, and the rest flat: from the smallest fleet to the largest, and with previous tokens.
 */
function memoryTargets(
  points: readonly PointSummary[],
  previousTokens: PointSummary | undefined,
): TargetCheck[] {
  const smallest = points[0];
  const largest = points.at(-1);
  if (smallest === undefined || largest === undefined || largest === smallest) return [];
  const span = `${smallest.parameters.toLocaleString('en')} → ${largest.parameters.toLocaleString('en')}`;
  const checks: TargetCheck[] = [
    {
      target: `The claims: at most ${CLAIM_BUDGET_BYTES} B per named token (one entry per token a record names, by design), at ${largest.parameters.toLocaleString('en')}`,
      measured: `${largest.claims.bytesPerToken} B (${largest.claims.mb} MB for ${largest.claims.namedTokens.toLocaleString('en')}); ${points
        .slice(0, -1)
        .map((p) => `${p.claims.bytesPerToken} B at ${p.parameters.toLocaleString('en')}`)
        .join(', ')}`,
      met: largest.claims.bytesPerToken <= CLAIM_BUDGET_BYTES,
    },
  ];
  for (const [label, pick] of [
    ['live heap (peak after forced GCs)', (v: VariantSummary) => v.peakLiveHeapMb],
    ['peak heap (garbage included)', (v: VariantSummary) => v.peakHeapMb],
    ['peak RSS', (v: VariantSummary) => v.peakRssMb],
  ] as const) {
    const less = (p: PointSummary): number => round(pick(p.scanner) - p.claims.mb);
    const delta = less(largest) - less(smallest);
    checks.push({
      target: `Besides the claims, memory flat within ${MEMORY_BUDGET_MB} MB, ${span}: ${label} less the claims`,
      measured: `${less(smallest)} → ${less(largest)} MB (${rise(delta)}); with the claims ${pick(smallest.scanner)} → ${pick(largest.scanner)} MB`,
      met: delta <= MEMORY_BUDGET_MB,
    });
  }
  if (previousTokens !== undefined) checks.push(...previousTokenTargets(points, previousTokens));
  return checks;
}

/**
 * With previous tokens: the audit's ledger within its budget per parameter awaiting a job, and
 * the rest of the live heap flat against the same fleet without previous tokens.
 */
function previousTokenTargets(
  points: readonly PointSummary[],
  previousTokens: PointSummary,
): TargetCheck[] {
  const { claims } = previousTokens;
  const count = (value: number): string => value.toLocaleString('en');
  const checks: TargetCheck[] = [];
  const perAwaiting = claims.ledgerBytesPerAwaiting;
  if (perAwaiting !== undefined) {
    checks.push({
      target: `The audit's ledger: at most ${LEDGER_BUDGET_BYTES} B per parameter awaiting a job (its previous token past the grace period), no record kept for stray-mint lookups, at ${count(previousTokens.parameters)} with previous tokens`,
      measured: `${perAwaiting} B (${claims.ledgerMb} MB for ${count(claims.awaiting)} awaiting)${claims.recent === undefined ? '' : `; rotated within the stray-mint lookback, the record kept by design: ${claims.recent.bytesPerKept} B per parameter (${claims.recent.ledgerMb} MB for ${count(claims.recent.kept)})`}`,
      met: perAwaiting <= LEDGER_BUDGET_BYTES,
    });
  }
  const plain = points.find((p) => p.parameters === previousTokens.parameters);
  if (plain === undefined) return checks;
  const budget = round((MEMORY_BUDGET_MB * previousTokens.parameters) / MEMORY_BUDGET_PER);
  const delta = restMb(previousTokens) - restMb(plain);
  checks.push({
    target: `Besides the claims, memory flat with previous tokens: ${count(previousTokens.parameters)} parameters whose records name one, live heap less the claims within ${budget} MB of the same fleet without (${MEMORY_BUDGET_MB} MB per ${count(MEMORY_BUDGET_PER)} parameters)`,
    measured: `${restMb(plain)} → ${restMb(previousTokens)} MB (${rise(delta)}), of which the audit's ledger ${plain.claims.ledgerMb} → ${claims.ledgerMb} MB; the claims ${plain.claims.mb} → ${claims.mb} MB${delta <= budget ? '' : `. Not met: once the license's tokens are listed the audit also holds, beside the ledger, a set of the previous tokens' ids and another of those listed, and a revocation job per previous token still listed (${count(previousTokens.scanner.revocationsEnqueued)} here) until they are sent (src/rotation/token-audit.ts)`}`,
    met: delta <= budget,
  });
  return checks;
}

/** Checks every target of the benchmark against the summaries. */
export function checkTargets(
  points: readonly PointSummary[],
  previousTokens: PointSummary | undefined,
  rotation: readonly RotationSummary[],
  latency: readonly LatencySummary[],
  deployed: RotatorSettings,
  coldStart: ColdStart,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const describes = points.map((p) => ({
    want: ceil(p.parameters, 50),
    got: p.scanner.calls['ssm:DescribeParameters'] ?? 0,
  }));
  checks.push({
    target: 'DescribeParameters calls = ⌈N/50⌉ (plus retries, reported)',
    measured: `${describes.map((d) => `${d.got} of ${d.want}`).join(', ')}; retries ${points.map((p) => p.scanner.retries).join(', ')}`,
    met: describes.every((d) => d.got === d.want) && points.every((p) => !p.scanner.callsVary),
  });
  const batches = points.map((p) => ({
    want: ceil(p.due, 10),
    got: p.scanner.calls['sqs:SendMessageBatch'] ?? 0,
  }));
  checks.push({
    target: 'SendMessageBatch calls = ⌈due/10⌉ (plus retries, reported)',
    measured: batches.map((b) => `${b.got} of ${b.want}`).join(', '),
    met: batches.every((b) => b.got === b.want),
  });
  const tenThousand = points.find((p) => p.parameters === 10_000);
  if (tenThousand !== undefined) {
    checks.push({
      target: '10,000 parameters scanned in under 2 s',
      measured: `${(tenThousand.scanner.wallMs / 1000).toFixed(2)} s (median of ${tenThousand.scanner.runs})`,
      met: tenThousand.scanner.wallMs < 2000,
    });
  }
  checks.push(...memoryTargets(points, previousTokens));
  const first = rotation.find((r) => !r.verify && !r.previousTokens && r.pollers === 1);
  if (first !== undefined) {
    const expected = Object.values(FIRST_ROTATION_CALLS).reduce((sum, n) => sum + n, 0);
    checks.push({
      target: `${expected} SDK calls per job without verification (first rotations): ${callList(FIRST_ROTATION_CALLS)}`,
      measured: `${first.totalCallsPerJob} (${callList(first.callsPerJob)})`,
      met: sameCalls(first.callsPerJob, FIRST_ROTATION_CALLS),
    });
  }
  checks.push(...latencyTargets(latency, deployed));
  for (const bundle of coldStart.functions) {
    checks.push({
      target: `${bundle.name} bundle ≤ 450 KB minified (without its source map)`,
      measured: `${(bundle.bundleBytes / 1000).toFixed(1)} KB`,
      met: bundle.bundleBytes <= BUNDLE_BUDGET_BYTES,
    });
    const ratio = bundle.initMs / coldStart.floor.initMs;
    const percent = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(0)}%`;
    checks.push({
      target: `${bundle.name} init within 25% of the floor's`,
      measured: `${bundle.initMs.toFixed(1)} ms vs ${coldStart.floor.initMs.toFixed(1)} ms (${percent(ratio)}; paired round by round ${percent(bundle.pairedRatioToFloor)})`,
      met: ratio <= INIT_MARGIN,
    });
  }
  return checks;
}

/** Calls by operation as people read them: `DescribeParameters 2, CreateToken 1`. */
export const callList = (calls: Readonly<Record<string, number>>): string =>
  Object.entries(calls)
    .map(([operation, count]) => `${operation.split(':')[1]} ${count}`)
    .join(', ');

/** A label for a check's verdict. */
export const verdict = (check: TargetCheck): string => (check.met ? 'met' : '**missed**');
