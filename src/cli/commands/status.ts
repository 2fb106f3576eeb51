import type { ParameterStore } from '../../rotation/ports.js';
import { type ClassifyOptions, type InventoryItem, inventory } from '../../rotation/scan.js';
import { days, licenseId, lifeBar, shortId, shortTime, stateLabel } from '../format.js';
import type { Invocation } from '../invocation.js';
import { ExitCode } from '../io.js';
import { progress, type Style, table } from '../style.js';

/** Help for `status`. */
export const statusHelp = `Usage: license-token-rotator status [--json]

Every parameter under the token path, soonest expiry first: name, license, token id,
expiry, days left, last rotation and state (ok, due, expired, or unmanaged with the
reason). Reads metadata only; never a token value.

Exit status: 0 when no token has expired, 3 when at least one has (so it can guard a
cron job or a pipeline), 1 on error.

Options:
  --json   one JSON document instead of the table`;

/** One row of `status --json`. */
export interface StatusEntry {
  readonly name: string;
  readonly state: InventoryItem['state'];
  readonly version: number;
  readonly problem?: string;
  readonly licenseArn?: string;
  readonly tokenId?: string;
  readonly issuedAt?: string;
  readonly expiresAt?: string;
  readonly renewAt?: string;
  readonly daysLeft?: number;
  readonly lastRotatedAt?: string | null;
}

/** How many parameters are in each state. */
type StateCounts = Readonly<Record<'total' | InventoryItem['state'], number>>;

const entry = (item: InventoryItem): StatusEntry =>
  item.state === 'unmanaged'
    ? { name: item.name, state: item.state, version: item.version, problem: item.problem }
    : {
        name: item.name,
        state: item.state,
        version: item.version,
        licenseArn: item.record.licenseArn,
        tokenId: item.record.tokenId,
        issuedAt: item.record.issuedAt,
        expiresAt: item.record.expiresAt,
        renewAt: item.assessment.renewAt.toISOString(),
        daysLeft: Number(item.assessment.daysLeft.toFixed(2)),
        lastRotatedAt: item.record.rotatedAt ?? null,
      };

const daysLeft = (item: InventoryItem): number =>
  item.state === 'unmanaged' ? Number.POSITIVE_INFINITY : item.assessment.daysLeft;

/**
 * Every parameter under the token path, classified by the scanner's own rules, in the store's
 * order; `onRead` hears the count so far. `status` and `npm start` read their tables with it.
 */
export async function readInventory(
  store: ParameterStore,
  options: ClassifyOptions,
  onRead: (count: number) => void = () => undefined,
): Promise<InventoryItem[]> {
  const items: InventoryItem[] = [];
  for await (const item of inventory(store, options)) {
    items.push(item);
    onRead(items.length);
  }
  return items;
}

function countStates(items: readonly InventoryItem[]): StateCounts {
  const count = (state: InventoryItem['state']) =>
    items.filter((item) => item.state === state).length;
  return {
    total: items.length,
    ok: count('ok'),
    due: count('due'),
    expired: count('expired'),
    unmanaged: count('unmanaged'),
  };
}

const HEADER = ['NAME', 'LICENSE', 'TOKEN', 'EXPIRES (UTC)', 'DAYS LEFT', 'LAST ROTATED', 'STATE'];

const tableRow = (item: InventoryItem, style: Style): string[] =>
  item.state === 'unmanaged'
    ? [item.name, '-', '-', '-', lifeBar(item, style), '-', stateLabel(item, style)]
    : [
        item.name,
        licenseId(item.record.licenseArn),
        shortId(item.record.tokenId),
        shortTime(item.record.expiresAt),
        `${lifeBar(item, style)} ${days(item.assessment.daysLeft)}`,
        shortTime(item.record.rotatedAt),
        stateLabel(item, style),
      ];

function printTable(
  invocation: Invocation,
  items: readonly InventoryItem[],
  summary: StateCounts,
): void {
  const { io, style } = invocation;
  const rows = items.map((item) => tableRow(item, style));
  io.stdout.write(`${table([HEADER.map(style.bold), ...rows])}\n\n`);
  io.stdout.write(
    `${summary.total} parameters: ${summary.ok} ok, ${summary.due} due, ${summary.expired} expired, ${summary.unmanaged} unmanaged\n`,
  );
}

/** Lists every token parameter, soonest expiry first; exit 3 when any has expired. */
export async function status(invocation: Invocation): Promise<ExitCode> {
  const { config, io } = invocation;
  const now = io.clock();
  const shown = progress(io.stderr, 'Scanned');
  const items = await readInventory(invocation.store(), { ...config, now }, (count) =>
    shown.update(count),
  );
  shown.done();
  items.sort((a, b) => daysLeft(a) - daysLeft(b) || a.name.localeCompare(b.name));
  const summary = countStates(items);

  if (invocation.json) {
    const document = {
      generatedAt: now.toISOString(),
      tokenPath: config.tokenPath,
      summary,
      tokens: items.map(entry),
    };
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else if (items.length === 0) {
    io.stdout.write(`No parameters under ${config.tokenPath}\n`);
  } else {
    printTable(invocation, items, summary);
  }
  return summary.expired > 0 ? ExitCode.Expired : ExitCode.Ok;
}
