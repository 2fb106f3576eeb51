import { readInventory } from '../../src/cli/commands/status.js';
import { shortDate, tokenPrefix } from '../../src/cli/format.js';
import { table } from '../../src/cli/style.js';
import type { ParameterStore } from '../../src/rotation/ports.js';
import type { ClassifyOptions, InventoryItem } from '../../src/rotation/scan.js';

/** Every parameter under the token path, classified by the scanner's own rules, by name. */
export async function readStatus(
  store: ParameterStore,
  options: ClassifyOptions,
): Promise<InventoryItem[]> {
  const items = await readInventory(store, options);
  return items.sort((a, b) => a.name.localeCompare(b.name));
}

/** A table of `npm start`'s report: the CLI's layout, two spaces in under its title line. */
export const demoTable = (rows: readonly (readonly string[])[]): string => table(rows, '  ');

/** How a table names a license and what changed for a parameter. */
export interface TableOptions {
  readonly licenseLabel: (licenseArn: string) => string;
  /** A note per parameter name, shown in a last column (e.g. what a rotation changed). */
  readonly notes?: ReadonlyMap<string, string>;
}

const HEADER = ['PARAMETER', 'LICENSE', 'TOKEN', 'VER', 'EXPIRES', 'DAYS LEFT', 'STATE', 'NOTE'];

function row(item: InventoryItem, options: TableOptions): string[] {
  const note = options.notes?.get(item.name);
  if (item.state === 'unmanaged') {
    const why = note ?? `not managed: ${item.problem}`;
    return [item.name, '-', '-', String(item.version), '-', '-', item.state, why];
  }
  const { record, assessment } = item;
  return [
    item.name,
    options.licenseLabel(record.licenseArn),
    tokenPrefix(record.tokenId),
    String(item.version),
    shortDate(record.expiresAt),
    // Whole days, rounded down: a table never shows a token more time than it has.
    String(Math.floor(assessment.daysLeft)),
    item.state,
    note ?? '',
  ];
}

/**
 * The status table: parameter, license, short token id, version, expiry, days left, state, and a
 * note (why a parameter is unmanaged, or what a rotation changed).
 */
export function renderStatus(items: readonly InventoryItem[], options: TableOptions): string {
  return demoTable([HEADER, ...items.map((item) => row(item, options))]);
}
