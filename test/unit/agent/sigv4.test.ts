import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  amzDate,
  canonicalRequest,
  sha256Hex,
  signatureOf,
  signingKey,
  signRequest,
  uriEscape,
} from '../../../src/agent/sigv4.js';

// The example credentials of AWS's SigV4 test suite and documentation.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SUITE_DATE = '20150830T123600Z';
const SUITE_SCOPE = { region: 'us-east-1', service: 'service' };
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('the SigV4 signer, against AWS test vectors', () => {
  it('derives the signing key of the documentation example (iam, 2012-02-15)', () => {
    expect(signingKey(SECRET, '20120215', 'us-east-1', 'iam').toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('signs get-vanilla', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/',
      query: '',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': SUITE_DATE },
      signedHeaders: ['x-amz-date', 'host'],
      payloadHash: sha256Hex(''),
    });
    expect(canonical).toBe(
      `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:${SUITE_DATE}\n\nhost;x-amz-date\n${EMPTY_HASH}`,
    );
    expect(signatureOf(SECRET, SUITE_DATE, SUITE_SCOPE, canonical)).toBe(
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('signs get-vanilla-query-order-key-case (the query sorted by name)', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/',
      query: 'Param2=value2&Param1=value1',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': SUITE_DATE },
      signedHeaders: ['host', 'x-amz-date'],
      payloadHash: EMPTY_HASH,
    });
    expect(canonical.split('\n')[2]).toBe('Param1=value1&Param2=value2');
    expect(signatureOf(SECRET, SUITE_DATE, SUITE_SCOPE, canonical)).toBe(
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });

  it('writes X-Amz-Date to the second and escapes as RFC 3986 says', () => {
    expect(amzDate(new Date('2015-08-30T12:36:00.789Z'))).toBe(SUITE_DATE);
    expect(uriEscape("a b/c!'()*~-_.")).toBe('a%20b%2Fc%21%27%28%29%2A~-_.');
  });
});

describe('the SigV4 signer, against the AWS SDK signer', () => {
  const credentials = {
    accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
    secretAccessKey: SECRET,
    sessionToken: 'FwoGZXIvYXdzEXAMPLE+/=session',
  };
  const cases: {
    name: string;
    path: string;
    query: Record<string, string | string[]>;
    body: string;
  }[] = [
    { name: 'the exchange call', path: '/', query: {}, body: '{"parameterName":"/a","token":"t"}' },
    {
      name: 'a path to encode twice and a query to sort',
      path: '/a%20b/./c/../d:e',
      query: { z: 'last value', a: ['2', '1'], 'k*': "it's" },
      body: '',
    },
  ];

  it.each(cases)(
    'signs $name exactly as @smithy/signature-v4 does',
    async ({ path, query, body }) => {
      const now = new Date('2026-11-27T12:34:56Z');
      const host = 'abcdef.lambda-url.eu-west-1.on.aws';
      const search = new URLSearchParams(
        Object.entries(query).flatMap(([name, values]) =>
          [values].flat().map((value): [string, string] => [name, value]),
        ),
      ).toString();
      const url = new URL(`https://${host}${path}${search === '' ? '' : `?${search}`}`);
      const ours = signRequest(
        { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
        credentials,
        { region: 'eu-west-1', service: 'lambda' },
        now,
      );
      const sdk = await new SignatureV4({
        credentials,
        region: 'eu-west-1',
        service: 'lambda',
        sha256: Sha256,
      }).sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: host,
          path: url.pathname,
          query,
          headers: { host, 'content-type': 'application/json' },
          body,
        },
        { signingDate: now },
      );

      expect(ours.authorization).toBe(sdk.headers.authorization);
      expect(ours).toEqual(sdk.headers);
    },
  );

  it('signs without a session token header for long-term keys', () => {
    const headers = signRequest(
      { method: 'POST', url: new URL('https://example.com/'), headers: {}, body: '' },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
      { region: 'us-east-1', service: 'lambda' },
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(headers).not.toHaveProperty('x-amz-security-token');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-east-1\/lambda\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
  });
});
