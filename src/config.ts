import { ConfigError } from './errors.js';
import { normaliseTokenPath } from './rotation/parameter-name.js';

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
}

/** The scanner's settings. */
export interface ScannerConfig extends CommonConfig {
  /** The FIFO queue that receives rotation jobs. */
  readonly jobQueueUrl: string;
}

/** The rotator's settings. */
export interface RotatorConfig extends CommonConfig {
  /** The FIFO dead-letter queue for jobs that must not be retried. */
  readonly deadLetterQueueUrl: string;
  /** The KMS key that encrypts the SecureString parameters. */
  readonly kmsKeyId: string;
  /** Check each new token with GetAccessToken before storing it. */
  readonly verifyNewTokens: boolean;
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
    };
  }

  done<T>(config: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return config;
  }
}

/** The settings an operator's commands use: the common ones, the KMS key and verification. */
export interface OperatorConfig extends CommonConfig {
  readonly kmsKeyId: string;
  readonly verifyNewTokens: boolean;
}

/** Reads the environment for the CLI, where no queue URL is required up front. */
export function readOperatorConfig(env: Environment = process.env): OperatorConfig {
  const reader = new Reader(env);
  return reader.done({
    ...reader.common(),
    kmsKeyId: reader.kmsKeyId(),
    verifyNewTokens: reader.flag('VERIFY_NEW_TOKENS', true),
  });
}

/** Reads and validates the scanner's environment; throws ConfigError naming each bad variable. */
export function readScannerConfig(env: Environment = process.env): ScannerConfig {
  const reader = new Reader(env);
  return reader.done({ ...reader.common(), jobQueueUrl: reader.queueUrl('JOB_QUEUE_URL') });
}

/** Reads and validates the rotator's environment; throws ConfigError naming each bad variable. */
export function readRotatorConfig(env: Environment = process.env): RotatorConfig {
  const reader = new Reader(env);
  return reader.done({
    ...reader.common(),
    deadLetterQueueUrl: reader.queueUrl('DEAD_LETTER_QUEUE_URL'),
    kmsKeyId: reader.kmsKeyId(),
    verifyNewTokens: reader.flag('VERIFY_NEW_TOKENS', true),
  });
}
