import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgent } from '../../src/agent/cli.js';
import { credentialsFor, type TokenSource } from '../../src/agent/credentials.js';
import { ExitCode, RefusedError, TransientError } from '../../src/agent/errors.js';
import { callExchange } from '../../src/agent/exchange.js';
import { AgentOutput } from '../../src/agent/output.js';
import { nextDelay } from '../../src/agent/run-loop.js';
import { EventType } from '../../src/rotation/events.js';
import { RevocationPolicy } from '../../src/rotation/record.js';
import { DAY_MS, HOUR_MS } from '../../src/time.js';
import type { FunctionUrlHandler, LocalFunctionUrl } from '../../tools/local/function-url.js';
import { startFunctionUrl } from '../../tools/local/function-url.js';
import type { SeededRandom } from '../../tools/sandbox/random.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { ROLE_ARN } from '../helpers/factories.js';
import { TEST_REGION } from '../helpers/sandbox.js';
import type { TokenFinder } from '../helpers/token-finder.js';
import type { FleetEntry } from './fleet.js';
import { PICKUP_TAG, pickupOf } from './pickups.js';
import { excerpt, Invariant, recordFields, text, type Violation } from './violations.js';

/** How often the agents of each policy refresh: after-grace hosts well inside the 72-hour grace. */
const INTERVALS: Record<HostPolicy, readonly number[]> = {
  [RevocationPolicy.AfterPickup]: [HOUR_MS, 6 * HOUR_MS, DAY_MS, 3 * DAY_MS],
  [RevocationPolicy.AfterGrace]: [HOUR_MS, 6 * HOUR_MS, DAY_MS],
};
/** How long a host goes offline at a time: one to six weeks. */
const OFFLINE_DAYS = [7, 42] as const;
/** The share of the exchange's calls that meet a fault of the function URL's own (429, 5xx). */
const EXCHANGE_FAULT_RATE = 0.05;

/** The policies hosts live under: the default, and after-grace for parameters whose records say so. */
export type HostPolicy = typeof RevocationPolicy.AfterPickup | typeof RevocationPolicy.AfterGrace;

/** One host of the fleet: a parameter's token in a file, and the agent that keeps it current. */
interface Host {
  readonly entry: FleetEntry;
  readonly policy: HostPolicy;
  readonly intervalMs: number;
  readonly jitterMs: number;
  readonly file: string;
  /** The token the file holds (read back after every change). */
  held: string;
  nextAt: number;
  /** Consecutive transient failures, and the back-off they cost since the last success. */
  transient: number;
  backoffMs: number;
  /** Offline until then (undefined: online). */
  offlineUntil: number | undefined;
  /** Since when it has been online without a break. */
  onlineSince: number;
}

/** Kinds of hostile presentation, each refused with the exchange's one refusal. */
const HOSTILE_KINDS = [
  'made-up JWT',
  'deleted token',
  'previous token past its grace (after-grace)',
  "another parameter's token",
  "another license's token",
  'one character changed',
] as const;
type HostileKind = (typeof HOSTILE_KINDS)[number];

/** What the consumer side is built from. */
export interface ConsumerOptions {
  readonly sandbox: Sandbox;
  readonly fleet: readonly FleetEntry[];
  /** The hosts' own seeded sequence. */
  readonly random: SeededRandom;
  readonly finder: TokenFinder;
  readonly graceMs: number;
  /** The exchange, as deployed, for the function URL to call. */
  readonly exchange: FunctionUrlHandler;
}

/** What the consumer side did over a run. */
export interface ConsumerFigures {
  readonly hosts: Record<HostPolicy, number>;
  readonly byInterval: Map<number, number>;
  refreshes: number;
  refreshed: number;
  skippedUnchanged: number;
  transientFailures: number;
  readonly refusals: Map<string, number>;
  reprovisioned: number;
  offlineEpisodes: number;
  exchangeFaults: number;
  readonly hostile: Map<HostileKind, number>;
  hostileFaults: number;
  hostileRefused: number;
}

const count = <K>(map: Map<K, number>, key: K, amount = 1): void => {
  map.set(key, (map.get(key) ?? 0) + amount);
};

/**
 * The consumer side: one host per fleet parameter, each running the agent's own refresh (the
 * `refresh` command of src/agent, in-process) against the real exchange (src/app/exchange.ts)
 * behind the local function URL (tools/local/function-url.ts), signing with the sandbox's STS
 * credentials its token yields, on its own interval with jitter and the agent's back-off
 * (run-loop's nextDelay). Hosts go offline for weeks. Hostile presenters try the exchange with
 * tokens it must refuse. Checks read the sandbox's state and the hosts' files.
 */
export class Consumers {
  readonly figures: ConsumerFigures;
  readonly #hosts: Host[];
  /** Found between rounds (the hosts' time): reported with the round that follows. */
  readonly #violations: Omit<Violation, 'round'>[] = [];
  #faulty = false;

  readonly sandbox: Sandbox;
  readonly random: SeededRandom;
  readonly finder: TokenFinder;
  readonly graceMs: number;
  readonly #fleet: readonly FleetEntry[];
  readonly #exchange: FunctionUrlHandler;

  private constructor(
    options: ConsumerOptions,
    private readonly dir: string,
    private readonly url: LocalFunctionUrl,
    hosts: Host[],
  ) {
    ({ sandbox: this.sandbox, random: this.random, finder: this.finder } = options);
    this.graceMs = options.graceMs;
    this.#fleet = options.fleet;
    this.#exchange = options.exchange;
    this.#hosts = hosts;
    const byInterval = new Map<number, number>();
    for (const host of hosts) count(byInterval, host.intervalMs);
    this.figures = {
      hosts: {
        [RevocationPolicy.AfterPickup]: hosts.filter((h) => h.policy === 'after-pickup').length,
        [RevocationPolicy.AfterGrace]: hosts.filter((h) => h.policy === 'after-grace').length,
      },
      byInterval,
      refreshes: 0,
      refreshed: 0,
      skippedUnchanged: 0,
      transientFailures: 0,
      refusals: new Map(),
      reprovisioned: 0,
      offlineEpisodes: 0,
      exchangeFaults: 0,
      hostile: new Map(),
      hostileFaults: 0,
      hostileRefused: 0,
    };
  }

  /**
   * Starts the exchange behind a function URL and gives every fleet parameter of the licenses
   * homed in the sandbox's default region a host holding its current token. The agent's
   * GetAccessToken is unsigned, and the sandbox answers an unsigned call in its default region
   * only: a host of a license homed elsewhere would be redirected (a seam the sandbox lacks).
   */
  static async start(options: ConsumerOptions): Promise<Consumers> {
    const { sandbox, random } = options;
    const dir = await mkdtemp(join(tmpdir(), 'chaos-hosts-'));
    let consumers: Consumers | undefined;
    // Nothing calls the URL before the hosts exist: `consumers` is set by then.
    const handler: FunctionUrlHandler = (event, context) =>
      consumers === undefined ? options.exchange(event, context) : consumers.#serve(event, context);
    const url = await startFunctionUrl({ sandbox, region: TEST_REGION, handler });
    const hosts: Host[] = [];
    for (const [index, entry] of options.fleet.entries()) {
      if (entry.license.homeRegion !== TEST_REGION) continue;
      const policy = entry.revocation ?? RevocationPolicy.AfterPickup;
      const intervals = INTERVALS[policy];
      const intervalMs = intervals[random.int(intervals.length)] ?? DAY_MS;
      const file = join(dir, `host-${String(index).padStart(3, '0')}.jwt`);
      const held = sandbox.ssm.parameter(entry.name)?.value ?? '';
      await writeFile(file, `${held}\n`, { mode: 0o600 });
      const now = sandbox.clock.nowMs();
      hosts.push({
        entry,
        policy,
        intervalMs,
        jitterMs: intervalMs / 6,
        file,
        held,
        nextAt: now + random.next() * intervalMs,
        transient: 0,
        backoffMs: 0,
        offlineUntil: undefined,
        onlineSince: now,
      });
    }
    consumers = new Consumers(options, dir, url, hosts);
    return consumers;
  }

  /** Stops the function URL and removes the hosts' files. */
  async close(): Promise<void> {
    await this.url.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Whether the exchange's calls meet faults of their own (off in the quiet rounds). */
  set faulty(on: boolean) {
    this.#faulty = on;
  }

  /**
   * Moves the clock to `target`, running every host's refreshes on the way in time order, and
   * the round's hostile presentations; then checks that every online host holds its stored token.
   */
  async advanceTo(target: number, quiet: boolean): Promise<void> {
    if (!quiet) {
      this.#goOffline();
      await this.#hostilePresentations();
    }
    for (;;) {
      const now = this.sandbox.clock.nowMs();
      const host = this.#hosts
        .filter((h) => h.nextAt <= target)
        .reduce<Host | undefined>(
          (a, b) => (a === undefined || b.nextAt < a.nextAt ? b : a),
          undefined,
        );
      if (host === undefined) break;
      this.sandbox.clock.advance(Math.max(0, host.nextAt - now));
      await this.#cycle(host, target);
    }
    this.sandbox.clock.advance(Math.max(0, target - this.sandbox.clock.nowMs()));
    this.#checkCurrent();
  }

  /** The violations found since the last call. */
  takeViolations(round: number): Violation[] {
    return this.#violations.splice(0).map((v) => ({ ...v, round }));
  }

  /** The function URL's own faults (throttling, a 5xx before the function), then the exchange. */
  #serve: FunctionUrlHandler = async (event, context) => {
    if (this.#faulty && this.random.next() < EXCHANGE_FAULT_RATE) {
      this.figures.exchangeFaults++;
      return this.random.next() < 0.5
        ? { statusCode: 429, body: JSON.stringify({ Message: 'Rate Exceeded.' }) }
        : { statusCode: 503, body: JSON.stringify({ Message: 'Service Unavailable' }) };
    }
    return this.#exchange(event, context);
  };

  #goOffline(): void {
    if (this.random.next() >= 0.3) return;
    const host = this.#hosts[this.random.int(this.#hosts.length)];
    if (host === undefined || host.offlineUntil !== undefined) return;
    const [low, high] = OFFLINE_DAYS;
    const days = low + this.random.int(high - low + 1);
    host.offlineUntil = this.sandbox.clock.nowMs() + days * DAY_MS;
    // The agent starts again with the host: an immediate refresh.
    host.nextAt = host.offlineUntil;
    this.figures.offlineEpisodes++;
  }

  /**
   * One scheduled cycle of a host's agent. A cycle that would find the file holding the stored
   * token, whose pickup the exchange has recorded, changes nothing anywhere (the exchange answers
   * "unchanged" and records nothing): its cycles up to `target` are not run, only scheduled.
   */
  async #cycle(host: Host, target: number): Promise<void> {
    const now = this.sandbox.clock.nowMs();
    if (host.offlineUntil !== undefined && now >= host.offlineUntil) {
      host.offlineUntil = undefined;
      host.onlineSince = now;
    }
    const current = this.sandbox.ssm.parameter(host.entry.name);
    const pickup = pickupOf(this.sandbox, host.entry.name);
    const currentId = text(recordFields(current?.description).tokenId);
    if (host.held === current?.value && pickup?.tokenId === currentId && host.transient === 0) {
      this.figures.skippedUnchanged++;
      const cycles = Math.max(1, Math.ceil((target - now) / host.intervalMs));
      host.nextAt = now + cycles * host.intervalMs + this.random.next() * host.jitterMs;
      return;
    }
    this.figures.refreshes++;
    const printed: string[] = [];
    const sink = { write: (text: string) => printed.push(text) };
    const code = await runAgent(this.#refreshArgs(host), {
      stdout: sink,
      stderr: sink,
      env: { AWS_ENDPOINT_URL: this.sandbox.endpoint, AWS_REGION: TEST_REGION },
      stopSignal: () => new AbortController().signal,
      now: () => this.sandbox.clock.now(),
      random: () => this.random.next(),
    });
    this.#checkPrinted(host, printed.join(''));
    const before = host.held;
    host.held = (await readFile(host.file, 'utf8')).trim();
    if (host.held !== before) this.figures.refreshed++;
    await this.#schedule(host, code);
  }

  #refreshArgs(host: Host): string[] {
    return [
      'refresh',
      '--token-file',
      host.file,
      '--parameter',
      host.entry.name,
      '--exchange-url',
      this.url.url,
      '--role-arn',
      ROLE_ARN,
    ];
  }

  /** The next cycle, as `run` schedules it; a refusal is looked into, then re-provisioned. */
  async #schedule(host: Host, code: ExitCode): Promise<void> {
    const timing = { intervalMs: host.intervalMs, jitterMs: host.jitterMs };
    const now = this.sandbox.clock.nowMs();
    if (code === ExitCode.Transient) {
      this.figures.transientFailures++;
      host.transient++;
      const delay = nextDelay(timing, 'transient', host.transient, () => this.random.next());
      host.backoffMs += delay;
      host.nextAt = now + delay;
      return;
    }
    host.transient = 0;
    host.backoffMs = 0;
    host.nextAt = now + nextDelay(timing, 'ok', 0, () => this.random.next());
    if (code === ExitCode.Ok) return;
    if (code === ExitCode.Refused) {
      this.#refused(host);
      // An operator re-provisions the host with the stored token (`show NAME --reveal`).
      const stored = this.sandbox.ssm.parameter(host.entry.name)?.value ?? '';
      await writeFile(host.file, `${stored}\n`, { mode: 0o600 });
      host.held = stored;
      this.figures.reprovisioned++;
      return;
    }
    this.#violations.push({
      invariant: Invariant.HostsServed,
      detail: `${host.entry.name}'s agent exited ${code}: neither a refresh, a transient failure nor a refusal`,
    });
  }

  /**
   * A refusal is allowed only for a token that no longer works by its own date, one revoked
   * (every delete is checked against the hosts as it happens), or, under after-grace, a previous
   * token past its grace period: never for a token the parameter still accepts.
   */
  #refused(host: Host): void {
    const check = this.sandbox.licenseManager.check(host.held);
    const why = check.ok ? this.#pastGrace(host) : check.reason;
    count(this.figures.refusals, why ?? 'working token');
    if (why !== undefined) return;
    this.#violations.push({
      invariant: Invariant.NoHostCutOff,
      detail: `${host.entry.name} (${host.policy}) was refused a working token (${check.ok ? check.token.tokenId : '?'}) its parameter still accepts`,
    });
  }

  /** 'past grace' when, under after-grace, the held token was superseded a grace period ago. */
  #pastGrace(host: Host): string | undefined {
    if (host.policy !== RevocationPolicy.AfterGrace) return undefined;
    const supersededAt = this.#supersededAt(host);
    const now = this.sandbox.clock.nowMs();
    return supersededAt !== undefined && now >= supersededAt + this.graceMs
      ? 'past grace'
      : undefined;
  }

  /** When the host's token was superseded: the first version storing another token after it. */
  #supersededAt(host: Host): number | undefined {
    const history = this.sandbox.ssm.history(host.entry.name);
    const stored = history.findIndex((v) => v.value === host.held);
    const next = stored < 0 ? undefined : history.slice(stored).find((v) => v.value !== host.held);
    return next?.lastModified.getTime();
  }

  /** Nothing the agent printed carries a token. */
  #checkPrinted(host: Host, printed: string): void {
    if (this.finder.find(printed).length === 0) return;
    this.#violations.push({
      invariant: Invariant.NoSecretLeaks,
      detail: `${host.entry.name}'s agent printed a token: ${excerpt(printed)}`,
    });
  }

  /**
   * Every online host holds its parameter's stored token once one interval, its jitter and the
   * back-off it spent after faults have passed since that token was stored (or since the host
   * came back online).
   */
  #checkCurrent(): void {
    const now = this.sandbox.clock.nowMs();
    for (const host of this.#hosts) {
      if (host.offlineUntil !== undefined && now < host.offlineUntil) continue;
      const history = this.sandbox.ssm.history(host.entry.name);
      const stored = history.at(-1)?.value;
      if (stored === undefined || host.held === stored) continue;
      const storedAt = history.find((v) => v.value === stored)?.lastModified.getTime() ?? now;
      const since = Math.max(storedAt, host.onlineSince);
      const bound = host.intervalMs + host.jitterMs + host.backoffMs;
      if (now - since <= bound) continue;
      this.#violations.push({
        invariant: Invariant.HostsServed,
        detail: `${host.entry.name}'s host (every ${host.intervalMs / HOUR_MS} h) still holds an older token ${((now - since) / HOUR_MS).toFixed(1)} hours after the stored one (bound ${(bound / HOUR_MS).toFixed(1)} hours)`,
      });
    }
  }

  /**
   * Every DeleteToken that took effect this round, against the hosts: under after-pickup no host
   * may hold a deleted token that still worked (it holds it, so it has not picked up its
   * successor), and the previous token went only once the exchange recorded the pickup of its
   * successor; under after-grace only a host offline during the grace period before the delete
   * may hold it.
   */
  checkDeletions(round: number, deletions: readonly { tokenId: string; at: Date }[]): Violation[] {
    const violations: Violation[] = [];
    for (const deletion of deletions) {
      const token = this.sandbox.licenseManager.token(deletion.tokenId);
      if (token === undefined || token.expiresAt <= deletion.at) continue;
      const at = deletion.at.getTime();
      for (const host of this.#hosts.filter((h) => h.held === token.token)) {
        const offlineInGrace =
          (host.offlineUntil !== undefined && host.offlineUntil > at - this.graceMs) ||
          host.onlineSince > at - this.graceMs;
        if (host.policy === RevocationPolicy.AfterGrace && offlineInGrace) continue;
        violations.push({
          round,
          invariant: Invariant.NoHostCutOff,
          detail: `token ${deletion.tokenId} of ${host.entry.name} (${host.policy}, every ${host.intervalMs / HOUR_MS} h${host.offlineUntil === undefined ? '' : ', offline'}) was deleted at ${deletion.at.toISOString()} while its host held it and it still worked`,
        });
      }
      violations.push(...this.#checkPickedUp(round, deletion.tokenId, at));
    }
    return violations;
  }

  /** Under after-pickup a previous token is deleted only once its successor's pickup is recorded. */
  #checkPickedUp(round: number, tokenId: string, at: number): Violation[] {
    // Whose token it is: the property only that parameter's tokens carry.
    const properties = this.sandbox.licenseManager.token(tokenId)?.tokenProperties ?? [];
    const entry = this.#fleet.find((e) => properties.includes(e.property));
    if (entry === undefined || entry.revocation !== undefined) return [];
    const history = this.sandbox.ssm.history(entry.name);
    const successor = history.find(
      (v) => text(recordFields(v.description).previousTokenId) === tokenId,
    );
    const successorId = text(recordFields(successor?.description).tokenId);
    // Never a previous token (a stray mint, a token discarded before it was stored).
    if (successorId === undefined) return [];
    const pickup = pickupOf(this.sandbox, entry.name);
    // The tag keeps the latest pickup: the successor's, or a token stored after it.
    const stored = history.map((v) => text(recordFields(v.description).tokenId));
    const picked =
      pickup !== undefined &&
      pickup.at.getTime() <= at &&
      stored.indexOf(pickup.tokenId) >= stored.indexOf(successorId);
    if (picked) return [];
    const revoked = this.sandbox.events
      .put()
      .find((event) => event.detailType === EventType.Revoked && event.detail.tokenId === tokenId);
    return [
      {
        round,
        invariant: Invariant.PickupFirst,
        detail: `${entry.name}: previous token ${tokenId} was deleted at ${new Date(at).toISOString()} before the pickup of its successor ${successorId ?? '?'} was recorded (tag ${PICKUP_TAG}: ${pickup === undefined ? 'none' : `${pickup.tokenId} at ${pickup.at.toISOString()}`}; revoked as ${String(revoked?.detail.reason ?? 'no event')})`,
      },
    ];
  }

  /**
   * The revocations the scan must defer: after-pickup parameters whose previous token is still
   * AVAILABLE past its grace period while no pickup of the stored token is recorded; overdue past
   * the pickup-overdue period (168 hours) after the rotation.
   */
  expectedDeferrals(overdueMs: number): { deferred: number; overdue: number } {
    const now = this.sandbox.clock.nowMs();
    let deferred = 0;
    let overdue = 0;
    // Every after-pickup parameter, with a host or not (no pickup ever comes for those without).
    for (const entry of this.#fleet) {
      if (entry.revocation !== undefined) continue;
      const record = recordFields(this.sandbox.ssm.parameter(entry.name)?.description);
      const previous = text(record.previousTokenId);
      const rotatedAt = Date.parse(text(record.rotatedAt) ?? '');
      if (previous === undefined || Number.isNaN(rotatedAt) || now < rotatedAt + this.graceMs) {
        continue;
      }
      if (this.sandbox.licenseManager.token(previous)?.status !== 'AVAILABLE') continue;
      if (pickupOf(this.sandbox, entry.name)?.tokenId === text(record.tokenId)) continue;
      deferred++;
      if (now >= rotatedAt + overdueMs) overdue++;
    }
    return { deferred, overdue };
  }

  /**
   * The round's hostile presentations: two kinds at random, each from a host of the fleet turned
   * hostile (its own token yields valid credentials, so the function URL lets it through to the
   * exchange), for another parameter. Each must get the exchange's one refusal; a 5xx is a fault,
   * never a token.
   */
  async #hostilePresentations(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const kind = HOSTILE_KINDS[this.random.int(HOSTILE_KINDS.length)];
      if (kind === undefined) continue;
      const victim = this.#hosts[this.random.int(this.#hosts.length)];
      if (victim === undefined) continue;
      const sameLicense = kind !== "another license's token";
      const attackers = this.#hosts.filter(
        (h) =>
          h !== victim &&
          (h.entry.license.licenseArn === victim.entry.license.licenseArn) === sameLicense,
      );
      const attacker = attackers[this.random.int(attackers.length)];
      const presented =
        attacker === undefined ? undefined : this.#hostileToken(kind, victim, attacker);
      if (attacker === undefined || presented === undefined) continue;
      count(this.figures.hostile, kind);
      await this.#present(kind, victim, attacker, presented);
    }
  }

  /** The token a hostile presenter of this kind shows for the victim's parameter, if there is one. */
  #hostileToken(kind: HostileKind, victim: Host, attacker: Host): string | undefined {
    const { sandbox } = this;
    const stored = sandbox.ssm.parameter(victim.entry.name)?.value ?? '';
    switch (kind) {
      case 'made-up JWT': {
        const part = () => Buffer.from(String(this.random.next())).toString('base64url');
        return `eyJhbGciOiJSUzI1NiJ9.${part()}.${part()}`;
      }
      case 'deleted token':
        return sandbox.licenseManager
          .tokens()
          .find((t) => t.status === 'DELETED' && t.tokenProperties.includes(victim.entry.property))
          ?.token;
      case 'previous token past its grace (after-grace)': {
        const graced = this.#hosts.filter((h) => h.policy === RevocationPolicy.AfterGrace);
        const target = graced[this.random.int(graced.length)];
        const history = target === undefined ? [] : sandbox.ssm.history(target.entry.name);
        const current = history.at(-1);
        const rotatedAt = Date.parse(text(recordFields(current?.description).rotatedAt) ?? '');
        if (Number.isNaN(rotatedAt) || sandbox.clock.nowMs() < rotatedAt + this.graceMs) return;
        const previous = text(recordFields(current?.description).previousTokenId);
        return history.find((v) => text(recordFields(v.description).tokenId) === previous)?.value;
      }
      case "another parameter's token":
      case "another license's token":
        return sandbox.ssm.parameter(attacker.entry.name)?.value;
      case 'one character changed': {
        const at = stored.length - 5;
        const changed = stored.charAt(at) === 'A' ? 'B' : 'A';
        return `${stored.slice(0, at)}${changed}${stored.slice(at + 1)}`;
      }
    }
  }

  /** One hostile call: refused (403 `{"message":"refused"}`), or a fault; never a token. */
  async #present(kind: HostileKind, victim: Host, attacker: Host, token: string): Promise<void> {
    const region = TEST_REGION;
    const output = new AgentOutput({ write: () => undefined }, { write: () => undefined });
    const endpoint = new URL(this.sandbox.endpoint);
    const source: TokenSource = {
      tokenFile: attacker.file,
      roleArn: ROLE_ARN,
      region,
      tokenProperties: [],
      licenseManager: endpoint,
      sts: endpoint,
    };
    // The victim's parameter, unless the kind is about the after-grace previous token.
    const parameter =
      kind === 'previous token past its grace (after-grace)'
        ? (this.#hosts.find((h) =>
            this.sandbox.ssm.history(h.entry.name).some((v) => v.value === token),
          )?.entry.name ?? victim.entry.name)
        : victim.entry.name;
    // Credentials from a token the attacker holds legitimately (its parameter's stored one).
    const own = this.sandbox.ssm.parameter(attacker.entry.name)?.value ?? '';
    let credentials: Awaited<ReturnType<typeof credentialsFor>>;
    try {
      credentials = await credentialsFor(own, source, { output });
    } catch (error) {
      // Throttled, or (with a broken rotator) the attacker's own token is gone: no attempt.
      if (!(error instanceof TransientError || error instanceof RefusedError)) throw error;
      this.figures.hostileFaults++;
      return;
    }
    try {
      const reply = await callExchange({
        target: { parameter, url: new URL(this.url.url), region },
        token,
        credentials,
        now: this.sandbox.clock.now(),
      });
      this.#violations.push({
        invariant: Invariant.ExchangeRefuses,
        detail: `the exchange handed ${parameter}'s token (version ${reply.version}) to a presenter of ${kind}`,
      });
    } catch (error) {
      if (error instanceof RefusedError) {
        this.figures.hostileRefused++;
        return;
      }
      if (error instanceof TransientError) {
        this.figures.hostileFaults++;
        return;
      }
      this.#violations.push({
        invariant: Invariant.ExchangeRefuses,
        detail: `a presenter of ${kind} for ${parameter} got neither the refusal nor a fault: ${excerpt(String(error))}`,
      });
    }
  }
}
