/**
 * An osls plugin that checks the deploy settings of `custom.deploySettings` before anything is
 * packaged or deployed. The rotator holds strong rights (CreateToken, DeleteToken, PutParameter),
 * and the allow-lists that bound them have no default: a deploy without them, or with one that
 * IAM and the functions would read differently than the operator meant, stops here, with one
 * message that lists every problem and says how to set the values.
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
/** The roleArns entry that allows tokens naming no role. */
const NO_ROLE = 'none';

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

const wholeHours = (value) => (/^\d+$/.test(value) ? Number(value) : Number.NaN);

function scheduleProblems(settings) {
  const interval = wholeHours(text(settings.scanIntervalHours));
  const heartbeat = wholeHours(text(settings.heartbeatHours));
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
  ];
  if (problems.length === 0) return undefined;
  return [
    'license-token-rotator: the deploy settings need fixing before anything is packaged or deployed:',
    ...problems.map((problem) => `  - ${problem}`),
    ...(missing.length > 0 ? [HOW_TO_SET] : []),
  ].join('\n');
}

/** The plugin: runs the check where packaging (alone, or within a deploy) begins. */
export default class DeploySettings {
  /**
   * @param {{ service: { custom?: { deploySettings?: Record<string, unknown> } }, classes: { Error: new (message: string) => Error } }} serverless
   */
  constructor(serverless) {
    const check = () => {
      const message = checkDeploySettings(serverless.service.custom?.deploySettings ?? {});
      if (message !== undefined) throw new serverless.classes.Error(message);
    };
    this.hooks = {
      // The first event of `package`, which `deploy` runs too: nothing is cleaned or built yet.
      'before:package:cleanup': check,
      // `deploy function` packages and updates one function's code and environment on its own.
      'before:deploy:function:initialize': check,
    };
  }
}
