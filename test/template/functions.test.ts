import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_SETTINGS,
  exampleParams,
  osls,
  packaged,
  resourcesOfType,
  SERVERLESS_DIR,
} from './template.js';
import { extractZip } from './zip.js';

const { template, stage, region, stackTags, evaluator, props, env: envOf } = packaged();
const prefix = `license-token-rotator-${stage}`;
const FUNCTIONS = ['scanner', 'rotator', 'exchange'] as const;

describe('the three functions', () => {
  it('are the only functions, on Node 24 and Graviton', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ExchangeLambdaFunction',
      'RotatorLambdaFunction',
      'ScannerLambdaFunction',
    ]);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
  });

  it('run the handlers of src/handlers, with stage-scoped names', () => {
    expect(props('ScannerLambdaFunction').Handler).toBe('src/handlers/scanner.handler');
    expect(props('RotatorLambdaFunction').Handler).toBe('src/handlers/rotator.handler');
    expect(props('ExchangeLambdaFunction').Handler).toBe('src/handlers/exchange.handler');
    expect(props('ScannerLambdaFunction').FunctionName).toBe(`${prefix}-scanner`);
    expect(props('RotatorLambdaFunction').FunctionName).toBe(`${prefix}-rotator`);
    expect(props('ExchangeLambdaFunction').FunctionName).toBe(`${prefix}-exchange`);
  });

  it('have the timeouts and memory serverless.yml explains', () => {
    expect(props('ScannerLambdaFunction').Timeout).toBe(120);
    expect(props('RotatorLambdaFunction').Timeout).toBe(20);
    expect(props('ExchangeLambdaFunction').Timeout).toBe(10);
    expect(props('ScannerLambdaFunction').MemorySize).toBe(512);
    expect(props('RotatorLambdaFunction').MemorySize).toBe(512);
    expect(props('ExchangeLambdaFunction').MemorySize).toBe(512);
  });

  it('log to groups with a retention', () => {
    for (const name of FUNCTIONS) {
      const [, group] =
        resourcesOfType(template, 'AWS::Logs::LogGroup').find(
          ([, g]) => g.Properties.LogGroupName === `/aws/lambda/${prefix}-${name}`,
        ) ?? [];
      expect(group?.Properties.RetentionInDays, name).toBe(90);
    }
  });

  it('are tagged, and so is every taggable resource of the stack', () => {
    const tags = { service: 'license-token-rotator', stage, 'managed-by': 'serverless' };
    expect(stackTags).toEqual(tags);
    for (const id of resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id)) {
      expect(props(id).Tags).toEqual(Object.entries(tags).map(([Key, Value]) => ({ Key, Value })));
    }
  });
});

describe('the exchange', () => {
  it('is reached through one function URL, which only signed callers get through', () => {
    const urls = resourcesOfType(template, 'AWS::Lambda::Url');
    expect(urls.map(([id]) => id)).toEqual(['ExchangeLambdaFunctionUrl']);
    expect(urls[0]?.[1].Properties).toEqual({
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': ['ExchangeLambdaFunction', 'Arn'] },
    });
  });

  it('runs at most exchangeConcurrency (10) executions at once, reserved for it', () => {
    expect(props('ExchangeLambdaFunction').ReservedConcurrentExecutions).toBe(10);
    expect(props('ScannerLambdaFunction').ReservedConcurrentExecutions).toBeUndefined();
    expect(props('RotatorLambdaFunction').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('is invoked by nothing but its URL: no event source, no other grant', () => {
    const targets = [
      ...resourcesOfType(template, 'AWS::Lambda::Permission'),
      ...resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'),
    ].map(([, r]) => JSON.stringify(r.Properties.FunctionName));
    expect(targets).not.toContain(
      JSON.stringify({ 'Fn::GetAtt': ['ExchangeLambdaFunction', 'Arn'] }),
    );
    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    expect(JSON.stringify(rules)).not.toContain('ExchangeLambdaFunction');
  });
});

describe('environment', () => {
  // What every function reads.
  const everyone = {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: prefix,
    TOKEN_PATH: '/license-tokens/',
    REVOKE_PREVIOUS_AFTER_HOURS: '72',
    REVOCATION_POLICY: 'after-pickup',
    EVENT_BUS_NAME: 'default',
  };
  // What the two functions that judge records read besides.
  const shared = {
    ...everyone,
    RENEW_BEFORE_DAYS: '',
    CRITICAL_DAYS: '7',
    LICENSE_ARNS: EXAMPLE_SETTINGS.licenseArns,
    ROLE_ARNS: EXAMPLE_SETTINGS.roleArns,
    SCAN_INTERVAL_HOURS: '6',
    PICKUP_OVERDUE_HOURS: '168',
  };

  it('gives the scanner the jobs queue and nothing of the rotator', () => {
    expect(envOf('ScannerLambdaFunction')).toEqual({
      ...shared,
      JOB_QUEUE_URL: { Ref: 'JobQueue' },
    });
  });

  it('gives the rotator the DLQ, the key, the lifecycle settings and the scanner as sender', () => {
    expect(envOf('RotatorLambdaFunction')).toEqual({
      ...shared,
      DEAD_LETTER_QUEUE_URL: { Ref: 'DeadLetterQueue' },
      KMS_KEY_ID: 'alias/aws/ssm',
      VERIFY_NEW_TOKENS: 'true',
      // Only the scanner's jobs may delete tokens: SQS reports its sender by its role id.
      TRUSTED_SENDER_IDS: { 'Fn::GetAtt': ['ScannerRole', 'RoleId'] },
    });
  });

  it('gives the exchange the token path, the revocation settings and the bus: no allow-list', () => {
    expect(envOf('ExchangeLambdaFunction')).toEqual(everyone);
  });

  it('names queue URLs that the config accepts (https, FIFO)', () => {
    for (const url of [
      evaluator.string(envOf('ScannerLambdaFunction').JOB_QUEUE_URL),
      evaluator.string(envOf('RotatorLambdaFunction').DEAD_LETTER_QUEUE_URL),
    ]) {
      expect(url).toMatch(
        new RegExp(`^https://sqs\\.${region}\\.amazonaws\\.com/\\d{12}/${prefix}-`),
      );
      expect(url).toMatch(/\.fifo$/);
    }
  });
});

describe('the scanner schedule', () => {
  const rules = resourcesOfType(template, 'AWS::Events::Rule');
  const home = mkdtempSync(join(tmpdir(), 'ltr-print-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs the scanner every SCAN_INTERVAL_HOURS (6 by default), enabled', () => {
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] ?? [];
    expect(rule?.Properties.ScheduleExpression).toBe('rate(6 hours)');
    expect(envOf('ScannerLambdaFunction').SCAN_INTERVAL_HOURS).toBe('6');
    expect(rule?.Properties.State).toBe('ENABLED');
    expect(rule?.Properties.Name).toBe(`${prefix}-scan`);
    expect(rule?.Properties.Targets).toEqual([
      { Arn: { 'Fn::GetAtt': ['ScannerLambdaFunction', 'Arn'] }, Id: 'scannerSchedule' },
    ]);
  });

  // osls starts in a few seconds on an idle machine and much slower beside other work: 60 s
  // bounds only a hang.
  it('says `rate(1 hour)` for a 1-hour interval, as EventBridge requires', {
    timeout: 60_000,
  }, () => {
    const printed = osls(
      [
        'print',
        ...['--format', 'json', '--stage', stage, '--region', region],
        ...exampleParams(),
        ...['--param=scanIntervalHours=1', '--param=heartbeatHours=2'],
      ],
      home,
    );
    const config = JSON.parse(printed.slice(printed.indexOf('{'))) as {
      functions: { scanner: { events: { schedule: { rate: string[] } }[] } };
    };
    expect(config.functions.scanner.events[0]?.schedule.rate).toEqual(['rate(1 hour)']);
  });

  it('may invoke the scanner, and only from that rule', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(1);
    const [, permission] = permissions[0] ?? [];
    expect(permission?.Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['ScannerLambdaFunction', 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [rules[0]?.[0], 'Arn'] },
    });
  });
});

describe('the consumer-side settings', () => {
  const home = mkdtempSync(join(tmpdir(), 'ltr-print-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  // osls starts in a few seconds on an idle machine and much slower beside other work: 60 s
  // bounds only a hang.
  it('reach the functions, the exchange and its alarm from --param', { timeout: 60_000 }, () => {
    const bus = 'arn:aws:events:eu-west-1:111122223333:event-bus/central';
    const printed = osls(
      [
        'print',
        ...['--format', 'json', '--stage', stage, '--region', region],
        ...exampleParams(),
        '--param=revocationPolicy=after-grace',
        '--param=pickupOverdueHours=48',
        `--param=eventBusName=${bus}`,
        '--param=exchangeConcurrency=3',
        '--param=exchangeRefusalAlarmThreshold=50',
      ],
      home,
    );
    const config = JSON.parse(printed.slice(printed.indexOf('{'))) as {
      provider: { environment: Record<string, string> };
      functions: Record<
        string,
        { environment?: Record<string, unknown>; reservedConcurrency?: number }
      >;
      resources: {
        Parameters: Record<string, { Default: string }>;
        Resources: Record<string, { Properties: Record<string, unknown> }>;
      };
    };
    expect(config.provider.environment).toMatchObject({
      REVOCATION_POLICY: 'after-grace',
      EVENT_BUS_NAME: bus,
    });
    expect(config.resources.Parameters.EventBusName?.Default).toBe(bus);
    for (const name of ['scanner', 'rotator']) {
      expect(config.functions[name]?.environment?.PICKUP_OVERDUE_HOURS, name).toBe('48');
    }
    expect(config.functions.exchange?.environment).toBeUndefined();
    expect(Number(config.functions.exchange?.reservedConcurrency)).toBe(3);
    expect(Number(config.resources.Resources.ExchangeRefusalsAlarm?.Properties.Threshold)).toBe(50);
  });
});

describe('the rotator event source', () => {
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');

  it('feeds the rotator from the jobs queue, 10 at a time, with partial batch responses', () => {
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0] ?? [];
    expect(mapping?.Properties).toEqual({
      BatchSize: 10,
      EventSourceArn: { 'Fn::GetAtt': ['JobQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['RotatorLambdaFunction', 'Arn'] },
      Enabled: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('is created after the role that lets Lambda read the queue', () => {
    expect(mappings[0]?.[1].DependsOn).toEqual(['RotatorRole']);
  });
});

describe('the bundles', () => {
  const zips = Object.fromEntries(
    FUNCTIONS.map((name) => [name, join(SERVERLESS_DIR, `${name}.zip`)]),
  );
  const work = mkdtempSync(join(tmpdir(), 'ltr-bundles-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const extracted = new Map<string, string[]>();
  const unzip = (name: string): string => {
    const dir = join(work, name);
    if (!extracted.has(name)) extracted.set(name, extractZip(zips[name] ?? '', dir));
    return dir;
  };

  it.each(FUNCTIONS)('%s.zip holds its ES module bundle and source map only', (name) => {
    expect(statSync(zips[name] ?? '').size).toBeGreaterThan(0);
    unzip(name);
    expect(extracted.get(name)?.sort()).toEqual([
      `src/handlers/${name}.mjs`,
      `src/handlers/${name}.mjs.map`,
    ]);
  });

  it.each([
    ['scanner', 'ScannerLambdaFunction', 'ListTokensCommand'],
    ['rotator', 'RotatorLambdaFunction', 'CreateTokenCommand'],
    ['exchange', 'ExchangeLambdaFunction', 'AddTagsToResourceCommand'],
  ])(
    '%s imports under Node with its template environment, SDK bundled',
    (name, logicalId, sdkClass) => {
      const dir = unzip(name);
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      };
      for (const [key, value] of Object.entries(envOf(logicalId))) {
        env[key] = evaluator.string(value);
      }
      const bundle = pathToFileURL(join(dir, 'src', 'handlers', `${name}.mjs`)).href;
      // A fresh Node, cwd in the unzipped artifact as on Lambda (/var/task): no node_modules.
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        { cwd: dir, env, encoding: 'utf8' },
      );
      expect(out.trim().split('\n').at(-1)).toBe('function');
      const source = readFileSync(join(dir, 'src', 'handlers', `${name}.mjs`), 'utf8');
      expect(source).toContain(sdkClass);
      expect(source).not.toMatch(/from\s*["']@aws-sdk\//);
    },
  );
});
