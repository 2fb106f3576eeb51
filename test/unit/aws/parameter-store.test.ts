import {
  AddTagsToResourceCommand,
  DescribeParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PICKUP_TAG, pickupFromTag, SsmParameterStore } from '../../../src/aws/parameter-store.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { Secret } from '../../../src/rotation/secret.js';
import { fakeToken } from '../../helpers/secrets.js';

const ssm = mockClient(SSMClient);
const store = new SsmParameterStore(new SSMClient({}));

beforeEach(() => ssm.reset());

describe('SsmParameterStore.describe', () => {
  it('keeps paging past empty pages until the parameter shows up', async () => {
    ssm
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [], NextToken: 'n1' })
      .resolvesOnce({ Parameters: [{ Name: '/license-tokens/a', Version: 7, Description: '{}' }] });
    await expect(store.describe('/license-tokens/a')).resolves.toEqual({
      name: '/license-tokens/a',
      version: 7,
      description: '{}',
      lastModified: undefined,
    });
    expect(ssm).toHaveReceivedCommandWith(DescribeParametersCommand, {
      ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/license-tokens/a'] }],
    });
  });

  it('answers undefined when the parameter does not exist', async () => {
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    await expect(store.describe('/license-tokens/gone')).resolves.toBeUndefined();
  });

  it('turns SSM throttling into a TransientError', async () => {
    ssm.on(DescribeParametersCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const failure = store.describe('/license-tokens/a');
    await expect(failure).rejects.toBeInstanceOf(TransientError);
    await expect(failure).rejects.toMatchObject({ operation: 'DescribeParameters' });
  });

  it('answers only the parameter asked for, whatever else a page holds', async () => {
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [
        { Name: '/license-tokens/ab', Version: 2 },
        { Name: '/license-tokens/a', Version: 7 },
      ],
    });
    await expect(store.describe('/license-tokens/a')).resolves.toMatchObject({ version: 7 });
  });
});

describe('SsmParameterStore.pages', () => {
  it('skips entries without a name or version and keeps each page separate', async () => {
    ssm
      .on(DescribeParametersCommand)
      .resolvesOnce({
        Parameters: [{ Name: '/t/a', Version: 1 }, { Name: '/t/b' }, { Version: 3 }],
        NextToken: 'n',
      })
      .resolvesOnce({ Parameters: [{ Name: '/t/c', Version: 2 }] });
    const pages: string[][] = [];
    for await (const page of store.pages('/t/')) pages.push(page.map((p) => p.name));
    expect(pages).toEqual([['/t/a'], ['/t/c']]);
  });

  it('reads a page without a Parameters list as an empty page', async () => {
    ssm.on(DescribeParametersCommand).resolves({});
    const pages: string[][] = [];
    for await (const page of store.pages('/t/')) pages.push(page.map((p) => p.name));
    expect(pages).toEqual([[]]);
  });
});

describe('SsmParameterStore.putToken', () => {
  it('writes a Standard-tier SecureString with the key, the record and the overwrite flag, and returns the version', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 9 });
    const token = fakeToken();
    const version = await store.putToken({
      name: '/license-tokens/a',
      token: new Secret(token),
      description: '{"v":1}',
      kmsKeyId: 'alias/license-tokens',
      overwrite: false,
    });
    expect(version).toBe(9);
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/license-tokens/a',
      Value: token,
      Type: 'SecureString',
      KeyId: 'alias/license-tokens',
      Description: '{"v":1}',
      Overwrite: false,
      // Pinned: an account whose default tier is Advanced would otherwise need kms:GenerateDataKey.
      Tier: 'Standard',
    });
  });

  it('reports an answer without a version as transient: the retry sees the write', async () => {
    ssm.on(PutParameterCommand).resolves({});
    const write = {
      name: '/t/a',
      token: new Secret(fakeToken()),
      description: '',
      kmsKeyId: 'alias/aws/ssm',
      overwrite: true,
    };
    const failure = store.putToken(write);
    await expect(failure).rejects.toBeInstanceOf(TransientError);
    await expect(failure).rejects.toMatchObject({
      operation: 'PutParameter',
      code: 'IncompleteResponse',
      message: 'PutParameter failed (IncompleteResponse): the response has no Version',
    });
  });

  it('turns ParameterAlreadyExists into a PermanentError', async () => {
    ssm.on(PutParameterCommand).rejects(
      Object.assign(new Error('exists'), {
        name: 'ParameterAlreadyExists',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const write = {
      name: '/t/a',
      token: new Secret(fakeToken()),
      description: '',
      kmsKeyId: 'alias/aws/ssm',
      overwrite: false,
    };
    await expect(store.putToken(write)).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('SsmParameterStore pickups', () => {
  const at = new Date('2026-11-27T12:00:00.000Z');

  it('reads the pickup tag, and nothing else', async () => {
    ssm.on(ListTagsForResourceCommand).resolves({
      TagList: [
        { Key: 'owner', Value: 'tok-x 2026-11-27T12:00:00.000Z' },
        { Key: PICKUP_TAG, Value: 'tok-1 2026-11-27T12:00:00.000Z' },
      ],
    });
    await expect(store.pickup('/license-tokens/a')).resolves.toEqual({ tokenId: 'tok-1', at });
    expect(ssm).toHaveReceivedCommandWith(ListTagsForResourceCommand, {
      ResourceType: 'Parameter',
      ResourceId: '/license-tokens/a',
    });
    ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
    await expect(store.pickup('/license-tokens/a')).resolves.toBeUndefined();
  });

  it('writes the pickup as one tag: the token id and the time', async () => {
    ssm.on(AddTagsToResourceCommand).resolves({});
    await store.recordPickup('/license-tokens/a', { tokenId: 'tok-1', at });
    expect(ssm).toHaveReceivedCommandWith(AddTagsToResourceCommand, {
      ResourceType: 'Parameter',
      ResourceId: '/license-tokens/a',
      Tags: [{ Key: PICKUP_TAG, Value: 'tok-1 2026-11-27T12:00:00.000Z' }],
    });
  });

  it.each([undefined, '', 'tok-1', 'tok-1 yesterday', 'tok-1 2026-11-27T12:00:00.000Z extra'])(
    'reads no pickup from the tag value %j',
    (value) => {
      expect(pickupFromTag(value)).toBeUndefined();
    },
  );
});
