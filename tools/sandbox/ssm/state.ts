import type { SandboxClock } from '../clock.js';
import type { SeededRandom } from '../random.js';
import { SandboxKms } from './kms.js';
import { normaliseName, type ParameterVersion } from './parameter.js';

/** One write the sandbox's SSM accepted, for tests that check where the code under test wrote. */
export interface SsmWrite {
  readonly operation: string;
  readonly name: string;
  /** The version written or labelled, when there is one. */
  readonly version?: number;
  readonly at: Date;
}

/** What SSM's operations share: every kept version of every parameter, their tags, the writes. */
export class SsmState {
  readonly clock: SandboxClock;
  readonly random: SeededRandom;
  readonly kms = new SandboxKms();
  readonly #shortPages: number;
  readonly #versions = new Map<string, ParameterVersion[]>();
  readonly #tags = new Map<string, Map<string, string>>();
  readonly #writes: SsmWrite[] = [];
  // Sorted once per write rather than once per page: a listing of 100,000 parameters is 2,000
  // DescribeParameters pages, and sorting on each made the sandbox, not the caller, the cost.
  #listing: ParameterVersion[] | undefined;

  /**
   * @param options.shortPages probability that a filtered listing page comes back short (even
   *   empty) with a NextToken, as AWS may answer; 0 by default
   */
  constructor(clock: SandboxClock, random: SeededRandom, options: { shortPages?: number } = {}) {
    this.clock = clock;
    this.random = random;
    this.#shortPages = options.shortPages ?? 0;
  }

  /** Every write accepted so far, oldest first. */
  writes(): readonly SsmWrite[] {
    return [...this.#writes];
  }

  /** The latest version of every parameter, sorted by name (values in plaintext: in-process only). */
  parameters(): ParameterVersion[] {
    return [...this.sortedLatest()];
  }

  /** The latest version of one parameter, or undefined. */
  parameter(name: string): ParameterVersion | undefined {
    return this.versionsOf(normaliseName(name))?.at(-1);
  }

  /** Every kept version of one parameter, oldest first. */
  history(name: string): readonly ParameterVersion[] {
    return [...(this.versionsOf(normaliseName(name)) ?? [])];
  }

  /** A parameter's tags. */
  tags(name: string): ReadonlyMap<string, string> {
    return new Map(this.#tags.get(normaliseName(name)));
  }

  /** The stored versions of a normalised name, oldest first (the live list: operations edit it). */
  versionsOf(name: string): ParameterVersion[] | undefined {
    return this.#versions.get(name);
  }

  /** Stores a parameter's versions after a write. */
  store(name: string, versions: ParameterVersion[]): void {
    this.#versions.set(name, versions);
    this.#listing = undefined;
  }

  /** Forgets a parameter: its versions and its tags. */
  remove(name: string): void {
    this.#versions.delete(name);
    this.#tags.delete(name);
    this.#listing = undefined;
  }

  /** The tags of a normalised name (empty when it has none). */
  tagsOf(name: string): ReadonlyMap<string, string> {
    return this.#tags.get(name) ?? new Map();
  }

  /** Replaces a normalised name's tags. */
  setTags(name: string, tags: Map<string, string>): void {
    this.#tags.set(name, tags);
  }

  /** Records an accepted write. */
  record(operation: string, name: string, version?: number): void {
    this.#writes.push({
      operation,
      name,
      at: this.clock.now(),
      ...(version === undefined ? {} : { version }),
    });
  }

  /** The latest version of every parameter, sorted by name. */
  sortedLatest(): readonly ParameterVersion[] {
    this.#listing ??= [...this.#versions.keys()]
      .sort()
      .flatMap((name) => this.#versions.get(name)?.at(-1) ?? []);
    return this.#listing;
  }

  /** How long a filtered page may be: its full length, or shorter as the shortPages option says. */
  readonly shorten = (length: number): number =>
    this.#shortPages > 0 && this.random.next() < this.#shortPages
      ? this.random.int(length)
      : length;
}
