import { redactTokens } from '../../src/observability/redact.js';
import { CLIENT_TOKEN_WINDOW_MS } from '../../src/rotation/client-token.js';
import { DAY_MS } from '../../src/time.js';
import type { MintedToken } from '../../tools/sandbox/license-manager/service.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import type { StoredMessage } from '../../tools/sandbox/sqs/message.js';
import type { ParameterVersion } from '../../tools/sandbox/ssm/parameter.js';
import { capturedOutput, clearCapturedOutput } from '../helpers/output.js';
import type { TokenFinder } from '../helpers/token-finder.js';
import type { FleetEntry } from './fleet.js';

/** The invariants of docs/design.md, and the token lifecycle it describes. */
export const Invariant = {
  NoLostToken: '1 no lost token',
  OneTokenPerGeneration: '2 one token per generation',
  NoSecretLeaks: '3 no secret leaks',
  Scope: '4 scope',
  BadInputNeverBlocks: '5 bad input never blocks good input',
  NothingExpiresSilently: '6 nothing expires silently',
  Lifecycle: 'lifecycle: one AVAILABLE token per parameter',
} as const;

/** One of the Invariant values. */
export type Invariant = (typeof Invariant)[keyof typeof Invariant];

/** A broken invariant, found in the sandbox's own state after a round. */
export interface Violation {
  readonly round: number;
  readonly invariant: Invariant;
  readonly detail: string;
}

/** Permanent failures the chaos run provokes on purpose; any other one in the DLQ is a finding. */
const PROVOKED_PERMANENT_FAILURES: ReadonlySet<string> = new Set(['AccessDeniedException']);

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
}

/** Figures the checker gathers on the way. */
export interface CheckerFigures {
  tokensMinted: number;
  tokensRejectedAndDeleted: number;
  versionsWritten: number;
  rotations: number;
  redundantWrites: number;
  deadLettersInvalid: number;
  deadLettersPermanent: number;
  deadLettersRepeated: number;
  /** Valid jobs SQS moved to the DLQ after maxReceiveCount failed receives. */
  deadLettersRedriven: number;
  /**
   * Tokens left AVAILABLE with no record naming them (each until it expires), by how: the cases
   * the design accounts for. Any other such token is a lifecycle violation.
   */
  orphaned: Record<OrphanReason, number>;
  logLines: number;
  metricLines: number;
  errorsChecked: number;
  /** The fewest days any stored token had left after a round, by lifetime in days. */
  minDaysLeft: Map<number, number>;
}

interface RecordFields {
  readonly tokenId?: unknown;
  readonly previousTokenId?: unknown;
  readonly issuedAt?: unknown;
  readonly expiresAt?: unknown;
  readonly rotatedAt?: unknown;
  readonly renewBeforeDays?: unknown;
}

/** How a token can be left AVAILABLE with no record naming it, as the design allows. */
export type OrphanReason =
  /** Pushed out of the record by a second rotation inside the grace period; the delete failed (logged). */
  | 'retire-failed'
  /**
   * Pushed out by a rotation that stopped once its PutParameter took effect (nothing logs it).
   * The rotator deletes that token before the write, so this needs the delete to have failed too.
   */
  | 'not-deleted-after-write'
  /** Minted by an attempt of a job that then ended in the DLQ. */
  | 'dead-lettered'
  /** Minted by an attempt whose retry came after the ClientToken window and minted another. */
  | 'beyond-window';

/** Why a token other than the stored one is still AVAILABLE ('none': it should not be). */
export type ExtraReason = 'grace' | OrphanReason | 'none';

const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;
const RETIRE_FAILED = 'Could not delete the token that dropped out of the record';

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);

const rotatableRecord = (description: string | undefined): RecordFields => {
  try {
    const value: unknown = JSON.parse(description ?? '');
    return typeof value === 'object' && value !== null ? (value as RecordFields) : {};
  } catch {
    return {};
  }
};

/** The parameterName of a job body, if it is a JSON object with one. */
const jobParameter = (body: string): string | undefined => {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null
      ? text((value as { parameterName?: unknown }).parameterName)
      : undefined;
  } catch {
    return undefined;
  }
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** An excerpt safe to print in a failure message: tokens redacted, bounded length. */
const excerpt = (value: string): string => {
  const clean = redactTokens(value);
  return clean.length > 240 ? `${clean.slice(0, 240)}…` : clean;
};

/**
 * Checks the invariants after every round from the sandbox's own state: SSM's versions and
 * writes, License Manager's tokens (which parameter each was minted for is in its `amr`: every
 * parameter's record asks for a property of its own), the queues' messages and everything the
 * process printed. It reads the code under test's output only to find leaks in it and to learn
 * which best-effort deletes it reported as failed.
 */
export class InvariantChecker {
  readonly figures: CheckerFigures = {
    tokensMinted: 0,
    tokensRejectedAndDeleted: 0,
    versionsWritten: 0,
    rotations: 0,
    redundantWrites: 0,
    deadLettersInvalid: 0,
    deadLettersPermanent: 0,
    deadLettersRepeated: 0,
    deadLettersRedriven: 0,
    orphaned: {
      'retire-failed': 0,
      'not-deleted-after-write': 0,
      'dead-lettered': 0,
      'beyond-window': 0,
    },
    logLines: 0,
    metricLines: 0,
    errorsChecked: 0,
    minDaysLeft: new Map(),
  };
  readonly #byName: ReadonlyMap<string, FleetEntry>;
  readonly #byProperty: ReadonlyMap<string, FleetEntry>;
  readonly #owner = new Map<string, string>();
  readonly #byValue = new Map<string, MintedToken>();
  readonly #byId = new Map<string, MintedToken>();
  readonly #byClientToken = new Map<string, MintedToken[]>();
  readonly #stored = new Map<string, Set<string>>();
  readonly #successors = new Map<string, Map<string, string>>();
  readonly #versionSeen = new Map<string, number>();
  readonly #hostile = new Map<string, { reason: string; sent: number; seen: number }>();
  /** Tokens minted and never stored that the design accounts for, and how. */
  readonly #orphans = new Map<string, OrphanReason>();
  #tokenCount = 0;
  #writeCount = 0;
  // Ids, not a count: the DLQ drops messages past its retention period (14 days) as SQS does.
  readonly #deadLettersSeen = new Set<string>();
  #lastCleanScanAt: number | undefined;

  constructor(
    private readonly sandbox: Sandbox,
    fleet: readonly FleetEntry[],
    private readonly finder: TokenFinder,
    private readonly graceMs: number,
  ) {
    this.#byName = new Map(fleet.map((entry) => [entry.name, entry]));
    this.#byProperty = new Map(fleet.map((entry) => [entry.property, entry]));
  }

  /** Takes the seeded state as the starting point; returns what is already wrong with it. */
  start(): Violation[] {
    const violations: Violation[] = [];
    this.#absorbTokens(0, violations);
    this.#writeCount = this.sandbox.ssm.writes().length;
    for (const message of this.#deadLetters()) this.#deadLettersSeen.add(message.messageId);
    for (const [name] of this.#byName) {
      const current = this.sandbox.ssm.parameter(name);
      this.#versionSeen.set(name, current?.version ?? 0);
      const tokenId = text(rotatableRecord(current?.description).tokenId);
      if (tokenId !== undefined) this.#storedIds(name).add(tokenId);
    }
    this.#checkParameters(0, violations);
    clearCapturedOutput();
    return violations;
  }

  /** The parameters due now, by the contract's rule read from each stored record, and their versions. */
  dueNow(): Map<string, number> {
    const now = this.sandbox.clock.nowMs();
    const due = new Map<string, number>();
    for (const [name] of this.#byName) {
      const current = this.sandbox.ssm.parameter(name);
      const record = rotatableRecord(current?.description);
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

  /** Notes a hostile job put on the queue: it must reach the DLQ with this reason. */
  expectDeadLetter(body: string, reason: string): void {
    const known = this.#hostile.get(body) ?? { reason, sent: 0, seen: 0 };
    known.sent++;
    this.#hostile.set(body, known);
  }

  /** Everything checked after a round. */
  afterRound(facts: RoundFacts): Violation[] {
    const { round } = facts;
    const violations: Violation[] = [];
    const minted = this.#absorbTokens(round, violations);
    this.#checkWrites(round, violations);
    this.#absorbVersions(round, violations);
    this.#checkParameters(round, violations);
    // Parameters whose job ended in the DLQ this round (a provoked permanent failure, or SQS's
    // redrive after five failed receives): the alarm path, not a silent loss.
    const exempt = this.#checkDeadLetters(round, violations);
    this.#checkNeverStored(round, minted, exempt, violations);
    for (const write of facts.incompleteWrites) this.#noteIncompleteRotation(write);
    this.#checkOutput(round, violations);
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
    const clean = facts.scansCompleted && facts.drained;
    if (!facts.drained) {
      violations.push({
        round,
        invariant: Invariant.BadInputNeverBlocks,
        detail: 'the jobs queue was not drained before the poll limit',
      });
    }
    if (clean) {
      this.#lastCleanScanAt = facts.scanAt;
      for (const [name, version] of facts.dueAtScan) {
        const now = this.sandbox.ssm.parameter(name)?.version;
        if (now === version && !exempt.has(name)) {
          violations.push({
            round,
            invariant: Invariant.NothingExpiresSilently,
            detail: `${name} was due at the scan (v${version}) and is still not rotated after a clean round`,
          });
        }
      }
    }
    this.#checkLifecycle(round, exempt, violations);
    return violations;
  }

  /** The tokens still AVAILABLE per parameter beyond the one it holds, and why each is allowed. */
  extraTokens(): Record<ExtraReason, number> {
    const result: Record<ExtraReason, number> = {
      grace: 0,
      'retire-failed': 0,
      'not-deleted-after-write': 0,
      'beyond-window': 0,
      'dead-lettered': 0,
      none: 0,
    };
    for (const { why } of this.#liveExtras()) result[why]++;
    return result;
  }

  #deadLetters(): readonly StoredMessage[] {
    return this.sandbox.sqs.queue('chaos-dlq.fifo')?.messages ?? [];
  }

  #jobs(): readonly StoredMessage[] {
    return this.sandbox.sqs.queue('chaos-jobs.fifo')?.messages ?? [];
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
        violations.push({
          round,
          invariant: Invariant.Scope,
          detail: `token ${token.tokenId} was minted for no managed parameter (properties ${token.tokenProperties.join(',')})`,
        });
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

  #checkWrites(round: number, violations: Violation[]): void {
    const writes = this.sandbox.ssm.writes();
    for (const write of writes.slice(this.#writeCount)) {
      if (write.operation !== 'PutParameter' || !this.#byName.has(write.name)) {
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
        rotatableRecord(history.find((v) => v.version === seen)?.description).tokenId,
      );
      for (const version of history.filter((v) => v.version > seen)) {
        this.figures.versionsWritten++;
        const tokenId = this.#checkVersion(round, name, version, violations);
        if (tokenId !== undefined && tokenId === previous) this.figures.redundantWrites++;
        else this.figures.rotations++;
        previous = tokenId;
      }
      this.#versionSeen.set(name, current.version);
    }
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
    if (token.deletedAt !== undefined && token.deletedAt < version.lastModified) {
      fail(Invariant.NoLostToken, 'was written with a token that had been deleted');
    }
    const record = rotatableRecord(version.description);
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
   * minted again after the 10-minute window (the orphan docs/design.md's queue numbers describe).
   * A ClientToken minted again after its first token was stored was reused by a later generation.
   */
  #checkNeverStored(
    round: number,
    minted: readonly MintedToken[],
    deadLettered: ReadonlySet<string>,
    violations: Violation[],
  ): void {
    for (const token of minted) {
      const owner = this.#owner.get(token.tokenId);
      if (owner === undefined) continue;
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
      if (deadLettered.has(owner)) {
        // An attempt minted it, a later one failed for good: nothing knows the token any more.
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
      rotatableRecord(history.find((v) => v.version === write.version)?.description)
        .previousTokenId,
    );
    const read = history.filter(
      (v) => v.version < write.version && rotatableRecord(v.description).tokenId === replaced,
    );
    const pushedOut = text(rotatableRecord(read.at(-1)?.description).previousTokenId);
    if (pushedOut !== undefined) this.#orphan(pushedOut, 'not-deleted-after-write');
  }

  /** Notes an AVAILABLE token that no record will name again, the first time, with how. */
  #orphan(tokenId: string, reason: OrphanReason): void {
    if (this.#byId.get(tokenId)?.status !== 'AVAILABLE' || this.#orphans.has(tokenId)) return;
    this.#orphans.set(tokenId, reason);
    this.figures.orphaned[reason]++;
  }

  /** The DLQ: hostile jobs we sent (with their reason) and failures we provoked; nothing else. */
  #checkDeadLetters(round: number, violations: Violation[]): Set<string> {
    const exempt = new Set<string>();
    const all = this.#deadLetters();
    const provoked = this.sandbox.faults.injected.get('error:AccessDeniedException') ?? 0;
    for (const message of all) {
      if (this.#deadLettersSeen.has(message.messageId)) continue;
      this.#deadLettersSeen.add(message.messageId);
      const kind = message.attributes.FailureKind?.StringValue;
      const reason = message.attributes.FailureReason?.StringValue ?? '';
      const values = Object.values(message.attributes).map((a) => a.StringValue ?? '');
      if ([message.body, ...values].some((value) => this.finder.find(value).length > 0)) {
        violations.push({
          round,
          invariant: Invariant.NoSecretLeaks,
          detail: 'a dead letter carried a token',
        });
      }
      const hostile = this.#hostile.get(message.body);
      if (hostile !== undefined) {
        hostile.seen++;
        if (kind !== 'InvalidJob' || reason !== hostile.reason) {
          violations.push({
            round,
            invariant: Invariant.BadInputNeverBlocks,
            detail: `hostile job dead-lettered as ${kind ?? 'nothing'}/${reason}, expected InvalidJob/${hostile.reason}: ${excerpt(message.body)}`,
          });
        }
        continue;
      }
      const name = jobParameter(message.body);
      if (
        kind === 'PermanentFailure' &&
        PROVOKED_PERMANENT_FAILURES.has(reason) &&
        name !== undefined &&
        this.#byName.has(name)
      ) {
        this.figures.deadLettersPermanent++;
        exempt.add(name);
        if (this.figures.deadLettersPermanent > provoked) {
          violations.push({
            round,
            invariant: Invariant.BadInputNeverBlocks,
            detail: `more ${reason} dead letters (${this.figures.deadLettersPermanent}) than such faults injected (${provoked})`,
          });
        }
        continue;
      }
      if (kind === undefined && message.deadLetterSourceArn !== undefined && name !== undefined) {
        // Five receives failed under the round's faults: SQS's redrive, and the DLQ's alarm.
        this.figures.deadLettersRedriven++;
        if (this.#byName.has(name)) exempt.add(name);
        continue;
      }
      violations.push({
        round,
        invariant: Invariant.BadInputNeverBlocks,
        detail: `a job ended in the DLQ as ${kind ?? 'nothing'}/${reason}: ${excerpt(message.body)}`,
      });
    }
    this.figures.deadLettersInvalid = 0;
    this.figures.deadLettersRepeated = 0;
    for (const [body, hostile] of this.#hostile) {
      this.figures.deadLettersInvalid += Math.min(hostile.seen, hostile.sent);
      this.figures.deadLettersRepeated += Math.max(0, hostile.seen - hostile.sent);
      if (hostile.seen < hostile.sent) {
        violations.push({
          round,
          invariant: Invariant.BadInputNeverBlocks,
          detail: `a hostile job did not reach the DLQ: ${excerpt(body)}`,
        });
        hostile.seen = hostile.sent;
      }
    }
    return exempt;
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
      if (owner === undefined) continue;
      live.set(owner, [...(live.get(owner) ?? []), token.tokenId]);
    }
    const extras: { name: string; id: string; why: ExtraReason }[] = [];
    for (const [name, ids] of live) {
      const record = rotatableRecord(this.sandbox.ssm.parameter(name)?.description);
      const previous = text(record.previousTokenId);
      const supersededAt = Date.parse(text(record.rotatedAt) ?? text(record.issuedAt) ?? '');
      // The previous token may live until a clean scan after its grace period has run.
      const inGrace =
        this.#lastCleanScanAt === undefined || supersededAt + this.graceMs > this.#lastCleanScanAt;
      for (const id of ids) {
        if (id === record.tokenId) continue;
        const why = id === previous && inGrace ? 'grace' : (this.#orphans.get(id) ?? 'none');
        extras.push({ name, id, why });
      }
    }
    return extras;
  }

  #checkLifecycle(round: number, deadLettered: ReadonlySet<string>, violations: Violation[]): void {
    for (const { name, id, why } of this.#liveExtras()) {
      // A dead-lettered revoke job is retried by the next clean scan.
      if (why !== 'none' || deadLettered.has(name)) continue;
      violations.push({
        round,
        invariant: Invariant.Lifecycle,
        detail: `${name}: token ${id} is still AVAILABLE though it is neither stored nor in its grace period`,
      });
    }
  }
}
