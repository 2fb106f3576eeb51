import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidJobReason } from '../../src/rotation/job.js';

/** One case of the hostile-job corpus (test/fixtures/hostile-jobs). */
export interface HostileJob {
  /** The file's name without `.json`. */
  readonly name: string;
  readonly description: string;
  /** The message body, byte for byte as it is sent. */
  readonly body: string;
  /** The reason code the rotator must dead-letter it with. */
  readonly reason: string;
}

const DIRECTORY = join(import.meta.dirname, '..', 'fixtures', 'hostile-jobs');
const REPEAT = /\{\{repeat:(.+?):(\d+)\}\}/g;
const REASONS: ReadonlySet<string> = new Set(Object.values(InvalidJobReason));

/**
 * A case file holds `description`, `reason` and either `body` (the exact text; `{{repeat:TEXT:N}}`
 * stands for TEXT repeated N times, for bodies too large to write out) or `json` (any JSON value,
 * sent as `JSON.stringify` writes it, so escapes such as `\u0000` reach the rotator as escapes).
 */
function parseCase(name: string, text: string): HostileJob {
  const file = JSON.parse(text) as Record<string, unknown>;
  const { description, reason, body, json } = file;
  if (typeof description !== 'string' || typeof reason !== 'string' || !REASONS.has(reason)) {
    throw new Error(`${name}: needs a description and one of the InvalidJobReason codes`);
  }
  const hasBody = typeof body === 'string';
  if (hasBody === Object.hasOwn(file, 'json')) {
    throw new Error(`${name}: needs exactly one of "body" (a string) and "json"`);
  }
  const expanded = hasBody
    ? body.replace(REPEAT, (_, repeated: string, times: string) => repeated.repeat(Number(times)))
    : JSON.stringify(json);
  return { name, description, reason, body: expanded };
}

/** Every case of the corpus, in file order. */
export function loadHostileJobs(): HostileJob[] {
  return readdirSync(DIRECTORY)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) =>
      parseCase(file.slice(0, -'.json'.length), readFileSync(join(DIRECTORY, file), 'utf8')),
    );
}
