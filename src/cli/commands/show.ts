import { UsageError } from '../../errors.js';
import { classify, type InventoryItem, type ManagedParameter } from '../../rotation/scan.js';
import { days, shortTime, stateLabel } from '../format.js';
import { type Invocation, parameterName } from '../invocation.js';
import { ExitCode } from '../io.js';
import { type Style, table } from '../style.js';

/** Help for `show`. */
export const showHelp = `Usage: license-token-rotator show NAME [--reveal] [--json]

Shows a token parameter's rotation record and state. The token itself is never shown
unless you pass --reveal (which reads it with GetParameter --with-decryption, and so
needs ssm:GetParameter and kms:Decrypt).

Options:
  --reveal   also print the token value
  --json     one JSON document instead of text`;

/** `show --json`: the record as stored, with the due rule's verdict; the token if revealed. */
function showJson(name: string, item: InventoryItem, token: string | undefined): string {
  const document =
    item.state === 'unmanaged'
      ? { name, version: item.version, state: item.state, problem: item.problem }
      : {
          name,
          version: item.version,
          state: item.state,
          daysLeft: Number(item.assessment.daysLeft.toFixed(2)),
          renewAt: item.assessment.renewAt.toISOString(),
          record: item.record,
        };
  return `${JSON.stringify(token === undefined ? document : { ...document, token }, null, 2)}\n`;
}

/** The rows a managed parameter's record adds to `show`. */
function recordRows({ record, assessment }: ManagedParameter): string[][] {
  const renewBefore =
    record.renewBeforeDays === undefined ? '' : `, renew ${record.renewBeforeDays} days before`;
  return [
    ['license', record.licenseArn],
    ['roles', record.roleArns.join(', ') || '-'],
    ['token properties', record.tokenProperties.join(', ') || '-'],
    ['token id', record.tokenId],
    ['issued', `${shortTime(record.issuedAt)} UTC`],
    ['expires', `${shortTime(record.expiresAt)} UTC (${days(assessment.daysLeft)} days left)`],
    [
      'renews from',
      `${shortTime(assessment.renewAt.toISOString())} UTC (${assessment.renewBeforeSource} window)`,
    ],
    ['lifetime', `${record.expirationInDays} days${renewBefore}`],
    ['home region', record.homeRegion ?? '-'],
    ['previous token', record.previousTokenId ?? '-'],
    [
      'last rotated',
      record.rotatedAt === undefined ? 'never' : `${shortTime(record.rotatedAt)} UTC`,
    ],
  ];
}

/** `show` as text: one labelled line a field. */
function showText(
  name: string,
  item: InventoryItem,
  token: string | undefined,
  style: Style,
): string {
  const rows: string[][] = [
    ['name', name],
    ['version', String(item.version)],
    ['state', stateLabel(item, style)],
    ...(item.state === 'unmanaged' ? [] : recordRows(item)),
    ...(token === undefined ? [] : [['token', token]]),
  ];
  return `${table(rows.map(([label = '', value = '']) => [style.dim(label), value]))}\n`;
}

/** Shows one parameter's record, and the token only when asked to reveal it. */
export async function show(
  invocation: Invocation,
  name: string | undefined,
  reveal: boolean,
): Promise<ExitCode> {
  if (name === undefined) throw new UsageError('show needs a parameter NAME');
  const { config, io, style } = invocation;
  const fullName = parameterName(name, config.tokenPath);
  const parameter = await invocation.store().describe(fullName);
  if (parameter === undefined) throw new UsageError(`${fullName} does not exist`);
  const item = classify(parameter, { ...config, now: io.clock() });
  const token = reveal ? (await invocation.vault().current(fullName))?.token.reveal() : undefined;
  io.stdout.write(
    invocation.json ? showJson(fullName, item, token) : showText(fullName, item, token, style),
  );
  return ExitCode.Ok;
}
