import type {
  FailedSend,
  MessageQueue,
  ParameterStore,
  QueueMessage,
} from '../../rotation/ports.js';
import { type ScanSummary, scan } from '../../rotation/scan.js';
import { deletingReasons } from '../../rotation/trusted-sender.js';
import type { Invocation } from '../invocation.js';
import { ExitCode } from '../io.js';
import { type Progress, progress, table } from '../style.js';
import { warningLog } from '../warnings.js';

/** Help for `scan`. */
export const scanHelp = `Usage: license-token-rotator scan [--dry-run] [--json]

Runs the scanner's own code once: every due or expired token gets a rotation job on
the jobs queue (--queue-url or JOB_QUEUE_URL). The jobs that would delete a token (a
previous token the revocation policy lets go, stray mints) are shown but left to the
deployed scanner: the rotator takes those only from the scanner's role. It also counts
the previous tokens kept awaiting a pickup ("show NAME" tells one) and the tokens no
record names ("orphans" lists them).

Options:
  --dry-run   show what would be enqueued and why, without enqueuing anything
  --json      one JSON document instead of text`;

/** A job the scan produced, as the operator sees it. */
interface PlannedJob {
  readonly parameterName: string;
  readonly observedVersion: number;
  readonly reason: string;
}

/** A queue that only remembers: the dry run's stand-in for SQS, and the report's copy. */
class RecordingQueue implements MessageQueue {
  readonly jobs: PlannedJob[] = [];

  async sendBatch(messages: readonly QueueMessage[]): Promise<FailedSend[]> {
    for (const message of messages) await this.send(message);
    return [];
  }

  async send(message: QueueMessage): Promise<void> {
    this.jobs.push(plannedJob(message));
  }
}

/** What a job message asks for, read back from the body the scan wrote. */
function plannedJob(message: QueueMessage): PlannedJob {
  const { parameterName, observedVersion, reason } = JSON.parse(message.body) as PlannedJob;
  return { parameterName, observedVersion, reason };
}

/** True for a job that deletes tokens, which the deployed rotator takes only from the scanner. */
const deletes = (message: QueueMessage): boolean =>
  (deletingReasons as ReadonlySet<string>).has(plannedJob(message).reason);

/**
 * Wraps the jobs queue for an operator's scan: sends the rotation jobs, keeping a copy for the
 * report, and holds back the jobs that delete. Sent under the operator's credentials, those would
 * only be dead-lettered as UntrustedSender; the deployed scanner sends them on its next run.
 */
class OperatorQueue implements MessageQueue {
  readonly sent = new RecordingQueue();
  readonly held = new RecordingQueue();

  constructor(private readonly target: MessageQueue) {}

  async sendBatch(messages: readonly QueueMessage[]): Promise<readonly FailedSend[]> {
    const deleting = messages.map(deletes);
    const sending = messages.flatMap((_, index) => (deleting[index] ? [] : [index]));
    await this.held.sendBatch(messages.filter((_, index) => deleting[index]));
    const failed = await this.target.sendBatch(
      sending.map((index) => messages[index] as QueueMessage),
    );
    const failedIndexes = new Set(failed.map((failure) => failure.index));
    await this.sent.sendBatch(
      sending.flatMap((index, at) =>
        failedIndexes.has(at) ? [] : [messages[index] as QueueMessage],
      ),
    );
    // The scan resends by index into the batch it passed: map the failures back to it.
    return failed.map((failure) => ({
      ...failure,
      index: sending[failure.index] ?? failure.index,
    }));
  }

  async send(message: QueueMessage): Promise<void> {
    if (deletes(message)) return this.held.send(message);
    await this.target.send(message);
    await this.sent.send(message);
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
  held: readonly PlannedJob[],
  warnings: readonly string[],
): void {
  const { io, style } = invocation;
  const rows = [
    ...jobs.map((job) => [job.parameterName, String(job.observedVersion), job.reason]),
    ...held.map((job) => [
      job.parameterName,
      String(job.observedVersion),
      `${job.reason} (left to the scanner)`,
    ]),
  ];
  if (rows.length > 0) {
    io.stdout.write(`${table([['PARAMETER', 'VERSION', 'JOB'].map(style.bold), ...rows])}\n\n`);
  }
  const revocations = jobs.filter((job) => job.reason === 'revoke-previous').length;
  io.stdout.write(
    `Scanned ${summary.scanned}: ${summary.ok} ok, ${summary.due} due, ${summary.expired} expired, ${summary.unmanaged} unmanaged. ` +
      `${dryRun ? 'Would enqueue' : 'Enqueued'} ${jobs.length} job(s)` +
      `${revocations > 0 ? ` (${revocations} to revoke a previous token)` : ''}.\n`,
  );
  const notes = [
    held.length > 0
      ? `${held.length} job(s) that delete tokens left to the deployed scanner: the rotator takes them from its role only`
      : '',
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
  const queue = new OperatorQueue(dryRun ? new RecordingQueue() : invocation.queue());
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
  const jobs = queue.sent.jobs;
  const held = queue.held.jobs;

  if (invocation.json) {
    io.stdout.write(`${JSON.stringify({ dryRun, summary, jobs, held, warnings }, null, 2)}\n`);
  } else {
    printScan(invocation, dryRun, summary, jobs, held, warnings);
  }
  return summary.enqueueFailures > 0 || summary.licenseCheckFailures > 0
    ? ExitCode.Failure
    : ExitCode.Ok;
}
