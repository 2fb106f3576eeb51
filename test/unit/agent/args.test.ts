import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, parseInvocation } from '../../../src/agent/args.js';
import { UsageError } from '../../../src/agent/errors.js';
import {
  CREDENTIALS_HELP,
  OVERVIEW_HELP,
  REFRESH_HELP,
  RUN_HELP,
} from '../../../src/agent/help.js';
import { ROLE_ARN } from '../../helpers/factories.js';

const ENV = { AWS_REGION: 'eu-west-1' };
const FUNCTION_URL = 'https://abc123def456.lambda-url.eu-central-1.on.aws/';
const SOURCE = ['--token-file', 'license.jwt', '--role-arn', ROLE_ARN];
const EXCHANGE = ['--parameter', '/license-tokens/acme/prod', '--exchange-url', FUNCTION_URL];

/** The UsageError's message a command line gets. */
function usage(argv: readonly string[], env: Record<string, string> = ENV): string {
  try {
    parseInvocation(argv, env, '/etc/acme');
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('the agent command line', () => {
  it('reads refresh: the file from the working directory, endpoints from the region', () => {
    const invocation = parseInvocation(['refresh', ...SOURCE, ...EXCHANGE], ENV, '/etc/acme');
    expect(invocation).toEqual({
      command: 'refresh',
      source: {
        tokenFile: '/etc/acme/license.jwt',
        roleArn: ROLE_ARN,
        region: 'eu-west-1',
        tokenProperties: [],
        licenseManager: new URL('https://license-manager.eu-west-1.amazonaws.com/'),
        sts: new URL('https://sts.eu-west-1.amazonaws.com/'),
      },
      target: {
        parameter: '/license-tokens/acme/prod',
        url: new URL(FUNCTION_URL),
        region: 'eu-central-1',
        onChange: undefined,
      },
    });
  });

  it('reads run with its defaults and its own timing', () => {
    const defaults = parseInvocation(['run', ...SOURCE, ...EXCHANGE], ENV, '/');
    const own = parseInvocation(
      ['run', ...SOURCE, ...EXCHANGE, '--interval', '30m', '--jitter', '0s'],
      ENV,
      '/',
    );
    expect(defaults).toMatchObject({ command: 'run', timing: DEFAULT_TIMING });
    expect(DEFAULT_TIMING).toEqual({ intervalMs: 3_600_000, jitterMs: 600_000 });
    expect(own).toMatchObject({ timing: { intervalMs: 1_800_000, jitterMs: 0 } });
  });

  it('reads credentials, token properties, --on-change and an explicit region', () => {
    const credentials = parseInvocation(
      ['credentials', ...SOURCE, '--region', 'us-west-2', '--token-properties', ' a, b ,,c'],
      ENV,
      '/',
    );
    expect(credentials).toMatchObject({
      command: 'credentials',
      source: { region: 'us-west-2', tokenProperties: ['a', 'b', 'c'] },
    });
    const refresh = parseInvocation(
      ['refresh', ...SOURCE, ...EXCHANGE, '--on-change', 'systemctl reload acme'],
      ENV,
      '/',
    );
    expect(refresh).toMatchObject({ target: { onChange: 'systemctl reload acme' } });
  });

  it('finds the region in AWS_REGION, then AWS_DEFAULT_REGION; a function URL elsewhere signs for it', () => {
    const region = (env: Record<string, string>) =>
      parseInvocation(
        [
          'refresh',
          ...SOURCE,
          '--parameter',
          'p',
          '--exchange-url',
          'https://exchange.example.com/',
        ],
        env,
        '/',
      );
    expect(region({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-2' })).toMatchObject({
      source: { region: 'eu-west-1' },
      target: { region: 'eu-west-1' },
    });
    expect(region({ AWS_DEFAULT_REGION: 'us-east-2' })).toMatchObject({
      source: { region: 'us-east-2' },
      target: { region: 'us-east-2' },
    });
  });

  it('takes the endpoints from AWS_ENDPOINT_URL and the per-service variables, as the SDKs do', () => {
    const endpoints = (env: Record<string, string>, region = 'eu-west-1') => {
      const invocation = parseInvocation(
        ['credentials', ...SOURCE],
        { AWS_REGION: region, ...env },
        '/',
      );
      if (invocation.command !== 'credentials') throw new Error('not credentials');
      return [invocation.source.licenseManager.href, invocation.source.sts.href];
    };
    expect(endpoints({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toEqual([
      'http://127.0.0.1:4566/',
      'http://127.0.0.1:4566/',
    ]);
    expect(
      endpoints({
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:5000',
        AWS_ENDPOINT_URL_LICENSE_MANAGER: 'http://127.0.0.1:6000',
      }),
    ).toEqual(['http://127.0.0.1:6000/', 'http://127.0.0.1:5000/']);
    expect(endpoints({}, 'cn-north-1')).toEqual([
      'https://license-manager.cn-north-1.amazonaws.com.cn/',
      'https://sts.cn-north-1.amazonaws.com.cn/',
    ]);
  });

  it.each([
    [['--help'], OVERVIEW_HELP],
    [['-h'], OVERVIEW_HELP],
    [['help'], OVERVIEW_HELP],
    [['refresh', '--help'], REFRESH_HELP],
    [['run', '-h', '--token-file', 'x'], RUN_HELP],
    [['credentials', '--help'], CREDENTIALS_HELP],
  ])('shows help for %j', (argv, text) => {
    expect(parseInvocation(argv, {}, '/')).toEqual({ command: 'help', text });
  });

  it('lists every exit code in the help of the commands that exit with them', () => {
    for (const help of [OVERVIEW_HELP, REFRESH_HELP]) {
      expect(help.match(/^ {2}[0-4] {2}/gm)).toEqual(['  0  ', '  1  ', '  2  ', '  3  ', '  4  ']);
    }
  });

  it.each([
    [[], 'no command: refresh, run or credentials'],
    [['fetch'], 'unknown command "fetch": refresh, run or credentials'],
    [['refresh', '--verbose'], 'refresh has no option --verbose'],
    [['credentials', ...SOURCE, ...EXCHANGE], 'credentials has no option --parameter'],
    [['refresh', ...SOURCE, ...EXCHANGE, 'extra'], 'refresh takes no argument "extra"'],
    [['refresh', ...EXCHANGE], 'refresh needs --token-file'],
    [['refresh', '--token-file', 'f', ...EXCHANGE], 'refresh needs --role-arn'],
    [['refresh', ...SOURCE, '--exchange-url', FUNCTION_URL], 'refresh needs --parameter'],
    [['refresh', ...SOURCE, '--parameter', 'p'], 'refresh needs --exchange-url'],
    [['refresh', '--token-file', '', ...EXCHANGE], 'refresh needs --token-file'],
    [
      ['credentials', '--token-file', 'f', '--role-arn', 'arn:aws:iam::123:user/x'],
      '--role-arn "arn:aws:iam::123:user/x" is not an IAM role ARN',
    ],
    [
      ['refresh', ...SOURCE, '--parameter', 'a b', '--exchange-url', FUNCTION_URL],
      '--parameter "a b" is not a parameter name',
    ],
    [
      ['refresh', ...SOURCE, '--parameter', 'p', '--exchange-url', 'http://exchange.example.com/'],
      '--exchange-url must be https:// (the token travels in the body), not "http://exchange.example.com/"',
    ],
    [
      ['refresh', ...SOURCE, '--parameter', 'p', '--exchange-url', 'exchange.example.com'],
      '--exchange-url is not a URL: "exchange.example.com"',
    ],
    [
      ['refresh', ...SOURCE, '--parameter', 'p', '--exchange-url', 'ftp://example.com/'],
      '--exchange-url must be an https:// URL, not "ftp://example.com/"',
    ],
    [['credentials', ...SOURCE, '--region', 'Europe'], '"Europe" is not an AWS region name'],
    [
      ['run', ...SOURCE, ...EXCHANGE, '--interval', '0s'],
      '--interval "0s" is not a duration like 90s, 10m, 1h or 1h30m',
    ],
    [
      ['run', ...SOURCE, ...EXCHANGE, '--jitter', 'soon'],
      '--jitter "soon" is not a duration like 90s, 10m, 1h or 1h30m',
    ],
  ])('refuses %j', (argv, message) => {
    expect(usage(argv)).toBe(message);
  });

  it('refuses a missing region and a malformed endpoint variable', () => {
    expect(usage(['credentials', ...SOURCE], {})).toBe(
      'no region: pass --region (the license home region) or set AWS_REGION',
    );
    expect(
      usage(['credentials', ...SOURCE], { ...ENV, AWS_ENDPOINT_URL_STS: 'localhost:4566' }),
    ).toBe('AWS_ENDPOINT_URL_STS must be an https:// URL, not "localhost:4566"');
  });

  it('lets http reach a local exchange only', () => {
    for (const url of ['http://127.0.0.1:9000/', 'http://localhost/', 'http://[::1]:80/']) {
      expect(
        parseInvocation(
          ['refresh', ...SOURCE, '--parameter', 'p', '--exchange-url', url],
          ENV,
          '/',
        ),
      ).toMatchObject({ target: { url: new URL(url) } });
    }
  });
});
