import { describe, expect, it } from 'vitest';
import { childAt, parseXml, textAt, XmlError } from '../../../src/agent/xml.js';

// STS's answer as AWS prints it: a declaration, indentation, and a namespace.
const STS_ANSWER = `<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
    <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2014-10-24T23:00:23Z</Expiration>
      <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>www.amazon.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`;

describe('the XML reader', () => {
  it("reads STS's pretty-printed answer by path", () => {
    const root = parseXml(STS_ANSWER);
    const path = ['AssumeRoleWithWebIdentityResult', 'Credentials'];
    expect(root.name).toBe('AssumeRoleWithWebIdentityResponse');
    expect(textAt(root, ...path, 'AccessKeyId')).toBe('ASgeIAIOSFODNN7EXAMPLE');
    expect(textAt(root, ...path, 'SecretAccessKey')).toBe(
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
    );
    expect(textAt(root, ...path, 'Expiration')).toBe('2014-10-24T23:00:23Z');
    expect(textAt(root, ...path, 'Missing')).toBeUndefined();
    expect(childAt(root, 'Nope', 'Credentials')).toBeUndefined();
  });

  it('decodes entities and character references, keeps CDATA, skips comments and prefixes', () => {
    const root = parseXml(
      `<a:Root xmlns:a="urn:x"><!-- a comment --><a:Text attr='1' other="&amp;">x &lt;&gt;&amp;&quot;&apos; &#65;&#x42;</a:Text><Data><![CDATA[<raw & text>]]></Data><Empty/><Blank>  </Blank></a:Root>`,
    );
    expect(root.name).toBe('Root');
    expect(textAt(root, 'Text')).toBe(`x <>&"' AB`);
    expect(textAt(root, 'Data')).toBe('<raw & text>');
    expect(childAt(root, 'Empty')).toEqual({ name: 'Empty', children: [], text: '' });
    expect(textAt(root, 'Blank')).toBeUndefined();
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'],
    ['an unknown entity', '<x>&e;</x>'],
    ['a bare ampersand', '<x>a & b</x>'],
    ['an unclosed element', '<x><y></x>'],
    ['a stray end tag', '<x></x></y>'],
    ['two roots', '<x/><y/>'],
    ['text after the root', '<x/>tail'],
    ['no root at all', 'Service Unavailable'],
    ['an HTML page', '<html><body><p>503<br></body></html>'],
    ['an unterminated comment', '<x><!-- </x>'],
    ['broken markup', '<x><1/></x>'],
  ])('refuses %s', (_, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
  });
});
