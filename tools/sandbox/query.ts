import type { AwsError } from './aws-error.js';
import type { JsonObject } from './input.js';
import type { QueryService } from './service.js';

/** The content type awsQuery requests carry. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** The content type of awsQuery answers. */
export const XML_CONTENT_TYPE = 'text/xml';

/** A form-encoded body as members: every value a string (the operation reads numbers itself). */
export function parseForm(text: string): JsonObject {
  return Object.fromEntries(new URLSearchParams(text));
}

/** Text as element content: only `&`, `<` and `>` need escaping there. */
const escapeXml = (text: string): string =>
  text.replace(/[<>&]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[char] ?? char);

/** Members as XML elements: structures nest, lists hold `member` elements, the rest is text. */
function elements(members: JsonObject): string {
  return Object.entries(members)
    .map(([name, value]) => (value === undefined ? '' : `<${name}>${content(value)}</${name}>`))
    .join('');
}

function content(value: unknown): string {
  if (Array.isArray(value))
    return value.map((item) => `<member>${content(item)}</member>`).join('');
  if (typeof value === 'object' && value !== null) return elements(value as JsonObject);
  return escapeXml(String(value));
}

/** A result as awsQuery answers it: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>`. */
export const xmlResult = (
  service: QueryService,
  operation: string,
  result: JsonObject,
  requestId: string,
): string =>
  `<${operation}Response xmlns="${service.xmlNamespace}"><${operation}Result>${elements(result)}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;

/** An error as awsQuery answers it: `<ErrorResponse><Error><Type><Code><Message>`. */
export const xmlError = (
  namespace: string | undefined,
  error: AwsError,
  requestId: string,
): string =>
  `<ErrorResponse${namespace === undefined ? '' : ` xmlns="${namespace}"`}><Error><Type>${error.fault ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
