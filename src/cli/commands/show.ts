import { UsageError } from '../../errors.js';
import { classify } from '../../rotation/scan.js';
import { days, shortTime, stateLabel } from '../format.js';
import { type Invocation, parameterName } from '../invocation.js';
import { ExitCode } from '../io.js';
import { table } from '../style.js';

/** Help for `show`. */
export const showHelp = `Usage: license-token-rotator show NAME [--reveal] [--json]

Shows a token parameter's rotation record and state. The token itself is never shown
unless you pass --reveal (which reads it with GetParameter --with-decryption, and so
needs ssm:GetParameter and kms:Decrypt).

Options:
  --reveal   also print the token value
  --json     one JSON document instead of text`;

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
  const token = reveal ? (await invocation.reader().readToken(fullName)).reveal() : undefined;

  if (invocation.json) {
    const document =
      item.state === 'unmanaged'
        ? { name: fullName, version: item.version, state: item.state, problem: item.problem }
        : {
            name: fullName,
            version: item.version,
            state: item.state,
            daysLeft: Number(item.assessment.daysLeft.toFixed(2)),
            renewAt: item.assessment.renewAt.toISOString(),
            record: item.record,
          };
    io.stdout.write(
      `${JSON.stringify(token === undefined ? document : { ...document, token }, null, 2)}\n`,
    );
    return ExitCode.Ok;
  }
  const rows: string[][] = [
    ['name', fullName],
    ['version', String(item.version)],
    ['state', stateLabel(item, style)],
  ];
  if (item.state !== 'unmanaged') {
    const { record, assessment } = item;
    rows.push(
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
      [
        'lifetime',
        `${record.expirationInDays} days${record.renewBeforeDays === undefined ? '' : `, renew ${record.renewBeforeDays} days before`}`,
      ],
      ['home region', record.homeRegion ?? '-'],
      ['previous token', record.previousTokenId ?? '-'],
      [
        'last rotated',
        record.rotatedAt === undefined ? 'never' : `${shortTime(record.rotatedAt)} UTC`,
      ],
    );
  }
  if (token !== undefined) rows.push(['token', token]);
  io.stdout.write(`${table(rows.map(([label = '', value = '']) => [style.dim(label), value]))}\n`);
  return ExitCode.Ok;
}
