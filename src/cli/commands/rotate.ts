import { UsageError } from '../../errors.js';
import {
  deduplicationId,
  JobReason,
  messageGroupId,
  newJob,
  serialiseJob,
} from '../../rotation/job.js';
import { rotate } from '../../rotation/rotate.js';
import { type Context, parameterName } from '../context.js';
import { shortId, shortTime } from '../format.js';
import { ExitCode } from '../io.js';

/** Help for `rotate`. */
export const rotateHelp = `Usage: license-token-rotator rotate NAME [--now] [--json]

Rotates one token now, whatever its expiry: cert-manager's "renew".

Without --now, enqueues a forced rotation job for the rotator (--queue-url or
JOB_QUEUE_URL). With --now, performs the rotation in this process, through the
rotator's own code: mint with the generation's ClientToken, verify, store.

NAME is a full parameter name or one relative to the token path.

Options:
  --now    rotate in-process instead of enqueuing
  --json   one JSON document instead of text`;

/** Enqueues a forced rotation, or performs it with `now`. */
export async function rotateCommand(
  context: Context,
  name: string | undefined,
  now: boolean,
): Promise<ExitCode> {
  if (name === undefined) throw new UsageError('rotate needs a parameter NAME');
  const { config, io } = context;
  const fullName = parameterName(name, config.tokenPath);
  const current = await context.store().describe(fullName);
  if (current === undefined) throw new UsageError(`${fullName} does not exist`);
  const job = newJob(fullName, current.version, JobReason.Forced, io.clock());

  if (!now) {
    await context.queue().send({
      body: serialiseJob(job),
      groupId: messageGroupId(fullName),
      deduplicationId: deduplicationId(job),
    });
    const result = { enqueued: true, name: fullName, observedVersion: current.version };
    io.stdout.write(
      context.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `Enqueued a forced rotation of ${fullName} (version ${current.version}); the rotator will pick it up.\n`,
    );
    return ExitCode.Ok;
  }

  const outcome = await rotate(
    job,
    { store: context.store(), tokens: context.tokens(), clock: io.clock },
    config,
  );
  if (context.json) {
    io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  } else if (outcome.kind === 'rotated') {
    io.stdout.write(
      `Rotated ${fullName}: token ${shortId(outcome.previousTokenId)} → ${shortId(outcome.tokenId)}` +
        `${outcome.verified ? ' (verified)' : ''}, version ${outcome.version}, expires ${shortTime(outcome.expiresAt)} UTC.\n`,
    );
  } else {
    io.stdout.write(`Did not rotate ${fullName}: ${outcome.why}.\n`);
  }
  return outcome.kind === 'rotated' ? ExitCode.Ok : ExitCode.Failure;
}
