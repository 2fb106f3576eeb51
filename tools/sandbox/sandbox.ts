import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxClock } from './clock.js';
import { EventsService } from './events/service.js';
import { type FaultRules, Faults } from './faults.js';
import type { BeforeCall, CallRecord, SandboxHost } from './host.js';
import { LicenseManagerService, type LicenseSeed } from './license-manager/service.js';
import { SeededRandom } from './random.js';
import { createSandboxServer } from './server.js';
import type { AwsService } from './service.js';
import { SqsService } from './sqs/service.js';
import { SsmService } from './ssm/service.js';
import { StsService } from './sts/service.js';

/** How to start a sandbox; every option has a default. */
export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** The address to listen on (default 127.0.0.1: the sandbox is for this machine only). */
  readonly host?: string;
  /** The account id in ARNs and queue URLs (default 123456789012). */
  readonly accountId?: string;
  /** The region of a request without a SigV4 credential scope (default us-east-1). */
  readonly defaultRegion?: string;
  /** Seed of the generator behind fault decisions and ids (default: from the time). */
  readonly seed?: number;
  /** The clock (default: real time). */
  readonly clock?: SandboxClock;
  /** Licenses to start with. */
  readonly licenses?: readonly LicenseSeed[];
  /** Fault rules to start with. */
  readonly faults?: FaultRules;
  /** Probability that a filtered SSM listing page comes back short, as AWS allows (default 0). */
  readonly shortPages?: number;
  /** EventBridge buses besides `default` (PutEvents to any other bus fails its entries). */
  readonly buses?: readonly string[];
  /**
   * Called with every secret the sandbox hands out (for leak checks): each token and access token
   * License Manager mints, each secret key and session token STS issues.
   */
  readonly onSecret?: (value: string) => void;
  /** What RedirectException's Location holds for a home region (default: the region name). */
  readonly redirectLocation?: (homeRegion: string) => string;
  /** AVAILABLE, unexpired tokens one license may have (default: no limit). */
  readonly maxActiveTokensPerLicense?: number;
  /** Called when the sandbox itself fails on a request (default: a line on stderr). */
  readonly onInternalError?: (error: unknown) => void;
}

/**
 * A local, AWS-compatible endpoint for SSM, SQS, License Manager, EventBridge's PutEvents and
 * STS's AssumeRoleWithWebIdentity: one HTTP server the real SDK
 * clients reach through `endpoint` (or `AWS_ENDPOINT_URL`), with an injectable clock, fault
 * injection, and in-process access to every service's state for tests.
 */
export class Sandbox implements SandboxHost {
  readonly seed: number;
  readonly accountId: string;
  readonly defaultRegion: string;
  readonly clock: SandboxClock;
  readonly random: SeededRandom;
  readonly faults: Faults;
  readonly ssm: SsmService;
  readonly sqs: SqsService;
  readonly licenseManager: LicenseManagerService;
  readonly events: EventsService;
  readonly sts: StsService;
  /** The services, for dispatch on X-Amz-Target or a form's Action. */
  readonly services: readonly AwsService[];
  /**
   * Called before each AWS call runs (after its latency, unless a fault fails it first), so a
   * test can act mid-flight: move the clock past a visibility timeout while a handler is busy,
   * delete a parameter between a read and a write. The call waits for the hook.
   */
  beforeCall: BeforeCall | undefined;
  readonly #server: Server;
  readonly #calls: CallRecord[] = [];
  readonly #onInternalError: (error: unknown) => void;
  #port = 0;

  constructor(options: SandboxOptions = {}) {
    this.seed = options.seed ?? Date.now() % 2_147_483_647;
    this.accountId = options.accountId ?? '123456789012';
    this.defaultRegion = options.defaultRegion ?? 'us-east-1';
    this.clock = options.clock ?? new SandboxClock();
    this.random = new SeededRandom(this.seed);
    this.faults = new Faults(this.random);
    if (options.faults !== undefined) this.faults.add(options.faults);
    this.ssm = new SsmService(this.clock, this.random, { shortPages: options.shortPages ?? 0 });
    this.sqs = new SqsService(this.clock, this.random);
    this.licenseManager = new LicenseManagerService(this.clock, this.random, {
      defaultRegion: this.defaultRegion,
      ...(options.onSecret === undefined ? {} : { onSecret: options.onSecret }),
      ...(options.redirectLocation === undefined
        ? {}
        : { redirectLocation: options.redirectLocation }),
      ...(options.maxActiveTokensPerLicense === undefined
        ? {}
        : { maxActiveTokensPerLicense: options.maxActiveTokensPerLicense }),
    });
    for (const license of options.licenses ?? []) this.licenseManager.addLicense(license);
    this.events = new EventsService(this.clock, this.random, options.buses);
    this.sts = new StsService(this.clock, this.random, {
      verifyAccessToken: (token) => this.licenseManager.verifyAccessToken(token),
      ...(options.onSecret === undefined ? {} : { onSecret: options.onSecret }),
    });
    this.services = [this.ssm, this.sqs, this.licenseManager, this.events, this.sts];
    this.beforeCall = undefined;
    this.#onInternalError =
      options.onInternalError ??
      ((error) =>
        process.stderr.write(
          `sandbox: internal error: ${(error as Error).stack ?? String(error)}\n`,
        ));
    this.#server = createSandboxServer(this);
  }

  /** The port it listens on (0 before `listen`). */
  get port(): number {
    return this.#port;
  }

  /** The endpoint URL to give the SDK clients, e.g. `http://127.0.0.1:4566`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Starts listening; resolves once the port is bound. */
  async listen(port = 0, host = '127.0.0.1'): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    this.sqs.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Records a call (the server does this for every AWS request). */
  record(call: CallRecord): void {
    this.#calls.push(call);
  }

  /** Every call answered so far, oldest first, optionally only one operation's. */
  calls(operation?: string): readonly CallRecord[] {
    return operation === undefined
      ? [...this.#calls]
      : this.#calls.filter((c) => c.operation === operation);
  }

  /** Calls answered, by `service:Operation`. */
  callCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const call of this.#calls) {
      const key = `${call.service}:${call.operation}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** Reports a failure of the sandbox itself. */
  reportInternalError(error: unknown): void {
    this.#onInternalError(error);
  }
}

/** Creates a sandbox and starts it listening on 127.0.0.1. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return new Sandbox(options).listen(options.port ?? 0, options.host ?? '127.0.0.1');
}
