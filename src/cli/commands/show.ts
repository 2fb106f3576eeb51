import { UsageError } from '../../errors.js';
import { RevocationPolicy } from '../../rotation/record.js';
import {
  type Pickup,
  type PreviousStanding,
  policyOf,
  previousStanding,
} from '../../rotation/revocation-policy.js';
import { classify, type ManagedParameter, type UnmanagedParameter } from '../../rotation/scan.js';
import { days, shortTime, stateLabel } from '../format.js';
import { type Invocation, parameterName } from '../invocation.js';
import { ExitCode } from '../io.js';
import { type Style, table } from '../style.js';

/** Help for `show`. */
export const showHelp = `Usage: license-token-rotator show NAME [--reveal] [--json]

Shows a token parameter's rotation record and state: the revocation policy (the
record's, else the stack's REVOCATION_POLICY), where the previous token stands (in its
grace period, awaiting the current token's pickup and whether that is overdue, due
for deletion, or retained), and the last pickup the exchange recorded (token id and
time; read with ssm:ListTagsForResource). The token itself is never shown unless you
pass --reveal (which reads it with GetParameter --with-decryption, and so needs
ssm:GetParameter and kms:Decrypt).

Options:
  --reveal   also print the token value
  --json     one JSON document instead of text`;

/** What a managed parameter's revocation looks like now. */
interface RevocationView {
  readonly policy: RevocationPolicy;
  /** Whether the record sets the policy, or the stack's default applies. */
  readonly source: 'record' | 'default';
  readonly previous: PreviousStanding;
  readonly lastPickup: Pickup | undefined;
}

/** The policy, the previous token's standing, and the last pickup (one tag read). */
async function revocationView(
  invocation: Invocation,
  item: ManagedParameter,
  now: Date,
): Promise<RevocationView> {
  const { config } = invocation;
  const lastPickup = await invocation.store().pickup(item.name);
  return {
    policy: policyOf(item.record, config),
    source: item.record.revocation === undefined ? 'default' : 'record',
    previous: previousStanding(item.record, lastPickup, now, config),
    lastPickup,
  };
}

/** A parameter as `show` shows it: a managed one with its revocation. */
type Shown = UnmanagedParameter | (ManagedParameter & RevocationView);

/** `show --json`: the record as stored, with the due rule's verdict; the token if revealed. */
function showJson(shown: Shown, token: string | undefined): string {
  const { name, version, state } = shown;
  const document =
    shown.state === 'unmanaged'
      ? { name, version, state, problem: shown.problem }
      : {
          name,
          version,
          state,
          daysLeft: Number(shown.assessment.daysLeft.toFixed(2)),
          renewAt: shown.assessment.renewAt.toISOString(),
          record: shown.record,
          revocation: { policy: shown.policy, source: shown.source },
          previousStanding: shown.previous,
          lastPickup: shown.lastPickup ?? null,
        };
  return `${JSON.stringify(token === undefined ? document : { ...document, token }, null, 2)}\n`;
}

/** Where the previous token stands, in words; what is overdue or due stands out. */
function standingText(shown: ManagedParameter & RevocationView, style: Style): string {
  const standing = shown.previous;
  switch (standing.kind) {
    case 'none':
      return '-';
    case 'in-grace':
      return `in its grace period until ${shortTime(standing.until.toISOString())} UTC`;
    case 'awaiting-pickup':
      return standing.overdue
        ? style.red("awaiting the current token's pickup: OVERDUE (PICKUP_OVERDUE_HOURS)")
        : "awaiting the current token's pickup";
    case 'due':
      return style.yellow(
        `due for deletion (${standing.reason === 'picked-up' ? 'current token picked up' : 'grace period ended'})`,
      );
    default:
      return shown.policy === RevocationPolicy.Never
        ? 'retained until it expires (policy never)'
        : 'retained until it expires (REVOKE_PREVIOUS_AFTER_HOURS is 0)';
  }
}

/** The last pickup the exchange recorded, and whether it was of the current token. */
function pickupText(shown: ManagedParameter & RevocationView): string {
  const pickup = shown.lastPickup;
  if (pickup === undefined) return 'none recorded';
  const which = pickup.tokenId === shown.record.tokenId ? 'the current token' : 'an older token';
  return `${pickup.tokenId} at ${shortTime(pickup.at.toISOString())} UTC (${which})`;
}

/** The rows a managed parameter's record adds to `show`. */
function recordRows(shown: ManagedParameter & RevocationView, style: Style): string[][] {
  const { record, assessment } = shown;
  const renewBefore =
    record.renewBeforeDays === undefined ? '' : `, renew ${record.renewBeforeDays} days before`;
  const source = shown.source === 'record' ? 'the record' : 'default, REVOCATION_POLICY';
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
    ['revocation', `${shown.policy} (${source})`],
    ['previous token', record.previousTokenId ?? '-'],
    ['previous state', standingText(shown, style)],
    [
      'last rotated',
      record.rotatedAt === undefined ? 'never' : `${shortTime(record.rotatedAt)} UTC`,
    ],
    ['last pickup', pickupText(shown)],
  ];
}

/** `show` as text: one labelled line a field. */
function showText(shown: Shown, token: string | undefined, style: Style): string {
  const rows: string[][] = [
    ['name', shown.name],
    ['version', String(shown.version)],
    ['state', stateLabel(shown, style)],
    ...(shown.state === 'unmanaged' ? [] : recordRows(shown, style)),
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
  const now = io.clock();
  const item = classify(parameter, { ...config, now });
  const shown: Shown =
    item.state === 'unmanaged'
      ? item
      : { ...item, ...(await revocationView(invocation, item, now)) };
  const token = reveal ? (await invocation.vault().current(fullName))?.token.reveal() : undefined;
  io.stdout.write(invocation.json ? showJson(shown, token) : showText(shown, token, style));
  return ExitCode.Ok;
}
