/**
 * An osls plugin that checks the deploy settings of `custom.deploySettings` before anything is
 * packaged or deployed. The rotator holds strong rights (CreateToken, DeleteToken, PutParameter),
 * and the allow-lists that bound them have no default: a deploy without them, or with one that
 * IAM and the functions would read differently than the operator meant, stops here, with one
 * message that lists every problem and says how to set the values.
 *
 * It also adds to the template the one thing CloudFormation cannot write from a list: a grant
 * per consumer account on the token exchange (consumerAccountIds).
 */

// An ARN segment as AWS writes it, or an IAM-style pattern of the same characters with `*`.
const segment = (exact, chars) => `(?:${exact}|[${chars}*]*\\*[${chars}*]*)`;
const PARTITION = 'aws(?:-[a-z]+)*';
const ACCOUNT = '\\d{12}';
// IAM names and paths: letters, digits and +=.@_- (a comma is one too, but it separates entries).
const IAM_NAME = '[\\w+=.@/-]+';

const LICENSE_ARN = new RegExp(
  `^arn:${PARTITION}:license-manager::${segment(ACCOUNT, '0-9')}:license:${segment('l-[0-9a-f]{32}', 'l0-9a-f-')}$`,
);
const ROLE_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:iam::${segment(ACCOUNT, '0-9')}:role/[\\w+=.@/*-]+$`,
);
// No wildcards: an operator is named as a principal of the queue policy, where IAM takes none.
const PRINCIPAL_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:(?:user|role)/${IAM_NAME}$`);
const ACCOUNT_ID = new RegExp(`^${ACCOUNT}$`);
/** The roleArns entry that allows tokens naming no role. */
const NO_ROLE = 'none';
// An EventBridge bus as PutEvents takes it: a name, or a bus ARN (any account or region).
const BUS_NAME = '[\\w./-]{1,256}';
const EVENT_BUS = new RegExp(
  `^(?:${BUS_NAME}|arn:${PARTITION}:events:[a-z0-9-]+:${ACCOUNT}:event-bus/${BUS_NAME})$`,
);

/**
 * The revocation policies the functions know (src/rotation/record.ts, which this
 * plain script cannot import; the template tests check the two lists are the same).
 */
export const REVOCATION_POLICIES = ['after-pickup', 'after-grace', 'never'];

/** The function whose URL consumer accounts are granted. */
const EXCHANGE_FUNCTION = 'exchange';

/** Each comma-separated setting: what it is, and the form of one entry. */
const LISTS = {
  licenseArns: {
    what: 'the licenses the rotator may mint tokens for: comma-separated license ARNs, * wildcards allowed as in IAM',
    form: 'a license ARN (arn:aws:license-manager::<account>:license:l-<32 hex digits>, * allowed)',
    accepts: (entry) => LICENSE_ARN.test(entry),
  },
  roleArns: {
    what: `the IAM roles a token may name: comma-separated role ARN patterns with *; the literal ${NO_ROLE} allows tokens that name no role`,
    form: `an IAM role ARN pattern (arn:aws:iam::<account>:role/<name>, * allowed) or ${NO_ROLE}`,
    accepts: (entry) => entry === NO_ROLE || ROLE_ARN_PATTERN.test(entry),
  },
  operatorArns: {
    what: 'the IAM users or roles that may enqueue jobs besides the scanner: comma-separated ARNs, or empty',
    form: 'an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or :role/<name>, no wildcards)',
    accepts: (entry) => PRINCIPAL_ARN.test(entry),
  },
  consumerAccountIds: {
    what: 'the AWS accounts whose roles may call the token exchange: comma-separated account ids, or empty',
    form: 'an AWS account id (12 digits)',
    accepts: (entry) => ACCOUNT_ID.test(entry),
  },
};

/** The settings without a default, in the order the message names them. */
const REQUIRED = ['licenseArns', 'roleArns'];

// CloudWatch evaluates an alarm over at most a day; the heartbeat alarm's range is its hours.
const MAX_HEARTBEAT_HOURS = 24;

const HOW_TO_SET = [
  'Set them per deploy with --param, for example',
  '  npx serverless deploy --param="licenseArns=arn:aws:license-manager::123456789012:license:l-…" --param="roleArns=arn:aws:iam::123456789012:role/LicenseConsumer"',
  '(npm run package -- takes the same options), or under params.<stage> in serverless.yml.',
].join('\n');

// Not trimmed: what is checked is exactly what reaches IAM and the functions' environment.
const text = (value) => (value === undefined || value === null ? '' : String(value));

function listProblems(name, value) {
  const { form, accepts } = LISTS[name];
  return value
    .split(',')
    .filter((entry) => !accepts(entry))
    .map((entry) =>
      entry === ''
        ? `${name} has an empty entry (a stray comma?): "${value}"`
        : `${name}: "${entry}" is not ${form}`,
    );
}

const wholeNumber = (value) => (/^\d+$/.test(value) ? Number(value) : Number.NaN);

function scheduleProblems(settings) {
  const interval = wholeNumber(text(settings.scanIntervalHours));
  const heartbeat = wholeNumber(text(settings.heartbeatHours));
  const maxInterval = MAX_HEARTBEAT_HOURS / 2;
  if (!(interval >= 1 && interval <= maxInterval)) {
    return [
      `scanIntervalHours must be a whole number of hours from 1 to ${maxInterval} (the heartbeat alarm waits at least twice that, and at most ${MAX_HEARTBEAT_HOURS} hours), got "${text(settings.scanIntervalHours)}"`,
    ];
  }
  if (!(heartbeat >= 2 * interval && heartbeat <= MAX_HEARTBEAT_HOURS)) {
    return [
      `heartbeatHours must be a whole number of hours from twice scanIntervalHours (${2 * interval}) to ${MAX_HEARTBEAT_HOURS} (CloudWatch's limit), got "${text(settings.heartbeatHours)}"`,
    ];
  }
  return [];
}

/** What each single-valued setting must be, and whether a value is that. */
const SINGLES = {
  revocationPolicy: {
    form: `one of ${REVOCATION_POLICIES.join(', ')}`,
    accepts: (value) => REVOCATION_POLICIES.includes(value),
  },
  eventBusName: {
    form: 'an EventBridge bus name (letters, digits, . _ - /) or a bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)',
    accepts: (value) => EVENT_BUS.test(value),
  },
  pickupOverdueHours: {
    // What the functions accept; they would refuse anything else at their first start.
    form: 'a number of hours above 0',
    accepts: (value) => /^\d+(?:\.\d+)?$/.test(value) && Number(value) > 0,
  },
  exchangeConcurrency: {
    // 0 would reserve no execution at all: the exchange would refuse every call, throttled.
    form: 'a whole number of executions, 1 or more',
    accepts: (value) => wholeNumber(value) >= 1,
  },
  exchangeRefusalAlarmThreshold: {
    form: 'a whole number of refusals, 1 or more',
    accepts: (value) => wholeNumber(value) >= 1,
  },
};

const singleProblems = (settings) =>
  Object.entries(SINGLES)
    .filter(([name, { accepts }]) => !accepts(text(settings[name])))
    .map(([name, { form }]) => `${name} must be ${form}, got "${text(settings[name])}"`);

/**
 * Every problem of the deploy settings, as one message for the operator; undefined when they
 * are all set and well formed.
 *
 * @param {Record<string, unknown>} settings `custom.deploySettings`, as osls resolved it
 * @returns {string | undefined}
 */
export function checkDeploySettings(settings) {
  const missing = REQUIRED.filter((name) => text(settings[name]) === '');
  const problems = [
    ...missing.map((name) => `${name} is not set, and has no default: ${LISTS[name].what}.`),
    ...Object.keys(LISTS)
      .filter((name) => text(settings[name]) !== '')
      .flatMap((name) => listProblems(name, text(settings[name]))),
    ...scheduleProblems(settings),
    ...singleProblems(settings),
  ];
  if (problems.length === 0) return undefined;
  return [
    'license-token-rotator: the deploy settings need fixing before anything is packaged or deployed:',
    ...problems.map((problem) => `  - ${problem}`),
    ...(missing.length > 0 ? [HOW_TO_SET] : []),
  ].join('\n');
}

/**
 * The grants that let roles of other accounts call the exchange's URL, by logical id: for each
 * account, lambda:InvokeFunctionUrl on the AWS_IAM URL, and lambda:InvokeFunction, which Lambda
 * also checks on a call to a URL, only through the URL (never a direct Invoke). A role of this
 * account needs none: its identity policy is enough within one account.
 *
 * @param {string} accountIds `consumerAccountIds`: comma-separated, checked, possibly empty
 * @param {string} functionLogicalId the exchange function's logical id in the template
 * @returns {Record<string, { Type: string, Properties: Record<string, unknown> }>}
 */
export function consumerPermissions(accountIds, functionLogicalId) {
  const grant = (account, properties) => ({
    Type: 'AWS::Lambda::Permission',
    Properties: {
      FunctionName: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
      Principal: account,
      ...properties,
    },
  });
  const accounts = accountIds === '' ? [] : accountIds.split(',');
  return Object.fromEntries(
    accounts.flatMap((account) => [
      [
        `ExchangeUrlInvokeByAccount${account}`,
        grant(account, { Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'AWS_IAM' }),
      ],
      [
        `ExchangeInvokeByAccount${account}`,
        grant(account, { Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true }),
      ],
    ]),
  );
}

/**
 * The plugin: runs the check where packaging (alone, or within a deploy) begins, and adds the
 * consumer accounts' grants once the functions are in the template.
 */
export default class DeploySettings {
  /**
   * @param {{ service: { custom?: { deploySettings?: Record<string, unknown> }, provider?: { compiledCloudFormationTemplate?: { Resources: Record<string, unknown> } } }, classes: { Error: new (message: string) => Error }, getProvider?: (name: string) => { naming: { getLambdaLogicalId: (name: string) => string } } }} serverless
   */
  constructor(serverless) {
    const settings = () => serverless.service.custom?.deploySettings ?? {};
    const check = () => {
      const message = checkDeploySettings(settings());
      if (message !== undefined) throw new serverless.classes.Error(message);
    };
    const grantConsumers = () => {
      const template = serverless.service.provider?.compiledCloudFormationTemplate;
      const naming = serverless.getProvider?.('aws').naming;
      if (template === undefined || naming === undefined) {
        throw new serverless.classes.Error('deploy-settings: no template to add grants to');
      }
      Object.assign(
        template.Resources,
        consumerPermissions(
          text(settings().consumerAccountIds),
          naming.getLambdaLogicalId(EXCHANGE_FUNCTION),
        ),
      );
    };
    this.hooks = {
      // The first event of `package`, which `deploy` runs too: nothing is cleaned or built yet.
      'before:package:cleanup': check,
      // `deploy function` packages and updates one function's code and environment on its own.
      'before:deploy:function:initialize': check,
      // The function's resource is in the template from here on; the settings were checked.
      'after:package:compileFunctions': grantConsumers,
    };
  }
}
