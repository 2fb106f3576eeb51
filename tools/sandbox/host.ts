import type { SandboxClock } from './clock.js';
import type { EventsService } from './events/service.js';
import type { Faults } from './faults.js';
import type { LicenseManagerService } from './license-manager/service.js';
import type { AwsService } from './service.js';
import type { SqsService } from './sqs/service.js';
import type { SsmService } from './ssm/service.js';
import type { StsService } from './sts/service.js';

/** One call the sandbox answered, for tests and the admin state. */
export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  readonly status: number;
  /** The error code answered, if any. */
  readonly code?: string;
  /** The injected fault, if any (`throttle`, `error:<code>`, `reset`). */
  readonly fault?: string;
  readonly at: Date;
}

/** A hook that runs before each AWS call, and that the call waits for. */
export type BeforeCall = (call: {
  service: string;
  operation: string;
  region: string;
}) => void | Promise<void>;

/**
 * What the HTTP server and the admin API need of a sandbox. They depend on this, not on the
 * Sandbox class, which builds them: the dependency runs one way.
 */
export interface SandboxHost {
  readonly accountId: string;
  readonly defaultRegion: string;
  readonly clock: SandboxClock;
  readonly faults: Faults;
  readonly ssm: SsmService;
  readonly sqs: SqsService;
  readonly licenseManager: LicenseManagerService;
  readonly events: EventsService;
  readonly sts: StsService;
  /** The services, for dispatch on X-Amz-Target or a form's Action. */
  readonly services: readonly AwsService[];
  /** The port it listens on (0 before it listens). */
  readonly port: number;
  /** The endpoint URL to give the SDK clients. */
  readonly endpoint: string;
  readonly beforeCall: BeforeCall | undefined;
  /** Records a call the server answered. */
  record(call: CallRecord): void;
  /** Calls answered, by `service:Operation`. */
  callCounts(): Map<string, number>;
  /** Reports a failure of the sandbox itself. */
  reportInternalError(error: unknown): void;
}
