import { describe, expect, it } from 'vitest';
import { PICKUP_TAG } from '../../src/aws/parameter-store.js';
import {
  Evaluator,
  EXAMPLE_SETTINGS,
  type Json,
  type Overrides,
  packaged,
  resource,
  resourcesOfType,
  type Template,
} from './template.js';

const { template, stage, region, env: envOf } = packaged();

/** One IAM statement, evaluated: actions and resources always as lists. */
interface Statement {
  readonly sid: string | undefined;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly condition: Json | undefined;
}

const asList = (value: Json | undefined): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String);

const toStatement = (raw: Json): Statement => {
  const s = raw as Record<string, Json>;
  return {
    sid: s.Sid === undefined ? undefined : String(s.Sid),
    effect: String(s.Effect),
    actions: asList(s.Action),
    resources: asList(s.Resource),
    condition: s.Condition,
  };
};

/** Every statement of a role's inline policies, evaluated for the given template parameters. */
function roleStatements(logicalId: string, overrides: Overrides = {}): Statement[] {
  const evaluator = new Evaluator(template, region, overrides);
  const policies = resource(template, logicalId).Properties.Policies as Json[];
  return policies.flatMap((policy) => {
    const document = evaluator.evaluate((policy as Record<string, Json>).PolicyDocument) as Record<
      string,
      Json
    >;
    return (document.Statement as Json[]).map(toStatement);
  });
}

/**
 * Every policy document anywhere in the template (roles, queue, topic and bucket policies), by
 * the logical id of the resource that holds it.
 */
function statementsByResource(evaluator: Evaluator, source: Template): [string, Statement[]][] {
  return Object.entries(source.Resources).map(([logicalId, r]) => {
    const inline = ((r.Properties.Policies as Json[] | undefined) ?? []).map(
      (policy) => (policy as Record<string, Json>).PolicyDocument,
    );
    const documents = [
      ...inline,
      r.Properties.PolicyDocument,
      r.Properties.AssumeRolePolicyDocument,
    ].filter((document) => document !== undefined);
    return [
      logicalId,
      documents.flatMap((document) =>
        ((evaluator.evaluate(document) as Record<string, Json>).Statement as Json[]).map(
          toStatement,
        ),
      ),
    ];
  });
}

/** Every policy statement anywhere in the template. */
const allStatements = (evaluator: Evaluator, source: Template): Statement[] =>
  statementsByResource(evaluator, source).flatMap(([, statements]) => statements);

const actionsOf = (statements: Statement[]): string[] =>
  [...new Set(statements.flatMap((s) => s.actions))].sort();

const statementFor = (statements: Statement[], action: string): Statement => {
  const found = statements.filter((s) => s.actions.includes(action));
  expect(found, `exactly one statement allows ${action}`).toHaveLength(1);
  return found[0] as Statement;
};

const account = '123456789012';
const jobQueueArn = `arn:aws:sqs:${region}:${account}:license-token-rotator-${stage}-jobs.fifo`;
const dlqArn = jobQueueArn.replace('-jobs.fifo', '-dlq.fifo');
const tokenParameters = `arn:aws:ssm:${region}:${account}:parameter/license-tokens/*`;
const defaultBus = `arn:aws:events:${region}:${account}:event-bus/default`;

/** Each function's role, by the function's logical id. */
const ROLES = {
  ScannerLambdaFunction: 'ScannerRole',
  RotatorLambdaFunction: 'RotatorRole',
  ExchangeLambdaFunction: 'ExchangeRole',
} as const;

// APIs that AWS offers no resource-level permissions for: "*" is the only resource they take.
const UNSCOPABLE = new Set([
  'ssm:DescribeParameters',
  'license-manager:ListTokens',
  'license-manager:GetAccessToken',
  'license-manager:DeleteToken',
]);

describe('IAM: one role per function', () => {
  it('gives each function its own role and creates no other role', () => {
    const roles = resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id);
    expect(roles.sort()).toEqual(['ExchangeRole', 'RotatorRole', 'ScannerRole']);
    for (const [fn, role] of Object.entries(ROLES)) {
      expect(resource(template, fn).Properties.Role).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
    }
  });

  it('lets only Lambda assume the roles', () => {
    for (const id of Object.values(ROLES)) {
      const trust = resource(template, id).Properties.AssumeRolePolicyDocument as Record<
        string,
        Json
      >;
      expect(trust.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ]);
    }
  });

  it('attaches no managed policies, so the inline statements are all a role can do', () => {
    for (const id of Object.values(ROLES)) {
      expect(resource(template, id).Properties.ManagedPolicyArns).toBeUndefined();
      expect(resource(template, id).Properties.PermissionsBoundary).toBeUndefined();
    }
  });
});

describe('IAM: nothing forbidden, nothing wildcarded', () => {
  const statements = allStatements(new Evaluator(template, region), template);
  const allows = statements.filter((s) => s.effect === 'Allow');
  /** The resources whose policies allow an action matching `pattern` (lowercase). */
  const granting = (pattern: RegExp, overrides: Overrides = {}): string[] =>
    statementsByResource(new Evaluator(template, region, overrides), template)
      .filter(([, list]) =>
        list.some(
          (s) => s.effect === 'Allow' && s.actions.some((a) => pattern.test(a.toLowerCase())),
        ),
      )
      .map(([id]) => id)
      .sort();

  it.each([
    ['the AWS managed key', {}],
    ['a customer managed key', { KmsKeyId: `arn:aws:kms:us-east-1:${account}:key/k-1` }],
  ])('lets only the exchange decrypt or read a token value, with %s', (_, overrides) => {
    expect(granting(/^kms:decrypt$/, overrides)).toEqual(['ExchangeRole']);
    expect(granting(/^ssm:getparameter/, overrides)).toEqual(['ExchangeRole']);
  });

  it('grants no other use of a key that could reveal or rewrap a token, anywhere', () => {
    const granted = allows.flatMap((s) => s.actions.map((a) => a.toLowerCase()));
    expect(granted.length).toBeGreaterThan(10);
    for (const action of granted) {
      expect(action).not.toMatch(/^kms:(reencrypt|generatedatakey)/);
    }
    expect(granting(/^kms:/)).toEqual(['ExchangeRole', 'RotatorRole']);
  });

  it('allows no wildcard action (a Deny may use one, as the deployment bucket TLS rule does)', () => {
    for (const statement of allows) {
      for (const action of statement.actions) expect(action, statement.sid).not.toContain('*');
    }
  });

  it('allows "*" as a resource only for actions AWS cannot scope', () => {
    for (const id of Object.values(ROLES)) {
      for (const statement of roleStatements(id)) {
        if (!statement.resources.includes('*')) continue;
        for (const action of statement.actions) {
          expect(UNSCOPABLE.has(action), `${id} ${action} on "*"`).toBe(true);
        }
      }
    }
  });
});

describe('IAM: logs', () => {
  it.each([
    ['ScannerRole', 'scanner'],
    ['RotatorRole', 'rotator'],
    ['ExchangeRole', 'exchange'],
  ])('%s writes only its own log group, and nothing else to CloudWatch Logs', (role, name) => {
    const statements = roleStatements(role);
    const group = `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/license-token-rotator-${stage}-${name}:*`;
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      expect(statementFor(statements, action).resources).toEqual([group]);
    }
    expect(actionsOf(statements).filter((a) => a.startsWith('logs:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });
});

describe('IAM: the scanner', () => {
  const statements = roleStatements('ScannerRole');

  it('may describe parameters, read pickups, enqueue, list tokens, publish and log: nothing else', () => {
    expect(actionsOf(statements)).toEqual([
      'events:PutEvents',
      'license-manager:ListTokens',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
      'ssm:DescribeParameters',
      'ssm:ListTagsForResource',
    ]);
  });

  it('sends only to the jobs queue', () => {
    expect(statementFor(statements, 'sqs:SendMessage').resources).toEqual([jobQueueArn]);
  });
});

describe('IAM: the rotator', () => {
  const statements = roleStatements('RotatorRole');

  it('has exactly the actions a rotation needs', () => {
    expect(actionsOf(statements)).toEqual([
      'events:PutEvents',
      'kms:Encrypt',
      'license-manager:CreateToken',
      'license-manager:DeleteToken',
      'license-manager:GetAccessToken',
      'license-manager:ListTokens',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'ssm:DescribeParameters',
      'ssm:ListTagsForResource',
      'ssm:PutParameter',
    ]);
  });

  it('writes parameters only under the token path the function is configured with', () => {
    const tokenPathEnv = String(envOf('RotatorLambdaFunction').TOKEN_PATH);
    expect(tokenPathEnv).toBe('/license-tokens/');
    expect(statementFor(statements, 'ssm:PutParameter').resources).toEqual([
      `arn:aws:ssm:${region}:${account}:parameter${tokenPathEnv}*`,
    ]);
    expect(tokenParameters).toBe(`arn:aws:ssm:${region}:${account}:parameter${tokenPathEnv}*`);
  });

  it('refuses, at deploy time, a token path that would widen that scope', () => {
    const pattern = new RegExp(template.Parameters?.TokenPath?.AllowedPattern ?? '(?!)');
    expect(template.Parameters?.TokenPath?.Default).toBe('/license-tokens/');
    for (const good of ['/license-tokens/', '/a/b.c/', '/']) expect(good).toMatch(pattern);
    // Without the trailing slash, parameter/license-tokens* would match /license-tokens-other.
    for (const bad of ['/license-tokens', 'license-tokens/', '/a//', '/a*/']) {
      expect(bad).not.toMatch(pattern);
    }
  });

  it('uses the KMS key only to encrypt, only through SSM, with the AWS managed key', () => {
    const kms = statementFor(statements, 'kms:Encrypt');
    expect(kms.actions).toEqual(['kms:Encrypt']);
    expect(kms.resources).toEqual([`arn:aws:kms:${region}:${account}:key/*`]);
    expect(kms.condition).toEqual({
      StringEquals: { 'kms:ViaService': `ssm.${region}.amazonaws.com` },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/aws/ssm' },
    });
    expect(envOf('RotatorLambdaFunction').KMS_KEY_ID).toBe('alias/aws/ssm');
  });

  it('uses a customer managed key, when given, by its ARN and only through SSM', () => {
    const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const kms = statementFor(roleStatements('RotatorRole', { KmsKeyId: keyArn }), 'kms:Encrypt');
    expect(kms.resources).toEqual([keyArn]);
    expect(kms.condition).toEqual({
      StringEquals: { 'kms:ViaService': `ssm.${region}.amazonaws.com` },
    });
    const pattern = new RegExp(template.Parameters?.KmsKeyId?.AllowedPattern ?? '(?!)');
    expect(keyArn).toMatch(pattern);
    expect('alias/aws/ssm').toMatch(pattern);
    // IAM cannot scope to an alias: an alias ARN or another alias is refused at deploy time.
    expect(`arn:aws:kms:${region}:${account}:alias/mine`).not.toMatch(pattern);
    expect('alias/mine').not.toMatch(pattern);
  });

  it('mints tokens only for the licenses of licenseArns, the ones the functions allow', () => {
    const create = statementFor(statements, 'license-manager:CreateToken');
    expect(create.actions).toEqual(['license-manager:CreateToken']);
    expect(create.resources).toEqual([EXAMPLE_SETTINGS.licenseArns]);
    for (const id of ['ScannerLambdaFunction', 'RotatorLambdaFunction']) {
      expect(envOf(id).LICENSE_ARNS, id).toBe(EXAMPLE_SETTINGS.licenseArns);
      expect(envOf(id).ROLE_ARNS, id).toBe(EXAMPLE_SETTINGS.roleArns);
    }
  });

  it("proves a token's owner with ListTokens, which AWS cannot scope", () => {
    expect(statementFor(statements, 'license-manager:ListTokens')).toMatchObject({
      sid: 'ProveTokenOwner',
      effect: 'Allow',
      actions: ['license-manager:ListTokens'],
      resources: ['*'],
    });
  });

  it('consumes only the jobs queue and dead-letters only to the DLQ', () => {
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
      expect(statementFor(statements, action).resources).toEqual([jobQueueArn]);
    }
    expect(statementFor(statements, 'sqs:SendMessage').resources).toEqual([dlqArn]);
  });
});

describe('IAM: the exchange', () => {
  const statements = roleStatements('ExchangeRole');

  it('has exactly the actions an exchange needs', () => {
    expect(actionsOf(statements)).toEqual([
      'events:PutEvents',
      'kms:Decrypt',
      'license-manager:GetAccessToken',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'ssm:AddTagsToResource',
      'ssm:DescribeParameters',
      'ssm:GetParameter',
      'ssm:GetParameterHistory',
      'ssm:ListTagsForResource',
    ]);
  });

  it('reads token values, their history and the pickup tag only under the token path', () => {
    for (const action of [
      'ssm:GetParameter',
      'ssm:GetParameterHistory',
      'ssm:ListTagsForResource',
    ]) {
      expect(statementFor(statements, action).resources, action).toEqual([tokenParameters]);
      expect(statementFor(statements, action).condition, action).toBeUndefined();
    }
  });

  it('writes the pickup tag, and no other tag, only under the token path', () => {
    expect(statementFor(statements, 'ssm:AddTagsToResource')).toMatchObject({
      actions: ['ssm:AddTagsToResource'],
      resources: [tokenParameters],
      condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [PICKUP_TAG] } },
    });
  });

  it.each([
    ['the AWS managed key', {}],
    ['a customer managed key', { KmsKeyId: `arn:aws:kms:${region}:${account}:key/k-1` }],
  ])(
    'decrypts only through SSM, only with the key the rotator encrypts with: %s',
    (_, overrides) => {
      const decrypt = statementFor(roleStatements('ExchangeRole', overrides), 'kms:Decrypt');
      const encrypt = statementFor(roleStatements('RotatorRole', overrides), 'kms:Encrypt');
      expect(decrypt.actions).toEqual(['kms:Decrypt']);
      expect(decrypt.resources).toEqual(encrypt.resources);
      expect(decrypt.condition).toEqual(encrypt.condition);
      expect(JSON.stringify(decrypt.condition)).toContain(
        `"kms:ViaService":"ssm.${region}.amazonaws.com"`,
      );
    },
  );

  it('checks presented tokens with GetAccessToken, which AWS cannot scope, and mints nothing', () => {
    expect(statementFor(statements, 'license-manager:GetAccessToken').resources).toEqual(['*']);
    expect(actionsOf(statements).filter((a) => a.startsWith('license-manager:'))).toEqual([
      'license-manager:GetAccessToken',
    ]);
  });
});

describe('IAM: events', () => {
  it.each(Object.entries(ROLES))('%s puts events on the configured bus only', (fn, role) => {
    expect(statementFor(roleStatements(role), 'events:PutEvents').resources).toEqual([defaultBus]);
    expect(envOf(fn).EVENT_BUS_NAME).toBe('default');
  });

  it.each([
    [
      'a bus of this account by name',
      'audit',
      `arn:aws:events:${region}:${account}:event-bus/audit`,
    ],
    [
      'a bus by its ARN, as it is',
      'arn:aws:events:us-east-1:111122223333:event-bus/central',
      'arn:aws:events:us-east-1:111122223333:event-bus/central',
    ],
  ])('scopes PutEvents to %s', (_, EventBusName, arn) => {
    for (const role of Object.values(ROLES)) {
      const put = statementFor(roleStatements(role, { EventBusName }), 'events:PutEvents');
      expect(put.resources, role).toEqual([arn]);
    }
  });

  it('takes the bus the functions publish to', () => {
    expect(template.Parameters?.EventBusName?.Default).toBe(
      String(envOf('ScannerLambdaFunction').EVENT_BUS_NAME),
    );
  });
});

describe('IAM: the pickup tag', () => {
  it.each([['ScannerRole'], ['RotatorRole']])(
    '%s reads it under the token path, and may not write it',
    (role) => {
      const statements = roleStatements(role);
      expect(statementFor(statements, 'ssm:ListTagsForResource').resources).toEqual([
        tokenParameters,
      ]);
      expect(actionsOf(statements)).not.toContain('ssm:AddTagsToResource');
      expect(actionsOf(statements)).not.toContain('ssm:RemoveTagsFromResource');
    },
  );
});

describe('SNS topic policy', () => {
  it('lets only CloudWatch of this account publish', () => {
    const policy = new Evaluator(template, region).evaluate(
      resource(template, 'AlarmTopicPolicy').Properties.PolicyDocument,
    ) as Record<string, Json>;
    expect((policy.Statement as Json[]).map(toStatement)).toEqual([
      {
        sid: 'CloudWatchAlarmsOfThisAccount',
        effect: 'Allow',
        actions: ['sns:Publish'],
        resources: [expect.stringMatching(/^arn:aws:sns:.*-alarms$/)],
        condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ]);
  });
});
