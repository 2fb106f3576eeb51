import { InvalidInputError, UsageError } from '../../errors.js';
import {
  deduplicationId,
  JobReason,
  messageGroupId,
  newJob,
  type RotationJob,
  serialiseJob,
} from '../../rotation/job.js';
import { revocationDueAt } from '../../rotation/revoke.js';
import { type Retired, type RotationOutcome, rotate, SkipReason } from '../../rotation/rotate.js';
import { classify, type InventoryItem } from '../../rotation/scan.js';
import { revocationResult, shortId, shortTime } from '../format.js';
import { type Invocation, parameterName, stackKmsKey } from '../invocation.js';
import { ExitCode } from '../io.js';

/** Help for `rotate`. */
export const rotateHelp = `Usage: license-token-rotator rotate NAME [--now] [--revoke-previous] [--json]

Rotates one token now, whatever its expiry: cert-manager's "renew".

Without --now, enqueues a forced rotation job for the rotator (--queue-url or
JOB_QUEUE_URL). With --now, performs the rotation in this process, through the
rotator's own code: mint with the generation's ClientToken, verify, store.

A forced rotation waits for the previous token's grace period to end: rotating
sooner would delete the previous token while hosts may still use it. Inside the
grace period it is refused (previous-in-grace) and nothing is enqueued or minted.
An enqueued one also waits while the previous token is still live past it (its
revocation waits for a pickup, say): the rotator deletes a live token only on
the scanner's word, so it is refused (previous-live); --now decides here.

If the token leaked, use --revoke-previous: the rotation happens at once, in
this process and with your credentials (the rotator takes deletes from the
scanner only), even inside the grace period, and the leaked token is deleted
right after the new one is stored, whatever the revocation policy (so is an
older previous token the record drops). Hosts that hold the leaked token lose
access at once: give them the new one ("show NAME --reveal"), as the exchange
refuses a deleted token.

NAME is a full parameter name or one relative to the token path.

Options:
  --now               rotate in-process instead of enqueuing
  --revoke-previous   the token leaked: rotate it and delete it, in-process
  --kms-key-id KEY    in-process: the stack's KMS key for the SecureString (required
                      unless KMS_KEY_ID is set; no default: alias/aws/ssm only if
                      you mean it)
  --json              one JSON document instead of text`;

/** The values `rotate` reads from the command line. */
export interface RotateOptions {
  readonly now?: boolean | undefined;
  readonly 'revoke-previous'?: boolean | undefined;
  readonly 'kms-key-id'?: string | undefined;
}

/** The previous token and the end of its grace period, while it is in it. */
interface InGrace {
  readonly previousTokenId: string;
  readonly until: Date;
}

/** Where the previous token stands against a forced rotation: in its grace period, or not. */
function inGrace(item: InventoryItem, graceHours: number, now: Date): InGrace | undefined {
  if (item.state === 'unmanaged' || item.record.previousTokenId === undefined) return undefined;
  // The rotator's rule: revocationDueAt is when it lets a forced rotation through.
  const until = revocationDueAt(item.record, graceHours);
  if (until === undefined || now >= until) return undefined;
  return { previousTokenId: item.record.previousTokenId, until };
}

/** Why a forced rotation does not happen inside the grace period, and the way out for a leak. */
const inGraceReason = (name: string, grace: InGrace): string =>
  `${name} (${SkipReason.PreviousInGrace}): its previous token ${shortId(grace.previousTokenId)} ` +
  `is in its grace period until ${shortTime(grace.until.toISOString())} UTC, and rotating now ` +
  'would delete it while hosts may still use it. If the token leaked, run ' +
  `"license-token-rotator rotate ${name} --revoke-previous".`;

/** Why an enqueued forced rotation would not happen: the previous token is still live. */
const previousLiveReason = (name: string, previousTokenId: string): string =>
  `${name} (${SkipReason.PreviousLive}): its previous token ${shortId(previousTokenId)} is past ` +
  'its grace period but still live (its revocation may be waiting for a pickup), and the rotator ' +
  'deletes a live token only on the scanner\'s word. Wait for the revocation ("show" says where ' +
  `it stands), or rotate here with "license-token-rotator rotate ${name} --now".`;

/** The previous token of a managed parameter when License Manager still lists it as live. */
async function livePrevious(
  invocation: Invocation,
  item: InventoryItem,
): Promise<string | undefined> {
  if (item.state === 'unmanaged') return undefined;
  const { previousTokenId, homeRegion } = item.record;
  if (previousTokenId === undefined) return undefined;
  const listed = await invocation.tokens().describeTokens([previousTokenId], homeRegion);
  return listed.get(previousTokenId)?.status === 'AVAILABLE' ? previousTokenId : undefined;
}

/** A line on a token the rotation deleted; a failure says the token still works. */
function retiredLine(what: string, retired: Retired): string {
  const token = `${what} ${retired.tokenId}`;
  if (retired.result === 'failed') {
    return (
      `${token}: NOT deleted (${retired.failure}); it still works. Delete it with ` +
      `"aws license-manager delete-token --token-id ${retired.tokenId}" in the license's home region.`
    );
  }
  if (retired.result === 'retained') return `${token}: kept (policy never).`;
  return `${token}: ${revocationResult(retired.result)}.`;
}

/**
 * The outcome of an in-process rotation as text, and whether it did all it was asked: a skip, or
 * a token it had to delete that still works, is a failure.
 */
function outcomeText(outcome: RotationOutcome): [string, boolean] {
  const name = outcome.parameterName;
  if (outcome.kind === 'skipped') {
    // Refused up front; the rotator's own check still sees it when the record moved meanwhile.
    const why =
      outcome.why === SkipReason.PreviousInGrace
        ? `${outcome.why}: its previous token is in its grace period; if the token leaked, use --revoke-previous`
        : outcome.why;
    return [`Did not rotate ${name}: ${why}.\n`, false];
  }
  const lines = [
    `Rotated ${name}: token ${shortId(outcome.previousTokenId)} → ${shortId(outcome.tokenId)}` +
      `${outcome.verified ? ' (verified)' : ''}, version ${outcome.version}, expires ${shortTime(outcome.expiresAt)} UTC.`,
  ];
  if (outcome.retired) lines.push(retiredLine('Older token', outcome.retired));
  if (outcome.leakedRevoked) lines.push(retiredLine('Leaked token', outcome.leakedRevoked));
  const failed = [outcome.retired, outcome.leakedRevoked].some((r) => r?.result === 'failed');
  return [`${lines.join('\n')}\n`, !failed];
}

/** Sends the job to the jobs queue, and says so. */
async function enqueue(invocation: Invocation, job: RotationJob): Promise<ExitCode> {
  const { parameterName: name, observedVersion, reason } = job;
  await invocation.queue().send({
    body: serialiseJob(job),
    groupId: messageGroupId(name),
    deduplicationId: deduplicationId(job),
  });
  invocation.io.stdout.write(
    invocation.json
      ? `${JSON.stringify({ enqueued: true, name, observedVersion, reason }, null, 2)}\n`
      : `Enqueued a forced rotation of ${name} (version ${observedVersion}); the rotator will pick it up.\n`,
  );
  return ExitCode.Ok;
}

/** Enqueues a forced rotation, or performs it here (with `now`, and always for a leak). */
export async function rotateCommand(
  invocation: Invocation,
  name: string | undefined,
  options: RotateOptions,
): Promise<ExitCode> {
  if (name === undefined) throw new UsageError('rotate needs a parameter NAME');
  const { config, io } = invocation;
  const fullName = parameterName(name, config.tokenPath);
  const current = await invocation.store().describe(fullName);
  if (current === undefined) throw new UsageError(`${fullName} does not exist`);
  const leak = options['revoke-previous'] === true;
  // A leak deletes tokens: the rotator takes that from the scanner only, so it runs here.
  const here = options.now === true || leak;
  const command = leak ? 'rotate --revoke-previous' : 'rotate --now';
  const kmsKeyId = here ? stackKmsKey(invocation, options['kms-key-id'], command) : '';
  const now = io.clock();
  const item = classify(current, { ...config, now });
  const grace = inGrace(item, config.revokePreviousAfterHours, now);
  if (!leak && grace !== undefined)
    throw new InvalidInputError(`not rotating ${inGraceReason(fullName, grace)}`);
  const job = newJob(fullName, current.version, leak ? JobReason.Leaked : JobReason.Forced, now);
  if (!here) {
    const live = await livePrevious(invocation, item);
    if (live !== undefined)
      throw new InvalidInputError(`not enqueuing ${previousLiveReason(fullName, live)}`);
    return enqueue(invocation, job);
  }

  const outcome = await rotate(
    job,
    { store: invocation.store(), tokens: invocation.tokens(), clock: io.clock },
    { ...config, kmsKeyId },
  );
  const [text, done] = outcomeText(outcome);
  io.stdout.write(invocation.json ? `${JSON.stringify(outcome, null, 2)}\n` : text);
  return done ? ExitCode.Ok : ExitCode.Failure;
}
