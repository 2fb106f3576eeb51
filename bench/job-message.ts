import {
  deduplicationId,
  JobReason,
  messageGroupId,
  newJob,
  serialiseJob,
} from '../src/rotation/job.js';

/** The SQS fields of a rotation job as the scanner sends it: body, FIFO group, deduplication id. */
export function rotationJobMessage(
  parameterName: string,
  version: number,
  now: Date,
): { MessageBody: string; MessageGroupId: string; MessageDeduplicationId: string } {
  const job = newJob(parameterName, version, JobReason.Expiring, now);
  return {
    MessageBody: serialiseJob(job),
    MessageGroupId: messageGroupId(parameterName),
    MessageDeduplicationId: deduplicationId(job),
  };
}
