import {
  AddTagsToResourceCommand,
  type DescribeParametersCommandInput,
  ListTagsForResourceCommand,
  type ParameterMetadata,
  PutParameterCommand,
  paginateDescribeParameters,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { TransientError } from '../errors.js';
import type { ParameterStore, ParameterSummary, Pickups, TokenWrite } from '../rotation/ports.js';
import type { Pickup } from '../rotation/revocation-policy.js';
import { parseTimestamp } from '../validate.js';
import { call } from './sdk-errors.js';

/** DescribeParameters' largest page. */
export const DESCRIBE_PAGE_SIZE = 50;

/** The tag the exchange keeps its last pickup in: `<tokenId> <ISO time>`, no token value. */
export const PICKUP_TAG = 'license-token-rotator:picked-up';

/** The pickup a tag value records, or undefined when it does not hold one. */
export function pickupFromTag(value: string | undefined): Pickup | undefined {
  const [tokenId, time, ...rest] = (value ?? '').split(' ');
  const at = parseTimestamp(time);
  return tokenId && at && rest.length === 0 ? { tokenId, at } : undefined;
}

const toSummary = (parameter: ParameterMetadata): ParameterSummary | undefined =>
  parameter.Name === undefined || parameter.Version === undefined
    ? undefined
    : {
        name: parameter.Name,
        arn: parameter.ARN,
        version: parameter.Version,
        description: parameter.Description,
        lastModified: parameter.LastModifiedDate,
      };

/**
 * Token parameters in SSM Parameter Store. It reads metadata only (DescribeParameters, tags),
 * never a value: neither the scanner nor the rotator needs kms:Decrypt or ssm:GetParameter.
 */
export class SsmParameterStore implements ParameterStore, Pickups {
  readonly #client: SSMClient;

  constructor(client: SSMClient = new SSMClient({})) {
    this.#client = client;
  }

  async *#describe(input: DescribeParametersCommandInput): AsyncGenerator<ParameterSummary[]> {
    const pages = paginateDescribeParameters(
      { client: this.#client, pageSize: DESCRIBE_PAGE_SIZE },
      input,
    );
    const iterator = pages[Symbol.asyncIterator]();
    while (true) {
      const page = await call('DescribeParameters', () => iterator.next());
      if (page.done) return;
      yield (page.value.Parameters ?? []).flatMap((p) => toSummary(p) ?? []);
    }
  }

  /** SecureString parameters under the path, recursively, fifty at a time. */
  pages(path: string): AsyncIterable<ParameterSummary[]> {
    return this.#describe({
      ParameterFilters: [
        // The Path filter wants the path without its trailing slash.
        { Key: 'Path', Option: 'Recursive', Values: [path.replace(/\/+$/, '')] },
        { Key: 'Type', Option: 'Equals', Values: ['SecureString'] },
      ],
    });
  }

  /** One parameter's metadata, or undefined when it does not exist. */
  async describe(name: string): Promise<ParameterSummary | undefined> {
    // Filtered DescribeParameters may answer with empty pages before the match: keep paging.
    for await (const page of this.#describe({
      ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }],
    })) {
      const match = page.find((parameter) => parameter.name === name);
      if (match !== undefined) return match;
    }
    return undefined;
  }

  /** Writes token and record in one PutParameter; returns the new version. */
  async putToken(write: TokenWrite): Promise<number> {
    const output = await call('PutParameter', () =>
      this.#client.send(
        new PutParameterCommand({
          Name: write.name,
          Value: write.token.reveal(),
          Type: 'SecureString',
          // Pinned: an account whose default tier is Advanced would otherwise need
          // kms:GenerateDataKey, and charge for every parameter.
          Tier: 'Standard',
          KeyId: write.kmsKeyId,
          Description: write.description,
          Overwrite: write.overwrite,
        }),
      ),
    );
    if (output.Version === undefined) {
      // The write happened; a retry will see the new version and stand down.
      throw new TransientError('PutParameter', 'IncompleteResponse', 'the response has no Version');
    }
    return output.Version;
  }

  /** The pickup tag, read with ListTagsForResource. */
  async pickup(name: string): Promise<Pickup | undefined> {
    const output = await call('ListTagsForResource', () =>
      this.#client.send(
        new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }),
      ),
    );
    return pickupFromTag(output.TagList?.find((tag) => tag.Key === PICKUP_TAG)?.Value);
  }

  /** Writes the pickup tag (AddTagsToResource replaces a tag of the same key). */
  async recordPickup(name: string, pickup: Pickup): Promise<void> {
    await call('AddTagsToResource', () =>
      this.#client.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: name,
          Tags: [{ Key: PICKUP_TAG, Value: `${pickup.tokenId} ${pickup.at.toISOString()}` }],
        }),
      ),
    );
  }
}
