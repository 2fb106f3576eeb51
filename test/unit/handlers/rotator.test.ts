import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateTokenCommand,
  DeleteTokenCommand,
  GetAccessTokenCommand,
  ValidationException,
} from '@aws-sdk/client-license-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import poisonBatch from '../../../events/sqs-poison-batch.json' with { type: 'json' };
import rotationBatch from '../../../events/sqs-rotation-batch.json' with { type: 'json' };
import { handler } from '../../../src/handlers/rotator.js';
import { clientTokenFor } from '../../../src/rotation/client-token.js';
import { parseRecord, serialiseRecord } from '../../../src/rotation/record.js';
import { freezeDateAtNow } from '../../helpers/clock.js';
import { awsError } from '../../helpers/errors.js';
import {
  aJob,
  anSqsEvent,
  anSqsRecord,
  aRecord,
  daysFromNow,
  NOW,
  TOKEN_PATH,
} from '../../helpers/factories.js';
import { FakeLicenseManager } from '../../helpers/fake-license-manager.js';
import { FakeSsm } from '../../helpers/fake-ssm.js';
import { aContext } from '../../helpers/lambda.js';
import { capturedJson, capturedLogs, clearCapturedOutput } from '../../helpers/output.js';
import { fakeJwt, fakeToken } from '../../helpers/secrets.js';

const ssm = new FakeSsm();
const lm = new FakeLicenseManager();
const sqs = mockClient(SQSClient);
const bus = mockClient(EventBridgeClient);

const ACME = `${TOKEN_PATH}acme/prod`;
const GLOBEX = `${TOKEN_PATH}globex/staging`;
const dueRecord = aRecord({ daysLeft: 20, tokenId: 'old-token-id' });

/** Stores a parameter as registration would have: an old token and a record, at a version. */
const seed = (name: string, version: number, record = dueRecord): string => {
  const value = fakeToken();
  ssm.parameters.set(name, { value, description: serialiseRecord(record), version });
  return value;
};

/** A promise that fails after `ms`: a bound on a wait that must never happen. */
const rejectAfter = (ms: number): Promise<never> =>
  new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms).unref();
  });

const deadLetters = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
const invoke = (event: SQSEvent) => handler(event, aContext('rotator'));

freezeDateAtNow();

beforeEach(() => {
  ssm.reset();
  lm.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  bus.reset();
  bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  clearCapturedOutput();
});

describe('rotator handler', () => {
  it('mints with the record and the generation ClientToken, then writes token and record in one PutParameter', async () => {
    seed(ACME, 3);
    const result = await invoke(
      anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(lm.stub.commandCalls(CreateTokenCommand).map((call) => call.args[0].input)).toEqual([
      {
        LicenseArn: dueRecord.licenseArn,
        RoleArns: dueRecord.roleArns,
        ExpirationInDays: 365,
        TokenProperties: dueRecord.tokenProperties,
        ClientToken: clientTokenFor(ACME, 3),
      },
    ]);
    const minted = [...lm.minted.values()][0];
    const issuedAt = new Date(NOW.getTime() - 10 * 60_000);
    expect(ssm.stub.commandCalls(PutParameterCommand).map((call) => call.args[0].input)).toEqual([
      {
        Name: ACME,
        Value: minted?.Token,
        Type: 'SecureString',
        Tier: 'Standard',
        KeyId: 'alias/aws/ssm',
        Overwrite: true,
        Description: serialiseRecord({
          ...dueRecord,
          tokenId: 'tok-1',
          issuedAt: issuedAt.toISOString(),
          expiresAt: new Date(issuedAt.getTime() + 365 * 86_400_000).toISOString(),
          previousTokenId: 'old-token-id',
          rotatedAt: NOW.toISOString(),
          // The fake's parameter was written at NOW: no attempt of this generation came earlier.
          mintsFrom: NOW.toISOString(),
        }),
      },
    ]);
    expect(ssm.parameters.get(ACME)?.version).toBe(4);
    expect(lm.stub.commandCalls(GetAccessTokenCommand).map((call) => call.args[0].input)).toEqual([
      { Token: minted?.Token, TokenProperties: dueRecord.tokenProperties },
    ]);
  });

  it('handles the events/sqs-rotation-batch.json fixture end to end', async () => {
    seed(ACME, 3);
    seed(GLOBEX, 1);
    const result = await invoke(structuredClone(rotationBatch) as SQSEvent);
    expect(result.batchItemFailures).toEqual([]);
    expect(lm.stub).toHaveReceivedCommandTimes(CreateTokenCommand, 2);
    expect(ssm.parameters.get(GLOBEX)?.version).toBe(2);
  });

  it('mints once for a job delivered twice, in one batch or in two', async () => {
    const old = seed(ACME, 3);
    const job = aJob({ parameterName: ACME, observedVersion: 3 });
    await invoke(anSqsEvent(anSqsRecord(job, 0), anSqsRecord(job, 1)));
    const result = await invoke(anSqsEvent(anSqsRecord(job, 2)));

    expect(result.batchItemFailures).toEqual([]);
    expect(lm.stub).toHaveReceivedCommandTimes(CreateTokenCommand, 1);
    expect(ssm.stub).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssm.parameters.get(ACME)?.value).not.toBe(old);
    const skipped = capturedLogs().filter(
      (line) => line.message === 'Job acknowledged without action',
    );
    expect(skipped.map((line) => line.why)).toEqual(['already-rotated', 'already-rotated']);
  });

  it('acknowledges a stale job whose version moved on and is no longer due', async () => {
    const current = seed(ACME, 5, aRecord({ daysLeft: 300 }));
    const result = await invoke(
      anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(lm.stub).not.toHaveReceivedCommand(CreateTokenCommand);
    expect(ssm.parameters.get(ACME)).toMatchObject({ value: current, version: 5 });
  });

  it('rotates a job whose version moved on but is still due, with the current version in the ClientToken', async () => {
    seed(ACME, 5);
    await invoke(anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))));
    expect(lm.stub).toHaveReceivedCommandWith(CreateTokenCommand, {
      ClientToken: clientTokenFor(ACME, 5),
    });
  });

  it('acknowledges a job for a parameter that is gone', async () => {
    const result = await invoke(anSqsEvent(anSqsRecord(aJob({ parameterName: ACME }))));
    expect(result.batchItemFailures).toEqual([]);
    expect(lm.stub).not.toHaveReceivedCommand(CreateTokenCommand);
    expect(capturedLogs().find((line) => line.why === 'gone')).toMatchObject({
      parameterName: ACME,
    });
  });

  it('fails the item when PutParameter fails after CreateToken, and the retry replays the same ClientToken', async () => {
    const old = seed(ACME, 3);
    ssm.stub
      .on(PutParameterCommand)
      .rejectsOnce(awsError('InternalServerError', 500))
      .callsFake((input) => ssm.put(input));
    const event = anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 })));

    const first = await invoke(event);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(ssm.parameters.get(ACME)).toMatchObject({ value: old, version: 3 });

    const second = await invoke(event);
    expect(second.batchItemFailures).toEqual([]);
    const clientTokens = lm.stub
      .commandCalls(CreateTokenCommand)
      .map((call) => call.args[0].input.ClientToken);
    expect(clientTokens).toEqual([clientTokenFor(ACME, 3), clientTokenFor(ACME, 3)]);
    expect(lm.minted.size).toBe(1);
    expect(ssm.parameters.get(ACME)?.value).toBe([...lm.minted.values()][0]?.Token);
  });

  it.each([
    [
      'License Manager rate limiting',
      () => lm.stub.on(CreateTokenCommand).rejects(awsError('RateLimitExceededException', 400)),
    ],
    [
      'License Manager faults',
      () => lm.stub.on(CreateTokenCommand).rejects(awsError('ServerInternalException', 500)),
    ],
    [
      'SSM throttling',
      () => ssm.stub.on(DescribeParametersCommand).rejects(awsError('ThrottlingException', 400)),
    ],
    [
      'a network error',
      () =>
        ssm.stub
          .on(DescribeParametersCommand)
          .rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    ],
  ])(
    'reports an item failure on %s, writes nothing and sends nothing to the DLQ',
    async (_, fault) => {
      const old = seed(ACME, 3);
      fault();
      const event = anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 })));
      const result = await invoke(event);
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
      expect(ssm.parameters.get(ACME)).toMatchObject({ value: old, version: 3 });
      expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    },
  );

  it.each([
    ['AccessDeniedException', 403],
    ['ResourceNotFoundException', 400],
    ['ValidationException', 400],
    ['AuthorizationException', 400],
  ])(
    'sends the job to the DLQ with the reason on a permanent %s, and keeps the old token',
    async (code, status) => {
      const old = seed(ACME, 3);
      lm.stub
        .on(CreateTokenCommand)
        .rejects(awsError(code, status, `${code} from License Manager`));
      const record = anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }));
      const result = await invoke(anSqsEvent(record));

      expect(result.batchItemFailures).toEqual([]);
      expect(deadLetters()).toEqual([
        {
          QueueUrl: process.env.DEAD_LETTER_QUEUE_URL,
          MessageBody: record.body,
          MessageGroupId: ACME,
          MessageDeduplicationId: record.messageId,
          MessageAttributes: {
            FailureKind: { DataType: 'String', StringValue: 'PermanentFailure' },
            FailureReason: { DataType: 'String', StringValue: code },
            FailureMessage: {
              DataType: 'String',
              StringValue: `CreateToken failed (${code}): ${code} from License Manager`,
            },
            SourceMessageId: { DataType: 'String', StringValue: record.messageId },
          },
        },
      ]);
      expect(ssm.parameters.get(ACME)).toMatchObject({ value: old, version: 3 });
      const logged = capturedLogs().find(
        (line) => line.message === 'Job sent to the dead-letter queue',
      );
      expect(logged).toMatchObject({
        reason: code,
        failure: `CreateToken failed (${code}): ${code} from License Manager`,
      });
      expect(
        capturedLogs().filter((line) => String(line.message).includes('reserved key')),
      ).toEqual([]);
    },
  );

  it('sends only the poison messages of events/sqs-poison-batch.json to the DLQ; the good jobs rotate', async () => {
    seed(ACME, 3);
    seed(GLOBEX, 1);
    const event = structuredClone(poisonBatch) as SQSEvent;
    const result = await invoke(event);

    expect(result.batchItemFailures).toEqual([]);
    expect(lm.stub).toHaveReceivedCommandTimes(CreateTokenCommand, 2);
    expect([ssm.parameters.get(ACME)?.version, ssm.parameters.get(GLOBEX)?.version]).toEqual([
      4, 2,
    ]);
    const letters = deadLetters();
    expect(letters.map((letter) => letter.MessageBody)).toEqual([
      event.Records[1]?.body,
      event.Records[3]?.body,
    ]);
    expect(letters.map((letter) => letter.MessageAttributes?.FailureReason?.StringValue)).toEqual([
      'NotJson',
      'InvalidParameterName',
    ]);
    expect(letters.map((letter) => letter.MessageAttributes?.FailureKind?.StringValue)).toEqual([
      'InvalidJob',
      'InvalidJob',
    ]);
  });

  it('writes nothing for a job naming a parameter outside the token path', async () => {
    ssm.parameters.set('/prod/db-password', {
      value: 'hunter2',
      description: serialiseRecord(dueRecord),
      version: 1,
    });
    const result = await invoke(
      anSqsEvent(anSqsRecord(aJob({ parameterName: '/prod/db-password', observedVersion: 1 }))),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(ssm.stub.calls()).toHaveLength(0);
    expect(lm.stub.calls()).toHaveLength(0);
    expect(deadLetters()[0]?.MessageAttributes?.FailureReason?.StringValue).toBe(
      'OutsideTokenPath',
    );
  });

  it('dead-letters a job whose parameter record is not valid, without minting', async () => {
    ssm.parameters.set(ACME, { value: fakeToken(), description: '{"v":1}', version: 3 });
    await invoke(anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))));
    expect(lm.stub).not.toHaveReceivedCommand(CreateTokenCommand);
    expect(deadLetters()[0]?.MessageAttributes?.FailureReason?.StringValue).toBe(
      'UnmanagedParameter',
    );
  });

  it('runs the groups of a batch at once: one parameter waiting on AWS does not hold up another', async () => {
    seed(ACME, 3);
    seed(GLOBEX, 1);
    const started: string[] = [];
    let globexStarted: () => void = () => undefined;
    const globexHere = new Promise<void>((resolve) => {
      globexStarted = resolve;
    });
    lm.stub.on(CreateTokenCommand).callsFake(async (input) => {
      const who = input.ClientToken === clientTokenFor(ACME, 3) ? 'acme' : 'globex';
      started.push(who);
      if (who === 'globex') globexStarted();
      // ACME's CreateToken answers only once GLOBEX's has been asked: one after another, the
      // batch would wait here for ever (the timeout below turns that into a failure).
      else await Promise.race([globexHere, rejectAfter(10_000)]);
      return lm.create(input);
    });
    const result = await invoke(
      anSqsEvent(
        anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }), 0),
        anSqsRecord(aJob({ parameterName: GLOBEX, observedVersion: 1 }), 1),
      ),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(started).toEqual(['acme', 'globex']);
    expect([ssm.parameters.get(ACME)?.version, ssm.parameters.get(GLOBEX)?.version]).toEqual([
      4, 2,
    ]);
  });

  it('fails the rest of a failing group only; other groups carry on', async () => {
    seed(ACME, 3);
    seed(GLOBEX, 1);
    lm.stub
      .on(CreateTokenCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .callsFake((input) => lm.create(input));
    const first = anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }), 0);
    const sameGroup = anSqsRecord(
      aJob({ parameterName: ACME, observedVersion: 3, reason: 'forced' }),
      1,
    );
    const otherGroup = anSqsRecord(aJob({ parameterName: GLOBEX, observedVersion: 1 }), 2);
    const result = await invoke(anSqsEvent(first, sameGroup, otherGroup));
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: first.messageId },
      { itemIdentifier: sameGroup.messageId },
    ]);
    expect(ssm.parameters.get(GLOBEX)?.version).toBe(2);
  });

  it('reports every item rather than throwing when the whole batch fails', async () => {
    seed(ACME, 3);
    lm.stub.on(CreateTokenCommand).rejects(awsError('ServiceUnavailable', 503));
    const record = anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }));
    await expect(invoke(anSqsEvent(record))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: record.messageId }],
    });
  });

  it('keeps an invalid message for retry when the DLQ cannot take it, so it is never lost', async () => {
    sqs.on(SendMessageCommand).rejects(awsError('InternalError', 500));
    const record = anSqsRecord('not json');
    const result = await invoke(anSqsEvent(record));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  it('dead-letters without attributes when the body leaves no room for them', async () => {
    sqs
      .on(SendMessageCommand)
      .rejectsOnce(awsError('InvalidParameterValue', 400, 'message too long'))
      .resolves({ MessageId: 'dlq-2' });
    const record = anSqsRecord('x'.repeat(5000));
    const result = await invoke(anSqsEvent(record));
    expect(result.batchItemFailures).toEqual([]);
    expect(deadLetters().map((letter) => [letter.MessageBody, letter.MessageAttributes])).toEqual([
      [
        record.body,
        expect.objectContaining({ FailureReason: { DataType: 'String', StringValue: 'TooLarge' } }),
      ],
      [record.body, undefined],
    ]);
  });

  it('keeps a JWT that AWS echoes in an error out of the DLQ attributes and the logs', async () => {
    seed(ACME, 3);
    const jwt = fakeJwt();
    lm.stub.on(CreateTokenCommand).resolves({ TokenId: 'tok-jwt', Token: jwt });
    lm.stub.on(GetAccessTokenCommand).resolves({ AccessToken: fakeToken() });
    ssm.stub
      .on(PutParameterCommand)
      .rejects(awsError('ValidationException', 400, `Value '${jwt}' at 'value' failed`));
    await invoke(anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))));
    const letter = deadLetters()[0];
    expect(letter?.MessageAttributes?.FailureMessage?.StringValue).toContain(
      "Value '[REDACTED]' at 'value'",
    );
    expect(JSON.stringify(letter)).not.toContain(jwt);
  });

  it('counts rotations and invalid jobs, with the reason as a dimension', async () => {
    seed(ACME, 3);
    await invoke(
      anSqsEvent(
        anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }), 0),
        anSqsRecord('[]', 1),
      ),
    );
    const metrics = capturedJson().filter((line) => '_aws' in line);
    expect(metrics).toContainEqual(
      expect.objectContaining({
        TokensRotated: 1,
        InvalidJobs: 1,
        service: 'license-token-rotator',
      }),
    );
    expect(metrics).toContainEqual(
      expect.objectContaining({ InvalidJobs: 1, Reason: 'NotAnObject' }),
    );
  });

  it('logs the rotation with token ids and expiry, never the token', async () => {
    seed(ACME, 3);
    await invoke(anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))));
    const line = capturedLogs().find((entry) => entry.message === 'Token rotated');
    expect(line).toMatchObject({
      parameterName: ACME,
      tokenId: 'tok-1',
      previousTokenId: 'old-token-id',
      version: 4,
    });
    expect(parseRecord(ssm.parameters.get(ACME)?.description, NOW).expiresAt).toBe(line?.expiresAt);
    expect(Date.parse(String(line?.expiresAt))).toBeLessThan(Date.parse(daysFromNow(365)));
  });

  it('deletes a new token License Manager rejects, keeps the old one, and dead-letters the job', async () => {
    const old = seed(ACME, 3);
    lm.stub.on(GetAccessTokenCommand).rejects(
      new ValidationException({
        message: 'Token is not valid',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const record = anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }));
    const result = await invoke(anSqsEvent(record));

    expect(result.batchItemFailures).toEqual([]);
    expect(lm.stub).toHaveReceivedCommandWith(DeleteTokenCommand, { TokenId: 'tok-1' });
    expect(lm.byId('tok-1')?.Status).toBe('DELETED');
    expect(ssm.stub).not.toHaveReceivedCommand(PutParameterCommand);
    expect(ssm.parameters.get(ACME)).toMatchObject({ value: old, version: 3 });
    expect(deadLetters()[0]?.MessageAttributes?.FailureReason?.StringValue).toBe(
      'VerificationFailed',
    );
    const metrics = capturedJson().filter((line) => '_aws' in line);
    expect(metrics).toContainEqual(
      expect.objectContaining({ VerificationFailures: 1, RotationFailures: 1 }),
    );
  });

  it('revokes the previous token named by the stored record on a revoke job', async () => {
    lm.seed('previous-token');
    const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
    seed(
      ACME,
      4,
      aRecord({ tokenId: 'current-token', previousTokenId: 'previous-token', rotatedAt }),
    );
    const job = aJob({ parameterName: ACME, observedVersion: 4, reason: 'revoke-previous' });
    const result = await invoke(anSqsEvent(anSqsRecord(job)));

    expect(result.batchItemFailures).toEqual([]);
    expect(lm.stub.commandCalls(DeleteTokenCommand).map((call) => call.args[0].input)).toEqual([
      { TokenId: 'previous-token' },
    ]);
    expect(lm.byId('previous-token')?.Status).toBe('DELETED');
    expect(ssm.stub).not.toHaveReceivedCommand(PutParameterCommand);
    expect(capturedJson()).toContainEqual(expect.objectContaining({ PreviousTokensRevoked: 1 }));
  });

  it('counts a revoke job that fails for good as a revocation failure', async () => {
    const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
    seed(ACME, 4, aRecord({ previousTokenId: 'previous-token', rotatedAt }));
    lm.seed('previous-token');
    lm.stub.on(DeleteTokenCommand).rejects(awsError('AccessDeniedException', 403));
    await invoke(
      anSqsEvent(
        anSqsRecord(aJob({ parameterName: ACME, observedVersion: 4, reason: 'revoke-previous' })),
      ),
    );
    expect(deadLetters()[0]?.MessageAttributes?.FailureReason?.StringValue).toBe(
      'AccessDeniedException',
    );
    expect(capturedJson()).toContainEqual(expect.objectContaining({ RevocationFailures: 1 }));
  });
});

describe('rotator handler: senders', () => {
  const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
  const fromOperator = (job: ReturnType<typeof aJob>) => {
    const record = anSqsRecord(job);
    return { ...record, attributes: { ...record.attributes, SenderId: 'AIDAOPERATOR' } };
  };

  it('dead-letters a job that deletes tokens when its sender is not trusted', async () => {
    lm.seed('previous-token');
    seed(
      ACME,
      4,
      aRecord({ tokenId: 'current-token', previousTokenId: 'previous-token', rotatedAt }),
    );
    for (const reason of ['revoke-previous', 'leaked'] as const) {
      await invoke(
        anSqsEvent(fromOperator(aJob({ parameterName: ACME, observedVersion: 4, reason }))),
      );
    }
    expect(deadLetters().map((m) => m.MessageAttributes?.FailureReason?.StringValue)).toEqual([
      'UntrustedSender',
      'UntrustedSender',
    ]);
    expect(lm.byId('previous-token')?.Status).toBe('AVAILABLE');
    expect(lm.stub).not.toHaveReceivedCommand(CreateTokenCommand);
  });

  it('lets an untrusted sender force a rotation, but not one that pushes out a live token', async () => {
    lm.seed('previous-token');
    seed(
      ACME,
      4,
      aRecord({ tokenId: 'current-token', previousTokenId: 'previous-token', rotatedAt }),
    );
    const forced = aJob({ parameterName: ACME, observedVersion: 4, reason: 'forced' });
    await invoke(anSqsEvent(fromOperator(forced)));
    expect(lm.stub).not.toHaveReceivedCommand(CreateTokenCommand);
    expect(capturedLogs()).toContainEqual(
      expect.objectContaining({ message: 'Job acknowledged without action', why: 'previous-live' }),
    );
    // Once the scanner's revocation has run, the same job rotates.
    const revoke = aJob({ parameterName: ACME, observedVersion: 4, reason: 'revoke-previous' });
    await invoke(anSqsEvent(anSqsRecord(revoke)));
    expect(lm.byId('previous-token')?.Status).toBe('DELETED');
    await invoke(anSqsEvent(fromOperator(forced)));
    expect(ssm.parameters.get(ACME)?.version).toBe(5);
  });
});

describe('rotator handler: events', () => {
  const put = () =>
    bus.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

  it('announces each rotation on the default bus, never with a token value', async () => {
    seed(ACME, 3);
    await invoke(anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))));
    expect(put()).toEqual([
      expect.objectContaining({
        EventBusName: 'default',
        Source: 'license-token-rotator',
        DetailType: 'Token Rotated',
      }),
    ]);
    const detail = JSON.parse(put()[0]?.Detail ?? '{}');
    expect(detail).toMatchObject({ parameterName: ACME, version: 4, tokenId: 'tok-1' });
    const minted = [...lm.minted.values()][0]?.Token ?? '';
    expect(JSON.stringify(put())).not.toContain(minted);
  });

  it('counts a failed publish, and neither fails nor repeats the rotation', async () => {
    seed(ACME, 3);
    bus.on(PutEventsCommand).rejects(awsError('InternalException', 500));
    const result = await invoke(
      anSqsEvent(anSqsRecord(aJob({ parameterName: ACME, observedVersion: 3 }))),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ssm.parameters.get(ACME)?.version).toBe(4);
    expect(lm.stub.commandCalls(CreateTokenCommand)).toHaveLength(1);
    expect(capturedJson()).toContainEqual(expect.objectContaining({ EventPublishFailures: 1 }));
  });
});
