import { JOB_START_BUDGET_MS, RESPONSE_RESERVE_MS } from '../src/app/rotator.js';
import type { BundleFigures } from './cold-start.js';
import type { RotatorSettings } from './deployed.js';
import { ARRANGEMENT_LABELS, DEPLOYED_GROUPS } from './groups.js';
import type {
  LatencySummary,
  PointSummary,
  Results,
  RotationSummary,
  VariantSummary,
} from './results.js';
import { callList, drainedClean, restMb, seconds, verdict } from './results.js';
import { LIVE_HEAP_EVERY_MS } from './scan-scale.js';

const n = (value: number): string => value.toLocaleString('en');
const ms = (value: number): string =>
  value >= 100 ? `${n(Math.round(value))} ms` : `${value.toFixed(1)} ms`;
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
const times = (value: number): string => `${value.toFixed(1)}×`;

/** A Markdown table; cells are already text. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const ragged = rows.find((row) => row.length !== header.length);
  if (ragged !== undefined) {
    throw new Error(`a row of ${ragged.length} cells under ${header.length} headers: ${ragged}`);
  }
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const calls = (v: VariantSummary, service: string): string =>
  Object.entries(v.calls)
    .filter(([operation]) => operation.startsWith(`${service}:`))
    .map(([operation, count]) => `${n(count)} ${operation.split(':')[1]}`)
    .join(', ') || '0';

function scanRows(points: readonly PointSummary[], which: 'scanner' | 'naive'): string[][] {
  return points.flatMap((point) => {
    const v = point[which];
    if (v === undefined) return [];
    return [
      [
        n(point.parameters),
        `${n(v.due)} / ${n(v.enqueued)}${v.revocationsEnqueued > 0 ? ` (+${n(v.revocationsEnqueued)} revocations)` : ''}`,
        calls(v, 'ssm'),
        calls(v, 'sqs'),
        calls(v, 'license-manager'),
        n(v.retries),
        ms(v.wallMs),
        ms(v.cpuMs),
        ms(v.sandboxCpuMs),
        `${v.peakRssMb} (${v.peakRssByQuarterMb.join(' / ')})`,
        `${v.peakHeapMb} (${v.peakHeapByQuarterMb.join(' / ')})`,
        `${v.peakLiveHeapMb}`,
      ],
    ];
  });
}

const SCAN_HEADER = [
  'parameters',
  'due / jobs sent',
  'SSM calls',
  'SQS calls',
  'License Manager calls',
  'retries',
  'wall',
  'CPU',
  'sandbox CPU',
  'peak RSS MB (by quarter)',
  'peak heap MB (by quarter)',
  'live heap MB',
];

function scanSection(results: Results): string {
  const { points, previousTokens } = results.scan;
  const runs = points[0]?.scanner.runs ?? 1;
  const parts = [
    '## 1. Scan scale',
    `Fleets of managed parameters under \`/license-tokens/\`, 10% due (one in ten, aged 250–346 days of 365; the rest 0–199 days), none with a previous token (the last table has them). Besides DescribeParameters and SendMessageBatch, the scanner lists every token of each managed license (ListTokens by license, 100 a page) and holds them against the records it read: previous tokens past their grace period, stray mints no record names, current tokens no longer listed. Each scan runs in a fresh process of its own against the sandbox in another; ${runs === 1 ? 'one run each' : `medians of ${runs} runs each, the two scanners alternating`}. SDK calls are counted by middleware on the clients${points.every((p) => p.scanner.sandboxAgrees && (p.naive?.sandboxAgrees ?? true)) ? ', and the sandbox answered exactly as many' : ' (**the sandbox counted differently: see results.json**)'}. "Sandbox CPU" is the sandbox process's time answering. Peak RSS is the kernel's high-water mark for the scan's process (module loading included); peak heap is V8's used heap sampled every 5 ms, garbage awaiting collection included; both also per quarter of the run's duration; live heap is the most the heap held right after a forced full GC, every ${LIVE_HEAP_EVERY_MS} ms of one more run of each: the scan's working set.`,
    '**The scanner** (src/app, wrapped as the handler is): DescribeParameters 50 a page, SendMessageBatch 10 a call.',
    table(SCAN_HEADER, scanRows(points, 'scanner')),
    '**The naive baseline** (bench/naive-scan.ts): GetParametersByPath with decryption, 10 a page (the API maximum), the expiry read from each token, one SendMessage per job. It streams page by page too; it needs kms:Decrypt, and every token passes through the function\u2019s memory.',
    table(SCAN_HEADER, scanRows(points, 'naive')),
    '**Naive ÷ scanner**',
    table(
      ['parameters', 'SDK calls', 'wall', 'CPU', 'sandbox CPU', 'peak heap'],
      points.flatMap((p) =>
        p.ratios === undefined
          ? []
          : [
              [
                n(p.parameters),
                times(p.ratios.calls),
                times(p.ratios.wall),
                times(p.ratios.cpu),
                times(p.ratios.sandboxCpu),
                times(p.ratios.peakHeap),
              ],
            ],
      ),
    ),
  ];
  if (previousTokens !== undefined) {
    parts.push(
      `**With previous tokens** (${n(previousTokens.parameters)} parameters whose records carry a previousTokenId, rotated as many days ago as the token is old: the license's listing holds twice the tokens, and each previous token past the 72-hour grace period that License Manager still lists as AVAILABLE gets a revocation job; revocation jobs share the SendMessageBatch calls with rotation jobs):`,
      table(SCAN_HEADER, scanRows([previousTokens], 'scanner')),
    );
  }
  parts.push(...memoryHeld(points, previousTokens));
  return parts.join('\n\n');
}

/** Megabytes spread over a count: `830 B`. */
const bytesEach = (mb: number, count: number): string => `${Math.round((mb * 1e6) / count)} B`;

/**
 * What the scan's live heap holds, fleet by fleet: the claims (one entry per named token, by
 * design) and the audit's ledger, each measured alone, and the rest, with what its growth comes
 * to per parameter.
 */
function memoryHeld(
  points: readonly PointSummary[],
  previousTokens: PointSummary | undefined,
): string[] {
  const all = [...points, ...(previousTokens === undefined ? [] : [previousTokens])];
  const rows = all.map((p) => [
    `${n(p.parameters)}${p.previousTokens ? ' with previous tokens' : ''}`,
    n(p.claims.namedTokens),
    `${p.scanner.peakLiveHeapMb}`,
    `${p.claims.mb}`,
    `${p.claims.bytesPerToken} B`,
    `${p.claims.ledgerMb}`,
    n(p.claims.awaiting),
    p.claims.ledgerBytesPerAwaiting === undefined ? '–' : `${p.claims.ledgerBytesPerAwaiting} B`,
    `${restMb(p)}`,
  ]);
  const smallest = points[0];
  const largest = points.at(-1);
  const growth =
    smallest === undefined || largest === undefined || largest === smallest
      ? []
      : [
          `From ${n(smallest.parameters)} to ${n(largest.parameters)} parameters the rest went ${restMb(smallest)} → ${restMb(largest)} MB: ${bytesEach(restMb(largest) - restMb(smallest), largest.parameters - smallest.parameters)} per parameter more, of which the audit's ledger ${smallest.claims.ledgerMb} → ${largest.claims.ledgerMb} MB. Besides the claims and the ledger the scan keeps the due jobs until every record is read (one name and version per due parameter, src/rotation/scan.ts), and the peak falls while the licenses' tokens are listed, a page at a time.`,
        ];
  const plain =
    previousTokens === undefined
      ? undefined
      : points.find((p) => p.parameters === previousTokens.parameters);
  const ledger =
    previousTokens === undefined || plain === undefined || largest === undefined
      ? []
      : [ledgerParagraph(plain, previousTokens, largest)];
  return [
    `**What the scan holds.** The claims are one entry per token a record names (src/rotation/claims.ts), by design: the audit must know every named token to tell a stray mint from a record's token and to find a record that names another's. They are measured alone, in a fresh process: the scan's own Claims filled from the fleet as the scan reads it (DescribeParameters through the store, each record parsed and noted), the live heap after a full GC with them less before, after a first read that warms the clients; then the scan's whole TokenAudit the same way, noted as the scan notes a record, whose live heap less the claims' is the audit's ledger (the parameters that may need a job: a previous token to weigh, or a recent rotation's stray mints to look for). The rest is the live heap less the claims: the modules, the clients, a page at a time, the ledger and whatever else the scan keeps.`,
    table(
      [
        'parameters',
        'named tokens',
        'live heap MB',
        'the claims MB',
        'per named token',
        'the ledger MB',
        'awaiting a job',
        'ledger per awaiting',
        'the rest MB',
      ],
      rows,
    ),
    ...growth,
    ...ledger,
  ];
}

/**
 * The audit's ledger with previous tokens: what it keeps per parameter awaiting a job once the
 * rotations are older than the stray-mint lookback, and within it, by design.
 */
function ledgerParagraph(
  plain: PointSummary,
  previousTokens: PointSummary,
  largest: PointSummary,
): string {
  const { claims } = previousTokens;
  const atLargest = (mb: number): number =>
    Math.round((mb * largest.parameters) / previousTokens.parameters);
  const net =
    claims.awaiting === 0
      ? ''
      : `, ${bytesEach(claims.ledgerMb - plain.claims.ledgerMb, claims.awaiting)} over the same fleet without (whose ledger keeps no parameter)`;
  const recent =
    claims.recent === undefined
      ? ''
      : ` Within the stray-mint lookback (STRAY_MINT_LOOKBACK_MS) the ledger keeps the record too, by design. Measured on the same fleet, its audit filled again with every rotated record re-dated as the rotator writes one rotated halfway between the end of the grace period and the end of the lookback, with its mint window: ${claims.recent.ledgerMb} MB for ${n(claims.recent.kept)} parameters, ${claims.recent.bytesPerKept} B each, about ${atLargest(claims.recent.ledgerMb)} MB at ${n(largest.parameters)} parameters in the lookback after a fleet-wide rotation, falling back to the few fields as the rotations age past it.`;
  return `**The audit's ledger.** The ledger (src/rotation/token-audit.ts \`TokenAudit.note\`) keeps, of each parameter that may need a job, its name, version, previous and current token ids and its previous token's standing, until the license's tokens are listed; and its record only while its rotation's stray mints are looked for (STRAY_MINT_LOOKBACK_MS after the rotation). The fleet with previous tokens measures the common case, no rotation's stray mints looked for: its records, rotated as long ago as their tokens are old (1 to 346 days), carry no mint window (\`mintsFrom\`, which the rotator writes), so no record is kept; the ${n(claims.awaiting)} parameters whose previous token is past its grace period await a job (here a revocation, under after-grace; under after-pickup, a pickup first), and ${n(previousTokens.scanner.revocationsEnqueued)} got a revocation job. The ledger went ${plain.claims.ledgerMb} → ${claims.ledgerMb} MB over the same fleet without: ${claims.ledgerBytesPerAwaiting ?? '–'} B per parameter awaiting a job${net}. A record keeps naming its previous token after the revocation, until its next rotation, so in a fleet rotated once nearly every parameter awaits a job: about ${atLargest(claims.ledgerMb)} MB at ${n(largest.parameters)} parameters, on top of the claims on ${n(2 * largest.parameters)} named tokens.${recent}`;
}

function rotationRows(rows: readonly RotationSummary[]): string[][] {
  return rows.map((r) => [
    `${r.verify ? 'on' : 'off'}`,
    `${r.pollers}`,
    r.previousTokens ? 'second (has previousTokenId)' : 'first',
    `${n(r.jobs)}${r.allRotated ? '' : ' (**not all rotated**)'}`,
    ms(r.wallMs),
    n(Math.round(r.rotationsPerSecond)),
    ms(r.batchP50Ms),
    ms(r.batchP95Ms),
    ms(r.batchP99Ms),
    `${r.totalCallsPerJob} (${callList(r.callsPerJob)})`,
    n(r.retries),
    ms(r.cpuMsPerJob),
    ms(r.sandboxCpuMsPerJob),
  ]);
}

function rotationSection(results: Results): string {
  const runs = results.rotation[0]?.runs ?? 1;
  return [
    '## 2. Rotation throughput',
    `A backlog of ${n(results.rotation[0]?.jobs ?? 0)} due parameters, one job each in the FIFO jobs queue, drained through the rotator (src/app, wrapped as the handler is) by the local event source (tools/local/event-source.ts \`drainQueue\`: batches of 10, delete on success), each poller with its own rotator and clients as a Lambda execution environment has; ${runs === 1 ? 'one run each' : `medians of ${runs} runs each`}. The rotator runs as deployed: each FIFO group of a batch (here one parameter with one job) through a FIFO processor of its own, the groups at once; the batch percentiles are the invocations' wall times, logging, metrics and events included (a job's own time is not told apart: its calls overlap the other groups'). Rotations per second count the whole drain, receives and deletes included. Afterwards the sandbox's state is checked: every parameter at version 2, the queue empty, no dead letters. Calls per job are the rotator's own (its clients); the event source's ReceiveMessage and DeleteMessageBatch are Lambda's, not counted.${results.machine.cores <= 2 ? ` On this ${results.machine.cores}-core machine the rotator's process and the sandbox's share the cores, so the drain is CPU-bound and a second poller adds little; on Lambda each environment has its own CPU and waits on AWS.` : ''}`,
    table(
      [
        'verification',
        'pollers',
        'rotation',
        'jobs',
        'wall',
        'rotations/s',
        'batch p50',
        'batch p95',
        'batch p99',
        'SDK calls per job',
        'retries',
        'CPU per job',
        'sandbox CPU per job',
      ],
      rotationRows(results.rotation),
    ),
  ].join('\n\n');
}

function latencyRows(rows: readonly LatencySummary[], timeoutMs: number): string[][] {
  return rows.map((l) => [
    ms(l.latencyMs),
    ARRANGEMENT_LABELS[l.groups],
    n(l.jobs),
    n(l.batches),
    seconds(l.batchP50Ms),
    seconds(l.batchP95Ms),
    `${seconds(l.batchMaxMs)} (${Math.round((l.batchMaxMs / timeoutMs) * 100)}%)`,
    `${l.jobsPerBatch} / ${l.finishedPerBatch} (${l.mostFinished})`,
    `${l.totalCallsPerJob} (${callList(l.callsPerJob)})`,
    l.ownMsPerCall === undefined ? '–' : ms(l.ownMsPerCall),
    n(l.deferred),
    n(l.retried),
    n(l.maxReceiveCount),
    `${n(l.rotated)}${drainedClean(l) ? '' : ` (**${n(l.deadLetters)} dead-lettered, ${n(l.jobsLeft)} left**)`}`,
    seconds(l.drainMs),
  ]);
}

/**
 * How many jobs of one group (one parameter's jobs, one after another) a batch finishes when each
 * takes `jobMs`: a job starts only with JOB_START_BUDGET_MS left, and its calls are cut
 * RESPONSE_RESERVE_MS before the timeout.
 */
function groupCapacity(jobMs: number, deployed: RotatorSettings): number {
  let finished = 0;
  while (finished < deployed.batchSize) {
    const startMs = finished * jobMs;
    if (deployed.timeoutMs - startMs < JOB_START_BUDGET_MS) break;
    if (startMs + jobMs > deployed.timeoutMs - RESPONSE_RESERVE_MS) break;
    finished++;
  }
  return finished;
}

/** The deployed drain under the lowest latency, and the what-if's own time per call beside it. */
function baseline(results: Results): { deployed: LatencySummary; ownMs: number } | undefined {
  const deployed = results.latency.find((l) => l.groups === DEPLOYED_GROUPS);
  const ownMs = results.latency.find(
    (l) => l.groups !== DEPLOYED_GROUPS && l.latencyMs === deployed?.latencyMs,
  )?.ownMsPerCall;
  return deployed === undefined || ownMs === undefined ? undefined : { deployed, ownMs };
}

/**
 * What the figures say about AWS, from the lowest latency the deployed arrangement ran at: a
 * batch waits on its slowest group's calls; a group's jobs take their calls times the latency
 * plus the code's own time per call, measured where calls do not overlap (the what-if).
 */
function onAws(results: Results): string | undefined {
  const { deployed } = results;
  const base = baseline(results);
  if (base === undefined) return undefined;
  const { ownMs } = base;
  const l = base.deployed;
  const calls = l.totalCallsPerJob;
  const jobMs = (latencyMs: number): number => calls * (latencyMs + ownMs);
  const latencies = [...new Set([10, 50, ...results.latency.map((c) => c.latencyMs)])].sort(
    (a, b) => a - b,
  );
  const capacities = latencies
    .map(
      (latencyMs) =>
        `${groupCapacity(jobMs(latencyMs), deployed)} at ${ms(latencyMs)} (${seconds(jobMs(latencyMs))} a job)`,
    )
    .join(', ');
  const cutAboveMs = (deployed.timeoutMs - RESPONSE_RESERVE_MS) / calls - ownMs;
  return [
    `**What this means on AWS.** As deployed, a batch lasts as long as its slowest group, and a group (one parameter) runs its own jobs one after another. At ${ms(l.latencyMs)} per call a batch of ${l.jobsPerBatch} of these jobs, each its own group, took ${seconds(l.batchP50Ms)} at the median and ${seconds(l.batchMaxMs)} at most, of the ${seconds(deployed.timeoutMs)} timeout: one job's ${n(calls)} calls waiting ${seconds(calls * l.latencyMs)}, the rest the code, with the batch's jobs sharing this machine's CPU (${ms(ownMs)} a call where calls do not overlap, from the what-if). From inside a region these APIs answer in tens of milliseconds, so a batch of one-job groups waits about ${n(calls)} × that: ${seconds(calls * 10)} at 10 ms a call, ${seconds(calls * 50)} at 50 ms.`,
    `A group starts no job with under ${seconds(JOB_START_BUDGET_MS)} left and cuts a started job's calls ${seconds(RESPONSE_RESERVE_MS)} before the timeout, so of a group of several of these jobs (a parameter with more than one job in a batch) a batch finishes ${capacities}, and hands the rest back: each return is a receive of the ${deployed.maxReceiveCount} the redrive allows. The what-if rows measure this: the former arrangement ran a whole batch as one such group. A lone job is cut at its deadline only when its calls take more than ${ms(cutAboveMs)} each. ${deployed.maximumConcurrency} batches of ${deployed.batchSize} one-job groups keep up to ${n(deployed.maximumConcurrency * deployed.batchSize)} calls in flight at once (the former arrangement: ${n(deployed.maximumConcurrency)}).`,
  ].join('\n\n');
}

/** How the deployed arrangement and the what-if compare, latency by latency, and what is lost. */
function findings(results: Results): string[] {
  const { deployed } = results;
  const figures = (l: LatencySummary): string =>
    `at most ${l.mostFinished} jobs a batch, batches p50 ${seconds(l.batchP50Ms)} and max ${seconds(l.batchMaxMs)}, ${n(l.deferred)} deferred, ${n(l.retried)} stopped at deadline, ${n(l.maxReceiveCount)} receives at most, ${n(l.deadLetters)} dead-lettered`;
  const byLatency = [...new Set(results.latency.map((l) => l.latencyMs))];
  const compared = byLatency.map((latencyMs) => {
    const cases = results.latency
      .filter((l) => l.latencyMs === latencyMs)
      .sort((a, b) => Number(b.groups === DEPLOYED_GROUPS) - Number(a.groups === DEPLOYED_GROUPS))
      .map((l) => `${ARRANGEMENT_LABELS[l.groups]}, ${figures(l)}`);
    return `- At ${ms(latencyMs)} per call: ${cases.join('; ')}.`;
  });
  const lost = results.latency
    .filter((l) => l.deadLetters > 0)
    .map(
      (l) =>
        `- At ${ms(l.latencyMs)} per call, ${ARRANGEMENT_LABELS[l.groups]}, a batch finished at most ${l.mostFinished} of its ${deployed.batchSize} jobs and handed the rest back; a job received ${deployed.maxReceiveCount} times without finishing goes to the dead-letter queue, and ${n(l.deadLetters)} of ${n(l.jobs)} did.`,
    );
  return [...compared, ...lost];
}

function latencySection(results: Results): string {
  const { deployed } = results;
  const rows = results.latency;
  const aws = onAws(results);
  const found = findings(results);
  const missed = rows.some((l) => l.groups === DEPLOYED_GROUPS && !drainedClean(l));
  return [
    '## 3. Batches under latency',
    `Every call the function makes (SSM, License Manager, EventBridge, and SQS SendMessage to the dead-letter queue) waits the given latency in the sandbox before it is answered; Lambda's poller's receives and deletes do not, being outside the function's time. Each backlog is fresh: due parameters whose records still name a live previous token, so each job makes the most calls a rotation makes (the table lists them): it also looks that token up and deletes it, and verification is ${deployed.verifyNewTokens ? 'on' : 'off'} as the example deployment sets it. It is drained as serverless.yml deploys the rotator: ${deployed.maximumConcurrency} poller(s) (maximumConcurrency), batches of ${deployed.batchSize}, each invocation's context counting down from the ${seconds(deployed.timeoutMs)} timeout in real time, as Lambda's does. A batch's wall time runs from the event to the handler's response. A job handed back (deferred: not started with under ${seconds(JOB_START_BUDGET_MS)} left; or stopped at its deadline) is made visible again at once instead of after the queue's ${deployed.visibilityTimeoutSeconds} s visibility timeout: the drain skips the wait, not the receive, which counts towards the redrive's maxReceiveCount of ${deployed.maxReceiveCount} all the same. "Groups at once" is the deployed rotator (src/app/rotator.ts): each FIFO group of a batch (here one parameter with one job) through a FIFO processor of its own, the groups concurrently. "One after another" is a what-if, the former arrangement, built by the bench from the same rotator: the batch's groups handed to it one at a time, so its jobs run one after another as Powertools' FIFO processor ran a whole batch. One run each.`,
    table(
      [
        'latency per call',
        'jobs of a batch run',
        'jobs',
        'batches',
        'batch p50',
        'batch p95',
        'batch max (of timeout)',
        'jobs per batch: handed / finished (most finished)',
        'SDK calls per rotated job',
        'own time per call',
        'deferred',
        'stopped at deadline',
        'receives at most',
        'rotated',
        'drain',
      ],
      latencyRows(rows, deployed.timeoutMs),
    ),
    '"Own time per call" is a batch\u2019s wall time less its calls times the latency, over its calls (median of the batches): the code, the SDK, the loopback and the sandbox on this machine. It is measured in the what-if only, whose calls run one after another; as deployed the groups\u2019 calls overlap, and a batch\u2019s wall time is not the sum of its calls. "Deferred" and "stopped at deadline" are the rotator\u2019s own JobsDeferred and RotationRetries metrics.',
    ...(aws === undefined ? [] : [aws]),
    ...(found.length === 0
      ? []
      : [
          missed
            ? '**Findings: worth changing in the rotator.** As deployed, some jobs were not rotated:'
            : '**Findings.** As deployed, every job was rotated at every latency; the what-if shows what running a batch\u2019s jobs one after another cost:',
          found.join('\n'),
        ]),
  ].join('\n\n');
}

function packageRows(bundles: readonly BundleFigures[], top: number): string[][] {
  const totals = new Map<string, number>();
  for (const bundle of bundles) {
    for (const [name, bytes] of Object.entries(bundle.bytesByPackage)) {
      totals.set(name, Math.max(totals.get(name) ?? 0, bytes));
    }
  }
  const names = [...totals.entries()].sort(([, a], [, b]) => b - a).map(([name]) => name);
  const shown = names.slice(0, top);
  const rest = (bundle: BundleFigures): number =>
    Object.entries(bundle.bytesByPackage)
      .filter(([name]) => !shown.includes(name))
      .reduce((sum, [, bytes]) => sum + bytes, 0);
  return [
    ...shown.map((name) => [
      `\`${name}\``,
      ...bundles.map((b) => {
        const bytes = b.bytesByPackage[name];
        return bytes === undefined ? '–' : kb(bytes);
      }),
    ]),
    [`${names.length - shown.length} more`, ...bundles.map((b) => kb(rest(b)))],
    ['**total**', ...bundles.map((b) => `**${kb(b.bundleBytes)}**`)],
  ];
}

function coldStartSection(results: Results): string {
  const cold = results.coldStart;
  const all = [...cold.functions, cold.floor];
  return [
    '## 4. Cold start and size',
    `Each function's bundle as \`npm run package\` builds it (osls package with serverless.yml's esbuild settings: minified, ESM, source map beside it), unzipped; beside them the floor, bench/floor/clients.ts: the three SDK clients both functions need (SSM, SQS, License Manager), constructed by src/aws/clients.ts and nothing else, built with the same settings. Init time: the median of ${cold.runs} fresh \`node\` processes importing the bundle, cwd in the unzipped artifact (no node_modules) with the environment serverless.yml gives the function (NODE_OPTIONS=${cold.nodeOptions || '(none)'}), minus the median of \`node -e 0\` (${ms(cold.baseline.medianMs)}), round-robin so that drift falls on all alike. "import" is the \`import()\` alone, timed inside each process; "paired" is the median, over rounds, of each round's (bundle − \`node -e 0\`) ÷ (floor − \`node -e 0\`), which cancels the drift of a shared machine that a difference of medians keeps. The bench's own esbuild build of each entry, for the metafile, ${cold.functions.every((f) => f.metafileMatchesPackage) ? 'is byte-identical to the packaged bundle' : '**differs from the packaged bundle**'}.`,
    table(
      [
        'bundle',
        '.mjs (no map)',
        'source map',
        'zip',
        'init',
        'import (in-process)',
        'init without source maps',
        'init vs floor',
        'paired vs floor',
      ],
      all.map((b) => [
        b.name,
        kb(b.bundleBytes),
        kb(b.sourceMapBytes),
        Number.isNaN(b.zipBytes) ? '–' : kb(b.zipBytes),
        ms(b.initMs),
        ms(b.timings.importMedianMs),
        ms(b.initWithoutSourceMapsMs),
        b === cold.floor ? '–' : `${((b.initMs / cold.floor.initMs - 1) * 100).toFixed(0)}%`,
        b === cold.floor ? '–' : `${((b.pairedRatioToFloor - 1) * 100).toFixed(0)}%`,
      ]),
    ),
    '**What each dependency costs** (bytes in the minified bundle, from esbuild\u2019s metafile):',
    table(['package', ...all.map((b) => b.name)], packageRows(all, 16)),
  ].join('\n\n');
}

/** RESULTS.md: what `npm run bench` prints and commits. */
export function renderReport(results: Results): string {
  const m = results.machine;
  return `${[
    '# Benchmark results',
    `\`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` (${results.mode} run, ${Math.round(results.seconds)} s), written by bench/report.ts. Regenerate with the same command; the figures are this machine's, against the project's sandbox on 127.0.0.1, so they measure the code, not AWS's latency, except where section 3 adds latency on purpose (see README, _Scale_, for what they mean on AWS).`,
    table(
      ['date', 'Node', 'CPU', 'cores', 'memory', 'OS', 'load at start', 'commit'],
      [
        [
          m.date,
          m.node,
          m.cpu,
          `${m.cores}`,
          `${m.memoryGb} GB`,
          m.os,
          `${m.loadAverage}`,
          m.commit,
        ],
      ],
    ),
    `The machine is shared: the 1-minute load average on its ${m.cores} cores was ${Object.entries(
      results.load,
    )
      .map(
        ([phase, load]) => `${load} as ${phase === 'end' ? 'the run ended' : `the ${phase} began`}`,
      )
      .join(', ')}. Load from other work inflates wall times and init times, not call counts.`,
    '## Targets',
    table(
      ['target', 'measured', ''],
      results.targets.map((t) => [t.target, t.measured, verdict(t)]),
    ),
    'Reading the memory rows: the claims, one entry per token a record names, grow with the fleet by design and are measured apart (section 1, _What the scan holds_); the rest, the live heap (what the heap holds right after a full collection) less the claims, is the scan\u2019s working set besides, and flat means it streams. Peak heap and peak RSS also count garbage V8 has not collected yet (and, for RSS, heap V8 keeps reserved and response buffers awaiting collection); they rise with a run\u2019s length as V8 sizes its heap to the allocation rate, which the per-quarter figures show. README, _Scale_, says what that means on Lambda.',
    scanSection(results),
    rotationSection(results),
    latencySection(results),
    coldStartSection(results),
  ].join('\n\n')}\n`;
}
