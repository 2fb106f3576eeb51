import type { LicenseTokens, Log } from './ports.js';

/** How many token ids one ListTokens call is asked about. */
export const MAX_TOKEN_IDS_PER_CHECK = 100;

/** A superseded token past its grace period, and the parameter whose record names it. */
export interface RevocationCandidate {
  readonly name: string;
  readonly version: number;
  readonly tokenId: string;
  /** The license's home region; undefined for the default region. */
  readonly homeRegion: string | undefined;
}

/** How many candidates could not be checked. */
export interface CheckCounts {
  revocationCheckFailures: number;
}

/**
 * Superseded tokens to ask License Manager about, gathered per home region and checked a
 * hundred at a time (one ListTokens call), so the scan holds one batch per region. Only the
 * ones still AVAILABLE come back: the others were revoked already.
 */
export class RevocationCandidates {
  readonly #tokens: Pick<LicenseTokens, 'availableTokenIds'>;
  readonly #log: Log;
  readonly #counts: CheckCounts;
  readonly #byRegion = new Map<string, RevocationCandidate[]>();

  constructor(tokens: Pick<LicenseTokens, 'availableTokenIds'>, log: Log, counts: CheckCounts) {
    this.#tokens = tokens;
    this.#log = log;
    this.#counts = counts;
  }

  /** Adds one; when its region's batch is full, checks it and returns the ones still live. */
  async add(candidate: RevocationCandidate): Promise<RevocationCandidate[]> {
    const region = candidate.homeRegion ?? '';
    const batch = this.#byRegion.get(region) ?? [];
    batch.push(candidate);
    this.#byRegion.set(region, batch);
    return batch.length === MAX_TOKEN_IDS_PER_CHECK ? this.#check(region) : [];
  }

  /** Checks every batch left; returns the candidates still live. */
  async flush(): Promise<RevocationCandidate[]> {
    const live: RevocationCandidate[] = [];
    for (const region of [...this.#byRegion.keys()]) live.push(...(await this.#check(region)));
    return live;
  }

  async #check(region: string): Promise<RevocationCandidate[]> {
    const batch = this.#byRegion.get(region) ?? [];
    this.#byRegion.delete(region);
    if (batch.length === 0) return [];
    try {
      const available = await this.#tokens.availableTokenIds(
        batch.map((candidate) => candidate.tokenId),
        region || undefined,
      );
      return batch.filter((candidate) => available.has(candidate.tokenId));
    } catch (error) {
      // Rotation matters more than revocation: note it, fail the scan at the end, carry on.
      this.#counts.revocationCheckFailures += batch.length;
      this.#log.warn('Could not check previous tokens', { region: region || 'default', error });
      return [];
    }
  }
}
