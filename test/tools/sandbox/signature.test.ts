import { describe, expect, it } from 'vitest';
import { credentialScope } from '../../../tools/sandbox/signature.js';

describe('credentialScope', () => {
  it('reads key, date, region and service from a SigV4 Authorization header', () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261127/eu-west-1/license-manager/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
    expect(credentialScope(header)).toEqual({
      accessKeyId: 'AKIAEXAMPLE',
      date: '20261127',
      region: 'eu-west-1',
      service: 'license-manager',
    });
  });

  it('gives nothing for a missing or unsigned header', () => {
    expect(credentialScope(undefined)).toBeUndefined();
    expect(credentialScope('Bearer xyz')).toBeUndefined();
  });
});
