import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { rotationJobMessage } from './job-message.js';

/** What the naive scan saw and did. */
export interface NaiveSummary {
  scanned: number;
  due: number;
  expired: number;
  enqueued: number;
  /** Values that are not a JWT with `iat` and `exp`: skipped. */
  unreadable: number;
}

/** The `iat` and `exp` claims of a JWT, in seconds, or undefined when the value is not one. */
function lifetime(token: string | undefined): { iat: number; exp: number } | undefined {
  const payload = token?.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { iat, exp } = claims as { iat?: unknown; exp?: unknown };
    return typeof iat === 'number' && typeof exp === 'number' ? { iat, exp } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The obvious simpler scanner, the baseline the real one is measured against: read every token
 * (GetParametersByPath with decryption, ten a page, the API's maximum), take the expiry from the
 * JWT itself, and send one SendMessage per due token, with the same job body, group and
 * deduplication id as the scanner. The due rule is the scanner's default (a third of the
 * lifetime), so on the bench fleet both find the same tokens. It streams page by page like the
 * scanner: the differences measured are the API calls, not a strawman's buffering.
 */
export async function naiveScan(
  clients: { readonly ssm: SSMClient; readonly sqs: SQSClient },
  options: { readonly tokenPath: string; readonly queueUrl: string; readonly now: Date },
): Promise<NaiveSummary> {
  const summary: NaiveSummary = { scanned: 0, due: 0, expired: 0, enqueued: 0, unreadable: 0 };
  const now = options.now.getTime() / 1000;
  let nextToken: string | undefined;
  do {
    const page = await clients.ssm.send(
      new GetParametersByPathCommand({
        Path: options.tokenPath,
        Recursive: true,
        WithDecryption: true,
        MaxResults: 10,
        NextToken: nextToken,
      }),
    );
    for (const parameter of page.Parameters ?? []) {
      summary.scanned++;
      const claims = lifetime(parameter.Value);
      if (claims === undefined || parameter.Name === undefined) {
        summary.unreadable++;
        continue;
      }
      if (now < claims.exp - (claims.exp - claims.iat) / 3) continue;
      summary[now >= claims.exp ? 'expired' : 'due']++;
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          ...rotationJobMessage(parameter.Name, parameter.Version ?? 0, options.now),
        }),
      );
      summary.enqueued++;
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return summary;
}
