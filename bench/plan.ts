import { GroupMode } from './groups.js';
import type { LatencyCase, RotationCase } from './rotation.js';
import type { ScanPlan } from './scan-scale.js';

/** What one `npm run bench` measures. */
export interface Plan {
  readonly mode: 'quick' | 'full';
  readonly scan: ScanPlan;
  readonly rotation: {
    readonly jobs: number;
    readonly repeats: number;
    readonly cases: readonly RotationCase[];
  };
  readonly latency: { readonly cases: readonly LatencyCase[] };
  readonly coldStart: { readonly runs: number };
}

/** `npm run bench -- --help`. */
export const USAGE = `npm run bench [-- --quick]

  (default)  the full run: scans of 1,000, 10,000 and 100,000 parameters (three fresh-process runs
             of each scanner), 10,000 with previous tokens, five ways to drain 1,000 rotation jobs
             (three runs each), batches under 100 ms, 500 ms and 1 s per call (as deployed, a
             batch's FIFO groups at once, and as the former arrangement, its jobs one after
             another), and 20 fresh Node processes per bundle. About half an hour on 2 busy
             cores.
  --quick    a subset in a few minutes: 1,000 and 10,000 parameters once, 1,000 jobs with and
             without verification once, batches under 100 ms and 500 ms per call (both
             arrangements), 5 processes per bundle.

Both write bench/results.json and bench/RESULTS.md and print RESULTS.md.`;

const FIRST_ROTATIONS: readonly RotationCase[] = [
  { verify: false, pollers: 1, previousTokens: false },
  { verify: true, pollers: 1, previousTokens: false },
];

const { AtOnce, OneAfterAnother } = GroupMode;

/** The plan for the command-line arguments; throws on anything it does not know. */
export function planFor(args: readonly string[]): Plan | 'help' {
  const unknown = args.filter((arg) => !['--quick', '--help', '-h'].includes(arg));
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')}\n\n${USAGE}`);
  if (args.includes('--help') || args.includes('-h')) return 'help';
  if (args.includes('--quick')) {
    return {
      mode: 'quick',
      scan: { sizes: [1_000, 10_000], repeats: 1, previousTokensAt: undefined },
      rotation: { jobs: 1_000, repeats: 1, cases: FIRST_ROTATIONS },
      latency: {
        cases: [
          { latencyMs: 100, jobs: 20, groups: AtOnce },
          { latencyMs: 100, jobs: 20, groups: OneAfterAnother },
          { latencyMs: 500, jobs: 5, groups: AtOnce },
          { latencyMs: 500, jobs: 5, groups: OneAfterAnother },
        ],
      },
      coldStart: { runs: 5 },
    };
  }
  return {
    mode: 'full',
    scan: { sizes: [1_000, 10_000, 100_000], repeats: 3, previousTokensAt: 10_000 },
    rotation: {
      jobs: 1_000,
      repeats: 3,
      cases: [
        ...FIRST_ROTATIONS,
        { verify: false, pollers: 2, previousTokens: false },
        { verify: true, pollers: 2, previousTokens: false },
        { verify: false, pollers: 1, previousTokens: true },
      ],
    },
    // Enough batches at 100 ms for a 95th percentile; at 500 ms and 1 s, backlogs that the
    // former arrangement (a batch's jobs one after another) needs several receives to drain.
    latency: {
      cases: [
        { latencyMs: 100, jobs: 200, groups: AtOnce },
        { latencyMs: 100, jobs: 200, groups: OneAfterAnother },
        { latencyMs: 500, jobs: 20, groups: AtOnce },
        { latencyMs: 500, jobs: 20, groups: OneAfterAnother },
        { latencyMs: 1_000, jobs: 20, groups: AtOnce },
        { latencyMs: 1_000, jobs: 20, groups: OneAfterAnother },
      ],
    },
    coldStart: { runs: 20 },
  };
}
