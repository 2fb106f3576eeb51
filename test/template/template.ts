import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Where `osls package` leaves the template, the state and the zips. */
export const SERVERLESS_DIR = join(ROOT, '.serverless');

/**
 * Runs osls in the project, offline as scripts/package.sh does (dummy keys, never a real
 * profile's), and returns what it printed; throws with its output when it fails.
 */
export function osls(args: readonly string[], home: string): string {
  try {
    return execFileSync(join(ROOT, 'node_modules', '.bin', 'osls'), args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // HOME too: osls keeps state there, and a test must not write to the real one.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_ACCESS_KEY_ID: 'package-offline',
        AWS_SECRET_ACCESS_KEY: 'package-offline',
      },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`osls ${args[0]} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** A JSON value as CloudFormation holds it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One resource of the template. */
export interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, Json>;
  readonly DependsOn?: Json;
  readonly Condition?: string;
}

/** The parts of a CloudFormation template these tests read. */
export interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Parameters?: Record<string, { Default?: Json; AllowedPattern?: string }>;
  readonly Conditions?: Record<string, Json>;
  readonly Outputs?: Record<string, Json>;
}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(join(SERVERLESS_DIR, file), 'utf8'));
  } catch (error) {
    throw new Error(`${file} is missing or unreadable: run \`npm run package\` (${error})`);
  }
};

/** The generated stack template (the update template holds every resource). */
export const loadTemplate = (): Template =>
  readJson('cloudformation-template-update-stack.json') as Template;

/** What osls resolved: stage, region and the stack's tags. */
export const loadState = (): {
  service: { provider: { stage: string; region: string; stackTags: Record<string, string> } };
} =>
  readJson('serverless-state.json') as {
    service: { provider: { stage: string; region: string; stackTags: Record<string, string> } };
  };

/** The resource with this logical id; fails the test when it is absent. */
export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}

/** Every resource of a type, by logical id. */
export const resourcesOfType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/**
 * The deploy settings without a default, as .ci/run passes them to `npm run package`: the suite
 * checks that these very values reach IAM and the functions' environment.
 */
export const EXAMPLE_SETTINGS = {
  licenseArns: 'arn:aws:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef',
  roleArns: 'arn:aws:iam::123456789012:role/LicenseConsumer',
} as const;

/** EXAMPLE_SETTINGS as osls options, for whatever else packages the functions (the bench). */
export const exampleParams = (): string[] =>
  Object.entries(EXAMPLE_SETTINGS).map(([name, value]) => `--param=${name}=${value}`);

/** The account and region the evaluator pretends to deploy to. */
export const ACCOUNT = '123456789012';

/** Template parameter values that replace their defaults, for the other branch of a condition. */
export type Overrides = Readonly<Record<string, string>>;

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Evaluates the intrinsic functions this template uses (Ref, GetAtt, Sub, If, Equals, Not, Split,
 * Select, Join), as CloudFormation would in `region` of ACCOUNT, so tests assert concrete ARNs
 * and names.
 */
export class Evaluator {
  constructor(
    private readonly template: Template,
    private readonly region: string,
    private readonly overrides: Overrides = {},
  ) {}

  private parameter(name: string): string | undefined {
    const param = this.template.Parameters?.[name];
    if (param === undefined) return undefined;
    return this.overrides[name] ?? String(param.Default ?? '');
  }

  private physicalId(logicalId: string): string {
    const { Type, Properties } = resource(this.template, logicalId);
    switch (Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.region}.amazonaws.com/${ACCOUNT}/${this.string(Properties.QueueName)}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${this.region}:${ACCOUNT}:${this.string(Properties.TopicName)}`;
      case 'AWS::Lambda::Function':
        return this.string(Properties.FunctionName);
      case 'AWS::CloudWatch::Dashboard':
        return this.string(Properties.DashboardName);
      default:
        return logicalId;
    }
  }

  private attribute(logicalId: string, name: string): string {
    const { Type, Properties } = resource(this.template, logicalId);
    const key = `${Type}.${name}`;
    switch (key) {
      case 'AWS::SQS::Queue.Arn':
        return `arn:aws:sqs:${this.region}:${ACCOUNT}:${this.string(Properties.QueueName)}`;
      case 'AWS::SQS::Queue.QueueName':
        return this.string(Properties.QueueName);
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${this.region}:${ACCOUNT}:log-group:${this.string(Properties.LogGroupName)}:*`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
      case 'AWS::IAM::Role.RoleId':
        // IAM makes up a role id: AROA and 17 more upper-case letters and digits.
        return `AROA${logicalId
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, '')
          .padEnd(17, 'X')
          .slice(0, 17)}`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${this.string(Properties.FunctionName)}`;
      case 'AWS::Lambda::Url.FunctionUrl':
        // Lambda makes up the host's first label; the rest is fixed.
        return `https://url-of-${logicalId.toLowerCase()}.lambda-url.${this.region}.on.aws/`;
      case 'AWS::Events::Rule.Arn':
        return `arn:aws:events:${this.region}:${ACCOUNT}:rule/${this.string(Properties.Name)}`;
      case 'AWS::CloudWatch::Alarm.Arn':
        return `arn:aws:cloudwatch:${this.region}:${ACCOUNT}:alarm:${this.string(Properties.AlarmName)}`;
      default:
        throw new Error(`the evaluator does not know ${key}`);
    }
  }

  private ref(name: string): string | undefined {
    const pseudo: Record<string, string | undefined> = {
      'AWS::Region': this.region,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::NoValue': undefined,
    };
    if (name in pseudo) return pseudo[name];
    return this.parameter(name) ?? this.physicalId(name);
  }

  private sub(text: string, variables: Record<string, Json>): string {
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return this.string(variables[name]);
      const [logicalId, attribute] = name.split('.');
      if (logicalId !== undefined && attribute !== undefined) {
        return this.attribute(logicalId, attribute);
      }
      return String(this.ref(name));
    });
  }

  /** Whether a named condition holds. */
  condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`the template has no condition ${name}`);
    return this.truth(definition);
  }

  private truth(value: Json): boolean {
    if (!isObject(value)) throw new Error(`not a condition: ${JSON.stringify(value)}`);
    if ('Fn::Equals' in value) {
      const [a, b] = value['Fn::Equals'] as [Json, Json];
      return JSON.stringify(this.evaluate(a)) === JSON.stringify(this.evaluate(b));
    }
    if ('Fn::Not' in value) return !this.truth((value['Fn::Not'] as Json[])[0] ?? null);
    if ('Condition' in value) return this.condition(String(value.Condition));
    throw new Error(`unsupported condition ${JSON.stringify(value)}`);
  }

  /** The value with every intrinsic function evaluated; `undefined` for AWS::NoValue. */
  evaluate(value: Json | undefined): Json | undefined {
    if (Array.isArray(value)) {
      return value.map((item) => this.evaluate(item)).filter((item) => item !== undefined) as Json;
    }
    if (!isObject(value)) return value;
    if ('Ref' in value) return this.ref(String(value.Ref));
    if ('Fn::GetAtt' in value) {
      const [logicalId, name] = value['Fn::GetAtt'] as [string, string];
      return this.attribute(logicalId, name);
    }
    if ('Fn::Sub' in value) {
      const sub = value['Fn::Sub'];
      if (typeof sub === 'string') return this.sub(sub, {});
      const [text, variables] = sub as [string, Record<string, Json>];
      return this.sub(text, variables);
    }
    if ('Fn::If' in value) {
      const [name, whenTrue, whenFalse] = value['Fn::If'] as [string, Json, Json];
      return this.evaluate(this.condition(name) ? whenTrue : whenFalse);
    }
    if ('Fn::Split' in value) {
      const [separator, text] = value['Fn::Split'] as [string, Json];
      return this.string(text).split(separator);
    }
    if ('Fn::Select' in value) {
      const [index, list] = value['Fn::Select'] as [Json, Json];
      const items = this.evaluate(list);
      const item = Array.isArray(items) ? items[Number(index)] : undefined;
      if (item === undefined) throw new Error(`cannot select ${JSON.stringify(value)}`);
      return item;
    }
    if ('Fn::Join' in value) {
      const [separator, items] = value['Fn::Join'] as [string, Json[]];
      return items.map((item) => this.string(item)).join(separator);
    }
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [key, this.evaluate(item)] as const)
        .filter(([, item]) => item !== undefined),
    ) as Json;
  }

  /** The value evaluated to a string; fails when it is not one. */
  string(value: Json | undefined): string {
    const result = this.evaluate(value);
    if (typeof result !== 'string' && typeof result !== 'number') {
      throw new Error(`expected a string, got ${JSON.stringify(result)}`);
    }
    return String(result);
  }
}

/** The packaged stack as the tests read it: template, stage and region, and small accessors. */
export function packaged() {
  const template = loadTemplate();
  const { stage, region, stackTags } = loadState().service.provider;
  const props = (logicalId: string): Record<string, Json> =>
    resource(template, logicalId).Properties;
  /** A function's environment variables, as the template gives them (intrinsics unevaluated). */
  const env = (logicalId: string): Record<string, Json> =>
    (props(logicalId).Environment as Record<string, Record<string, Json>>).Variables as Record<
      string,
      Json
    >;
  return {
    template,
    stage,
    region,
    stackTags,
    evaluator: new Evaluator(template, region),
    props,
    env,
  };
}
