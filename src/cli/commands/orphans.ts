import type { Revocation } from '../../rotation/ports.js';
import { deleteListedToken } from '../../rotation/revoke.js';
import { auditTokens } from '../../rotation/scan.js';
import type { UnrecordedToken } from '../../rotation/token-audit.js';
import { licenseId, revocationResult, shortTime } from '../format.js';
import type { Invocation } from '../invocation.js';
import { ExitCode } from '../io.js';
import { table } from '../style.js';
import { errorLine, warningLog } from '../warnings.js';

/** Help for `orphans`. */
export const orphansHelp = `Usage: license-token-rotator orphans [--delete] [--json]

Lists the tokens no record names: the AVAILABLE tokens (ListTokens) of every license a
managed record names, less the tokens the records name (current and previous) and the
superseded tokens a record under the revocation policy "never" keeps on purpose.
Reads metadata only; never a token value.

The scanner counts these (the UnrecordedTokens metric) but never deletes them: other
tools, or people, may mint tokens for the same license, and only you can tell theirs
from a stray. (Its one exception: stray mints, tokens that attempts of a recent
rotation minted and never stored, which it proves its own from the record's mint
window and has the rotator delete.)

--delete deletes each listed token, one line per token, after ListTokens by id shows
it still AVAILABLE and of that license: the only way this project deletes a token it
did not prove it minted. A rotation under way holds a token it has minted but not yet
stored, so run --delete while no rotation is (the jobs queue is empty).

Exit status: 0 when no token is unrecorded (with --delete: when every listed token is
deleted now); 1 when some are, so that a cron job can alert, or when a license could
not be listed or a delete failed.

Options:
  --delete   delete every listed token
  --json     one JSON document instead of text`;

/** What became of one token `--delete` went for. */
type Deletion =
  | { readonly tokenId: string; readonly result: Revocation }
  | { readonly tokenId: string; readonly result: 'failed'; readonly failure: string };

/** Deletes one unrecorded token once License Manager proves it still AVAILABLE and of its license. */
async function deleteOne(invocation: Invocation, token: UnrecordedToken): Promise<Deletion> {
  const { tokenId } = token;
  try {
    return { tokenId, result: await deleteListedToken(invocation.tokens(), tokenId, token) };
  } catch (error) {
    // One token refused or failed is no reason to keep the others.
    return { tokenId, result: 'failed', failure: errorLine(error) };
  }
}

/** Deletes the tokens one after the other, each proven first. */
async function deleteAll(
  invocation: Invocation,
  tokens: readonly UnrecordedToken[],
): Promise<Deletion[]> {
  const deletions: Deletion[] = [];
  for (const token of tokens) deletions.push(await deleteOne(invocation, token));
  return deletions;
}

const deletionLine = (deletion: Deletion): string =>
  deletion.result === 'failed'
    ? `NOT deleted ${deletion.tokenId}: ${deletion.failure}`
    : `${revocationResult(deletion.result)} ${deletion.tokenId}`;

/** The unrecorded tokens as a table and a summary line, then what --delete did to each. */
function printText(
  invocation: Invocation,
  tokens: readonly UnrecordedToken[],
  deletions: readonly Deletion[] | undefined,
  unlisted: number,
): void {
  const { io, style } = invocation;
  if (tokens.length === 0) {
    // A license that could not be listed may hold some: no all-clear then.
    io.stdout.write(
      unlisted === 0
        ? 'No unrecorded tokens: every AVAILABLE token of the managed licenses is named by a record.\n'
        : `No unrecorded tokens among the licenses listed; ${unlisted} could not be listed.\n`,
    );
    return;
  }
  const header = ['TOKEN ID', 'LICENSE', 'ROLES', 'PROPERTIES', 'EXPIRES (UTC)'].map(style.bold);
  const rows = tokens.map((token) => [
    token.tokenId,
    licenseId(token.licenseArn),
    token.roleArns.join(', ') || '-',
    token.tokenProperties.join(', ') || '-',
    shortTime(token.expiresAt?.toISOString()),
  ]);
  io.stdout.write(`${table([header, ...rows])}\n\n`);
  io.stdout.write(
    `${tokens.length} unrecorded token(s): AVAILABLE, of managed licenses, named by no record.` +
      `${deletions === undefined ? " Delete them with --delete once you know they are no other tool's." : ''}\n`,
  );
  if (deletions === undefined) return;
  for (const deletion of deletions) io.stdout.write(`${deletionLine(deletion)}\n`);
  const gone = deletions.filter((deletion) => deletion.result !== 'failed').length;
  io.stdout.write(`Deleted ${gone} of ${deletions.length} unrecorded token(s).\n`);
}

/** Lists the tokens no record names; deletes them with `--delete`. */
export async function orphansCommand(invocation: Invocation, remove: boolean): Promise<ExitCode> {
  const { config, io } = invocation;
  const warnings: string[] = [];
  const findings = await auditTokens(
    {
      store: invocation.store(),
      tokens: invocation.tokens(),
      pickups: invocation.store(),
      log: warningLog(warnings),
    },
    { ...config, now: io.clock() },
  );
  const tokens = [...findings.unrecordedTokens].sort(
    (a, b) => a.licenseArn.localeCompare(b.licenseArn) || a.tokenId.localeCompare(b.tokenId),
  );
  const deletions = remove ? await deleteAll(invocation, tokens) : undefined;

  if (invocation.json) {
    const document = {
      unrecordedTokens: tokens.map((token) => ({
        ...token,
        expiresAt: token.expiresAt?.toISOString() ?? null,
      })),
      licenseCheckFailures: findings.failures,
      warnings,
      ...(deletions === undefined ? {} : { deletions }),
    };
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    printText(invocation, tokens, deletions, findings.failures);
    for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  }
  const left =
    deletions === undefined
      ? tokens.length
      : deletions.filter((deletion) => deletion.result === 'failed').length;
  return left > 0 || findings.failures > 0 ? ExitCode.Failure : ExitCode.Ok;
}
