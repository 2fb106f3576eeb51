import { describe, expect, it } from 'vitest';
import { clientOptions, parameterName } from '../../../src/cli/invocation.js';

describe('clientOptions', () => {
  const env = {
    AWS_ENDPOINT_URL: 'http://moto:5000',
    AWS_ENDPOINT_URL_LICENSE_MANAGER: 'http://sandbox:4566',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIA',
    AWS_SECRET_ACCESS_KEY: 'secret',
  };

  it('resolves endpoints per service as the SDK does', () => {
    expect(clientOptions({}, env, 'SSM').endpoint).toBe('http://moto:5000');
    expect(clientOptions({}, env, 'LICENSE_MANAGER').endpoint).toBe('http://sandbox:4566');
  });

  it('lets --endpoint-url and --region win over the environment', () => {
    const options = clientOptions(
      { 'endpoint-url': 'http://x:1', region: 'ap-south-1' },
      env,
      'LICENSE_MANAGER',
    );
    expect(options).toMatchObject({ endpoint: 'http://x:1', region: 'ap-south-1' });
  });

  it('uses keys from the environment unless a profile is named', () => {
    expect(clientOptions({}, env, 'SSM').credentials).toEqual({
      accessKeyId: 'AKIA',
      secretAccessKey: 'secret',
    });
    const withProfile = clientOptions({ profile: 'prod' }, env, 'SSM');
    expect(withProfile.profile).toBe('prod');
    expect(withProfile).not.toHaveProperty('credentials');
  });

  it('leaves everything to the SDK in an empty environment', () => {
    expect(clientOptions({}, {}, 'SQS')).toEqual({
      region: undefined,
      profile: undefined,
      endpoint: undefined,
    });
  });
});

describe('parameterName', () => {
  it('takes a full name as it is and puts a relative one under the token path', () => {
    expect(parameterName('/license-tokens/a', '/license-tokens/')).toBe('/license-tokens/a');
    expect(parameterName('acme/prod', '/license-tokens/')).toBe('/license-tokens/acme/prod');
  });
});
