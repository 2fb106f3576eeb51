import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildEntry,
  bytesByPackage,
  esbuildOptions,
  type PackagedBundle,
  packagedBundles,
  type ServiceConfig,
} from './bundles.js';
import { lambdaEnvironment, type Subject, type Timings, timeImports } from './init-time.js';
import { median } from './stats.js';

/** A bundle's size and module initialisation time. */
export interface BundleFigures extends Omit<PackagedBundle, 'bundlePath'> {
  /** Median process time importing it, minus the median of `node -e 0`. */
  readonly initMs: number;
  /** The same without NODE_OPTIONS=--enable-source-maps (what the source maps cost at init). */
  readonly initWithoutSourceMapsMs: number;
  /**
   * Init over the floor's, paired round by round (each round runs every bundle back to back) and
   * the median taken of the ratios: on a shared machine, drift cancels out of a pair.
   */
  readonly pairedRatioToFloor: number;
  readonly timings: Timings;
}

/** The cold-start phase's figures. */
export interface ColdStart {
  readonly runs: number;
  readonly baseline: Timings;
  /** NODE_OPTIONS as serverless.yml sets it for every function. */
  readonly nodeOptions: string;
  readonly functions: readonly BundleFigures[];
  /** The reference bundle: the three SDK clients, constructed, nothing else. */
  readonly floor: BundleFigures;
}

const FLOOR_ENTRY = 'bench/floor/clients.ts';

/**
 * Packages the functions (with `config`, serverless.yml as osls resolves it), rebuilds each (and the floor) for esbuild's metafile, and times fresh
 * Node processes importing every bundle with its Lambda environment.
 */
export async function runColdStart(
  plan: { readonly runs: number },
  config: ServiceConfig,
  progress: (line: string) => void,
): Promise<ColdStart> {
  const work = mkdtempSync(join(tmpdir(), 'ltr-bench-'));
  try {
    progress('Cold start: osls package (as npm run package), then esbuild metafiles');
    const bundles = await packagedBundles(config, work);
    const floorBuild = await buildEntry(esbuildOptions(config), FLOOR_ENTRY, join(work, 'floor'));
    const envOf = (name: string) => lambdaEnvironment(config, name);
    const withoutSourceMaps = (env: Record<string, string>): Record<string, string> => {
      const { NODE_OPTIONS: _dropped, ...rest } = env;
      return rest;
    };
    const floorEnv = envOf(bundles[0]?.name ?? '');
    const subjects: Subject[] = [
      { label: 'node -e 0', bundlePath: undefined, env: floorEnv },
      ...bundles.flatMap((bundle) => [
        { label: bundle.name, bundlePath: bundle.bundlePath, env: envOf(bundle.name) },
        {
          label: `${bundle.name} (no source maps)`,
          bundlePath: bundle.bundlePath,
          env: withoutSourceMaps(envOf(bundle.name)),
        },
      ]),
      { label: 'floor', bundlePath: floorBuild.bundlePath, env: floorEnv },
      {
        label: 'floor (no source maps)',
        bundlePath: floorBuild.bundlePath,
        env: withoutSourceMaps(floorEnv),
      },
    ];
    progress(`Cold start: ${plan.runs} fresh node processes per bundle, round-robin`);
    const timings = timeImports(subjects, plan.runs);
    const find = (label: string): Timings => {
      const found = timings.find((t) => t.label === label);
      if (found === undefined) throw new Error(`no timings for ${label}`);
      return found;
    };
    const baseline = find('node -e 0');
    const floorTimes = find('floor');
    const figures = (label: string, bundle: Omit<PackagedBundle, 'bundlePath'>): BundleFigures => {
      const timed = find(label);
      return {
        ...bundle,
        initMs: timed.medianMs - baseline.medianMs,
        initWithoutSourceMapsMs: find(`${label} (no source maps)`).medianMs - baseline.medianMs,
        pairedRatioToFloor: median(
          timed.runs.map((ms, round) => {
            const base = baseline.runs[round] ?? Number.NaN;
            return (ms - base) / ((floorTimes.runs[round] ?? Number.NaN) - base);
          }),
        ),
        timings: timed,
      };
    };
    return {
      runs: plan.runs,
      baseline,
      nodeOptions: floorEnv.NODE_OPTIONS ?? '',
      functions: bundles.map(({ bundlePath: _path, ...bundle }) => figures(bundle.name, bundle)),
      floor: figures('floor', {
        name: 'floor',
        entry: FLOOR_ENTRY,
        zipBytes: Number.NaN,
        bundleBytes: statSync(floorBuild.bundlePath).size,
        sourceMapBytes: statSync(`${floorBuild.bundlePath}.map`).size,
        metafileMatchesPackage: true,
        bytesByPackage: bytesByPackage(floorBuild.metafile),
      }),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
