import { beforeEach, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../../tools/sandbox/clock.js';
import { SeededRandom } from '../../../../tools/sandbox/random.js';
import { SsmService } from '../../../../tools/sandbox/ssm/service.js';
import { invoke, refusal } from '../../../helpers/sandbox.js';

const START = new Date('2026-11-27T12:00:00.000Z');

describe('the sandbox SSM', () => {
  let clock: SandboxClock;
  let ssm: SsmService;
  const put = (Name: string, extra: Record<string, unknown> = {}) =>
    invoke(ssm, 'PutParameter', { Name, Value: 'v', Type: 'String', ...extra });

  beforeEach(() => {
    clock = new SandboxClock({ start: START, frozen: true });
    ssm = new SsmService(clock, new SeededRandom(1));
  });

  describe('PutParameter', () => {
    it('stamps each version with the sandbox time and the writer', async () => {
      await put('/a/b');
      clock.advance(60_000);
      await put('/a/b', { Overwrite: true });
      expect(ssm.history('/a/b').map((v) => [v.version, v.lastModified.toISOString()])).toEqual([
        [1, '2026-11-27T12:00:00.000Z'],
        [2, '2026-11-27T12:01:00.000Z'],
      ]);
      expect(ssm.parameter('/a/b')?.lastModifiedUser).toBe(
        'arn:aws:iam::123456789012:user/AKIATESTKEY',
      );
    });

    it('applies the naming rules with AWS errors', async () => {
      const code = async (Name: string) =>
        (await refusal(ssm, 'PutParameter', { Name, Value: 'v', Type: 'String' })).code;
      expect(await code('a/b')).toBe('ValidationException');
      expect(await code('/a//b')).toBe('ValidationException');
      expect(await code('/a/b c')).toBe('ValidationException');
      expect(await code('/ssm/x')).toBe('ValidationException');
      expect(await code('/aws/x')).toBe('AccessDeniedException');
      expect(await code(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`)).toBe(
        'HierarchyLevelLimitExceededException',
      );
      expect(await code(`/${'x'.repeat(1011)}`)).toBe('ValidationException');
      expect(
        (await put(`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`)).Version,
      ).toBe(1);
    });

    it('treats /name and name as one top-level parameter', async () => {
      await put('/top');
      expect(
        await refusal(ssm, 'PutParameter', { Name: 'top', Value: 'v', Type: 'String' }),
      ).toMatchObject({
        code: 'ParameterAlreadyExists',
      });
      expect(ssm.parameter('top')?.name).toBe('top');
    });

    it('refuses a Description over 1024 characters and a value over the tier limit', async () => {
      expect(
        (
          await refusal(ssm, 'PutParameter', {
            Name: '/d',
            Value: 'v',
            Type: 'String',
            Description: 'x'.repeat(1025),
          })
        ).message,
      ).toContain(
        "at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024",
      );
      expect((await put('/d', { Description: 'x'.repeat(1024) })).Version).toBe(1);
      expect(
        (
          await refusal(ssm, 'PutParameter', {
            Name: '/big',
            Value: 'x'.repeat(4097),
            Type: 'String',
          })
        ).code,
      ).toBe('ValidationException');
      expect(await put('/big', { Value: 'x'.repeat(8192), Tier: 'Advanced' })).toEqual({
        Version: 1,
        Tier: 'Advanced',
      });
    });

    it('keeps the type and key of a SecureString across overwrites that omit them', async () => {
      await put('/s', { Type: 'SecureString', KeyId: 'alias/mine', Value: 'one' });
      await invoke(ssm, 'PutParameter', { Name: '/s', Value: 'two', Overwrite: true });
      expect(ssm.parameter('/s')).toMatchObject({
        type: 'SecureString',
        keyId: 'alias/mine',
        value: 'two',
      });
      expect(ssm.parameter('/s')?.ciphertext).not.toContain('two');
    });

    it('checks the value against AllowedPattern, which must be a valid pattern', async () => {
      expect(
        (
          await refusal(ssm, 'PutParameter', {
            Name: '/p',
            Value: 'abc',
            Type: 'String',
            AllowedPattern: '(',
          })
        ).code,
      ).toBe('InvalidAllowedPatternException');
      expect(
        (
          await refusal(ssm, 'PutParameter', {
            Name: '/p',
            Value: 'abc',
            Type: 'String',
            AllowedPattern: '^\\d+$',
          })
        ).code,
      ).toBe('ParameterPatternMismatchException');
    });

    it('drops the oldest of 100 versions, unless it carries a label', async () => {
      for (let i = 1; i <= 100; i++) await put('/v', { Overwrite: i > 1, Value: `v${i}` });
      await put('/v', { Overwrite: true });
      expect(
        ssm
          .history('/v')
          .map((v) => v.version)
          .slice(0, 2),
      ).toEqual([2, 3]);
      await invoke(ssm, 'LabelParameterVersion', {
        Name: '/v',
        ParameterVersion: 2,
        Labels: ['keep'],
      });
      expect(
        await refusal(ssm, 'PutParameter', { Name: '/v', Value: 'x', Overwrite: true }),
      ).toMatchObject({
        code: 'ParameterMaxVersionLimitExceeded',
      });
      expect(ssm.parameter('/v')?.version).toBe(101);
    });

    it('records every write with its name and version', async () => {
      await put('/w/a');
      await put('/w/a', { Overwrite: true });
      await invoke(ssm, 'AddTagsToResource', {
        ResourceType: 'Parameter',
        ResourceId: '/w/a',
        Tags: [{ Key: 'k', Value: 'v' }],
      });
      await invoke(ssm, 'DeleteParameter', { Name: '/w/a' });
      expect(ssm.writes().map((w) => [w.operation, w.name, w.version])).toEqual([
        ['PutParameter', '/w/a', 1],
        ['PutParameter', '/w/a', 2],
        ['AddTagsToResource', '/w/a', undefined],
        ['DeleteParameter', '/w/a', undefined],
      ]);
    });
  });

  describe('reads', () => {
    it('lists what the latest write left, however the listing was read before it', async () => {
      const listing = async (operation: string, body: Record<string, unknown>) => {
        const answer = await invoke(ssm, operation, body);
        return (answer.Parameters as { Name: string; Version: number }[]).map((p) => [
          p.Name,
          p.Version,
        ]);
      };
      const describe = () => listing('DescribeParameters', {});
      const byPath = () => listing('GetParametersByPath', { Path: '/l', Recursive: true });
      await put('/l/b');
      await put('/l/d');
      expect(await describe()).toEqual([
        ['/l/b', 1],
        ['/l/d', 1],
      ]);
      expect(await byPath()).toEqual(await describe());
      await put('/l/a');
      await put('/l/b', { Overwrite: true });
      expect(await describe()).toEqual([
        ['/l/a', 1],
        ['/l/b', 2],
        ['/l/d', 1],
      ]);
      expect(await byPath()).toEqual(await describe());
      await invoke(ssm, 'DeleteParameter', { Name: '/l/d' });
      expect(await describe()).toEqual([
        ['/l/a', 1],
        ['/l/b', 2],
      ]);
      expect(await byPath()).toEqual(await describe());
    });

    it('selects a version or a label with name:selector, and says which', async () => {
      await put('/sel', { Value: 'one' });
      await put('/sel', { Value: 'two', Overwrite: true });
      await invoke(ssm, 'LabelParameterVersion', {
        Name: '/sel',
        ParameterVersion: 1,
        Labels: ['first'],
      });
      const byVersion = await invoke(ssm, 'GetParameter', { Name: '/sel:1' });
      const byLabel = await invoke(ssm, 'GetParameter', { Name: '/sel:first' });
      expect(byVersion.Parameter).toMatchObject({ Value: 'one', Selector: ':1' });
      expect(byLabel.Parameter).toMatchObject({ Value: 'one', Selector: ':first' });
      expect((await refusal(ssm, 'GetParameter', { Name: '/sel:9' })).code).toBe(
        'ParameterVersionNotFound',
      );
      const byArn = await invoke(ssm, 'GetParameter', {
        Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/sel',
      });
      expect(byArn.Parameter).toMatchObject({
        Value: 'two',
        ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/sel',
      });
    });

    it('moves a label from the version that had it', async () => {
      await put('/lab');
      await put('/lab', { Overwrite: true });
      await invoke(ssm, 'LabelParameterVersion', {
        Name: '/lab',
        ParameterVersion: 1,
        Labels: ['live'],
      });
      const answer = await invoke(ssm, 'LabelParameterVersion', {
        Name: '/lab',
        Labels: ['live', 'aws-bad', '1bad'],
      });
      expect(answer).toEqual({ InvalidLabels: ['aws-bad', '1bad'], ParameterVersion: 2 });
      expect(ssm.history('/lab').map((v) => v.labels)).toEqual([[], ['live']]);
      expect(
        await invoke(ssm, 'UnlabelParameterVersion', {
          Name: '/lab',
          ParameterVersion: 2,
          Labels: ['live', 'none'],
        }),
      ).toEqual({
        RemovedLabels: ['live'],
        InvalidLabels: ['none'],
      });
    });

    it('validates DescribeParameters filters as AWS does', async () => {
      const code = async (ParameterFilters: unknown[]) =>
        (await refusal(ssm, 'DescribeParameters', { ParameterFilters })).code;
      expect(await code([{ Key: 'Label', Values: ['x'] }])).toBe('InvalidFilterKey');
      expect(await code([{ Key: 'Bogus', Values: ['x'] }])).toBe('ValidationException');
      expect(
        await code([
          { Key: 'Name', Values: ['/a'] },
          { Key: 'Name', Values: ['/b'] },
        ]),
      ).toBe('InvalidFilterKey');
      expect(await code([{ Key: 'Name' }])).toBe('InvalidFilterValue');
      expect(await code([{ Key: 'Type', Values: ['Secret'] }])).toBe('InvalidFilterOption');
      expect(await code([{ Key: 'Path', Values: ['no-slash'] }])).toBe('ValidationException');
      expect(await code([{ Key: 'Type', Option: 'Contains', Values: ['String'] }])).toBe(
        'InvalidFilterOption',
      );
      expect(
        (
          await refusal(ssm, 'DescribeParameters', {
            Filters: [{ Key: 'Name', Values: ['/a'] }],
            ParameterFilters: [{ Key: 'Name', Values: ['/a'] }],
          })
        ).code,
      ).toBe('ValidationException');
      expect(
        (
          await refusal(ssm, 'GetParametersByPath', {
            Path: '/a',
            ParameterFilters: [{ Key: 'Name', Values: ['/a'] }],
          })
        ).code,
      ).toBe('InvalidFilterKey');
    });

    it('matches Name Contains, tag filters and the older Filters', async () => {
      await put('/f/alpha', { Tags: [{ Key: 'team', Value: 'core' }] });
      await put('/f/beta', { Type: 'SecureString' });
      const names = async (body: Record<string, unknown>) =>
        (
          (await invoke(ssm, 'DescribeParameters', { MaxResults: 50, ...body })).Parameters as {
            Name: string;
          }[]
        ).map((p) => p.Name);
      expect(
        await names({ ParameterFilters: [{ Key: 'Name', Option: 'Contains', Values: ['lph'] }] }),
      ).toEqual(['/f/alpha']);
      expect(await names({ ParameterFilters: [{ Key: 'tag:team', Values: ['core'] }] })).toEqual([
        '/f/alpha',
      ]);
      expect(await names({ ParameterFilters: [{ Key: 'tag:team' }] })).toEqual(['/f/alpha']);
      expect(await names({ Filters: [{ Key: 'Type', Values: ['SecureString'] }] })).toEqual([
        '/f/beta',
      ]);
    });

    it('may cut filtered listing pages short, even empty, while the token carries on', async () => {
      const short = new SsmService(clock, new SeededRandom(3), { shortPages: 1 });
      for (let i = 0; i < 30; i++) {
        await invoke(short, 'PutParameter', {
          Name: `/short/p${String(i).padStart(2, '0')}`,
          Value: 'v',
          Type: 'String',
        });
      }
      const seen: string[] = [];
      const sizes: number[] = [];
      let NextToken: string | undefined;
      do {
        const page = await invoke(short, 'DescribeParameters', {
          MaxResults: 10,
          ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/short'] }],
          ...(NextToken === undefined ? {} : { NextToken }),
        });
        const names = (page.Parameters as { Name: string }[]).map((p) => p.Name);
        seen.push(...names);
        sizes.push(names.length);
        NextToken = page.NextToken as string | undefined;
      } while (NextToken !== undefined);
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
      expect(sizes.some((size) => size < 10)).toBe(true);
    });

    it('pages GetParameterHistory and refuses more than 50 a page', async () => {
      for (let i = 0; i < 7; i++) await put('/h', { Overwrite: i > 0 });
      const first = await invoke(ssm, 'GetParameterHistory', { Name: '/h', MaxResults: 5 });
      const rest = await invoke(ssm, 'GetParameterHistory', {
        Name: '/h',
        MaxResults: 5,
        NextToken: first.NextToken,
      });
      expect((rest.Parameters as unknown[]).length).toBe(2);
      expect((await refusal(ssm, 'GetParameterHistory', { Name: '/h', MaxResults: 51 })).code).toBe(
        'ValidationException',
      );
      expect((await refusal(ssm, 'GetParameterHistory', { Name: '/none' })).code).toBe(
        'ParameterNotFound',
      );
    });
  });

  it('answers faults in SSM shapes: ThrottlingException for throttling, 500 for internal errors', () => {
    expect(ssm.faultError({ kind: 'throttle' })).toMatchObject({
      code: 'ThrottlingException',
      status: 400,
    });
    expect(ssm.faultError({ kind: 'error', code: 'InternalServerError' })).toMatchObject({
      status: 500,
    });
    expect(ssm.faultError({ kind: 'error', code: 'TooManyUpdates' })).toMatchObject({
      status: 400,
    });
  });
});
