import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  type ParameterMetadata,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  UnlabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { expect, it } from 'vitest';
import { againstSandboxAndMoto } from '../helpers/conformance.js';
import { thrown } from '../helpers/thrown.js';

againstSandboxAndMoto('SSM Parameter Store', (target) => {
  const put = (
    name: string,
    extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {},
  ) =>
    target().ssm.send(
      new PutParameterCommand({ Name: name, Value: 'v', Type: 'String', ...extra }),
    );

  it('numbers versions, refuses to overwrite without Overwrite, and overwrites with it', async () => {
    expect((await put('/conf/versions/a')).Version).toBe(1);
    const refused = await thrown(put('/conf/versions/a'));
    expect(refused.name).toBe('ParameterAlreadyExists');
    expect(refused.$metadata?.httpStatusCode).toBe(400);
    expect((await put('/conf/versions/a', { Value: 'w', Overwrite: true })).Version).toBe(2);
    const { Parameter } = await target().ssm.send(
      new GetParameterCommand({ Name: '/conf/versions/a' }),
    );
    expect(Parameter).toMatchObject({
      Name: '/conf/versions/a',
      Value: 'w',
      Version: 2,
      Type: 'String',
    });
  });

  it('needs a Type to create a parameter', async () => {
    const error = await thrown(
      target().ssm.send(new PutParameterCommand({ Name: '/conf/type/a', Value: 'v' })),
    );
    expect(error.name).toBe('ValidationException');
  });

  it('refuses tags together with Overwrite', async () => {
    const error = await thrown(
      put('/conf/tags-overwrite', { Overwrite: true, Tags: [{ Key: 'k', Value: 'v' }] }),
    );
    expect(error.name).toBe('ValidationException');
  });

  it('answers ParameterNotFound for a parameter that does not exist', async () => {
    const error = await thrown(target().ssm.send(new GetParameterCommand({ Name: '/conf/nope' })));
    expect(error.name).toBe('ParameterNotFound');
    const deleted = await thrown(
      target().ssm.send(new DeleteParameterCommand({ Name: '/conf/nope' })),
    );
    expect(deleted.name).toBe('ParameterNotFound');
  });

  it('decrypts a SecureString only when asked, and keeps its KeyId', async () => {
    await put('/conf/secure/a', {
      Type: 'SecureString',
      Value: 'plain-secret',
      KeyId: 'alias/conf',
    });
    const decrypted = await target().ssm.send(
      new GetParameterCommand({ Name: '/conf/secure/a', WithDecryption: true }),
    );
    expect(decrypted.Parameter?.Value).toBe('plain-secret');
    const raw = await target().ssm.send(new GetParameterCommand({ Name: '/conf/secure/a' }));
    if (target().name === 'moto') {
      // moto deviates from AWS: without decryption it returns "kms:<key>:<plaintext>".
      expect(raw.Parameter?.Value).toBe('kms:alias/conf:plain-secret');
    } else {
      // AWS returns the ciphertext, which does not contain the plaintext.
      expect(raw.Parameter?.Value).not.toContain('plain-secret');
    }
    const described = await target().ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Values: ['/conf/secure/a'] }],
      }),
    );
    expect(described.Parameters?.[0]).toMatchObject({ Type: 'SecureString', KeyId: 'alias/conf' });
  });

  it('returns metadata from DescribeParameters: Description, Version, dates, never the value', async () => {
    await put('/conf/meta/a', { Type: 'SecureString', Value: 'hidden', Description: 'the record' });
    const { Parameters } = await target().ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/conf/meta/a'] }],
      }),
    );
    expect(Parameters).toHaveLength(1);
    const [meta] = Parameters ?? [];
    expect(meta).toMatchObject({ Name: '/conf/meta/a', Description: 'the record', Version: 1 });
    expect(meta?.LastModifiedDate).toBeInstanceOf(Date);
    expect(meta && 'Value' in meta).toBe(false);
  });

  it('has a new version without a Description carry none', async () => {
    await put('/conf/description/a', { Description: 'first' });
    await put('/conf/description/a', { Overwrite: true, Value: 'w' });
    const { Parameters } = await target().ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Values: ['/conf/description/a'] }],
      }),
    );
    if (target().name === 'moto') {
      // moto deviates from AWS: an overwrite without a Description keeps the previous one.
      expect(Parameters?.[0]?.Description).toBe('first');
    } else {
      expect(Parameters?.[0]?.Description).toBeUndefined();
    }
  });

  it('filters DescribeParameters by Path (Recursive, OneLevel), Name and Type', async () => {
    for (const name of ['/conf/tree/a', '/conf/tree/b/c', '/conf/tree/b/d/e', '/conf/treeish']) {
      await put(name, name.endsWith('e') ? { Type: 'SecureString' } : {});
    }
    const names = async (filters: ConstructorParameters<typeof DescribeParametersCommand>[0]) => {
      const found: ParameterMetadata[] = [];
      let NextToken: string | undefined;
      do {
        const page = await target().ssm.send(
          new DescribeParametersCommand({ ...filters, NextToken }),
        );
        found.push(...(page.Parameters ?? []));
        NextToken = page.NextToken;
      } while (NextToken !== undefined);
      return found.map((p) => p.Name).sort();
    };
    expect(
      await names({
        ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/conf/tree'] }],
      }),
    ).toEqual(['/conf/tree/a', '/conf/tree/b/c', '/conf/tree/b/d/e']);
    expect(
      await names({
        ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: ['/conf/tree'] }],
      }),
    ).toEqual(['/conf/tree/a']);
    expect(
      await names({
        ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/conf/tree'] }],
      }),
    ).toEqual(['/conf/tree/a', '/conf/tree/b/c', '/conf/tree/b/d/e', '/conf/treeish']);
    expect(
      await names({
        ParameterFilters: [
          { Key: 'Path', Option: 'Recursive', Values: ['/conf/tree'] },
          { Key: 'Type', Option: 'Equals', Values: ['SecureString'] },
        ],
      }),
    ).toEqual(['/conf/tree/b/d/e']);
  });

  it('refuses a filter option that does not exist for the key', async () => {
    const error = await thrown(
      target().ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Path', Option: 'Equals', Values: ['/conf'] }],
        }),
      ),
    );
    expect(error.name).toBe('InvalidFilterOption');
  });

  it('pages DescribeParameters by up to 50 and refuses MaxResults above 50', async () => {
    for (let i = 0; i < 60; i++) await put(`/conf/paging/p${String(i).padStart(2, '0')}`);
    const filter = {
      ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/conf/paging'] }],
    };
    const first = await target().ssm.send(
      new DescribeParametersCommand({ ...filter, MaxResults: 50 }),
    );
    const over = target().ssm.send(new DescribeParametersCommand({ ...filter, MaxResults: 51 }));
    if (target().name === 'moto') {
      // moto deviates from AWS: it pages by 10 whatever MaxResults says, and accepts 51.
      expect(first.Parameters).toHaveLength(10);
      expect((await over).Parameters).toHaveLength(10);
    } else {
      expect(first.Parameters).toHaveLength(50);
      expect((await thrown(over)).name).toBe('ValidationException');
    }
    expect(first.NextToken).toBeDefined();
  });

  it('lists GetParametersByPath one level or recursively, ten at most a page', async () => {
    for (let i = 0; i < 12; i++) await put(`/conf/bypath/p${String(i).padStart(2, '0')}`);
    await put('/conf/bypath/deeper/q');
    const oneLevel = await target().ssm.send(
      new GetParametersByPathCommand({ Path: '/conf/bypath', MaxResults: 10 }),
    );
    expect(oneLevel.Parameters).toHaveLength(10);
    const rest = await target().ssm.send(
      new GetParametersByPathCommand({
        Path: '/conf/bypath',
        MaxResults: 10,
        NextToken: oneLevel.NextToken,
      }),
    );
    expect(rest.Parameters?.map((p) => p.Name)).toEqual(['/conf/bypath/p10', '/conf/bypath/p11']);
    const recursive = await target().ssm.send(
      new GetParametersByPathCommand({ Path: '/conf/bypath/deeper', Recursive: true }),
    );
    expect(recursive.Parameters?.map((p) => p.Name)).toEqual(['/conf/bypath/deeper/q']);
    const error = await thrown(
      target().ssm.send(new GetParametersByPathCommand({ Path: '/conf/bypath', MaxResults: 11 })),
    );
    expect(error.name).toBe('ValidationException');
  });

  it('reports unknown names of GetParameters as InvalidParameters', async () => {
    await put('/conf/many/a');
    const answer = await target().ssm.send(
      new GetParametersCommand({ Names: ['/conf/many/a', '/conf/many/missing'] }),
    );
    expect(answer.Parameters?.map((p) => p.Name)).toEqual(['/conf/many/a']);
    expect(answer.InvalidParameters).toEqual(['/conf/many/missing']);
  });

  it('tags a parameter, and refuses to tag one that does not exist', async () => {
    await put('/conf/tagged/a');
    await target().ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/conf/tagged/a',
        Tags: [{ Key: 'team', Value: 'licensing' }],
      }),
    );
    const { TagList } = await target().ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/conf/tagged/a' }),
    );
    expect(TagList).toEqual([{ Key: 'team', Value: 'licensing' }]);
    const error = await thrown(
      target().ssm.send(
        new ListTagsForResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: '/conf/tagged/none',
        }),
      ),
    );
    expect(error.name).toBe('InvalidResourceId');
  });

  it('keeps each version in GetParameterHistory with its own Description', async () => {
    await put('/conf/history/a', { Description: 'one' });
    await put('/conf/history/a', { Overwrite: true, Value: 'two', Description: 'two' });
    const { Parameters } = await target().ssm.send(
      new GetParameterHistoryCommand({ Name: '/conf/history/a' }),
    );
    expect(Parameters?.map((p) => [p.Version, p.Value, p.Description])).toEqual([
      [1, 'v', 'one'],
      [2, 'two', 'two'],
    ]);
  });

  it('reads a version or a label with name:selector, and a label moves between versions', async () => {
    await put('/conf/selector/a', { Value: 'one' });
    await put('/conf/selector/a', { Overwrite: true, Value: 'two' });
    const get = async (Name: string) =>
      (await target().ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value;
    expect(await get('/conf/selector/a:1')).toBe('one');
    await target().ssm.send(
      new LabelParameterVersionCommand({
        Name: '/conf/selector/a',
        ParameterVersion: 1,
        Labels: ['live'],
      }),
    );
    expect(await get('/conf/selector/a:live')).toBe('one');
    await target().ssm.send(
      new LabelParameterVersionCommand({
        Name: '/conf/selector/a',
        ParameterVersion: 2,
        Labels: ['live'],
      }),
    );
    expect(await get('/conf/selector/a:live')).toBe('two');
    expect((await thrown(get('/conf/selector/a:7'))).name).toBe('ParameterVersionNotFound');
  });

  it('deletes a parameter, its versions and its tags', async () => {
    await put('/conf/gone/a', { Tags: [{ Key: 'k', Value: 'v' }] });
    await target().ssm.send(new DeleteParameterCommand({ Name: '/conf/gone/a' }));
    expect(
      (await thrown(target().ssm.send(new GetParameterHistoryCommand({ Name: '/conf/gone/a' }))))
        .name,
    ).toBe('ParameterNotFound');
    await put('/conf/gone/a');
    const { TagList } = await target().ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/conf/gone/a' }),
    );
    expect(TagList).toEqual([]);
  });

  it('keeps 100 versions, and refuses a 101st while the oldest carries a label', async () => {
    const name = '/conf/limit/a';
    await put(name);
    for (let i = 2; i <= 100; i++) await put(name, { Overwrite: true, Value: `v${i}` });
    await target().ssm.send(
      new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['pinned'] }),
    );
    const refused = await thrown(put(name, { Overwrite: true, Value: 'v101' }));
    expect(refused.name).toBe('ParameterMaxVersionLimitExceeded');
    await target().ssm.send(
      new LabelParameterVersionCommand({ Name: name, ParameterVersion: 2, Labels: ['pinned'] }),
    );
    expect((await put(name, { Overwrite: true, Value: 'v101' })).Version).toBe(101);
    const versions = [];
    let NextToken: string | undefined;
    do {
      const page = await target().ssm.send(
        new GetParameterHistoryCommand({ Name: name, NextToken }),
      );
      versions.push(...(page.Parameters ?? []).map((p) => p.Version));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    expect(versions).toHaveLength(100);
    expect(versions[0]).toBe(2);
  });

  it('removes tags by key, ignoring keys the parameter does not have', async () => {
    await put('/conf/untag/a', {
      Tags: [
        { Key: 'team', Value: 'licensing' },
        { Key: 'tier', Value: 'gold' },
      ],
    });
    const resource = { ResourceType: 'Parameter' as const, ResourceId: '/conf/untag/a' };
    await target().ssm.send(
      new RemoveTagsFromResourceCommand({ ...resource, TagKeys: ['tier', 'absent'] }),
    );
    const { TagList } = await target().ssm.send(new ListTagsForResourceCommand(resource));
    expect(TagList).toEqual([{ Key: 'team', Value: 'licensing' }]);
    const error = await thrown(
      target().ssm.send(
        new RemoveTagsFromResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: '/conf/untag/none',
          TagKeys: ['team'],
        }),
      ),
    );
    expect(error.name).toBe('InvalidResourceId');
  });

  it('unlabels a version, naming the labels it did not carry', async () => {
    await put('/conf/unlabel/a');
    await target().ssm.send(
      new LabelParameterVersionCommand({
        Name: '/conf/unlabel/a',
        ParameterVersion: 1,
        Labels: ['live', 'old'],
      }),
    );
    const answer = await target().ssm.send(
      new UnlabelParameterVersionCommand({
        Name: '/conf/unlabel/a',
        ParameterVersion: 1,
        Labels: ['live', 'never'],
      }),
    );
    expect(answer.RemovedLabels).toEqual(['live']);
    expect(answer.InvalidLabels).toEqual(['never']);
    const { Parameters } = await target().ssm.send(
      new GetParameterHistoryCommand({ Name: '/conf/unlabel/a' }),
    );
    expect(Parameters?.[0]?.Labels).toEqual(['old']);
    const missing = await thrown(
      target().ssm.send(
        new UnlabelParameterVersionCommand({
          Name: '/conf/unlabel/a',
          ParameterVersion: 9,
          Labels: ['old'],
        }),
      ),
    );
    expect(missing.name).toBe('ParameterVersionNotFound');
  });
});
