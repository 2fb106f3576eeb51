/** The parts of a SigV4 credential scope: `Credential=AKID/DATE/REGION/SERVICE/aws4_request`. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Reads the credential scope of a SigV4 Authorization header. The signature itself is not
 * checked: the sandbox needs the region (AWS routes by it), not proof of identity.
 */
export function credentialScope(authorization: string | undefined): CredentialScope | undefined {
  const match = authorization === undefined ? null : SCOPE.exec(authorization);
  if (match === null) return undefined;
  const [, accessKeyId = '', date = '', region = '', service = ''] = match;
  return { accessKeyId, date, region, service };
}
