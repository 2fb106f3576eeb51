import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LicenseManagerClient, ListTokensCommand } from '@aws-sdk/client-license-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  type ParameterMetadata,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import scheduledEvent from '../../../events/scheduled-event.json' with { type: 'json' };
import { handler } from '../../../src/handlers/scanner.js';
import { deduplicationId, JobReason, newJob } from '../../../src/rotation/job.js';
import { serialiseRecord } from '../../../src/rotation/record.js';
import { freezeDateAtNow } from '../../helpers/clock.js';
import { aRecord, LICENSE_ARN, NOW, TOKEN_PATH, tokenIdFor } from '../../helpers/factories.js';
import { aContext } from '../../helpers/lambda.js';
import { capturedJson, capturedLogs, clearCapturedOutput } from '../../helpers/output.js';

const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);
const lm = mockClient(LicenseManagerClient);
const bus = mockClient(EventBridgeClient);
const event = (): ScheduledEvent => structuredClone(scheduledEvent) as ScheduledEvent;

const metadata = (name: string, daysLeft: number, version = 1): ParameterMetadata => ({
  Name: `${TOKEN_PATH}${name}`,
  Type: 'SecureString',
  Version: version,
  Description: serialiseRecord(aRecord({ daysLeft, tokenId: tokenIdFor(name) })),
});

/** 3 pages: 23 due (two of them expired), 4 ok, 2 unmanaged. */
const fleet: ParameterMetadata[][] = [
  [
    ...Array.from({ length: 10 }, (_, i) => metadata(`due/${i}`, 30, i + 1)),
    metadata('ok/0', 200),
    {
      Name: `${TOKEN_PATH}hand-made`,
      Type: 'SecureString',
      Version: 1,
      Description: 'written by hand',
    },
  ],
  [...Array.from({ length: 11 }, (_, i) => metadata(`due/${10 + i}`, 10)), metadata('ok/1', 300)],
  [
    metadata('expired/0', -1),
    metadata('expired/1', -40),
    metadata('ok/2', 150),
    metadata('ok/3', 125),
    { Name: `${TOKEN_PATH}no-record`, Type: 'SecureString', Version: 4 },
  ],
];

let pages = fleet;
const requests: DescribeParametersCommandInput[] = [];

const sentEntries = () =>
  sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);

freezeDateAtNow();

beforeEach(() => {
  ssm.reset();
  sqs.reset();
  lm.reset();
  lm.on(ListTokensCommand).resolves({ Tokens: [] });
  bus.reset();
  bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  clearCapturedOutput();
  requests.length = 0;
  pages = fleet;
  ssm.on(DescribeParametersCommand).callsFake((input: DescribeParametersCommandInput) => {
    // The SDK's paginator reuses one input object, so keep a copy of each request as it was sent.
    requests.push(structuredClone(input));
    const page = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(5)) - 1;
    const next = page + 1 < pages.length ? `page-${page + 2}` : undefined;
    return { Parameters: pages[page], NextToken: next };
  });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('scanner handler', () => {
  it('follows every page of SecureStrings under the token path, fifty at a time', async () => {
    await handler(event(), aContext());
    expect(ssm).toHaveReceivedCommandTimes(DescribeParametersCommand, 3);
    expect(requests.map((input) => input.NextToken)).toEqual([undefined, 'page-2', 'page-3']);
    for (const input of requests) {
      expect(input.MaxResults).toBe(50);
      expect(input.ParameterFilters).toEqual([
        { Key: 'Path', Option: 'Recursive', Values: ['/license-tokens'] },
        { Key: 'Type', Option: 'Equals', Values: ['SecureString'] },
      ]);
    }
  });

  it('enqueues the 23 due tokens in three batches with group and deduplication ids', async () => {
    const summary = await handler(event(), aContext());
    expect(
      sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length),
    ).toEqual([10, 10, 3]);
    const entries = sentEntries();
    const names = entries.map((entry) => JSON.parse(entry.MessageBody ?? '{}').parameterName);
    expect(new Set(names).size).toBe(23);
    for (const entry of entries) {
      const job = JSON.parse(entry.MessageBody ?? '{}');
      expect(entry.MessageGroupId).toBe(job.parameterName);
      expect(entry.MessageDeduplicationId).toBe(
        deduplicationId(newJob(job.parameterName, job.observedVersion, JobReason.Expiring, NOW)),
      );
      expect(Object.keys(job)).toEqual([
        'v',
        'parameterName',
        'observedVersion',
        'reason',
        'enqueuedAt',
      ]);
    }
    expect(entries[3]?.MessageBody).toContain('"observedVersion":4');
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(
      process.env.JOB_QUEUE_URL,
    );
    expect(summary).toMatchObject({
      scanned: 29,
      due: 21,
      expired: 2,
      ok: 4,
      unmanaged: 2,
      enqueued: 23,
      enqueueFailures: 0,
    });
  });

  it('counts and logs unmanaged parameters by name, and enqueues nothing for them', async () => {
    await handler(event(), aContext());
    const skipped = capturedLogs().filter(
      (line) => line.message === 'Skipping unmanaged parameter',
    );
    expect(skipped.map((line) => line.parameterName)).toEqual([
      `${TOKEN_PATH}hand-made`,
      `${TOKEN_PATH}no-record`,
    ]);
    expect(skipped[0]?.problem).toBe('record description: is not JSON');
    const names = sentEntries().map((entry) => entry.MessageGroupId);
    expect(names).not.toContain(`${TOKEN_PATH}hand-made`);
    expect(names).not.toContain(`${TOKEN_PATH}no-record`);
  });

  it('resends only the entries a batch reports as failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [{ Id: '4', Code: 'InternalError', SenderFault: false }],
      })
      .resolves({ Successful: [], Failed: [] });
    const summary = await handler(event(), aContext());
    const calls = sqs
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries ?? []);
    expect(calls.map((entries) => entries.length)).toEqual([10, 1, 10, 3]);
    expect(calls[1]?.[0]?.MessageBody).toBe(calls[0]?.[4]?.MessageBody);
    expect(calls[1]?.[0]?.MessageDeduplicationId).toBe(calls[0]?.[4]?.MessageDeduplicationId);
    expect(summary.enqueued).toBe(23);
  });

  it('gives up on an entry after three sends, and fails the invocation so the alarm fires', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input) => ({
      Successful: [],
      Failed: input.Entries[0].MessageGroupId.endsWith('due/0')
        ? [{ Id: '0', Code: 'InternalError', SenderFault: false }]
        : [],
    }));
    await expect(handler(event(), aContext())).rejects.toThrow('1 job(s) could not be enqueued');
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 5);
    const failed = capturedLogs().filter((line) => line.message === 'Could not enqueue job');
    expect(failed).toEqual([
      expect.objectContaining({ parameterName: `${TOKEN_PATH}due/0`, attempt: 3 }),
    ]);
  });

  it('does not resend an entry the queue blames on the sender', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [{ Id: '2', Code: 'InvalidParameterValue', SenderFault: true }],
      })
      .resolves({ Successful: [], Failed: [] });
    await expect(handler(event(), aContext())).rejects.toThrow('1 job(s) could not be enqueued');
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
  });

  it('publishes its counts as EMF metrics in the LicenseTokenRotator namespace', async () => {
    await handler(event(), aContext());
    const emf = capturedJson().find((line) => '_aws' in line && 'ParametersScanned' in line);
    expect(emf).toMatchObject({
      ParametersScanned: 29,
      TokensDue: 21,
      TokensExpired: 2,
      UnmanagedParameters: 2,
      JobsEnqueued: 23,
      EnqueueFailures: 0,
      MinDaysToExpiry: -40,
      service: 'license-token-rotator',
    });
    expect(JSON.stringify(emf)).toContain('"Namespace":"LicenseTokenRotator"');
  });

  it('logs one summary line with the Lambda context', async () => {
    await handler(event(), aContext('scanner-under-test'));
    const summary = capturedLogs().filter((line) => line.message === 'Scan complete');
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({
      function_name: 'scanner-under-test',
      summary: { scanned: 29, due: 21 },
    });
  });

  it('stops at once when the queue refuses for good, rather than failing every batch', async () => {
    sqs.on(SendMessageBatchCommand).rejects(
      Object.assign(new Error('not authorised'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(handler(event(), aContext())).rejects.toThrow(
      'SendMessageBatch failed (AccessDenied)',
    );
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
  });

  it('enqueues a revoke job for a previous token past its grace period that is still AVAILABLE', async () => {
    const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
    const rotated = (name: string, previousTokenId: string): ParameterMetadata => ({
      Name: `${TOKEN_PATH}${name}`,
      Type: 'SecureString',
      Version: 2,
      Description: serialiseRecord(
        aRecord({ tokenId: tokenIdFor(name), previousTokenId, rotatedAt }),
      ),
    });
    pages = [[rotated('a', 'prev-a'), rotated('b', 'prev-b')]];
    lm.on(ListTokensCommand).resolves({
      Tokens: [
        { TokenId: 'prev-a', LicenseArn: LICENSE_ARN, Status: 'AVAILABLE' },
        { TokenId: 'prev-b', LicenseArn: LICENSE_ARN, Status: 'DELETED' },
      ],
    });
    const summary = await handler(event(), aContext());
    expect(lm).toHaveReceivedCommandWith(ListTokensCommand, {
      Filters: [{ Name: 'LicenseArns', Values: [LICENSE_ARN] }],
    });
    expect(sentEntries().map((entry) => JSON.parse(entry.MessageBody ?? '{}'))).toEqual([
      expect.objectContaining({ parameterName: `${TOKEN_PATH}a`, reason: 'revoke-previous' }),
    ]);
    expect(summary.revocationsEnqueued).toBe(1);
  });

  it('never reads a parameter value', async () => {
    await handler(event(), aContext());
    const commands = ssm.calls().map((call) => call.args[0].constructor.name);
    expect(new Set(commands)).toEqual(new Set(['DescribeParametersCommand']));
  });

  it('announces each token under CRITICAL_DAYS, or expired, as a Token Critical event', async () => {
    pages = [
      [
        {
          Name: `${TOKEN_PATH}soon`,
          Type: 'SecureString',
          Version: 1,
          Description: serialiseRecord(aRecord({ daysLeft: 2 })),
        },
        {
          Name: `${TOKEN_PATH}gone`,
          Type: 'SecureString',
          Version: 1,
          Description: serialiseRecord(aRecord({ daysLeft: -1 })),
        },
        {
          Name: `${TOKEN_PATH}fine`,
          Type: 'SecureString',
          Version: 1,
          Description: serialiseRecord(aRecord({ daysLeft: 100 })),
        },
      ],
    ];
    await handler(event(), aContext());
    const entries = bus
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(
      entries.map((entry) => [entry.DetailType, JSON.parse(entry.Detail ?? '{}').state]),
    ).toEqual([
      ['Token Critical', 'critical'],
      ['Token Critical', 'expired'],
    ]);
  });
});
