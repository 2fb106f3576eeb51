import { JOB_START_BUDGET_MS, RESPONSE_RESERVE_MS } from '../src/app/rotator.js';
import type { BundleFigures } from './cold-start.js';
import { GroupMode } from './groups.js';
import type {
  LatencySummary,
  PointSummary,
  Results,
  RotationSummary,
  VariantSummary,
} from './results.js';
import { callList, drainedClean, seconds, verdict } from './results.js';
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
  return parts.join('\n\n');
}

function rotationRows(rows: readonly RotationSummary[]): string[][] {
  return rows.map((r) => [
    `${r.verify ? 'on' : 'off'}`,
    `${r.pollers}`,
    r.previousTokens ? 'second (has previousTokenId)' : 'first',
    `${n(r.jobs)}${r.allRotated ? '' : ' (**not all rotated**)'}`,
    ms(r.wallMs),
    n(Math.round(r.rotationsPerSecond)),
    ms(r.p50Ms),
    ms(r.p95Ms),
    ms(r.p99Ms),
    ms(r.invocationP50Ms),
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
    `A backlog of ${n(results.rotation[0]?.jobs ?? 0)} due parameters, one job each in the FIFO jobs queue, drained through the rotator (src/app, wrapped as the handler is) by the local event source (tools/local/event-source.ts \`drainQueue\`: batches of 10, delete on success), each poller with its own rotator and clients as a Lambda execution environment has; ${runs === 1 ? 'one run each' : `medians of ${runs} runs each`}. Per-job latency is the wall time of each job inside its batch (the FIFO processor runs a batch's jobs one after another), from its reading of the remaining time to the next job's, logging, metrics and events included; rotations per second count the whole drain, receives and deletes included. Afterwards the sandbox's state is checked: every parameter at version 2, the queue empty, no dead letters. Calls per job are the rotator's own (its clients); the event source's ReceiveMessage and DeleteMessageBatch are Lambda's, not counted.${results.machine.cores <= 2 ? ` On this ${results.machine.cores}-core machine the rotator's process and the sandbox's share the cores, so the drain is CPU-bound and a second poller adds little; on Lambda each environment has its own CPU and waits on AWS.` : ''}`,
    table(
      [
        'verification',
        'pollers',
        'rotation',
        'jobs',
        'wall',
        'rotations/s',
        'p50',
        'p95',
        'p99',
        'batch p50',
        'SDK calls per job',
        'retries',
        'CPU per job',
        'sandbox CPU per job',
      ],
      rotationRows(results.rotation),
    ),
  ].join('\n\n');
}

const arrangement = (l: LatencySummary): string =>
  l.groups === GroupMode.Sequential ? 'one after another (deployed)' : 'groups at once (what-if)';

function latencyRows(rows: readonly LatencySummary[], timeoutMs: number): string[][] {
  return rows.map((l) => [
    ms(l.latencyMs),
    arrangement(l),
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
 * What the figures say about AWS, from the lowest latency the deployed arrangement ran at: the
 * batch's waiting is its calls times the latency, the rest is the code's own time per call.
 */
function onAws(results: Results): string | undefined {
  const { deployed } = results;
  const base = results.latency.find((l) => l.groups === GroupMode.Sequential);
  const own = base?.ownMsPerCall;
  if (base === undefined || own === undefined) return undefined;
  const callsPerBatch = Math.round(base.totalCallsPerJob * deployed.batchSize);
  const lastStart = (deployed.timeoutMs - JOB_START_BUDGET_MS) / (deployed.batchSize - 1);
  const deferAboveMs = lastStart / base.totalCallsPerJob - own;
  return `**What this means on AWS.** At ${ms(base.latencyMs)} per call a batch of ${base.jobsPerBatch} of these jobs (${n(callsPerBatch)} calls) took ${seconds(base.batchP50Ms)} at the median and ${seconds(base.batchMaxMs)} at most, of the ${seconds(deployed.timeoutMs)} timeout: ${seconds(callsPerBatch * base.latencyMs)} waiting, and ${ms(own)} a call of the code, the SDK and the sandbox on this machine. From inside a region these APIs answer in tens of milliseconds, so a full batch of the heaviest job waits ${n(callsPerBatch)} × that: ${seconds(callsPerBatch * 10)} at 10 ms a call, ${seconds(callsPerBatch * 50)} at 50 ms. A full batch defers its last job only when the ${deployed.batchSize - 1} before it take more than ${seconds(deployed.timeoutMs - JOB_START_BUDGET_MS)} (no job starts with under ${seconds(JOB_START_BUDGET_MS)} left, and a started job's calls are cut ${seconds(RESPONSE_RESERVE_MS)} before the timeout): above ${seconds(lastStart)} a job, which is about ${ms(deferAboveMs)} a call with this machine's own time per call.`;
}

/** What measuring found worth changing in the rotator, with the figures that show it. */
function findings(results: Results): string[] {
  const { deployed } = results;
  const sequential = results.latency.filter((l) => l.groups === GroupMode.Sequential);
  const figures = (l: LatencySummary): string =>
    `at most ${l.mostFinished} jobs a batch, batches p50 ${seconds(l.batchP50Ms)} and max ${seconds(l.batchMaxMs)}, ${n(l.deferred)} deferred, ${n(l.deadLetters)} dead-lettered`;
  const compared = sequential.flatMap((l) => {
    const concurrent = results.latency.find(
      (c) => c.groups === GroupMode.Concurrent && c.latencyMs === l.latencyMs,
    );
    if (concurrent === undefined) return [];
    return [
      `- At ${ms(l.latencyMs)} per call: one after another, ${figures(l)}; groups at once, ${figures(concurrent)}.`,
    ];
  });
  const lost = sequential
    .filter((l) => l.deadLetters > 0)
    .map(
      (l) =>
        `- At ${ms(l.latencyMs)} per call the deployed rotator finished at most ${l.mostFinished} of the ${deployed.batchSize} jobs of a full batch and handed the rest back; a job received ${deployed.maxReceiveCount} times without finishing goes to the dead-letter queue, and ${n(l.deadLetters)} of ${n(l.jobs)} did.`,
    );
  return [...compared, ...lost];
}

function latencySection(results: Results): string {
  const { deployed } = results;
  const rows = results.latency;
  const aws = onAws(results);
  const found = findings(results);
  return [
    '## 3. Batches under latency',
    `Every call the function makes (SSM, License Manager, EventBridge, and SQS SendMessage to the dead-letter queue) waits the given latency in the sandbox before it is answered; Lambda's poller's receives and deletes do not, being outside the function's time. Each backlog is fresh: due parameters whose records still name a live previous token, so each job makes the most calls a rotation makes (the table lists them): it also looks that token up and deletes it, and verification is ${deployed.verifyNewTokens ? 'on' : 'off'} as the example deployment sets it. It is drained as serverless.yml deploys the rotator: ${deployed.maximumConcurrency} poller(s) (maximumConcurrency), batches of ${deployed.batchSize}, each invocation's context counting down from the ${seconds(deployed.timeoutMs)} timeout in real time, as Lambda's does. A batch's wall time runs from the event to the handler's response. A job handed back (deferred: not started with under ${seconds(JOB_START_BUDGET_MS)} left; or stopped at its deadline) is made visible again at once instead of after the queue's ${deployed.visibilityTimeoutSeconds} s visibility timeout: the drain skips the wait, not the receive, which counts towards the redrive's maxReceiveCount of ${deployed.maxReceiveCount} all the same. "Groups at once" is a what-if, not the deployed code: the same rotator, each FIFO group of a batch (here one parameter each) through a processor of its own, the groups concurrently. One run each.`,
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
    '"Own time per call" is a batch\u2019s wall time less its calls times the latency, over its calls (median of the batches): the code, the SDK, the loopback and the sandbox on this machine. "Deferred" and "stopped at deadline" are the rotator\u2019s own JobsDeferred and RotationRetries metrics.',
    ...(aws === undefined ? [] : [aws]),
    ...(found.length === 0
      ? []
      : [
          `**Worth changing in the rotator.** A FIFO group is one parameter, so only a parameter's own jobs need an order, yet the FIFO processor runs every job of a batch one after another: a batch lasts the sum of its jobs, and when calls are slow it finishes a few and hands the rest back, each return a receive of the ${deployed.maxReceiveCount} the redrive allows.`,
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
    '## Targets',
    table(
      ['target', 'measured', ''],
      results.targets.map((t) => [t.target, t.measured, verdict(t)]),
    ),
    'Reading the memory rows: the live heap (what the heap holds right after a full collection) is the scan\u2019s working set, and flat means it streams. Peak heap and peak RSS also count garbage V8 has not collected yet (and, for RSS, heap V8 keeps reserved and response buffers awaiting collection); they rise with a run\u2019s length as V8 sizes its heap to the allocation rate, which the per-quarter figures show. README, _Scale_, says what that means on Lambda.',
    scanSection(results),
    rotationSection(results),
    latencySection(results),
    coldStartSection(results),
  ].join('\n\n')}\n`;
}
