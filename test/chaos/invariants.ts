import { CLIENT_TOKEN_WINDOW_MS } from '../../src/rotation/client-token.js';
import { SkipReason } from '../../src/rotation/rotate.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import { DAY_MS } from '../../src/time.js';
import type { MintedToken } from '../../tools/sandbox/license-manager/service.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import type { StoredMessage } from '../../tools/sandbox/sqs/message.js';
import type { ParameterVersion } from '../../tools/sandbox/ssm/parameter.js';
import { capturedOutput, clearCapturedOutput } from '../helpers/output.js';
import type { TokenFinder } from '../helpers/token-finder.js';
import {
  DeadLetterBook,
  type DeadLetterExpectation,
  type DeadLetterFigures,
} from './dead-letters.js';
import type { FleetEntry } from './fleet.js';
import type { HostileRecord } from './hostile-records.js';
import { pickupOf } from './pickups.js';
import { type TokenDeletion, unrecordedTokens } from './safety.js';
import { excerpt, Invariant, recordFields, text, type Violation } from './violations.js';

/** What a round did, as the runner saw it (never what the code under test said of itself). */
export interface RoundFacts {
  readonly round: number;
  /** The sandbox time of the round's scan. */
  readonly scanAt: number;
  /** True when every scan of the round completed (the Lambda invocation did not fail). */
  readonly scansCompleted: boolean;
  /** True when every drain ended with the queue empty, before its poll limit. */
  readonly drained: boolean;
  /** Parameters due at the scan (by the checker's own reading of the records), and their versions then. */
  readonly dueAtScan: ReadonlyMap<string, number>;
  /** Errors the invocations threw this round (scans, rotator invocations). */
  readonly errors: readonly unknown[];
  /** Job bodies the scanner enqueued this round. */
  readonly enqueued: readonly string[];
  /** PutParameter calls this round that took effect while their rotation stopped there. */
  readonly incompleteWrites: readonly { name: string; version: number }[];
  /** DeleteToken calls this round that took effect, with who held each token at the moment. */
  readonly deletions: readonly TokenDeletion[];
  /** The calls that stalled until their job's deadline aborted them this round. */
  readonly stalls: readonly string[];
  /** The round's completed scans: what each counted, and what it had to count. */
  readonly scans: readonly { summary: ScanSummary; expected: ScanExpectation }[];
}

/** What a scan must count, from the sandbox's state just before it. */
export interface ScanExpectation {
  /** Hostile records naming a token another record of their license holds. */
  readonly conflicting: number;
  /**
   * Records whose license lives outside the scanner's region while no record of it names its home
   * region: the audit lists that license where License Manager shows none of its tokens, and
   * counts each such record's token lost (a false alarm; a product finding, counted apart).
   */
  readonly unseen: number;
  /** The revocations it must defer (after-pickup, not picked up) and the overdue ones. */
  readonly deferrals: { readonly deferred: number; readonly overdue: number };
}

/** Figures the checker gathers on the way. */
export interface CheckerFigures {
  tokensMinted: number;
  tokensRejectedAndDeleted: number;
  versionsWritten: number;
  rotations: number;
  /**
   * Versions that store the token the version before holds: the SDK retrying a PutParameter
   * whose answer was lost, or a write that landed while its deadline aborted it, after which a
   * retry stored the same (replayed) token. The rotator checks the version before it writes; no check
   * can cover the call itself.
   */
  sameTokenRewrites: number;
  readonly deadLetters: DeadLetterFigures;
  /** DeleteToken calls that took effect. */
  deletions: number;
  /** Late mints (minted again past the ClientToken window) that are DELETED now. */
  lateMintsRevoked: number;
  /**
   * Tokens left AVAILABLE with no record naming them, by how: the cases the design accounts for
   * within a round. Any other such token is a lifecycle violation; any of these still AVAILABLE
   * after the run's last, quiet rounds is a violation too (no unrecorded token at the end).
   */
  orphaned: Record<OrphanReason, number>;
  /** Rotations from a sender other than the scanner skipped: the previous token was still live. */
  previousLiveSkips: number;
  /** Rounds × previous tokens kept past their time because another record named them too. */
  keptForConflict: number;
  /** Scans checked, and the conflicting records they counted over the run. */
  scansChecked: number;
  conflictsCounted: number;
  /** LostTokens counted for licenses listed outside their home region (see ScanExpectation). */
  falseLostTokens: number;
  scansWithFalseLostTokens: number;
  /** Scans whose deferred revocations were checked, and what they deferred over the run. */
  deferralScans: number;
  deferred: number;
  overdue: number;
  logLines: number;
  metricLines: number;
  errorsChecked: number;
  /** The fewest days any stored token had left after a round, by lifetime in days. */
  minDaysLeft: Map<number, number>;
}

/** How a token can be left AVAILABLE with no record naming it, as the design allows. */
export type OrphanReason =
  /**
   * Pushed out of the record by a rotation that came after the previous token's grace period but
   * before its revoke job ran; the delete failed (logged).
   */
  | 'retire-failed'
  /**
   * Pushed out by a rotation that stopped once its PutParameter took effect (nothing logs it).
   * The rotator deletes that token before the write, so this needs the delete to have failed too.
   */
  | 'not-deleted-after-write'
  /** Minted by an attempt of a job that SQS then moved to the DLQ after five failed receives. */
  | 'dead-lettered'
  /**
   * Minted by an attempt whose retry came after the ClientToken window and minted another (the
   * record says so: the scan's audit revokes it once the window has settled).
   */
  | 'beyond-window';

/**
 * Why a token other than the stored one is still AVAILABLE ('none': it should not be):
 * `awaiting-pickup` is an after-pickup parameter's previous token whose successor no host has
 * presented yet (or only since the last clean scan); `conflict` is a previous token another record
 * also named at the last clean scan (a hostile record names a fleet token each round): the scan
 * cannot tell whose it is and revokes neither, until the conflict is gone.
 */
export type ExtraReason = 'grace' | 'awaiting-pickup' | 'conflict' | OrphanReason | 'none';

const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;
const RETIRE_FAILED = 'Could not delete the token that dropped out of the record';
const PICKUP_READ_FAILED = 'Could not read the pickup of a parameter';
const CONFLICT_LOGGED = "Record names another record's token; no job for it";

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/**
 * Checks the invariants after every round from the sandbox's own state: SSM's versions and
 * writes, License Manager's tokens (which parameter each was minted for is in its `amr`: every
 * parameter's record asks for a property of its own), the queues' messages and everything the
 * process printed. It reads the code under test's output only to find leaks in it and to learn
 * which best-effort deletes it reported as failed.
 */
export class InvariantChecker {
  readonly #deadLetterBook: DeadLetterBook;
  readonly figures: CheckerFigures;
  readonly #byName: ReadonlyMap<string, FleetEntry>;
  readonly #byProperty: ReadonlyMap<string, FleetEntry>;
  readonly #hostileByProperty: ReadonlyMap<string, HostileRecord>;
  readonly #owner = new Map<string, string>();
  readonly #byValue = new Map<string, MintedToken>();
  readonly #byId = new Map<string, MintedToken>();
  readonly #byClientToken = new Map<string, MintedToken[]>();
  readonly #stored = new Map<string, Set<string>>();
  readonly #successors = new Map<string, Map<string, string>>();
  readonly #versionSeen = new Map<string, number>();
  /** When each parameter's last rotation was written (not its seeding), by SSM's clock. */
  readonly #lastRotationAt = new Map<string, number>();
  /** Tokens minted and never stored that the design accounts for, and how. */
  readonly #orphans = new Map<string, OrphanReason>();
  #tokenCount = 0;
  #writeCount = 0;
  #lastCleanScanAt: number | undefined;
  /** The scans' failed pickup reads this round (each keeps a revocation deferred), and whose. */
  #pickupReadFailures = 0;
  readonly #pickupUnread = new Set<string>();
  /** Parameters whose previous token may stay until the next clean scan (see #checkLifecycle). */
  readonly #waitingForCleanScan = new Set<string>();
  /** The records the round's scans logged as conflicting, and those of the last clean scan. */
  readonly #conflictLogged = new Set<string>();
  #conflictingAtCleanScan: ReadonlySet<string> = new Set();
  /** The round's stalled calls, for failure stories. */
  #stalls: readonly string[] = [];

  constructor(
    private readonly sandbox: Sandbox,
    fleet: readonly FleetEntry[],
    hostileRecords: readonly HostileRecord[],
    private readonly finder: TokenFinder,
    private readonly graceMs: number,
  ) {
    this.#byName = new Map(fleet.map((entry) => [entry.name, entry]));
    this.#byProperty = new Map(fleet.map((entry) => [entry.property, entry]));
    this.#hostileByProperty = new Map(hostileRecords.map((record) => [record.property, record]));
    this.#deadLetterBook = new DeadLetterBook(
      sandbox,
      finder,
      new Set(this.#byName.keys()),
      hostileRecords,
    );
    this.figures = {
      tokensMinted: 0,
      tokensRejectedAndDeleted: 0,
      versionsWritten: 0,
      rotations: 0,
      sameTokenRewrites: 0,
      deadLetters: this.#deadLetterBook.figures,
      deletions: 0,
      lateMintsRevoked: 0,
      orphaned: {
        'retire-failed': 0,
        'not-deleted-after-write': 0,
        'dead-lettered': 0,
        'beyond-window': 0,
      },
      previousLiveSkips: 0,
      keptForConflict: 0,
      scansChecked: 0,
      conflictsCounted: 0,
      falseLostTokens: 0,
      scansWithFalseLostTokens: 0,
      deferralScans: 0,
      deferred: 0,
      overdue: 0,
      logLines: 0,
      metricLines: 0,
      errorsChecked: 0,
      minDaysLeft: new Map(),
    };
  }

  /** Takes the seeded state as the starting point; returns what is already wrong with it. */
  start(): Violation[] {
    const violations: Violation[] = [];
    this.#absorbTokens(0, violations);
    this.#writeCount = this.sandbox.ssm.writes().length;
    for (const [name] of this.#byName) {
      const current = this.sandbox.ssm.parameter(name);
      this.#versionSeen.set(name, current?.version ?? 0);
      const tokenId = text(recordFields(current?.description).tokenId);
      if (tokenId !== undefined) this.#storedIds(name).add(tokenId);
    }
    this.#checkParameters(0, violations);
    clearCapturedOutput();
    return violations;
  }

  /**
   * Takes the SSM writes made so far as the runner's own (it rewrites its hostile records between
   * rounds, when no code under test runs): only writes after this are checked for scope.
   */
  skipOwnWrites(): void {
    this.#writeCount = this.sandbox.ssm.writes().length;
  }

  /** The parameters due now, by the contract's rule read from each stored record, and their versions. */
  dueNow(): Map<string, number> {
    const now = this.sandbox.clock.nowMs();
    const due = new Map<string, number>();
    for (const [name] of this.#byName) {
      const current = this.sandbox.ssm.parameter(name);
      const record = recordFields(current?.description);
      const issuedAt = Date.parse(text(record.issuedAt) ?? '');
      const expiresAt = Date.parse(text(record.expiresAt) ?? '');
      const renewBefore =
        typeof record.renewBeforeDays === 'number'
          ? record.renewBeforeDays * DAY_MS
          : (expiresAt - issuedAt) / 3;
      if (current !== undefined && !(now < expiresAt - renewBefore)) due.set(name, current.version);
    }
    return due;
  }

  /** Notes a message the runner sent (by its SQS id) that must reach the DLQ as expected. */
  expectDeadLetter(messageId: string, body: string, expectation: DeadLetterExpectation): void {
    this.#deadLetterBook.expect(messageId, body, expectation);
  }

  /** Everything checked after a round. */
  afterRound(facts: RoundFacts): Violation[] {
    const { round } = facts;
    const violations: Violation[] = [];
    this.#stalls = facts.stalls;
    const minted = this.#absorbTokens(round, violations);
    // First, so that the stories of the checks below know the round's dead letters.
    const { deadLettered, redriven } = this.#deadLetterBook.check(round, violations);
    this.#checkWrites(round, violations);
    this.#absorbVersions(round, violations);
    this.#checkParameters(round, violations);
    this.#checkDeletions(round, facts.deletions, violations);
    // Parameters whose job ended in the DLQ this round (a provoked permanent failure, or SQS's
    // redrive after five failed receives): the alarm path, not a silent loss.
    const exempt = new Set([...deadLettered, ...redriven]);
    this.#checkNeverStored(round, minted, redriven, violations);
    for (const write of facts.incompleteWrites) this.#noteIncompleteRotation(write);
    this.#checkOutput(round, violations);
    this.#checkErrorsAndJobs(facts, violations);
    this.#checkScans(facts, violations);
    if (!facts.drained) {
      violations.push({
        round,
        invariant: Invariant.BadInputNeverBlocks,
        detail: 'the jobs queue was not drained before the poll limit',
      });
    }
    if (facts.scansCompleted && facts.drained) {
      this.#checkDue(facts, exempt, violations);
      this.#waitingForCleanScan.clear();
    }
    // A dead-lettered job, or a pickup the scan could not read ("not knowing means waiting"),
    // keeps a previous token until the next clean scan, however many rounds that takes.
    for (const name of [...exempt, ...this.#pickupUnread]) this.#waitingForCleanScan.add(name);
    this.#checkLifecycle(round, this.#waitingForCleanScan, violations);
    this.#pickupUnread.clear();
    this.#conflictLogged.clear();
    return violations;
  }

  /**
   * After the run's last, quiet rounds: every AVAILABLE token, expired or not, is held by a
   * parameter or named by a stored record (as its token or its previous one). The design's
   * orphans had their rounds to be cleaned up; any left is a token nothing will ever revoke.
   */
  atEnd(round: number): Violation[] {
    this.figures.lateMintsRevoked = [...this.#orphans]
      .filter(([, why]) => why === 'beyond-window')
      .filter(([id]) => this.#byId.get(id)?.status === 'DELETED').length;
    return unrecordedTokens(this.sandbox).map((token) => ({
      round,
      invariant: Invariant.NothingUnrecorded,
      detail: `token ${token.tokenId} (${this.#ownerOf(token)}, minted ${token.mintedAt.toISOString()}, ${this.#orphans.get(token.tokenId) ?? 'no known cause'}) is AVAILABLE, and no parameter holds it nor any record names it; ${this.#storyOf(token)}`,
    }));
  }

  /**
   * What the sandbox shows of a token's life, for a failure message: the other tokens its
   * ClientToken minted, what its parameter stored from its mint on, that parameter's dead letters,
   * and the calls of the round that stalled until their job's deadline.
   */
  #storyOf(token: MintedToken): string {
    const short = (id: unknown) => String(id).slice(0, 8);
    const sameKey = (this.#byClientToken.get(token.clientToken) ?? [])
      .filter((other) => other !== token)
      .map(
        (other) => `${short(other.tokenId)} ${other.status} minted ${other.mintedAt.toISOString()}`,
      );
    const owner = this.#owner.get(token.tokenId) ?? '';
    const stored = this.sandbox.ssm
      .history(owner)
      .filter((version) => version.lastModified >= token.mintedAt)
      .map((version) => {
        const record = recordFields(version.description);
        const late = text(record.mintsFrom);
        return `v${version.version} ${short(record.tokenId)} at ${version.lastModified.toISOString()}${late === undefined ? '' : ` (mintsFrom ${late})`}`;
      });
    const letters = this.#deadLetterBook.lettersOf(owner);
    return `its ClientToken also minted: ${sameKey.join(', ') || 'nothing'}; stored since: ${stored.join(', ') || 'nothing'}; dead letters: ${letters.join(', ') || 'none'}; calls stalled until their job's deadline this round: ${this.#stalls.join(', ') || 'none'}`;
  }

  /** The tokens still AVAILABLE per parameter beyond the one it holds, and why each is allowed. */
  extraTokens(): Record<ExtraReason, number> {
    const result: Record<ExtraReason, number> = {
      grace: 0,
      'awaiting-pickup': 0,
      conflict: 0,
      'retire-failed': 0,
      'not-deleted-after-write': 0,
      'beyond-window': 0,
      'dead-lettered': 0,
      none: 0,
    };
    for (const { why } of this.#liveExtras()) result[why]++;
    return result;
  }

  #ownerOf(token: MintedToken): string {
    return this.#owner.get(token.tokenId) ?? `license ${token.licenseArn}`;
  }

  #jobs(): readonly StoredMessage[] {
    return this.sandbox.sqs.queue('chaos-jobs.fifo')?.messages ?? [];
  }

  /** No error an invocation threw and no job on the queue carries a token. */
  #checkErrorsAndJobs(facts: RoundFacts, violations: Violation[]): void {
    const { round } = facts;
    for (const error of facts.errors) {
      this.figures.errorsChecked++;
      if (this.finder.findIn(error).length > 0) {
        violations.push({
          round,
          invariant: Invariant.NoSecretLeaks,
          detail: `an error carried a token: ${excerpt(String(error))}`,
        });
      }
    }
    const queued = [...facts.enqueued, ...this.#jobs().map((message) => message.body)];
    for (const body of queued) {
      if (this.finder.find(body).length > 0 || JWT_SHAPE.test(body)) {
        violations.push({
          round,
          invariant: Invariant.NoSecretLeaks,
          detail: `a job message carried a token: ${excerpt(body)}`,
        });
      }
    }
  }

  /**
   * The scanner's own counts, against the sandbox's truth: no fleet parameter's current token is
   * ever missing from License Manager (LostTokens: its holder would be cut off), and every hostile
   * record that names another record's token is counted conflicting (it gets no job), every scan.
   */
  #checkScans(facts: RoundFacts, violations: Violation[]): void {
    this.#checkDeferrals(facts, violations);
    for (const { summary: scan, expected } of facts.scans) {
      this.figures.scansChecked++;
      this.figures.conflictsCounted += scan.conflicting;
      if (expected.unseen > 0) {
        this.figures.scansWithFalseLostTokens++;
        this.figures.falseLostTokens += scan.lostTokens;
      }
      // Every fleet token is AVAILABLE (checked above from License Manager's own state): a lost
      // one counted is a false alarm, unless it is the known one of an unseen license.
      if (scan.lostTokens !== expected.unseen) {
        violations.push({
          round: facts.round,
          invariant: Invariant.ScannerSees,
          detail: `a scan counted ${scan.lostTokens} records whose current token License Manager no longer lists (LostTokens); ${expected.unseen} of a license it cannot see`,
        });
      }
      if (scan.conflicting !== expected.conflicting) {
        violations.push({
          round: facts.round,
          invariant: Invariant.ScannerSees,
          detail: `a scan counted ${scan.conflicting} conflicting records; ${expected.conflicting} hostile records name another record's token`,
        });
      }
    }
  }

  /**
   * The round's scans deferred the revocations of exactly the after-pickup parameters whose hosts
   * have not picked up the stored token (previous token live past its grace period), and counted
   * overdue those past the pickup-overdue period: checked for scans that could list every
   * license. A pickup the scan could not read keeps its revocation deferred ("not knowing means
   * waiting"): each such failure (logged) allows one more.
   */
  #checkDeferrals(facts: RoundFacts, violations: Violation[]): void {
    const failures = this.#pickupReadFailures;
    this.#pickupReadFailures = 0;
    const checked = facts.scans.filter(
      ({ summary, expected }) => summary.licenseCheckFailures === 0 && expected.unseen === 0,
    );
    if (checked.length !== facts.scans.length) return;
    const sum = (pick: (scan: (typeof checked)[number]) => number) =>
      checked.reduce((total, scan) => total + pick(scan), 0);
    const deferred = sum(({ summary }) => summary.revocationsDeferred);
    const overdue = sum(({ summary }) => summary.pickupsOverdue);
    const wanted = sum(({ expected }) => expected.deferrals.deferred);
    const wantedOverdue = sum(({ expected }) => expected.deferrals.overdue);
    this.figures.deferralScans += checked.length;
    this.figures.deferred += deferred;
    this.figures.overdue += overdue;
    const within = (got: number, want: number) => got >= want && got - want <= failures;
    if (within(deferred, wanted) && within(overdue, wantedOverdue)) return;
    violations.push({
      round: facts.round,
      invariant: Invariant.DeferralsMatch,
      detail: `the round's scans deferred ${deferred} revocations (${overdue} overdue); ${wanted} hosts had not picked up (${wantedOverdue} overdue), ${failures} pickups could not be read`,
    });
  }

  /**
   * Fleet records whose license the scanner cannot see: homed outside the scanner's region, with
   * no record of the license naming its home region (registered from the home region itself, so
   * no redirect taught the record where it lives).
   */
  unseenRecords(scannerRegion: string): number {
    const named = new Set<string>();
    const byLicense = new Map<string, number>();
    for (const [name, entry] of this.#byName) {
      const { licenseArn, homeRegion } = entry.license;
      if (homeRegion === scannerRegion) continue;
      const record = recordFields(this.sandbox.ssm.parameter(name)?.description);
      if (text(record.homeRegion) !== undefined) named.add(licenseArn);
      byLicense.set(licenseArn, (byLicense.get(licenseArn) ?? 0) + 1);
    }
    return [...byLicense]
      .filter(([license]) => !named.has(license))
      .reduce((sum, [, count]) => sum + count, 0);
  }

  /** After a clean round: every parameter due at its scan has rotated, or its job alarmed. */
  #checkDue(facts: RoundFacts, exempt: ReadonlySet<string>, violations: Violation[]): void {
    this.#lastCleanScanAt = facts.scanAt;
    this.#conflictingAtCleanScan = new Set(this.#conflictLogged);
    for (const [name, version] of facts.dueAtScan) {
      const now = this.sandbox.ssm.parameter(name)?.version;
      if (now === version && !exempt.has(name)) {
        violations.push({
          round: facts.round,
          invariant: Invariant.NothingExpiresSilently,
          detail: `${name} was due at the scan (v${version}) and is still not rotated after a clean round`,
        });
      }
    }
  }

  /** Every DeleteToken that took effect hit a token no parameter held at that moment. */
  #checkDeletions(round: number, deletions: readonly TokenDeletion[], violations: Violation[]) {
    for (const deletion of deletions) {
      this.figures.deletions++;
      if (deletion.heldBy.length === 0) continue;
      const token = this.#byId.get(deletion.tokenId);
      violations.push({
        round,
        invariant: Invariant.NoDeleteWhileHeld,
        detail: `token ${deletion.tokenId} (${token === undefined ? 'unknown' : this.#ownerOf(token)}) was deleted at ${deletion.at.toISOString()} while ${deletion.heldBy.join(', ')} held it`,
      });
    }
  }

  #storedIds(name: string): Set<string> {
    const known = this.#stored.get(name) ?? new Set<string>();
    this.#stored.set(name, known);
    return known;
  }

  /** New tokens: whose they are, and whether they were minted as that parameter's record asks. */
  #absorbTokens(round: number, violations: Violation[]): MintedToken[] {
    const all = this.sandbox.licenseManager.tokens();
    const fresh = all.slice(this.#tokenCount);
    this.#tokenCount = all.length;
    for (const token of fresh) {
      this.#byValue.set(token.token, token);
      this.#byId.set(token.tokenId, token);
      const sameKey = this.#byClientToken.get(token.clientToken) ?? [];
      sameKey.push(token);
      this.#byClientToken.set(token.clientToken, sameKey);
      const entry = token.tokenProperties
        .map((property) => this.#byProperty.get(property))
        .find((found) => found !== undefined);
      if (entry === undefined) {
        this.#strayToken(round, token, violations);
        continue;
      }
      this.#owner.set(token.tokenId, entry.name);
      if (round === 0) continue;
      this.figures.tokensMinted++;
      if (
        token.licenseArn !== entry.license.licenseArn ||
        !sameList(token.roleArns, entry.roleArns) ||
        !sameList(token.tokenProperties, [entry.property]) ||
        token.expirationInDays !== entry.expirationInDays
      ) {
        violations.push({
          round,
          invariant: Invariant.Scope,
          detail: `token ${token.tokenId} for ${entry.name} was not minted as its record asks (license ${token.licenseArn})`,
        });
      }
    }
    return round === 0 ? [] : fresh;
  }

  /**
   * A token minted for no fleet parameter: a hostile record's own, when the runner seeded it
   * (round 0); anything else, whatever it was minted for, is out of scope.
   */
  #strayToken(round: number, token: MintedToken, violations: Violation[]): void {
    const hostile = token.tokenProperties
      .map((property) => this.#hostileByProperty.get(property))
      .find((found) => found !== undefined);
    if (hostile !== undefined) this.#owner.set(token.tokenId, hostile.name);
    if (hostile !== undefined && round === 0) return;
    violations.push({
      round,
      invariant: Invariant.Scope,
      detail:
        hostile === undefined
          ? `token ${token.tokenId} was minted for no managed parameter (properties ${token.tokenProperties.join(',')})`
          : `token ${token.tokenId} was minted for the hostile record ${hostile.name}, which ${hostile.story}`,
    });
  }

  #checkWrites(round: number, violations: Violation[]): void {
    const writes = this.sandbox.ssm.writes();
    for (const write of writes.slice(this.#writeCount)) {
      // The exchange tags a parameter with its pickup; nothing else writes but the rotator.
      const allowed = write.operation === 'PutParameter' || write.operation === 'AddTagsToResource';
      if (!allowed || !this.#byName.has(write.name)) {
        violations.push({
          round,
          invariant: Invariant.Scope,
          detail: `${write.operation} on ${write.name}: not a managed token parameter`,
        });
      }
    }
    this.#writeCount = writes.length;
  }

  #absorbVersions(round: number, violations: Violation[]): void {
    for (const [name] of this.#byName) {
      const seen = this.#versionSeen.get(name) ?? 0;
      const current = this.sandbox.ssm.parameter(name);
      if (current === undefined || current.version === seen) continue;
      const history = this.sandbox.ssm.history(name);
      let previous = text(
        recordFields(history.find((v) => v.version === seen)?.description).tokenId,
      );
      for (const version of history.filter((v) => v.version > seen)) {
        this.figures.versionsWritten++;
        const tokenId = this.#checkVersion(round, name, version, violations);
        if (tokenId !== undefined && tokenId === previous) {
          this.figures.sameTokenRewrites++;
        } else {
          this.figures.rotations++;
          this.#checkSpacing(round, name, version, violations);
        }
        previous = tokenId;
      }
      this.#versionSeen.set(name, current.version);
    }
  }

  /**
   * A rotation comes at least one grace period after the parameter's last one (by SSM's clock),
   * whatever forced jobs a sender floods the queue with: the rotator waits for the previous token's
   * grace period to end. The grace period runs from the last rotation's CreateToken, a little
   * before its write: the ClientToken window bounds that gap. A version without a previous token
   * is a registration (the fleet's seeding), not a rotation.
   */
  #checkSpacing(round: number, name: string, version: ParameterVersion, violations: Violation[]) {
    if (text(recordFields(version.description).previousTokenId) === undefined) return;
    const at = version.lastModified.getTime();
    const last = this.#lastRotationAt.get(name);
    this.#lastRotationAt.set(name, at);
    if (last === undefined || at - last >= this.graceMs - CLIENT_TOKEN_WINDOW_MS) return;
    violations.push({
      round,
      invariant: Invariant.OneRotationPerGrace,
      detail: `${name} v${version.version} rotated ${((at - last) / 3_600_000).toFixed(1)} hours after its last rotation, inside the ${this.graceMs / 3_600_000}-hour grace period`,
    });
  }

  /** One version written since the last round: a valid token, its own, described truly. */
  #checkVersion(
    round: number,
    name: string,
    version: ParameterVersion,
    violations: Violation[],
  ): string | undefined {
    const label = `${name} v${version.version}`;
    const fail = (invariant: Invariant, detail: string) =>
      violations.push({ round, invariant, detail: `${label}: ${detail}` });
    const token = this.#byValue.get(version.value);
    const description = version.description ?? '';
    if (this.finder.find(description).length > 0 || JWT_SHAPE.test(description)) {
      fail(Invariant.NoSecretLeaks, 'the Description holds a token');
    }
    if (token === undefined) {
      fail(Invariant.NoLostToken, 'holds a value License Manager never minted');
      return undefined;
    }
    if (this.#owner.get(token.tokenId) !== name) {
      fail(
        Invariant.NoLostToken,
        `holds a token minted for ${this.#owner.get(token.tokenId) ?? 'nobody'}`,
      );
    }
    if (token.expiresAt.getTime() <= version.lastModified.getTime()) {
      fail(Invariant.NoLostToken, 'was written with a token that had already expired');
    }
    // At the same instant (the clock stands still within a round) either order is a violation:
    // deleted while held is caught as it happens; this is the other, a deleted token written.
    if (token.deletedAt !== undefined && token.deletedAt <= version.lastModified) {
      fail(
        Invariant.NoLostToken,
        `was written with a token deleted at ${token.deletedAt.toISOString()}; ${this.#storyOf(token)}`,
      );
    }
    const record = recordFields(version.description);
    if (record.tokenId !== token.tokenId) {
      fail(
        Invariant.NoLostToken,
        `its record names token ${String(record.tokenId)}, the value is ${token.tokenId}`,
      );
    }
    if (Date.parse(text(record.expiresAt) ?? '') > token.expiresAt.getTime()) {
      fail(
        Invariant.NothingExpiresSilently,
        'its record promises a later expiry than the token has',
      );
    }
    const previous = text(record.previousTokenId);
    if (previous !== undefined) {
      if (previous === token.tokenId) {
        fail(Invariant.OneTokenPerGeneration, 'a rotation stored the very token it replaced');
      }
      const successors = this.#successors.get(name) ?? new Map<string, string>();
      this.#successors.set(name, successors);
      const known = successors.get(previous);
      if (known !== undefined && known !== token.tokenId) {
        fail(
          Invariant.OneTokenPerGeneration,
          `two different tokens (${known}, ${token.tokenId}) were stored as successors of ${previous}`,
        );
      }
      successors.set(previous, token.tokenId);
    }
    this.#storedIds(name).add(token.tokenId);
    return token.tokenId;
  }

  /** Now: every parameter holds a token License Manager accepts, its own, as its record says. */
  #checkParameters(round: number, violations: Violation[]): void {
    const now = this.sandbox.clock.nowMs();
    for (const [name, entry] of this.#byName) {
      const current = this.sandbox.ssm.parameter(name);
      const check = this.sandbox.licenseManager.check(current?.value ?? '');
      if (!check.ok) {
        violations.push({
          round,
          invariant:
            check.reason === 'expired' ? Invariant.NothingExpiresSilently : Invariant.NoLostToken,
          detail: `${name} holds a token License Manager refuses: ${check.reason}`,
        });
        continue;
      }
      if (this.#owner.get(check.token.tokenId) !== name) {
        violations.push({
          round,
          invariant: Invariant.NoLostToken,
          detail: `${name} holds another parameter's token`,
        });
      }
      const daysLeft = (check.token.expiresAt.getTime() - now) / DAY_MS;
      const lowest = this.figures.minDaysLeft.get(entry.expirationInDays);
      if (lowest === undefined || daysLeft < lowest)
        this.figures.minDaysLeft.set(entry.expirationInDays, daysLeft);
    }
  }

  /**
   * A token minted this round that no version of its parameter stored is a second token for one
   * generation, unless License Manager refused it (deleted, never stored), or its ClientToken was
   * minted again after the 10-minute window (a late mint, which the scan's audit revokes once the
   * window has settled). A ClientToken minted again after its first token was stored was reused
   * by a later generation. A job the rotator dead-lettered deleted what it minted (a minted
   * token is stored or deleted); only one SQS moved after five failed receives may leave one.
   */
  #checkNeverStored(
    round: number,
    minted: readonly MintedToken[],
    redriven: ReadonlySet<string>,
    violations: Violation[],
  ): void {
    for (const token of minted) {
      const owner = this.#owner.get(token.tokenId);
      if (owner === undefined || !this.#byName.has(owner)) continue;
      const sameKey = this.#byClientToken.get(token.clientToken) ?? [];
      const earlier = sameKey.filter((other) => other.mintedAt < token.mintedAt);
      if (earlier.some((other) => this.#storedIds(owner).has(other.tokenId))) {
        violations.push({
          round,
          invariant: Invariant.OneTokenPerGeneration,
          detail: `${owner}: ClientToken ${token.clientToken.slice(0, 16)}… minted again after its first token was stored (a later generation reused it)`,
        });
      }
      if (this.#storedIds(owner).has(token.tokenId)) continue;
      if (token.status === 'DELETED') {
        this.figures.tokensRejectedAndDeleted++;
        continue;
      }
      const later = sameKey.some(
        (other) => other.mintedAt.getTime() - token.mintedAt.getTime() >= CLIENT_TOKEN_WINDOW_MS,
      );
      if (later) {
        this.#orphan(token.tokenId, 'beyond-window');
        continue;
      }
      if (redriven.has(owner)) {
        // An attempt minted it, then SQS gave up on the job: nothing knows the token any more.
        this.#orphan(token.tokenId, 'dead-lettered');
        continue;
      }
      violations.push({
        round,
        invariant: Invariant.OneTokenPerGeneration,
        detail: `${owner}: token ${token.tokenId} was minted and never stored, and is still AVAILABLE (a second token for one generation)`,
      });
    }
  }

  /**
   * A rotation that stops once its PutParameter took effect (the rotator died, or lost the answer
   * on every attempt, so its retry finds the version moved on and stands down) never logs what
   * became of the token it pushed out of the record, two generations back. The rotator deletes
   * that token just before the write; if that best-effort delete failed too, the token stays
   * AVAILABLE and nothing logs it. The written record names the token it replaced; the
   * record that token was stored with names the one pushed out.
   */
  #noteIncompleteRotation(write: { name: string; version: number }): void {
    const history = this.sandbox.ssm.history(write.name);
    const replaced = text(
      recordFields(history.find((v) => v.version === write.version)?.description).previousTokenId,
    );
    const read = history.filter(
      (v) => v.version < write.version && recordFields(v.description).tokenId === replaced,
    );
    const pushedOut = text(recordFields(read.at(-1)?.description).previousTokenId);
    if (pushedOut !== undefined) this.#orphan(pushedOut, 'not-deleted-after-write');
  }

  /** Notes an AVAILABLE token that no record will name again, the first time, with how. */
  #orphan(tokenId: string, reason: OrphanReason): void {
    if (this.#byId.get(tokenId)?.status !== 'AVAILABLE' || this.#orphans.has(tokenId)) return;
    this.#orphans.set(tokenId, reason);
    this.figures.orphaned[reason]++;
  }

  /** Every line printed since the last round: no token, no redaction needed, and what it reports. */
  #checkOutput(round: number, violations: Violation[]): void {
    const printed = capturedOutput.join('');
    clearCapturedOutput();
    for (const line of printed.split('\n')) {
      if (line === '') continue;
      if (this.finder.find(line).length > 0) {
        violations.push({
          round,
          invariant: Invariant.NoSecretLeaks,
          detail: `a minted token was printed: ${excerpt(line)}`,
        });
      }
      if (line.includes('[REDACTED]')) {
        violations.push({
          round,
          invariant: Invariant.NoSecretLeaks,
          detail: `the logger's redaction had to remove a token: ${excerpt(line)}`,
        });
      }
      if (!line.startsWith('{')) continue;
      let parsed: { [key: string]: unknown };
      try {
        parsed = JSON.parse(line) as { [key: string]: unknown };
      } catch {
        continue;
      }
      if (Object.hasOwn(parsed, '_aws')) {
        this.figures.metricLines++;
        continue;
      }
      this.figures.logLines++;
      if (parsed.why === SkipReason.PreviousLive) this.figures.previousLiveSkips++;
      if (parsed.message === CONFLICT_LOGGED) {
        this.#conflictLogged.add(String(parsed.parameterName));
      }
      if (parsed.message === PICKUP_READ_FAILED) {
        this.#pickupReadFailures++;
        this.#pickupUnread.add(String(parsed.parameterName));
      }
      const tokenId = text(parsed.tokenId);
      if (parsed.message === RETIRE_FAILED && tokenId !== undefined) {
        // Logged as failed, yet perhaps deleted (the answer was lost): only an AVAILABLE one counts.
        this.#orphan(tokenId, 'retire-failed');
      }
    }
  }

  /** Tokens AVAILABLE and unexpired besides the one each parameter holds, and why allowed (or not). */
  #liveExtras(): { name: string; id: string; why: ExtraReason }[] {
    const now = this.sandbox.clock.nowMs();
    const live = new Map<string, string[]>();
    for (const token of this.sandbox.licenseManager.tokens()) {
      if (token.status !== 'AVAILABLE' || token.expiresAt.getTime() <= now) continue;
      const owner = this.#owner.get(token.tokenId);
      if (owner === undefined || !this.#byName.has(owner)) continue;
      live.set(owner, [...(live.get(owner) ?? []), token.tokenId]);
    }
    const extras: { name: string; id: string; why: ExtraReason }[] = [];
    for (const [name, ids] of live) {
      const record = recordFields(this.sandbox.ssm.parameter(name)?.description);
      const previous = text(record.previousTokenId);
      const supersededAt = Date.parse(text(record.rotatedAt) ?? text(record.issuedAt) ?? '');
      // The previous token may live until a clean scan after its grace period has run, and under
      // after-pickup until a clean scan after the pickup of its successor.
      const cleanScan = this.#lastCleanScanAt;
      const inGrace = cleanScan === undefined || supersededAt + this.graceMs > cleanScan;
      const pickup = pickupOf(this.sandbox, name);
      const awaiting =
        (text(record.revocation) ?? 'after-pickup') === 'after-pickup' &&
        (pickup === undefined ||
          pickup.tokenId !== record.tokenId ||
          cleanScan === undefined ||
          pickup.at.getTime() > cleanScan);
      for (const id of ids) {
        if (id === record.tokenId) continue;
        const why =
          id !== previous
            ? (this.#orphans.get(id) ?? 'none')
            : inGrace
              ? 'grace'
              : awaiting
                ? 'awaiting-pickup'
                : this.#conflictingAtCleanScan.has(name)
                  ? 'conflict'
                  : (this.#orphans.get(id) ?? 'none');
        extras.push({ name, id, why });
      }
    }
    return extras;
  }

  #checkLifecycle(round: number, deadLettered: ReadonlySet<string>, violations: Violation[]): void {
    for (const { name, id, why } of this.#liveExtras()) {
      if (why === 'conflict') this.figures.keptForConflict++;
      // A dead-lettered revoke job is retried by the next clean scan.
      if (why !== 'none' || deadLettered.has(name)) continue;
      violations.push({
        round,
        invariant: Invariant.Lifecycle,
        detail: `${name}: token ${id} is still AVAILABLE though it is neither stored nor in its grace period; ${this.#lifecycleStory(name)}`,
      });
    }
  }

  /** What the checker knew of a parameter when it found a live token it should not have. */
  #lifecycleStory(name: string): string {
    const parameter = this.sandbox.ssm.parameter(name);
    const record = recordFields(parameter?.description);
    const pickup = pickupOf(this.sandbox, name);
    const at = (ms: number | undefined) =>
      ms === undefined ? 'never' : new Date(ms).toISOString();
    return `v${parameter?.version} holds ${text(record.tokenId)}, previous ${text(record.previousTokenId)}, rotated ${text(record.rotatedAt)}, policy ${text(record.revocation) ?? 'default'}; pickup ${pickup === undefined ? 'none' : `${pickup.tokenId} at ${pickup.at.toISOString()}`}; last clean scan ${at(this.#lastCleanScanAt)}; now ${this.sandbox.clock.now().toISOString()}`;
  }
}
