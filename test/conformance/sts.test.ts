import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { expect, it } from 'vitest';
import { againstSandboxAndMoto } from '../helpers/conformance.js';

const ROLE = 'arn:aws:iam::123456789012:role/LicenseConsumer';

// moto accepts any token for any role, so only the answer's shape is pinned here: which tokens the
// sandbox accepts (its License Manager's access tokens, for the roles they name) is in its unit
// tests. moto's answer also lacks SubjectFromWebIdentityToken, Audience and Provider.
againstSandboxAndMoto('STS', (target) => {
  it('answers AssumeRoleWithWebIdentity with session credentials and the assumed-role user', async () => {
    const started = Date.now();
    const answer = await target().sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE,
        RoleSessionName: 'conformance-host',
        WebIdentityToken: await target().webIdentityToken(ROLE),
        DurationSeconds: 900,
      }),
    );
    const { Credentials, AssumedRoleUser } = answer;
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(Credentials?.SecretAccessKey?.length).toBeGreaterThanOrEqual(40);
    expect(Credentials?.SessionToken?.length).toBeGreaterThan(100);
    // 900 s from the call, within a minute either way for a busy machine.
    const expiresIn = (Credentials?.Expiration?.getTime() ?? 0) - started;
    expect(expiresIn).toBeGreaterThan(840_000);
    expect(expiresIn).toBeLessThan(960_000);
    expect(AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/LicenseConsumer/conformance-host',
    );
    expect(AssumedRoleUser?.AssumedRoleId).toMatch(/^ARO[A-Z0-9]+:conformance-host$/);
  });
});
