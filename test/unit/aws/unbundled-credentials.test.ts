import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  delegateTo,
  fromIni,
  fromProcess,
  fromSSO,
  fromTokenFile,
} from '../../../src/aws/unbundled-credentials.js';
import { thrown } from '../../helpers/thrown.js';

describe('the stand-in for the unbundled credential providers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltr-credentials-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the real provider where its package is installed (invoke local)', async () => {
    const script = join(dir, 'credentials.sh');
    writeFileSync(
      script,
      `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"AKIAFROMPROCESS","SecretAccessKey":"not-a-secret"}'\n`,
    );
    chmodSync(script, 0o755);
    const config = join(dir, 'config');
    writeFileSync(config, `[profile bench]\ncredential_process = ${script}\n`);
    const credentials = await fromProcess({
      profile: 'bench',
      configFilepath: config,
      filepath: join(dir, 'no-credentials-file'),
    })();
    expect(credentials).toMatchObject({ accessKeyId: 'AKIAFROMPROCESS' });
  });

  it('declines, so that the SDK tries its next provider, where the package is missing', async () => {
    const error = await thrown(
      delegateTo('@aws-sdk/credential-provider-nowhere', 'fromNowhere')()(),
    );
    expect(error).toMatchObject({ name: 'CredentialsProviderError', tryNextLink: true });
    expect(error.message).toContain('@aws-sdk/credential-provider-nowhere');
  });

  const nowhere = {
    profile: 'no-such-profile',
    filepath: join(dir, 'no-credentials-file'),
    configFilepath: join(dir, 'no-config-file'),
  };
  // Each stand-in names its package and provider: a wrong one would decline on its own words.
  it.each([
    ['fromSSO', fromSSO, nowhere, 'Profile no-such-profile was not found.'],
    [
      'fromIni',
      fromIni,
      nowhere,
      'Could not resolve credentials using profile: [no-such-profile] in configuration/credentials file(s).',
    ],
    [
      'fromProcess',
      fromProcess,
      nowhere,
      'Profile no-such-profile could not be found in shared credentials file.',
    ],
    ['fromTokenFile', fromTokenFile, {}, 'Web identity configuration not specified'],
  ])(
    '%s reaches the real provider, which finds nothing here',
    async (_, factory, init, message) => {
      const error = await thrown(factory(init)());
      expect(error).toMatchObject({ name: 'CredentialsProviderError', tryNextLink: true });
      expect(error.message).toBe(message);
    },
  );

  it('finds a provider a CommonJS package exports under default', async () => {
    const load = async () => ({
      default: { fromIni: () => async () => ({ accessKeyId: 'AKIA' }) },
    });
    await expect(delegateTo('some-package', 'fromIni', load)()()).resolves.toEqual({
      accessKeyId: 'AKIA',
    });
  });

  it('keeps why the package could not be loaded as the cause', async () => {
    const failure = new Error('Cannot find package');
    const load = async () => Promise.reject(failure);
    const error = await thrown(delegateTo('some-package', 'fromIni', load)()());
    expect(error).toMatchObject({ tryNextLink: true });
    expect(error.cause).toBe(failure);
  });

  it('declines where the package has no such provider', async () => {
    const load = async () => ({ default: { fromSomethingElse: () => undefined } });
    const error = await thrown(delegateTo('some-package', 'fromIni', load)()());
    expect(error).toMatchObject({ tryNextLink: true });
  });

  it("passes the real provider's arguments and its own failure through unchanged", async () => {
    const seen: unknown[] = [];
    const load = async () => ({
      fromIni: (init: unknown) => async (properties: unknown) => {
        seen.push(init, properties);
        throw new Error('profile "bench" not found');
      },
    });
    const error = await thrown(
      delegateTo('some-package', 'fromIni', load)({ profile: 'bench' })({ region: 'x' }),
    );
    expect(error.message).toBe('profile "bench" not found');
    expect(error).not.toHaveProperty('tryNextLink');
    expect(seen).toEqual([{ profile: 'bench' }, { region: 'x' }]);
  });
});
