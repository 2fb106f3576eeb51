import { isRegionName } from '../validate.js';
import { UsageError } from './errors.js';

/** The environment the agent reads: process.env, or a test's own. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The two AWS services the agent calls, by the names their endpoint variables carry. */
export const SERVICES = {
  licenseManager: { host: 'license-manager', variable: 'AWS_ENDPOINT_URL_LICENSE_MANAGER' },
  sts: { host: 'sts', variable: 'AWS_ENDPOINT_URL_STS' },
} as const;

/** One of the services the agent calls. */
export type Service = keyof typeof SERVICES;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

/** The region: the option, else AWS_REGION, else AWS_DEFAULT_REGION, as the SDKs look. */
export function resolveRegion(option: string | undefined, env: Environment): string {
  const region = option ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new UsageError('no region: pass --region (the license home region) or set AWS_REGION');
  }
  if (!isRegionName(region)) throw new UsageError(`"${region}" is not an AWS region name`);
  return region;
}

/** An http(s) URL from an option or a variable, or a UsageError naming where it came from. */
export function parseUrl(text: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${source} is not a URL: "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${source} must be an https:// URL, not "${text}"`);
  }
  return url;
}

/**
 * Where a service is reached: its own AWS_ENDPOINT_URL_… variable, else AWS_ENDPOINT_URL (as the
 * SDKs do), else its regional endpoint (amazonaws.com.cn in the China regions).
 */
export function serviceEndpoint(service: Service, region: string, env: Environment): URL {
  const { host, variable } = SERVICES[service];
  for (const name of [variable, 'AWS_ENDPOINT_URL']) {
    const value = env[name];
    if (value !== undefined && value !== '') return parseUrl(value, name);
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${host}.${region}.${suffix}/`);
}

/**
 * The exchange's URL. The body carries the refresh token, so plain http is allowed only to this
 * machine (a local test endpoint).
 */
export function exchangeUrl(text: string): URL {
  const url = parseUrl(text, '--exchange-url');
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw new UsageError(
      `--exchange-url must be https:// (the token travels in the body), not "${text}"`,
    );
  }
  return url;
}

/** The region a function URL's host names (`<id>.lambda-url.<region>.on.aws`), else the fallback. */
export function functionUrlRegion(url: URL, fallback: string): string {
  return FUNCTION_URL_HOST.exec(url.hostname)?.[1] ?? fallback;
}
