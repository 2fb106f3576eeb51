/**
 * One scan in a process of its own, so its peak RSS and heap are the scan's: the real scanner
 * (src/app, as the handler wires it) or the naive baseline, against the sandbox host's endpoint;
 * or the cost of the scan's claims on the fleet's tokens, measured alone.
 */

import type { ScheduledEvent } from 'aws-lambda';
import scheduled from '../events/scheduled-event.json' with { type: 'json' };
import { createScanner, type ScannerDeps, wireScanner } from '../src/app/scanner.js';
import { LicenseManagerTokens } from '../src/aws/license-manager.js';
import { SqsMessageQueue } from '../src/aws/message-queue.js';
import { SsmParameterStore } from '../src/aws/parameter-store.js';
import { readScannerConfig } from '../src/config.js';
import { Claims } from '../src/rotation/claims.js';
import { CLIENT_TOKEN_WINDOW_MS } from '../src/rotation/client-token.js';
import { TokenState } from '../src/rotation/due.js';
import type { RotationRecord } from '../src/rotation/record.js';
import { previousStanding } from '../src/rotation/revocation-policy.js';
import { inventory, type ManagedParameter } from '../src/rotation/scan.js';
import {
  type AuditOptions,
  STRAY_MINT_LOOKBACK_MS,
  TokenAudit,
} from '../src/rotation/token-audit.js';
import { HOUR_MS, MINUTE_MS } from '../src/time.js';
import { lambdaContext } from '../tools/local/lambda-context.js';
import { serve } from './child.js';
import { type MemoryUse, measureMemory, retainedBy } from './memory.js';
import { naiveScan } from './naive-scan.js';
import { type CallCounts, CallLog } from './sdk-calls.js';
import {
  asLambda,
  BENCH_ENVIRONMENT,
  type CountedClients,
  countedClients,
  countedEventBus,
  type Target,
} from './wiring.js';

/** Which scanner to run, and against what. */
export interface ScanRequest extends Target {
  readonly variant: 'scanner' | 'naive';
  readonly tokenPath: string;
  readonly queueUrl: string;
  /** The scanner's timeout as serverless.yml deploys it: the context counts down from it. */
  readonly timeoutMs: number;
  /** Force a full GC this often and record the live heap (a separate, diagnostic run). */
  readonly liveHeapEveryMs?: number;
}

/** What one scan did and cost. */
export interface ScanRun {
  readonly variant: 'scanner' | 'naive';
  readonly wallMs: number;
  /** CPU time of this process during the scan (the sandbox's is counted apart). */
  readonly cpuMs: number;
  readonly memory: MemoryUse;
  readonly calls: CallCounts;
  readonly retries: number;
  readonly scanned: number;
  readonly due: number;
  readonly enqueued: number;
  readonly revocationsEnqueued: number;
  readonly enqueueFailures: number;
}

/** The scanner as the handler wires it, on counted clients pointed at the sandbox. */
function scannerDeps(
  request: Pick<ScanRequest, 'tokenPath' | 'queueUrl'>,
  clients: CountedClients,
): ScannerDeps {
  const config = readScannerConfig({
    TOKEN_PATH: request.tokenPath,
    JOB_QUEUE_URL: request.queueUrl,
    ...BENCH_ENVIRONMENT,
  });
  const store = new SsmParameterStore(clients.ssm);
  return wireScanner(config, {
    store,
    pickups: store,
    events: countedEventBus(clients, config.eventBusName),
    queue: new SqsMessageQueue(config.jobQueueUrl, clients.sqs),
    tokens: new LicenseManagerTokens(clients.licenseManager),
  });
}

async function scanOnce(request: ScanRequest): Promise<ScanRun> {
  const log = new CallLog();
  const clients = countedClients(request, log);
  let run: () => Promise<
    Omit<ScanRun, 'variant' | 'wallMs' | 'cpuMs' | 'memory' | 'calls' | 'retries'>
  >;
  if (request.variant === 'scanner') {
    const deps = scannerDeps(request, clients);
    const handler = asLambda(deps, createScanner(deps));
    // The live-heap run measures memory, and its forced GCs slow it down: the function's
    // timeout (after which middy stops the handler) holds only the timed runs.
    const timeoutMs = request.liveHeapEveryMs === undefined ? request.timeoutMs : 60 * MINUTE_MS;
    run = async () => {
      const summary = await handler(
        structuredClone(scheduled) as ScheduledEvent,
        lambdaContext('license-token-rotator-bench-scanner', timeoutMs),
      );
      return {
        scanned: summary.scanned,
        due: summary.due + summary.expired,
        enqueued: summary.enqueued,
        revocationsEnqueued: summary.revocationsEnqueued,
        enqueueFailures: summary.enqueueFailures,
      };
    };
  } else {
    run = async () => {
      const summary = await naiveScan(clients, {
        tokenPath: request.tokenPath,
        queueUrl: request.queueUrl,
        now: new Date(),
      });
      return {
        scanned: summary.scanned,
        due: summary.due + summary.expired,
        enqueued: summary.enqueued,
        revocationsEnqueued: 0,
        enqueueFailures: 0,
      };
    };
  }
  const { result, memory } = await measureMemory(
    async () => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const outcome = await run();
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return { outcome, wallMs, cpuMs: (used.user + used.system) / 1000 };
    },
    request.liveHeapEveryMs === undefined ? {} : { liveEveryMs: request.liveHeapEveryMs },
  );
  return {
    variant: request.variant,
    wallMs: result.wallMs,
    cpuMs: result.cpuMs,
    memory,
    calls: log.counts,
    retries: log.retries(),
    ...result.outcome,
  };
}

/** Whose claims to measure: the fleet under the token path (the queue only configures). */
export type ClaimsRequest = Pick<ScanRequest, keyof Target | 'tokenPath' | 'queueUrl'>;

/** What the scan's claims hold for one fleet: one entry per token a record names. */
export interface ClaimsCost {
  readonly namedTokens: number;
  /** The live heap the claims keep, every named token's entry together. */
  readonly bytes: number;
  /**
   * The live heap the scan's whole TokenAudit keeps, noted as the scan notes each managed
   * record: the claims and the audit's ledger of the parameters that may need a job.
   */
  readonly auditBytes: number;
  /**
   * Parameters whose previous token is past its grace period (due, or awaiting its replacement's
   * pickup): each waits in the ledger until its license's tokens are listed.
   */
  readonly awaiting: number;
  /**
   * The whole TokenAudit again, every rotated record (one naming a previous token) re-dated as a
   * rotation inside the lookback its stray mints are looked for, with the rotator's mint window: the
   * ledger then keeps each such record too, by design. Undefined when no record was rotated.
   */
  readonly recent: { readonly auditBytes: number; readonly kept: number } | undefined;
}

/**
 * A rotated record as the rotator writes it, rotated halfway between the end of its previous
 * token's grace period and the end of the stray-mint lookback: its previous token is weighed and
 * its stray mints looked for, so the audit keeps the record. Its strings are new, as a parse's.
 */
function recentlyRotated(record: RotationRecord, options: AuditOptions): RotationRecord {
  const graceMs = options.revokePreviousAfterHours * HOUR_MS;
  const rotatedAt = options.now.getTime() - (graceMs + STRAY_MINT_LOOKBACK_MS) / 2;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    ...record,
    issuedAt: iso(rotatedAt),
    rotatedAt: iso(rotatedAt),
    mintsFrom: iso(rotatedAt - CLIENT_TOKEN_WINDOW_MS),
  };
}

/**
 * The scan's own Claims, filled from the fleet as the scan reads it (DescribeParameters pages
 * through the store, each record parsed and noted as the audit notes it), and the live heap it
 * keeps; then the scan's whole TokenAudit the same way, as the fleet's records are dated and as if
 * each was rotated a few days ago. A first read warms the clients and the parser, so that only
 * what is noted is counted.
 */
async function claimsCost(request: ClaimsRequest): Promise<ClaimsCost> {
  const deps = scannerDeps(request, countedClients(request, new CallLog()));
  const options = { ...deps.config, now: deps.clock() };
  const fill = async (note: (item: ManagedParameter) => void): Promise<number> => {
    let named = 0;
    for await (const item of inventory(deps.store, options)) {
      if (item.state === 'unmanaged') continue;
      note(item);
      named += item.record.previousTokenId === undefined ? 1 : 2;
    }
    return named;
  };
  const live = (item: ManagedParameter): boolean => item.state !== TokenState.Expired;
  await fill(() => undefined);
  const claims = new Claims();
  const { value: namedTokens, bytes } = await retainedBy(() =>
    fill((item) => claims.note(item.name, item.record, live(item))),
  );
  // As src/rotation/scan.ts notes a managed parameter.
  const audited = async (redate: (record: RotationRecord) => RotationRecord) => {
    const audit = new TokenAudit(options);
    const counts = { awaiting: 0, rotated: 0 };
    const { bytes: auditBytes } = await retainedBy(() =>
      fill((item) => {
        const record = redate(item.record);
        const standing = previousStanding(record, undefined, options.now, options);
        if (standing.kind === 'due' || standing.kind === 'awaiting-pickup') counts.awaiting++;
        if (record.previousTokenId !== undefined) counts.rotated++;
        audit.note({ ...item, record, live: live(item), standing });
      }),
    );
    return { audit, auditBytes, ...counts };
  };
  const steady = await audited((record) => record);
  const recent =
    steady.rotated === 0
      ? undefined
      : await audited((record) =>
          record.previousTokenId === undefined ? record : recentlyRotated(record, options),
        );
  // Held until the heap was read: the claims and the audits are what was measured.
  const conflicts = [claims, steady.audit.claims, recent?.audit.claims].reduce(
    (sum, held) => sum + (held?.conflicts().size ?? 0),
    0,
  );
  if (conflicts > 0) throw new Error('the bench fleet names a token twice');
  return {
    namedTokens,
    bytes,
    auditBytes: steady.auditBytes,
    awaiting: steady.awaiting,
    recent:
      recent === undefined ? undefined : { auditBytes: recent.auditBytes, kept: recent.rotated },
  };
}

serve({
  scan: (payload) => scanOnce(payload as ScanRequest),
  claims: (payload) => claimsCost(payload as ClaimsRequest),
});
