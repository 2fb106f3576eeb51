import { DAY_MS } from '../time.js';
import { Claims } from './claims.js';
import { CLIENT_TOKEN_WINDOW_MS } from './client-token.js';
import { MAX_JOB_TOKEN_IDS } from './job.js';
import type { LicenseTokens, Log, Pickups, TokenInfo } from './ports.js';
import type { RotationRecord } from './record.js';
import { RevocationPolicy } from './record.js';
import {
  type PreviousStanding,
  policyOf,
  type RevocationSettings,
  withPickup,
} from './revocation-policy.js';
import { isStrayMintOf, mintWindow } from './revoke.js';

/** A managed parameter, as the audit needs it. */
export interface AuditedParameter {
  readonly name: string;
  readonly version: number;
  readonly record: RotationRecord;
  /** False once its token has expired: it is then not expected to be listed. */
  readonly live?: boolean;
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
  /** Stray mints no record names, per parameter whose rotation's attempts made them. */
  readonly orphans: readonly AuditJob[];
  /** AVAILABLE tokens of a managed license that no record names. */
  readonly unrecorded: number;
  /** Those tokens themselves (ids and what they were minted for, never a value). */
  readonly unrecordedTokens: readonly UnrecordedToken[];
  /** Licenses whose tokens could not be listed. */
  readonly failures: number;
  /**
   * Records whose current token License Manager does not list as AVAILABLE (deleted by someone,
   * or never real): whoever holds it is cut off at its next refresh.
   */
  readonly lost: readonly LostToken[];
}

/** A record whose current token is gone. */
export interface LostToken {
  readonly name: string;
  readonly tokenId: string;
}

/** What the audit is told: the revocation settings and the scan's moment. */
export interface AuditOptions extends RevocationSettings {
  readonly now: Date;
}

// Until then, a rotation in flight may still store a token it minted (a retry replays it).
const SETTLED_AFTER_MS = CLIENT_TOKEN_WINDOW_MS + 60_000;

/**
 * How long after a rotation the audit looks for its stray mints: 30 days of scans, so that days
 * when the license cannot be listed (a permission or quota problem) or a revoke-orphans job keeps
 * failing do not let one escape. Later, a stray mint is only counted unrecorded. Looking longer
 * risks nothing (a token minted after the window is never taken for a stray mint); it costs the
 * record of each parameter rotated in that time, kept until the listing.
 */
export const STRAY_MINT_LOOKBACK_MS = 30 * DAY_MS;

/**
 * What the audit keeps of a parameter that may need a job. Little: after a fleet-wide rotation
 * nearly every record names a previous token awaiting its pickup, so a whole fleet may wait here.
 */
interface Pending {
  readonly name: string;
  readonly version: number;
  readonly previousTokenId: string | undefined;
  /** The current token: a pickup of it lets an awaiting previous token go. */
  readonly tokenId: string;
  readonly standing: PreviousStanding;
  /** The record, only while its rotation's stray mints are looked for (STRAY_MINT_LOOKBACK_MS). */
  readonly strayMintsOf: RotationRecord | undefined;
}

/** A parameter that may need a job, as the audit keeps it. */
function pendingOf(parameter: AuditedParameter, now: Date): Pending {
  const { name, version, record, standing } = parameter;
  const { previousTokenId, tokenId } = record;
  const window = mintWindow(record);
  const recent = window !== undefined && now.getTime() - window.to <= STRAY_MINT_LOOKBACK_MS;
  return {
    name,
    version,
    previousTokenId,
    tokenId,
    standing,
    strayMintsOf: recent ? record : undefined,
  };
}

interface Ledger {
  homeRegion: string | undefined;
  /** Parameters with a previous token to weigh, or a recent rotation's stray mints to look for. */
  readonly parameters: Pending[];
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
 * scan), and among those the stray mints of a recent rotation, which only a revoke-orphans job
 * deletes, after its own proof. Records that name another's token (`Claims`) get no job at all.
 * Memory: one entry per token a record names, and the parameters that may need a job.
 */
export class TokenAudit {
  /** Every token the records name, and the records that name another's. */
  readonly claims = new Claims();
  readonly #ledgers = new Map<string, Ledger>();
  readonly #options: AuditOptions;

  constructor(options: AuditOptions) {
    this.#options = options;
  }

  /** Notes a managed parameter's tokens. */
  note(parameter: AuditedParameter): void {
    const { record } = parameter;
    this.claims.note(parameter.name, record, parameter.live ?? true);
    const ledger = this.#ledgers.get(record.licenseArn) ?? {
      homeRegion: undefined,
      parameters: [],
      retained: new Set<string>(),
    };
    // Under `never`, superseded tokens live on, unnamed once pushed out of the record: not lost.
    if (policyOf(record, this.#options) === RevocationPolicy.Never) {
      ledger.retained.add(mintedWith(record));
    }
    // A record that names the home region wins: ListTokens sees only tokens homed where it asks.
    ledger.homeRegion ??= record.homeRegion;
    const pending = pendingOf(parameter, this.#options.now);
    if (mayNeedJob(pending)) ledger.parameters.push(pending);
    this.#ledgers.set(record.licenseArn, ledger);
  }

  /** Lists each managed license's tokens and holds them against the records. */
  async run(deps: AuditDeps): Promise<AuditFindings> {
    const findings = {
      revocations: [] as AuditJob[],
      deferred: 0,
      overdue: 0,
      orphans: [] as AuditJob[],
      unrecorded: 0,
      unrecordedTokens: [] as UnrecordedToken[],
      failures: 0,
      lost: [] as LostToken[],
    };
    for (const [licenseArn, ledger] of this.#ledgers) {
      const parameters = ledger.parameters.filter(
        (p) => this.claims.conflictOf(p.name) === undefined,
      );
      let listed: Listed;
      try {
        listed = await this.#list(deps.tokens, licenseArn, ledger, parameters);
      } catch (error) {
        // Rotation matters more than revocation: note it, fail the scan at the end, carry on.
        findings.failures++;
        deps.log.warn('Could not list the tokens of a license', { licenseArn, error });
        continue;
      }
      findings.lost.push(...this.claims.lost(licenseArn));
      findings.unrecorded += listed.unrecorded.length;
      const { homeRegion } = ledger;
      findings.unrecordedTokens.push(
        ...listed.unrecorded.map((token) => ({ ...token, homeRegion })),
      );
      for (const parameter of parameters) {
        await this.#weigh(deps, parameter, listed, findings);
      }
    }
    return findings;
  }

  /**
   * One pass over the license's tokens, page by page, keeping only what the records do not name
   * and which of the weighed previous tokens are still live.
   */
  async #list(
    tokens: Pick<LicenseTokens, 'licenseTokens'>,
    licenseArn: string,
    ledger: Ledger,
    parameters: readonly Pending[],
  ): Promise<Listed> {
    const previous = new Set(parameters.map((p) => p.previousTokenId));
    const listed: Listed = { unrecorded: [], live: new Set() };
    for await (const page of tokens.licenseTokens(licenseArn, ledger.homeRegion)) {
      for (const token of page) {
        if (token.status !== 'AVAILABLE') continue;
        if (previous.has(token.tokenId)) listed.live.add(token.tokenId);
        this.claims.seen(licenseArn, token.tokenId);
        if (
          !this.claims.has(licenseArn, token.tokenId) &&
          !ledger.retained.has(mintedWith(token))
        ) {
          listed.unrecorded.push(token);
        }
      }
    }
    return listed;
  }

  /** The jobs one parameter needs: a revocation of its previous token, its stray mints. */
  async #weigh(
    deps: AuditDeps,
    parameter: Pending,
    listed: Listed,
    findings: { revocations: AuditJob[]; orphans: AuditJob[]; deferred: number; overdue: number },
  ): Promise<void> {
    const { name, version, previousTokenId } = parameter;
    const { now } = this.#options;
    if (previousTokenId !== undefined && listed.live.has(previousTokenId)) {
      const standing = await finalStanding(deps, parameter);
      if (standing.kind === 'due') findings.revocations.push({ name, version });
      if (standing.kind === 'awaiting-pickup') {
        findings.deferred++;
        if (standing.overdue) findings.overdue++;
      }
    }
    findings.orphans.push(...orphanJobs(parameter, listed.unrecorded, now));
  }
}

/** What one pass over a license's tokens kept. */
interface Listed {
  readonly unrecorded: TokenInfo[];
  /** The weighed parameters' previous tokens that are still AVAILABLE. */
  readonly live: Set<string>;
}

/** True when the parameter may need a job: a previous token to weigh, or stray mints to find. */
function mayNeedJob(parameter: Pending): boolean {
  const { kind } = parameter.standing;
  return kind === 'due' || kind === 'awaiting-pickup' || parameter.strayMintsOf !== undefined;
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
async function finalStanding(deps: AuditDeps, parameter: Pending): Promise<PreviousStanding> {
  if (parameter.standing.kind !== 'awaiting-pickup') return parameter.standing;
  try {
    const pickup = await deps.pickups.pickup(parameter.name);
    return withPickup(parameter.standing, pickup, parameter.tokenId);
  } catch (error) {
    // Not knowing means waiting: the token is not deleted on a guess.
    deps.log.warn('Could not read the pickup of a parameter', {
      parameterName: parameter.name,
      error,
    });
    return parameter.standing;
  }
}

/** The stray mints of this parameter's record among the unrecorded tokens, once settled. */
function orphanJobs(parameter: Pending, unrecorded: readonly TokenInfo[], now: Date) {
  const record = parameter.strayMintsOf;
  const window = record === undefined ? undefined : mintWindow(record);
  if (
    record === undefined ||
    window === undefined ||
    now.getTime() < window.to + SETTLED_AFTER_MS
  ) {
    return [];
  }
  const ids = unrecorded
    .filter((token) => isStrayMintOf(token, record))
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
