import { type CallContext, credentialsFor, type TokenSource } from './credentials.js';
import { AgentError } from './errors.js';
import { callExchange, type ExchangeReply, type ExchangeTarget } from './exchange.js';
import { runOnChange } from './on-change.js';
import { fingerprint, isoSeconds } from './output.js';
import type { SessionCredentials } from './sts.js';
import { type HeldToken, readTokenFile, writeFileAtomically } from './token-file.js';

/** What `refresh` and `run` need besides the token source. */
export interface RefreshTarget extends ExchangeTarget {
  /** The `--on-change` command, run through /bin/sh after the file changed. */
  readonly onChange: string | undefined;
}

/** What one refresh did: the file was rewritten, or it already held the current token. */
type RefreshOutcome = 'refreshed' | 'unchanged';

/** A refresh's context: the call context plus the clock the signatures are dated with. */
export interface RefreshContext extends CallContext {
  readonly now: () => Date;
}

/**
 * A newer token may itself be superseded while it is being delivered (a rotation between two
 * calls). Following that chain a few steps covers every real case; more means something is wrong.
 */
const MAX_DELIVERIES = 3;

/** The one line a refresh prints (never a token: fingerprints only). */
function summary(
  outcome: RefreshOutcome,
  file: string,
  held: string,
  reply: ExchangeReply,
): string {
  const tokens =
    outcome === 'refreshed'
      ? `${fingerprint(held)} → ${fingerprint(reply.token)}`
      : fingerprint(reply.token);
  return `${outcome} ${file}: token ${tokens}, version ${reply.version}, expires ${isoSeconds(reply.expiresAt)}`;
}

/**
 * Writes a new token, then presents it to the exchange to confirm the pickup. When that answer
 * names a newer token still, delivers that one too. A failed confirmation is only a warning: the
 * file holds the new token, and the next refresh presents it, which records the pickup then.
 */
async function deliver(
  held: HeldToken,
  first: ExchangeReply,
  credentials: SessionCredentials,
  source: TokenSource,
  target: RefreshTarget,
  context: RefreshContext,
): Promise<ExchangeReply> {
  let reply = first;
  for (let delivery = 1; ; delivery++) {
    context.output.secret(reply.token);
    await writeFileAtomically(
      source.tokenFile,
      `${reply.token}${held.trailingNewline ? '\n' : ''}`,
    );
    let confirmed: ExchangeReply;
    try {
      confirmed = await callExchange({
        target,
        token: reply.token,
        credentials,
        now: context.now(),
        signal: context.signal,
      });
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      context.output.warn(`the pickup was not confirmed (${error.message}); the next refresh will`);
      return reply;
    }
    if (confirmed.token === reply.token) return confirmed;
    if (delivery === MAX_DELIVERIES) {
      context.output.warn('the exchange holds a newer token still; the next refresh fetches it');
      return reply;
    }
    reply = confirmed;
  }
}

/**
 * One refresh: read the token file, trade its token for credentials, present it to the exchange;
 * when the exchange holds a newer token, write it, confirm the pickup, run `--on-change`, and print
 * one line either way. Failures throw AgentErrors, whose class is the exit code.
 */
export async function refresh(
  source: TokenSource,
  target: RefreshTarget,
  context: RefreshContext,
): Promise<void> {
  const held = await readTokenFile(source.tokenFile);
  const credentials = await credentialsFor(held.token, source, context);
  const reply = await callExchange({
    target,
    token: held.token,
    credentials,
    now: context.now(),
    signal: context.signal,
  });
  if (reply.token === held.token) {
    context.output.say(summary('unchanged', source.tokenFile, held.token, reply));
    return;
  }
  const delivered = await deliver(held, reply, credentials, source, target, context);
  if (target.onChange !== undefined) {
    const failed = await runOnChange(target.onChange, source.tokenFile);
    if (failed !== undefined) context.output.warn(`--on-change failed: ${failed}`);
  }
  context.output.say(summary('refreshed', source.tokenFile, held.token, delivered));
}
