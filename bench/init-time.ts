import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceConfig } from './bundles.js';
import { median } from './stats.js';

/** One module to time, with the environment its handler runs with. */
export interface Subject {
  readonly label: string;
  /** The bundle to import; undefined times `node -e 0`, the baseline. */
  readonly bundlePath: string | undefined;
  readonly env: Readonly<Record<string, string>>;
}

/** The times of one subject, in milliseconds. */
export interface Timings {
  readonly label: string;
  /** Wall time of each whole process, spawn to exit, as the runner saw it. */
  readonly runs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  /** The `import()` alone, timed inside each process: free of spawn noise (NaN for the baseline). */
  readonly importMedianMs: number;
}

/** A made-up IAM role id, as CloudFormation's `RoleId` attribute gives one (AROA…). */
const BENCH_ROLE_ID = 'AROABENCHINIT00000000';

/**
 * The environment Lambda gives a function: serverless.yml's provider and function variables
 * (a queue's `Ref` becomes a made-up FIFO queue URL and a role's `RoleId` a made-up role id, which
 * pass the config check), the region, and credentials, as the runtime sets them.
 */
export function lambdaEnvironment(config: ServiceConfig, name: string): Record<string, string> {
  const region = config.provider.region;
  const resolve = (value: unknown): string => {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    const object = typeof value === 'object' && value !== null ? value : {};
    const attribute = 'Fn::GetAtt' in object ? object['Fn::GetAtt'] : undefined;
    if (Array.isArray(attribute) && attribute[1] === 'RoleId') return BENCH_ROLE_ID;
    const ref = 'Ref' in object ? String(object.Ref) : 'Unknown';
    return `https://sqs.${region}.amazonaws.com/123456789012/bench-${ref}.fifo`;
  };
  const declared = { ...config.provider.environment, ...config.functions[name]?.environment };
  return {
    PATH: process.env.PATH ?? '',
    ...Object.fromEntries(Object.entries(declared).map(([key, value]) => [key, resolve(value)])),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'ASIABENCHINIT',
    AWS_SECRET_ACCESS_KEY: 'bench-init-secret',
    AWS_SESSION_TOKEN: 'bench-init-session',
    AWS_LAMBDA_FUNCTION_NAME: `license-token-rotator-dev-${name}`,
  };
}

function runOnce(subject: Subject): { processMs: number; importMs: number } {
  const args =
    subject.bundlePath === undefined
      ? ['-e', '0']
      : [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(subject.bundlePath).href)}); process.stdout.write(String(performance.now() - t));`,
        ];
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    // As on Lambda (/var/task): the unzipped artifact, no node_modules above it.
    cwd: subject.bundlePath === undefined ? process.cwd() : dirname(subject.bundlePath),
    env: subject.env,
    encoding: 'utf8',
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${subject.label} failed to import (${result.status}):\n${result.stderr}`);
  }
  return { processMs, importMs: Number.parseFloat(result.stdout) };
}

/**
 * Times fresh `node` processes importing each subject, `runs` times each, round-robin so that
 * drift on a shared machine falls on every subject alike. One untimed round first warms the
 * file cache.
 */
export function timeImports(subjects: readonly Subject[], runs: number): Timings[] {
  for (const subject of subjects) runOnce(subject);
  const times = subjects.map(() => [] as { processMs: number; importMs: number }[]);
  for (let round = 0; round < runs; round++) {
    subjects.forEach((subject, index) => {
      times[index]?.push(runOnce(subject));
    });
  }
  return subjects.map((subject, index) => {
    const runsOf = (times[index] ?? []).map((time) => time.processMs);
    return {
      label: subject.label,
      runs: runsOf,
      medianMs: median(runsOf),
      minMs: Math.min(...runsOf),
      importMedianMs: median((times[index] ?? []).map((time) => time.importMs)),
    };
  });
}
