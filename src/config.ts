import { ConfigError } from './errors.js';
import { type AllowLists, isLicenseArnPattern, isRoleArnPattern } from './rotation/allow-list.js';
import { normaliseTokenPath } from './rotation/parameter-name.js';
import { isRevocationPolicy, RevocationPolicy } from './rotation/record.js';
import type { RevocationSettings } from './rotation/revocation-policy.js';
import { isSenderId, type TrustedSenders } from './rotation/trusted-sender.js';

/** Settings both functions share. */
export interface CommonConfig {
  /** Root of the managed parameters, always ending in `/`. */
  readonly tokenPath: string;
  /** Days before expiry to renew when a record sets none; `undefined` means a third of the lifetime. */
  readonly renewBeforeDays: number | undefined;
  /** Days to expiry below which a token is critical (logged, and alarmed on). */
  readonly criticalDays: number;
  /** Hours a superseded token stays valid before it is deleted; 0 means never delete it. */
  readonly revokePreviousAfterHours: number;
  /** Hours between two scans (the schedule's rate): part of the least time between rotations. */
  readonly scanIntervalHours: number;
  /** When superseded tokens are deleted; a record may say otherwise. */
  readonly revocationPolicy: RevocationPolicy;
  /** Hours after a rotation past which a replacement not yet picked up is overdue (alarmed). */
  readonly pickupOverdueHours: number;
  /** The EventBridge bus that receives rotation events. */
  readonly eventBusName: string;
}

/** The scanner's settings. */
export interface ScannerConfig extends CommonConfig, AllowLists {
  /** The FIFO queue that receives rotation jobs. */
  readonly jobQueueUrl: string;
}

/** The rotator's settings. */
export interface RotatorConfig extends CommonConfig, AllowLists {
  /** The FIFO dead-letter queue for jobs that must not be retried. */
  readonly deadLetterQueueUrl: string;
  /** The KMS key that encrypts the SecureString parameters. */
  readonly kmsKeyId: string;
  /** Check each new token with GetAccessToken before storing it. */
  readonly verifyNewTokens: boolean;
  /** Senders whose jobs may delete live tokens (TRUSTED_SENDER_IDS); undefined: every sender. */
  readonly trustedSenders: TrustedSenders;
}

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

const KMS_KEY =
  /^(alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+))$/;

/** Collects every problem before failing, so one deploy fixes them all. */
class Reader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  tokenPath(): string {
    const value = this.raw('TOKEN_PATH') ?? '/license-tokens/';
    try {
      return normaliseTokenPath(value);
    } catch (error) {
      this.problems.push(`TOKEN_PATH ${(error as Error).message} (got "${value}")`);
      return value;
    }
  }

  queueUrl(name: string): string {
    const value = this.raw(name);
    if (value === undefined) {
      this.problems.push(
        `${name} is required: the queue URL, like https://sqs.<region>.amazonaws.com/<account>/<name>.fifo`,
      );
      return '';
    }
    if (!/^https?:\/\/\S+\.fifo$/.test(value)) {
      this.problems.push(
        `${name} must be the http(s) URL of a FIFO queue (ending in .fifo), got "${value}"`,
      );
    }
    return value;
  }

  kmsKeyId(): string {
    const value = this.raw('KMS_KEY_ID') ?? 'alias/aws/ssm';
    if (!KMS_KEY.test(value)) {
      this.problems.push(
        `KMS_KEY_ID must be a key id, key ARN, alias name or alias ARN, got "${value}"`,
      );
    }
    return value;
  }

  amount(
    name: string,
    unit: string,
    fallback: number | undefined,
    allowZero: boolean,
  ): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const amount = Number(value);
    if (!Number.isFinite(amount) || amount < 0 || (amount === 0 && !allowZero)) {
      const expected = allowZero ? `a number of ${unit}, 0 or more` : `a number of ${unit} above 0`;
      this.problems.push(`${name} must be ${expected}, got "${value}"`);
      return fallback;
    }
    return amount;
  }

  /**
   * A comma-separated list of ARN patterns; required unless there is a fallback. `none` is the
   * empty list, so that an empty allow-list is said on purpose rather than left unset.
   */
  patterns(
    name: string,
    what: string,
    check: (pattern: string) => boolean,
    fallback?: readonly string[],
  ): readonly string[] {
    const value = this.raw(name);
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) {
      this.problems.push(
        `${name} is required: ${what}, comma-separated, \`*\` as a wildcard (or \`none\`)`,
      );
      return [];
    }
    // `none` names no pattern: alone it is the empty list, and beside patterns (as the deploy
    // settings allow it in roleArns: "tokens may also name no role") it adds nothing.
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.toLowerCase() !== 'none');
    const bad = entries.filter((entry) => !check(entry));
    if (bad.length > 0)
      this.problems.push(`${name} has entries that are not ${what}: ${bad.join(', ')}`);
    return entries;
  }

  /** The allow-lists; an operator's command falls back to `fallback` where they are unset. */
  allowLists(fallback?: readonly string[]): AllowLists {
    return {
      licenseArns: this.patterns(
        'LICENSE_ARNS',
        'license ARN patterns',
        isLicenseArnPattern,
        fallback,
      ),
      roleArns: this.patterns('ROLE_ARNS', 'IAM role ARN patterns', isRoleArnPattern, fallback),
    };
  }

  revocationPolicy(): RevocationPolicy {
    const value = this.raw('REVOCATION_POLICY') ?? RevocationPolicy.AfterPickup;
    if (isRevocationPolicy(value)) return value;
    this.problems.push(
      `REVOCATION_POLICY must be ${Object.values(RevocationPolicy).join(', ')}, got "${value}"`,
    );
    return RevocationPolicy.AfterPickup;
  }

  eventBusName(): string {
    const value = this.raw('EVENT_BUS_NAME') ?? 'default';
    // A bus name (1-256 of [/\.\-_A-Za-z0-9]) or a bus ARN, as PutEvents accepts.
    if (
      !/^([/.\-_A-Za-z0-9]{1,256}|arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]+)$/.test(
        value,
      )
    ) {
      this.problems.push(`EVENT_BUS_NAME must be an event bus name or ARN, got "${value}"`);
    }
    return value;
  }

  /** A comma-separated list of SQS SenderIds; unset means undefined (every sender). */
  senderIds(name: string): TrustedSenders {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isSenderId(entry));
    if (bad.length > 0) {
      this.problems.push(
        `${name} must be IAM user or role ids (as SQS reports SenderId, without the session), got: ${bad.join(', ')}`,
      );
    }
    return entries;
  }

  flag(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  common(): CommonConfig {
    return {
      tokenPath: this.tokenPath(),
      renewBeforeDays: this.amount('RENEW_BEFORE_DAYS', 'days', undefined, false),
      criticalDays: this.amount('CRITICAL_DAYS', 'days', 7, true) ?? 7,
      revokePreviousAfterHours: this.amount('REVOKE_PREVIOUS_AFTER_HOURS', 'hours', 72, true) ?? 72,
      scanIntervalHours: this.amount('SCAN_INTERVAL_HOURS', 'hours', 6, false) ?? 6,
      revocationPolicy: this.revocationPolicy(),
      pickupOverdueHours: this.amount('PICKUP_OVERDUE_HOURS', 'hours', 168, false) ?? 168,
      eventBusName: this.eventBusName(),
    };
  }

  done<T>(config: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return config;
  }
}

/**
 * The settings an operator's commands use: the common ones, the KMS key and verification, and the
 * allow-lists where they are set (unset, the operator's own IAM permissions are the bound).
 */
export interface OperatorConfig extends CommonConfig, AllowLists {
  readonly kmsKeyId: string;
  readonly verifyNewTokens: boolean;
}

/** Reads the environment for the CLI, where no queue URL is required up front. */
export function readOperatorConfig(env: Environment = process.env): OperatorConfig {
  const reader = new Reader(env);
  return reader.done({
    ...reader.common(),
    ...reader.allowLists(['*']),
    kmsKeyId: reader.kmsKeyId(),
    verifyNewTokens: reader.flag('VERIFY_NEW_TOKENS', true),
  });
}

/** Reads and validates the scanner's environment; throws ConfigError naming each bad variable. */
export function readScannerConfig(env: Environment = process.env): ScannerConfig {
  const reader = new Reader(env);
  return reader.done({
    ...reader.common(),
    ...reader.allowLists(),
    jobQueueUrl: reader.queueUrl('JOB_QUEUE_URL'),
  });
}

/** Reads and validates the rotator's environment; throws ConfigError naming each bad variable. */
export function readRotatorConfig(env: Environment = process.env): RotatorConfig {
  const reader = new Reader(env);
  return reader.done({
    ...reader.common(),
    ...reader.allowLists(),
    deadLetterQueueUrl: reader.queueUrl('DEAD_LETTER_QUEUE_URL'),
    kmsKeyId: reader.kmsKeyId(),
    verifyNewTokens: reader.flag('VERIFY_NEW_TOKENS', true),
    trustedSenders: reader.senderIds('TRUSTED_SENDER_IDS'),
  });
}

/** The token exchange's settings. */
export interface ExchangeConfig extends RevocationSettings {
  readonly tokenPath: string;
  readonly eventBusName: string;
}

/** Reads and validates the exchange's environment; throws ConfigError naming each bad variable. */
export function readExchangeConfig(env: Environment = process.env): ExchangeConfig {
  const reader = new Reader(env);
  const {
    tokenPath,
    revocationPolicy,
    revokePreviousAfterHours,
    pickupOverdueHours,
    eventBusName,
  } = reader.common();
  return reader.done({
    tokenPath,
    revocationPolicy,
    revokePreviousAfterHours,
    pickupOverdueHours,
    eventBusName,
  });
}
