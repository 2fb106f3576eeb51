import {
  type ClientOptions,
  licenseManagerClientFor,
  sqsClient,
  ssmClient,
} from '../aws/clients.js';
import { LicenseManagerTokens } from '../aws/license-manager.js';
import { SqsMessageQueue } from '../aws/message-queue.js';
import { SsmParameterStore } from '../aws/parameter-store.js';
import { SsmTokenVault } from '../aws/token-vault.js';
import { type OperatorConfig, readOperatorConfig } from '../config.js';
import { ConfigError, UsageError } from '../errors.js';
import type {
  LicenseTokens,
  MessageQueue,
  ParameterStore,
  Pickups,
  TokenVault,
} from '../rotation/ports.js';
import type { Io } from './io.js';
import { type Style, styleFor } from './style.js';

/** The options every command accepts. */
export interface GlobalOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly 'endpoint-url'?: string | undefined;
  readonly 'token-path'?: string | undefined;
  readonly 'queue-url'?: string | undefined;
  readonly json?: boolean | undefined;
  readonly debug?: boolean | undefined;
}

/**
 * One run of the CLI, what its command works with: settings, lazily built adapters, and where to
 * write. (Not a Lambda context: the CLI runs on an operator's machine.)
 */
export interface Invocation {
  readonly io: Io;
  readonly config: OperatorConfig;
  readonly json: boolean;
  readonly debug: boolean;
  /** Colours for stdout. */
  readonly style: Style;
  /** The region the clients call, when the options or the environment name one. */
  readonly region: string | undefined;
  store(): ParameterStore & Pickups;
  tokens(): LicenseTokens;
  /** Token values: only `show --reveal` reads one, at the operator's explicit request. */
  vault(): TokenVault;
  /** The jobs queue; a usage error when neither --queue-url nor JOB_QUEUE_URL names it. */
  queue(): MessageQueue;
}

const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
};

/** The SDK's per-service endpoint variables, as `AWS_ENDPOINT_URL_<SERVICE>`. */
export type Service = 'SSM' | 'SQS' | 'LICENSE_MANAGER';

/**
 * Where one service's SDK client goes: `--endpoint-url`, else `AWS_ENDPOINT_URL_<SERVICE>`, else
 * `AWS_ENDPOINT_URL`, as the SDK itself resolves them. Read from the command's environment (not
 * the SDK's implicit process.env) so that what the CLI was given is exactly what it uses.
 */
export function clientOptions(
  options: GlobalOptions,
  env: Io['env'],
  service: Service,
): ClientOptions {
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  // A profile chooses its own credentials; otherwise keys in the environment are used as given.
  const credentials =
    options.profile === undefined && keyId && secret
      ? {
          accessKeyId: keyId,
          secretAccessKey: secret,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  return {
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    profile: options.profile,
    endpoint:
      options['endpoint-url'] ||
      env[`AWS_ENDPOINT_URL_${service}`] ||
      env.AWS_ENDPOINT_URL ||
      undefined,
    ...(credentials === undefined ? {} : { credentials }),
  };
}

/** Builds the invocation a command runs with, from the global options and the environment. */
export function createInvocation(options: GlobalOptions, io: Io): Invocation {
  const env = {
    ...io.env,
    ...(options['token-path'] === undefined ? {} : { TOKEN_PATH: options['token-path'] }),
  };
  let config: OperatorConfig;
  try {
    config = readOperatorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.problems.join('; '));
    throw error;
  }
  const clients = (service: Service) => clientOptions(options, io.env, service);
  const ssm = once(() => ssmClient(clients('SSM')));
  return {
    io,
    config,
    json: options.json === true,
    debug: options.debug === true,
    style: styleFor(io.stdout, io.env),
    region: clients('LICENSE_MANAGER').region,
    store: once(() => new SsmParameterStore(ssm())),
    tokens: once(
      () => new LicenseManagerTokens(licenseManagerClientFor(clients('LICENSE_MANAGER'))),
    ),
    vault: once(() => new SsmTokenVault(ssm())),
    queue: once(() => {
      const url = options['queue-url'] ?? io.env.JOB_QUEUE_URL;
      if (url === undefined || url === '') {
        throw new UsageError('no jobs queue: pass --queue-url or set JOB_QUEUE_URL');
      }
      return new SqsMessageQueue(url, sqsClient(clients('SQS')));
    }),
  };
}

/** A parameter name as typed: a full name, or one relative to the (normalised) token path. */
export function parameterName(name: string, tokenPath: string): string {
  return name.startsWith('/') ? name : `${tokenPath}${name}`;
}

/**
 * The KMS key a command that writes a token encrypts it with: `--kms-key-id`, else KMS_KEY_ID.
 * Never a silent default: a token under the account's `alias/aws/ssm` is readable by anyone with
 * kms:Decrypt on that key, not only by what the stack's key policy allows. An operator who means
 * `alias/aws/ssm` says so.
 */
export function stackKmsKey(
  invocation: Invocation,
  given: string | undefined,
  command: string,
): string {
  if (given !== undefined && given.trim() !== '') return given.trim();
  // The configuration falls back to alias/aws/ssm; only a KMS_KEY_ID actually set counts here.
  if ((invocation.io.env.KMS_KEY_ID ?? '').trim() !== '') return invocation.config.kmsKeyId;
  throw new UsageError(
    `${command} needs the stack's KMS key: pass --kms-key-id KEY or set KMS_KEY_ID ` +
      '(the stack output KmsKeyId; alias/aws/ssm only if you mean it)',
  );
}
