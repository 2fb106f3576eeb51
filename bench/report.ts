import type { BundleFigures } from './cold-start.js';
import type { PointSummary, Results, RotationSummary, VariantSummary } from './results.js';
import { verdict } from './results.js';
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
    `Fleets of managed parameters under \`/license-tokens/\`, 10% due (one in ten, aged 250–346 days of 365; the rest 0–199 days), none with a previous token, so the scan is DescribeParameters and SendMessageBatch alone (the scanner also calls ListTokens for previous tokens past their grace period: see the last table). Each scan runs in a fresh process of its own against the sandbox in another; ${runs === 1 ? 'one run each' : `medians of ${runs} runs each, the two scanners alternating`}. SDK calls are counted by middleware on the clients${points.every((p) => p.scanner.sandboxAgrees && (p.naive?.sandboxAgrees ?? true)) ? ', and the sandbox answered exactly as many' : ' (**the sandbox counted differently: see results.json**)'}. "Sandbox CPU" is the sandbox process's time answering. Peak RSS is the kernel's high-water mark for the scan's process (module loading included); peak heap is V8's used heap sampled every 5 ms, garbage awaiting collection included; both also per quarter of the run's duration; live heap is the most the heap held right after a forced full GC, every ${LIVE_HEAP_EVERY_MS} ms of one more run of each: the scan's working set.`,
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
      `**With previous tokens** (${n(previousTokens.parameters)} parameters whose records carry a previousTokenId, rotated as many days ago as the token is old: those past the 72-hour grace period are asked about with ListTokens, 100 ids a call, and get a revocation job; revocation jobs share the SendMessageBatch calls with rotation jobs):`,
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
    `${r.totalCallsPerJob} (${Object.entries(r.callsPerJob)
      .map(([op, count]) => `${op.split(':')[1]} ${count}`)
      .join(', ')})`,
    n(r.retries),
    ms(r.cpuMsPerJob),
    ms(r.sandboxCpuMsPerJob),
  ]);
}

function rotationSection(results: Results): string {
  const runs = results.rotation[0]?.runs ?? 1;
  return [
    '## 2. Rotation throughput',
    `A backlog of ${n(results.rotation[0]?.jobs ?? 0)} due parameters, one job each in the FIFO jobs queue, drained through the rotator (src/app, wrapped as the handler is) by the local event source (tools/local/event-source.ts \`drainQueue\`: batches of 10, delete on success), each poller with its own rotator and clients as a Lambda execution environment has; ${runs === 1 ? 'one run each' : `medians of ${runs} runs each`}. Per-job latency is the wall time of each job inside its batch (the FIFO processor runs a batch's jobs one after another), logging and metrics included; rotations per second count the whole drain, receives and deletes included. Afterwards the sandbox's state is checked: every parameter at version 2, the queue empty, no dead letters. Calls per job are the rotator's own (its clients); the event source's ReceiveMessage and DeleteMessageBatch are Lambda's, not counted.${results.machine.cores <= 2 ? ` On this ${results.machine.cores}-core machine the rotator's process and the sandbox's share the cores, so the drain is CPU-bound and a second poller adds little; on Lambda each environment has its own CPU and waits on AWS.` : ''}`,
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
    '## 3. Cold start and size',
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
    `\`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` (${results.mode} run, ${Math.round(results.seconds)} s), written by bench/report.ts. Regenerate with the same command; the figures are this machine's, against the project's sandbox on 127.0.0.1, so they measure the code, not AWS's latency (see README, _Scale_, for what they mean on AWS).`,
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
    coldStartSection(results),
  ].join('\n\n')}\n`;
}
