import { JobReason, messageGroupId, newJob, serialiseJob } from '../../src/rotation/job.js';
import { tokenDates } from '../../src/rotation/mint.js';
import {
  RevocationPolicy,
  type RotationRecord,
  serialiseRecord,
} from '../../src/rotation/record.js';
import { DAY_MS } from '../../src/time.js';
import type { SeededRandom } from '../../tools/sandbox/random.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, ROLE_ARN, TOKEN_PATH } from '../helpers/factories.js';
import { invoke } from '../helpers/sandbox.js';
import { CHAOS_LICENSES, type FleetEntry } from './fleet.js';

/** A license outside the allow-lists (another seller's account), known to License Manager. */
const FOREIGN_LICENSE =
  'arn:aws:license-manager::999999999999:license:l-44444444444444444444444444444444';
/** The licenses hostile records name besides the fleet's. */
export const HOSTILE_RECORD_LICENSES: readonly string[] = [FOREIGN_LICENSE];
/** A role outside the allow-lists. */
const FOREIGN_ROLE = 'arn:aws:iam::999999999999:role/Intruder';

/** How the rotator must treat a hostile record: the reason a job for it is dead-lettered with. */
export const Refusal = {
  /** Not a valid record (or opted out): never acted on. */
  Unmanaged: 'UnmanagedParameter',
  /** Valid, outside the allow-lists: refused before anything is minted. */
  NotAllowed: 'NotAllowed',
  /** Its previous token is not its own: never deleted. */
  NotOwned: 'TokenNotOwned',
} as const;

/** One of the Refusal values. */
export type Refusal = (typeof Refusal)[keyof typeof Refusal];

/** What a hostile record's Description is built from, each round. */
interface RecordContext {
  readonly now: number;
  /** The token the parameter holds. */
  readonly tokenId: string;
  /** A token another parameter holds right now, when the record points at one. */
  readonly victim: Victim | undefined;
}

/** A token a fleet parameter holds, and what its record asks for. */
interface Victim {
  readonly tokenId: string;
  readonly roleArns: readonly string[];
  readonly tokenProperties: readonly string[];
}

/** A parameter under the token path whose record the rotator must refuse, holding a real token. */
interface HostileRecordSpec {
  readonly label: string;
  /** What the record tries, in a few words (for failure messages). */
  readonly story: string;
  readonly licenseArn: string;
  readonly roleArns: readonly string[];
  readonly refusal: Refusal;
  /** The license whose held tokens it names as previous, if it does. */
  readonly victimLicense?: string;
  description(context: RecordContext): string;
}

/** A record for the held token, issued `ageDays` ago, as the rotator would date it. */
const dated = (
  context: RecordContext,
  ageDays: number,
  changes: Partial<RotationRecord> & { licenseArn: string; roleArns: readonly string[] },
): RotationRecord => ({
  v: 1,
  tokenProperties: [],
  expirationInDays: 365,
  tokenId: context.tokenId,
  ...tokenDates(new Date(context.now - ageDays * DAY_MS), changes.expirationInDays ?? 365),
  ...changes,
});

const ACME = { licenseArn: LICENSE_ARN, roleArns: [ROLE_ARN] };
// Homed in the default region like acme: ListTokens there lists its tokens, so the rotator's
// proof sees another license's token rather than no token at all.
const GLOBEX = CHAOS_LICENSES.find((license) => license.label === 'globex')?.licenseArn ?? '';
const inFuture = (context: RecordContext): string => new Date(context.now + DAY_MS).toISOString();

/**
 * The hostile records of every run: what a broken registration, a hand edit or an attacker with
 * write access to the path could leave. The damaged ones are due and past any grace period, so
 * that a rotator that believed one would act on it at once. Those outside the allow-lists are
 * not due (the scanner counts them; a due one would be dead-lettered every scan): the hostile
 * sender's forced jobs put them to the rotator. Those with a foreign previous token are past
 * their grace period, so that the scan's audit and the rotator weigh a revoke.
 */
const SPECS: readonly HostileRecordSpec[] = [
  {
    label: 'damaged/previous-is-current',
    story: 'names its own token as previous (revoking it would cut the parameter off)',
    ...ACME,
    refusal: Refusal.Unmanaged,
    description: (c) =>
      serialiseRecord({
        ...dated(c, 300, ACME),
        previousTokenId: c.tokenId,
        rotatedAt: new Date(c.now - 200 * DAY_MS).toISOString(),
      }),
  },
  {
    label: 'damaged/issued-in-future',
    story: 'dates its token a day ahead (believed, it would put off the renewal)',
    ...ACME,
    refusal: Refusal.Unmanaged,
    description: (c) => {
      const issuedAt = inFuture(c);
      const expiresAt = new Date(Date.parse(issuedAt) + 30 * DAY_MS).toISOString();
      return serialiseRecord({ ...dated(c, 0, ACME), issuedAt, expiresAt });
    },
  },
  {
    label: 'damaged/rotated-in-future',
    story: 'dates its last rotation a day ahead (believed, its grace period would never end)',
    ...ACME,
    refusal: Refusal.Unmanaged,
    description: (c) =>
      serialiseRecord({
        ...dated(c, 300, ACME),
        previousTokenId: 'f'.repeat(32),
        rotatedAt: inFuture(c),
      }),
  },
  {
    label: 'damaged/window-too-short',
    story:
      'renews 28 days before a 30-day expiry (rotations two days apart, inside the grace period)',
    ...ACME,
    refusal: Refusal.Unmanaged,
    description: (c) =>
      serialiseRecord(dated(c, 5, { ...ACME, expirationInDays: 30, renewBeforeDays: 28 })),
  },
  {
    label: 'opted-out/by-hand',
    story: 'opts out ("unmanaged"): the billing team rotates it by hand',
    ...ACME,
    refusal: Refusal.Unmanaged,
    description: () => 'unmanaged: the billing team rotates this one by hand',
  },
  {
    label: 'not-allowed/license',
    story: "asks for another seller's license, outside LICENSE_ARNS",
    licenseArn: FOREIGN_LICENSE,
    roleArns: [ROLE_ARN],
    refusal: Refusal.NotAllowed,
    description: (c) =>
      serialiseRecord(dated(c, 5, { licenseArn: FOREIGN_LICENSE, roleArns: [ROLE_ARN] })),
  },
  {
    label: 'not-allowed/role',
    story: "adds another account's role, outside ROLE_ARNS",
    licenseArn: LICENSE_ARN,
    roleArns: [ROLE_ARN, FOREIGN_ROLE],
    refusal: Refusal.NotAllowed,
    description: (c) =>
      serialiseRecord(dated(c, 5, { licenseArn: LICENSE_ARN, roleArns: [ROLE_ARN, FOREIGN_ROLE] })),
  },
  {
    label: 'foreign-previous/other-license',
    story:
      'names as previous the token a parameter of another license holds (its roles and properties copied)',
    ...ACME,
    refusal: Refusal.NotOwned,
    victimLicense: GLOBEX,
    description: (c) => foreignPrevious(c),
  },
  {
    label: 'foreign-previous/other-parameter',
    story:
      'names as previous the token another parameter of its own license holds (its roles and properties copied: ListTokens cannot tell them apart)',
    ...ACME,
    refusal: Refusal.NotOwned,
    victimLicense: LICENSE_ARN,
    description: (c) => foreignPrevious(c),
  },
];

/**
 * A valid acme record, not due, whose previous token is the victim's, past its grace period: it
 * asks for the victim's roles and properties too, so that only whose record names the token
 * tells it from one of its own.
 */
function foreignPrevious(context: RecordContext): string {
  const { victim } = context;
  const rotatedAt = context.now - 4 * DAY_MS;
  return serialiseRecord({
    ...dated(context, 4, {
      licenseArn: LICENSE_ARN,
      roleArns: victim?.roleArns ?? [ROLE_ARN],
      tokenProperties: victim?.tokenProperties ?? [],
    }),
    ...(victim === undefined ? {} : { previousTokenId: victim.tokenId }),
    rotatedAt: new Date(rotatedAt).toISOString(),
    // Its revocation due at once, past the grace period: no pickup to wait for.
    revocation: RevocationPolicy.AfterGrace,
  });
}

/** A hostile record as seeded: its parameter and the token it holds. */
export interface HostileRecord {
  readonly name: string;
  /** The property only its token carries: any other token minted with it was minted for it. */
  readonly property: string;
  readonly story: string;
  readonly refusal: Refusal;
}

/** A job a sender other than the scanner puts on the queue for a hostile record. */
export interface HostileRecordJob {
  readonly reason: JobReason;
  readonly body: string;
  readonly groupId: string;
  readonly record: HostileRecord;
}

/** The hostile records of a run, kept hostile round after round. */
export class HostileRecords {
  readonly records: readonly HostileRecord[];
  readonly #held = new Map<string, { tokenId: string; spec: HostileRecordSpec }>();
  /** The records that, as last written, name a token another record of their license holds. */
  readonly #conflicting = new Set<string>();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly fleet: readonly FleetEntry[],
  ) {
    this.records = SPECS.map((spec) => ({
      name: `${TOKEN_PATH}hostile/${spec.label}`,
      property: `hostile:${spec.label}`,
      story: spec.story,
      refusal: spec.refusal,
    }));
  }

  /** Mints each record's token and writes the records. */
  async seed(random: SeededRandom): Promise<void> {
    for (const [index, spec] of SPECS.entries()) {
      const record = this.records[index];
      if (record === undefined) continue;
      const minted = await invoke(this.sandbox.licenseManager, 'CreateToken', {
        LicenseArn: spec.licenseArn,
        RoleArns: [...spec.roleArns],
        TokenProperties: [record.property],
        ClientToken: `hostile-record-${index}`,
      });
      this.#held.set(record.name, { tokenId: String(minted.TokenId), spec });
      await this.#write(record.name, String(minted.Token), random);
    }
  }

  /**
   * Rewrites every record as of now: its dates keep it due or in the future, and a foreign
   * previous token points at one another parameter holds now. An attacker with write access to
   * the path could do as much.
   */
  async refresh(random: SeededRandom): Promise<void> {
    for (const record of this.records) {
      const value = this.sandbox.ssm.parameter(record.name)?.value;
      if (value !== undefined) await this.#write(record.name, value, random);
    }
  }

  /** The hostile records a scan must count conflicting now (as last written). */
  conflicting(): ReadonlySet<string> {
    return this.#conflicting;
  }

  /**
   * Jobs of a hostile sender (valid bodies, in the right group): every round a revoke of one of
   * the foreign previous tokens, and in some rounds a forced rotation of another hostile record.
   */
  jobs(random: SeededRandom): HostileRecordJob[] {
    const revocable = this.records.filter((record) => record.refusal === Refusal.NotOwned);
    const others = this.records.filter((record) => record.refusal !== Refusal.NotOwned);
    const revoke = revocable[random.int(revocable.length)];
    const force = random.next() < 0.3 ? others[random.int(others.length)] : undefined;
    return [
      ...(revoke === undefined ? [] : [this.#job(revoke, JobReason.RevokePrevious)]),
      ...(force === undefined ? [] : [this.#job(force, JobReason.Forced)]),
    ];
  }

  #job(record: HostileRecord, reason: JobReason): HostileRecordJob {
    const version = this.sandbox.ssm.parameter(record.name)?.version ?? 1;
    return {
      reason,
      body: serialiseJob(newJob(record.name, version, reason, this.sandbox.clock.now())),
      groupId: messageGroupId(record.name),
      record,
    };
  }

  async #write(name: string, value: string, random: SeededRandom): Promise<void> {
    const held = this.#held.get(name);
    if (held === undefined) return;
    const context = {
      now: this.sandbox.clock.nowMs(),
      tokenId: held.tokenId,
      victim: this.#victim(held.spec.victimLicense, random),
    };
    // Its own license's victim: the scanner's claims see both records (another license's token
    // is refused by every delete's proof instead).
    if (context.victim !== undefined && held.spec.victimLicense === held.spec.licenseArn) {
      this.#conflicting.add(name);
    } else {
      this.#conflicting.delete(name);
    }
    await invoke(this.sandbox.ssm, 'PutParameter', {
      Name: name,
      Type: 'SecureString',
      Value: value,
      Description: held.spec.description(context),
      Overwrite: true,
    });
  }

  /** The token a fleet parameter of the license holds now, picked at random. */
  #victim(licenseArn: string | undefined, random: SeededRandom): Victim | undefined {
    if (licenseArn === undefined) return undefined;
    const candidates = this.fleet.filter((entry) => entry.license.licenseArn === licenseArn);
    const entry = candidates[random.int(candidates.length)];
    if (entry === undefined) return undefined;
    const check = this.sandbox.licenseManager.check(
      this.sandbox.ssm.parameter(entry.name)?.value ?? '',
    );
    if (!check.ok) return undefined;
    return {
      tokenId: check.token.tokenId,
      roleArns: entry.roleArns,
      tokenProperties: [entry.property],
    };
  }
}
