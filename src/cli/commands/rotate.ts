import { UsageError } from '../../errors.js';
import {
  deduplicationId,
  JobReason,
  messageGroupId,
  newJob,
  serialiseJob,
} from '../../rotation/job.js';
import { rotate } from '../../rotation/rotate.js';
import { shortId, shortTime } from '../format.js';
import { type Invocation, parameterName } from '../invocation.js';
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
  invocation: Invocation,
  name: string | undefined,
  now: boolean,
): Promise<ExitCode> {
  if (name === undefined) throw new UsageError('rotate needs a parameter NAME');
  const { config, io } = invocation;
  const fullName = parameterName(name, config.tokenPath);
  const current = await invocation.store().describe(fullName);
  if (current === undefined) throw new UsageError(`${fullName} does not exist`);
  const job = newJob(fullName, current.version, JobReason.Forced, io.clock());

  if (!now) {
    await invocation.queue().send({
      body: serialiseJob(job),
      groupId: messageGroupId(fullName),
      deduplicationId: deduplicationId(job),
    });
    const result = { enqueued: true, name: fullName, observedVersion: current.version };
    io.stdout.write(
      invocation.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `Enqueued a forced rotation of ${fullName} (version ${current.version}); the rotator will pick it up.\n`,
    );
    return ExitCode.Ok;
  }

  const outcome = await rotate(
    job,
    { store: invocation.store(), tokens: invocation.tokens(), clock: io.clock },
    config,
  );
  if (invocation.json) {
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
