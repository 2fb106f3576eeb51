import type { SandboxClock } from '../clock.js';
import type { AccessTokenCheck } from '../license-manager/state.js';
import type { SeededRandom } from '../random.js';

/** Role credentials STS issued, with what they were issued for. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  /** A secret: in-process only, never in the admin state or a log. */
  readonly secretAccessKey: string;
  /** A secret: in-process only, never in the admin state or a log. */
  readonly sessionToken: string;
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** The license the access token was for (its audience). */
  readonly licenseArn: string;
  readonly region: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** What a request signed with issued credentials needs to check its signature and its rights. */
export interface CredentialsLookup {
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly roleArn: string;
  readonly licenseArn: string;
  readonly expiresAt: Date;
}

/** Options of the sandbox's STS. */
export interface StsOptions {
  /** Checks a web identity token: the sandbox's License Manager verifies its own access tokens. */
  readonly verifyAccessToken: (token: string) => AccessTokenCheck;
  /** Called with every secret key and session token issued, so a test can check none is printed. */
  readonly onSecret?: (value: string) => void;
}

/** What STS's operation shares: how to check a token, and every set of credentials issued. */
export class StsState {
  readonly clock: SandboxClock;
  readonly random: SeededRandom;
  readonly verifyAccessToken: (token: string) => AccessTokenCheck;
  readonly #onSecret: (value: string) => void;
  readonly #issued = new Map<string, IssuedCredentials>();
  readonly #secrets = new Set<string>();

  constructor(clock: SandboxClock, random: SeededRandom, options: StsOptions) {
    this.clock = clock;
    this.random = random;
    this.verifyAccessToken = options.verifyAccessToken;
    this.#onSecret = options.onSecret ?? (() => undefined);
  }

  /**
   * The credentials an access key id belongs to, expired or not (`expiresAt` says), or undefined
   * for a key STS did not issue: what a local endpoint needs to check a request's signature.
   */
  credentials(accessKeyId: string): CredentialsLookup | undefined {
    const issued = this.#issued.get(accessKeyId);
    if (issued === undefined) return undefined;
    const { secretAccessKey, sessionToken, roleArn, licenseArn, expiresAt } = issued;
    return { secretAccessKey, sessionToken, roleArn, licenseArn, expiresAt };
  }

  /** Every set of credentials issued, oldest first (secrets included: in-process only). */
  issued(): readonly IssuedCredentials[] {
    return [...this.#issued.values()];
  }

  /** Whether a value is a secret key or session token STS issued. */
  isSecret(value: string): boolean {
    return this.#secrets.has(value);
  }

  /** Keeps issued credentials, and reports their secrets. */
  keep(credentials: IssuedCredentials): void {
    this.#issued.set(credentials.accessKeyId, credentials);
    for (const secret of [credentials.secretAccessKey, credentials.sessionToken]) {
      this.#secrets.add(secret);
      this.#onSecret(secret);
    }
  }
}
