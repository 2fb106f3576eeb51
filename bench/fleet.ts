import { CLIENT_TOKEN_WINDOW_MS } from '../src/rotation/client-token.js';
import { type RotationRecord, serialiseRecord } from '../src/rotation/record.js';
import { DAY_MS } from '../src/time.js';
import { Input, type JsonObject } from '../tools/sandbox/input.js';
import type { Sandbox } from '../tools/sandbox/sandbox.js';
import type { AwsService } from '../tools/sandbox/service.js';
import { rotationJobMessage } from './job-message.js';

/** The license every bench token belongs to. */
export const BENCH_LICENSE_ARN =
  'arn:aws:license-manager::294406891311:license:l-0b0e0c0000000000000000000000be0c';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/LicenseConsumer';
const LIFETIME_DAYS = 365;

/** Calls one operation of a sandbox service in-process, as its HTTP server would. */
async function call(
  sandbox: Sandbox,
  service: AwsService,
  operation: string,
  body: JsonObject,
): Promise<JsonObject> {
  return service.handle(operation, new Input(body, service.inputProblem), {
    region: sandbox.defaultRegion,
    accountId: sandbox.accountId,
    accessKeyId: 'AKIABENCHSEED',
    origin: sandbox.endpoint,
  });
}

/** What to seed under a token path. */
export interface FleetSpec {
  readonly tokenPath: string;
  readonly count: number;
  /** Every `dueEvery`-th parameter is due (10: 10% due); 1 makes every one due. */
  readonly dueEvery: number;
  /**
   * Records carry a previousTokenId (a second, older token that is still AVAILABLE), rotated
   * `ageDays` ago: the scanner then asks ListTokens about those past the grace period, and a
   * rotation deletes it.
   */
  readonly previousTokens: boolean;
}

/** What seeding made. */
export interface Fleet {
  readonly parameters: number;
  readonly due: number;
  readonly tokensMinted: number;
  readonly seconds: number;
}

/**
 * Days since issue: due ones between 250 and 346 (a 365-day token is due after 243.3 days and
 * critical after 358), the others between 0 and 199, so neither the record's dates (issue dated
 * back ten minutes) nor the token's own `iat`/`exp` put any token near a boundary.
 */
const ageDays = (index: number, due: boolean): number => (due ? 250 + (index % 97) : index % 200);

/**
 * Seeds a fleet into the sandbox in-process (no HTTP): for each parameter the sandbox's License
 * Manager mints a real token at the back-dated moment, and SSM stores it as a SecureString with a
 * valid rotation record, exactly as `register` would have. 100,000 take seconds, not minutes.
 */
export async function seedFleet(sandbox: Sandbox, spec: FleetSpec): Promise<Fleet> {
  const started = performance.now();
  const mint = async (name: string, daysAgo: number): Promise<{ id: string; token: string }> => {
    const answer = await call(sandbox, sandbox.licenseManager, 'CreateToken', {
      LicenseArn: BENCH_LICENSE_ARN,
      RoleArns: [ROLE_ARN],
      TokenProperties: ['bench'],
      ExpirationInDays: LIFETIME_DAYS,
      ClientToken: `bench-seed-${daysAgo}-${name}`,
    });
    return { id: String(answer.TokenId), token: String(answer.Token) };
  };
  const at = async <T>(daysAgo: number, work: () => Promise<T>): Promise<T> => {
    sandbox.clock.advance(-daysAgo * DAY_MS);
    try {
      return await work();
    } finally {
      sandbox.clock.advance(daysAgo * DAY_MS);
    }
  };

  sandbox.licenseManager.addLicense({ licenseArn: BENCH_LICENSE_ARN });
  let due = 0;
  let minted = 0;
  for (let index = 0; index < spec.count; index++) {
    const name = `${spec.tokenPath}customer-${String(index).padStart(6, '0')}/prod`;
    const isDue = index % spec.dueEvery === 0;
    if (isDue) due++;
    const days = ageDays(index, isDue);
    const previous = spec.previousTokens
      ? await at(days + 30, () => mint(name, days + 30))
      : undefined;
    await at(days, async () => {
      const issuedAtMs = sandbox.clock.nowMs() - CLIENT_TOKEN_WINDOW_MS;
      const current = await mint(name, days);
      minted += previous === undefined ? 1 : 2;
      const record: RotationRecord = {
        v: 1,
        licenseArn: BENCH_LICENSE_ARN,
        roleArns: [ROLE_ARN],
        tokenProperties: ['bench'],
        expirationInDays: LIFETIME_DAYS,
        tokenId: current.id,
        issuedAt: new Date(issuedAtMs).toISOString(),
        expiresAt: new Date(issuedAtMs + LIFETIME_DAYS * DAY_MS).toISOString(),
        ...(previous === undefined
          ? {}
          : { previousTokenId: previous.id, rotatedAt: new Date(issuedAtMs).toISOString() }),
      };
      await call(sandbox, sandbox.ssm, 'PutParameter', {
        Name: name,
        Type: 'SecureString',
        Value: current.token,
        Description: serialiseRecord(record),
      });
    });
  }
  return {
    parameters: spec.count,
    due,
    tokensMinted: minted,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Enqueues one rotation job per parameter under the path, as the scanner would (same body, group
 * and deduplication id), in-process and in batches of ten.
 */
export async function enqueueJobs(
  sandbox: Sandbox,
  queueUrl: string,
  tokenPath: string,
): Promise<number> {
  const now = sandbox.clock.now();
  const entries = sandbox.ssm
    .parameters()
    .filter((p) => p.name.startsWith(tokenPath))
    .map((p, index) => ({ Id: String(index % 10), ...rotationJobMessage(p.name, p.version, now) }));
  for (let start = 0; start < entries.length; start += 10) {
    const answer = await call(sandbox, sandbox.sqs, 'SendMessageBatch', {
      QueueUrl: queueUrl,
      Entries: entries.slice(start, start + 10),
    });
    const failed = answer.Failed;
    if (Array.isArray(failed) && failed.length > 0) {
      throw new Error(`enqueueing the rotation jobs failed: ${JSON.stringify(failed)}`);
    }
  }
  return entries.length;
}
