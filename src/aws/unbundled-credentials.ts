/**
 * Stands in, in the Lambda bundles only, for the AWS SDK's credential providers that read a
 * profile, an SSO session, a credential process or a web identity token file (serverless.yml
 * aliases their four packages to this module). On Lambda the runtime's environment variables
 * come first in the SDK's default chain, so these providers never run there; yet they, and the
 * SSO, SSO-OIDC, STS and Sign-In clients they load, were 124 KB of each 505–518 KB bundle.
 *
 * Where node_modules is at hand (`serverless invoke local`, which runs the same bundle from the
 * project), each loads the real provider when first asked, so profiles keep working. Where it is
 * not (a deployed function without environment credentials, which Lambda never is), it declines
 * the way the SDK's providers do, and the chain moves on to container and instance metadata,
 * which stay bundled.
 */

/** A credential provider factory, as the SDK's default chain calls it. */
export type ProviderFactory = (init?: unknown) => (properties?: unknown) => Promise<unknown>;

/** Loads a module by name at run time (the bundler leaves a non-literal specifier alone). */
export type Loader = (specifier: string) => Promise<unknown>;

const loadAtRunTime: Loader = (specifier) => import(specifier);

const exported = (module: unknown, name: string): unknown => {
  if (typeof module !== 'object' || module === null) return undefined;
  const record = module as Record<string, unknown>;
  const fallback = record.default;
  return (
    record[name] ??
    (typeof fallback === 'object' && fallback !== null
      ? (fallback as Record<string, unknown>)[name]
      : undefined)
  );
};

/**
 * A provider factory that loads `name` from `packageName` when it is first called. If the package
 * cannot be loaded it throws an error with `tryNextLink`, as the SDK's CredentialsProviderError
 * does, so the default chain tries its next provider instead of failing.
 */
export function delegateTo(
  packageName: string,
  name: string,
  load: Loader = loadAtRunTime,
): ProviderFactory {
  return (init) => async (properties) => {
    let provider: unknown;
    try {
      provider = exported(await load(packageName), name);
    } catch (error) {
      provider = error;
    }
    if (typeof provider !== 'function') {
      throw Object.assign(
        new Error(`${packageName} is not in this bundle and not installed beside it`),
        { name: 'CredentialsProviderError', tryNextLink: true, cause: provider },
      );
    }
    return (provider as ProviderFactory)(init)(properties);
  };
}

/** @aws-sdk/credential-provider-sso's fromSSO. */
export const fromSSO = delegateTo('@aws-sdk/credential-provider-sso', 'fromSSO');
/** @aws-sdk/credential-provider-ini's fromIni. */
export const fromIni = delegateTo('@aws-sdk/credential-provider-ini', 'fromIni');
/** @aws-sdk/credential-provider-process's fromProcess. */
export const fromProcess = delegateTo('@aws-sdk/credential-provider-process', 'fromProcess');
/** @aws-sdk/credential-provider-web-identity's fromTokenFile. */
export const fromTokenFile = delegateTo(
  '@aws-sdk/credential-provider-web-identity',
  'fromTokenFile',
);
