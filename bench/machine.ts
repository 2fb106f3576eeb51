import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { ROOT } from './bundles.js';

/** Where and when the figures were taken. */
export interface Machine {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  /**
   * The 1-minute load average when the run started: other work on the machine (the bench runs
   * two or three processes of its own) inflates wall and init times, not call counts.
   */
  readonly loadAverage: number;
  /** The commit the code under test was at, and any uncommitted change to it. */
  readonly commit: string;
}

/** The 1-minute load average now, two decimals. */
export const loadNow = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;

const git = (args: readonly string[]): string => {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  } catch {
    return '';
  }
};

/** Describes this machine and the code's revision. */
export function describeMachine(): Machine {
  const changed = git(['status', '--porcelain', '--', 'src', 'serverless.yml', 'package.json'])
    .split('\n')
    .filter((line) => line.length > 3)
    // Porcelain lines are two status letters, a space, then the path.
    .map((line) => line.slice(3));
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 1e9),
    os: `${type()} ${release()}`,
    loadAverage: loadNow(),
    commit: `${git(['rev-parse', '--short', 'HEAD']).trim() || 'unknown'}${changed.length === 0 ? '' : ` + uncommitted ${changed.join(', ')}`}`,
  };
}
