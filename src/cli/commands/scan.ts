import type {
  FailedSend,
  MessageQueue,
  ParameterStore,
  QueueMessage,
} from '../../rotation/ports.js';
import { type ScanSummary, scan } from '../../rotation/scan.js';
import type { Invocation } from '../invocation.js';
import { ExitCode } from '../io.js';
import { type Progress, progress, table } from '../style.js';
import { warningLog } from '../warnings.js';

/** Help for `scan`. */
export const scanHelp = `Usage: license-token-rotator scan [--dry-run] [--json]

Runs the scanner's own code once: every due or expired token gets a rotation job, and
every previous token the revocation policy lets go (its grace period over and, under
after-pickup, its replacement picked up through the exchange) that License Manager
still lists as AVAILABLE gets a revoke job, on the jobs queue (--queue-url or
JOB_QUEUE_URL). It also counts the previous tokens kept awaiting a pickup ("show NAME"
tells one) and the tokens no record names ("orphans" lists them).

Options:
  --dry-run   show what would be enqueued and why, without enqueuing anything
  --json      one JSON document instead of text`;

/** A job the scan produced, as the operator sees it. */
interface PlannedJob {
  readonly parameterName: string;
  readonly observedVersion: number;
  readonly reason: string;
}

/** A queue that only remembers: the dry run's stand-in for SQS. */
class RecordingQueue implements MessageQueue {
  readonly jobs: PlannedJob[] = [];

  async sendBatch(messages: readonly QueueMessage[]): Promise<FailedSend[]> {
    for (const message of messages) await this.send(message);
    return [];
  }

  async send(message: QueueMessage): Promise<void> {
    const { parameterName, observedVersion, reason } = JSON.parse(message.body) as PlannedJob;
    this.jobs.push({ parameterName, observedVersion, reason });
  }
}

/** Wraps a queue to keep a copy of what was sent, for the report. */
class TeeQueue implements MessageQueue {
  readonly recording = new RecordingQueue();

  constructor(private readonly target: MessageQueue) {}

  async sendBatch(messages: readonly QueueMessage[]): Promise<readonly FailedSend[]> {
    const failed = await this.target.sendBatch(messages);
    const failedIndexes = new Set(failed.map((failure) => failure.index));
    await this.recording.sendBatch(messages.filter((_, index) => !failedIndexes.has(index)));
    return failed;
  }

  async send(message: QueueMessage): Promise<void> {
    await this.target.send(message);
    await this.recording.send(message);
  }
}

/** The store as a scan reads it: never written, and each page counted on the progress line. */
function countingStore(store: ParameterStore, shown: Progress): ParameterStore {
  let seen = 0;
  return {
    async *pages(path: string) {
      for await (const page of store.pages(path)) {
        seen += page.length;
        shown.update(seen);
        yield page;
      }
    },
    describe: (name: string) => store.describe(name),
    putToken: () => Promise.reject(new Error('a scan never writes a parameter')),
  };
}

/** The scan as text: the jobs it enqueued (or would), the counts, then the warnings. */
function printScan(
  invocation: Invocation,
  dryRun: boolean,
  summary: ScanSummary,
  jobs: readonly PlannedJob[],
  warnings: readonly string[],
): void {
  const { io, style } = invocation;
  if (jobs.length > 0) {
    const rows = jobs.map((job) => [job.parameterName, String(job.observedVersion), job.reason]);
    io.stdout.write(`${table([['PARAMETER', 'VERSION', 'JOB'].map(style.bold), ...rows])}\n\n`);
  }
  const revocations =
    summary.revocationsEnqueued > 0
      ? ` (${summary.revocationsEnqueued} to revoke a previous token)`
      : '';
  io.stdout.write(
    `Scanned ${summary.scanned}: ${summary.ok} ok, ${summary.due} due, ${summary.expired} expired, ${summary.unmanaged} unmanaged. ` +
      `${dryRun ? 'Would enqueue' : 'Enqueued'} ${jobs.length} job(s)${revocations}.\n`,
  );
  const notes = [
    summary.revocationsDeferred > 0
      ? `${summary.revocationsDeferred} previous token(s) kept until their replacement is picked up (${summary.pickupsOverdue} overdue): see "show NAME"`
      : '',
    summary.unrecordedTokens > 0
      ? `${summary.unrecordedTokens} token(s) no record names: see "orphans"`
      : '',
  ].filter((note) => note !== '');
  if (notes.length > 0) io.stdout.write(`${notes.join('; ')}.\n`);
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
}

/** Runs one scan, for real or as a dry run. */
export async function scanCommand(invocation: Invocation, dryRun: boolean): Promise<ExitCode> {
  const { config, io } = invocation;
  const queue = dryRun ? new RecordingQueue() : new TeeQueue(invocation.queue());
  const warnings: string[] = [];
  const shown = progress(io.stderr, 'Scanned');
  const summary = await scan(
    {
      store: countingStore(invocation.store(), shown),
      queue,
      tokens: invocation.tokens(),
      pickups: invocation.store(),
      log: warningLog(warnings),
    },
    { ...config, now: io.clock() },
  );
  shown.done();
  const jobs = queue instanceof RecordingQueue ? queue.jobs : queue.recording.jobs;

  if (invocation.json) {
    io.stdout.write(`${JSON.stringify({ dryRun, summary, jobs, warnings }, null, 2)}\n`);
  } else {
    printScan(invocation, dryRun, summary, jobs, warnings);
  }
  return summary.enqueueFailures > 0 || summary.licenseCheckFailures > 0
    ? ExitCode.Failure
    : ExitCode.Ok;
}
