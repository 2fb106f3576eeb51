import { CLIENT_TOKEN_WINDOW_MS } from './client-token.js';
import { MAX_JOB_TOKEN_IDS } from './job.js';
import type { LicenseTokens, Log, Pickups, TokenInfo } from './ports.js';
import type { RotationRecord } from './record.js';
import {
  type PreviousStanding,
  policyOf,
  previousStanding,
  RevocationPolicy,
  type RevocationSettings,
} from './revocation-policy.js';
import { isLateMintOf, lateMintWindow } from './revoke.js';

/** A managed parameter, as the audit needs it. */
export interface AuditedParameter {
  readonly name: string;
  readonly version: number;
  readonly record: RotationRecord;
  /** Where its previous token stands, before any pickup was asked for. */
  readonly standing: PreviousStanding;
}

/** A job the audit found work for. */
export interface AuditJob {
  readonly name: string;
  readonly version: number;
  /** The tokens to revoke, for a revoke-orphans job; absent for a revoke-previous job. */
  readonly tokenIds?: readonly string[];
}

/** A token no record names, and where its license's token calls go. */
export interface UnrecordedToken extends TokenInfo {
  /** The license's home region, as its records name it (undefined: the client's region). */
  readonly homeRegion: string | undefined;
}

/** What one audit found. */
export interface AuditFindings {
  /** Previous tokens the policy lets go that License Manager still lists as AVAILABLE. */
  readonly revocations: readonly AuditJob[];
  /** Previous tokens kept because their replacement was not picked up yet. */
  readonly deferred: number;
  /** Of those, the ones whose pickup is overdue. */
  readonly overdue: number;
  /** Late mints no record names, per parameter whose late-retried rotation made them. */
  readonly orphans: readonly AuditJob[];
  /** AVAILABLE tokens of a managed license that no record names. */
  readonly unrecorded: number;
  /** Those tokens themselves (ids and what they were minted for, never a value). */
  readonly unrecordedTokens: readonly UnrecordedToken[];
  /** Licenses whose tokens could not be listed. */
  readonly failures: number;
}

// Until then, a rotation in flight may still store a token it minted (a retry replays it).
const SETTLED_AFTER_MS = CLIENT_TOKEN_WINDOW_MS + 60_000;

interface Ledger {
  homeRegion: string | undefined;
  readonly recorded: Set<string>;
  readonly parameters: AuditedParameter[];
  /** What the tokens of records under `never` are minted with: theirs are kept on purpose. */
  readonly retained: Set<string>;
}

/** What a token is minted with, as one comparable string. */
const mintedWith = (token: {
  readonly roleArns: readonly string[];
  readonly tokenProperties: readonly string[];
}): string => JSON.stringify([[...token.roleArns].sort(), [...token.tokenProperties].sort()]);

/**
 * What the records say of each managed license's tokens, held against what License Manager
 * lists: one ListTokens pass per license, at the end of the scan. It finds the previous tokens to
 * revoke, the tokens no record names (observed, not assumed: reported, never deleted by the
 * scan), and among those the late mints of a rotation retried past the ClientToken window, which
 * only a revoke-orphans job deletes, after its own proof. Memory: every recorded token id.
 */
export class TokenAudit {
  readonly #ledgers = new Map<string, Ledger>();
  readonly #settings: RevocationSettings;

  constructor(settings: RevocationSettings) {
    this.#settings = settings;
  }

  /** Notes a managed parameter's tokens. */
  note(parameter: AuditedParameter): void {
    const { record } = parameter;
    const ledger = this.#ledgers.get(record.licenseArn) ?? {
      homeRegion: undefined,
      recorded: new Set<string>(),
      parameters: [],
      retained: new Set<string>(),
    };
    // Under `never`, superseded tokens live on, unnamed once pushed out of the record: not lost.
    if (policyOf(record, this.#settings) === RevocationPolicy.Never) {
      ledger.retained.add(mintedWith(record));
    }
    // A record that names the home region wins: ListTokens sees only tokens homed where it asks.
    ledger.homeRegion ??= record.homeRegion;
    ledger.recorded.add(record.tokenId);
    if (record.previousTokenId !== undefined) ledger.recorded.add(record.previousTokenId);
    const revocable =
      parameter.standing.kind === 'due' || parameter.standing.kind === 'awaiting-pickup';
    if (revocable || lateMintWindow(record) !== undefined) {
      ledger.parameters.push(parameter);
    }
    this.#ledgers.set(record.licenseArn, ledger);
  }

  /** Lists each managed license's tokens and holds them against the records. */
  async run(deps: AuditDeps, now: Date): Promise<AuditFindings> {
    const { tokens, log } = deps;
    const settings = this.#settings;
    const findings = {
      revocations: [] as AuditJob[],
      deferred: 0,
      overdue: 0,
      orphans: [] as AuditJob[],
      unrecorded: 0,
      unrecordedTokens: [] as UnrecordedToken[],
      failures: 0,
    };
    for (const [licenseArn, ledger] of this.#ledgers) {
      let available: TokenInfo[];
      try {
        available = await availableTokens(tokens, licenseArn, ledger.homeRegion);
      } catch (error) {
        // Rotation matters more than revocation: note it, fail the scan at the end, carry on.
        findings.failures++;
        log.warn('Could not list the tokens of a license', { licenseArn, error });
        continue;
      }
      const unrecorded = available.filter(
        (token) => !ledger.recorded.has(token.tokenId) && !ledger.retained.has(mintedWith(token)),
      );
      findings.unrecorded += unrecorded.length;
      const { homeRegion } = ledger;
      findings.unrecordedTokens.push(...unrecorded.map((token) => ({ ...token, homeRegion })));
      const live = new Set(available.map((token) => token.tokenId));
      for (const parameter of ledger.parameters) {
        const { name, version, record } = parameter;
        const previous = record.previousTokenId;
        if (previous !== undefined && live.has(previous)) {
          const standing = await finalStanding(deps, parameter, now, settings);
          if (standing.kind === 'due') findings.revocations.push({ name, version });
          if (standing.kind === 'awaiting-pickup') {
            findings.deferred++;
            if (standing.overdue) findings.overdue++;
          }
        }
        findings.orphans.push(...orphanJobs(parameter, unrecorded, now));
      }
    }
    return findings;
  }
}

/** What the audit talks to. */
export interface AuditDeps {
  readonly tokens: Pick<LicenseTokens, 'licenseTokens'>;
  readonly pickups: Pickups;
  readonly log: Log;
}

/**
 * A previous token awaiting its replacement's pickup: the pickup is asked for (one tag read) only
 * now, for the few parameters whose previous token is past its grace period and still live.
 */
async function finalStanding(
  deps: AuditDeps,
  parameter: AuditedParameter,
  now: Date,
  settings: RevocationSettings,
): Promise<PreviousStanding> {
  if (parameter.standing.kind !== 'awaiting-pickup') return parameter.standing;
  try {
    const pickup = await deps.pickups.pickup(parameter.name);
    return previousStanding(parameter.record, pickup, now, settings);
  } catch (error) {
    // Not knowing means waiting: the token is not deleted on a guess.
    deps.log.warn('Could not read the pickup of a parameter', {
      parameterName: parameter.name,
      error,
    });
    return parameter.standing;
  }
}

async function availableTokens(
  tokens: Pick<LicenseTokens, 'licenseTokens'>,
  licenseArn: string,
  homeRegion: string | undefined,
): Promise<TokenInfo[]> {
  const available: TokenInfo[] = [];
  for await (const page of tokens.licenseTokens(licenseArn, homeRegion)) {
    available.push(...page.filter((token) => token.status === 'AVAILABLE'));
  }
  return available;
}

/** The late mints of this parameter's record among the unrecorded tokens, once settled. */
function orphanJobs(parameter: AuditedParameter, unrecorded: readonly TokenInfo[], now: Date) {
  const window = lateMintWindow(parameter.record);
  if (window === undefined || now.getTime() < window.to + SETTLED_AFTER_MS) return [];
  const ids = unrecorded
    .filter((token) => isLateMintOf(token, parameter.record))
    .map((token) => token.tokenId);
  const jobs: AuditJob[] = [];
  for (let i = 0; i < ids.length; i += MAX_JOB_TOKEN_IDS) {
    jobs.push({
      name: parameter.name,
      version: parameter.version,
      tokenIds: ids.slice(i, i + MAX_JOB_TOKEN_IDS),
    });
  }
  return jobs;
}
