import type { ParameterStore } from '../../src/rotation/ports.js';
import { type ClassifyOptions, inventory } from '../../src/rotation/scan.js';

/** One parameter under the token path, as the tables show it. */
export interface StatusRow {
  readonly name: string;
  readonly version: number;
  readonly state: 'ok' | 'due' | 'expired' | 'unmanaged';
  readonly licenseArn?: string;
  readonly tokenId?: string;
  readonly expiresAt?: Date;
  readonly daysLeft?: number;
  /** Why an unmanaged parameter is not managed. */
  readonly problem?: string;
}

/** Reads every parameter under the token path and classifies it with the scanner's own rules. */
export async function readStatus(
  store: ParameterStore,
  options: ClassifyOptions,
): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  for await (const item of inventory(store, options)) {
    if (item.state === 'unmanaged') {
      rows.push({
        name: item.name,
        version: item.version,
        state: 'unmanaged',
        problem: item.problem,
      });
      continue;
    }
    rows.push({
      name: item.name,
      version: item.version,
      state: item.state,
      licenseArn: item.record.licenseArn,
      tokenId: item.record.tokenId,
      expiresAt: item.assessment.expiresAt,
      daysLeft: item.assessment.daysLeft,
    });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Lays out rows of cells as aligned columns, two spaces apart. */
export function columns(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

/** How a table names a license and what changed for a parameter. */
export interface TableOptions {
  readonly licenseLabel: (licenseArn: string) => string;
  /** A note per parameter name, shown in a last column (e.g. what a rotation changed). */
  readonly notes?: ReadonlyMap<string, string>;
}

/**
 * The status table: parameter, license, short token id, version, expiry, days left, state, and a
 * note (why a parameter is unmanaged, or what a rotation changed).
 */
export function renderStatus(rows: readonly StatusRow[], options: TableOptions): string {
  const header = ['PARAMETER', 'LICENSE', 'TOKEN', 'VER', 'EXPIRES', 'DAYS LEFT', 'STATE', 'NOTE'];
  const body = rows.map((row) => [
    row.name,
    row.licenseArn === undefined ? '-' : options.licenseLabel(row.licenseArn),
    row.tokenId === undefined ? '-' : row.tokenId.slice(0, 8),
    String(row.version),
    row.expiresAt === undefined ? '-' : row.expiresAt.toISOString().slice(0, 10),
    row.daysLeft === undefined ? '-' : String(Math.floor(row.daysLeft)),
    row.state,
    options.notes?.get(row.name) ??
      (row.problem === undefined ? '' : `not managed: ${row.problem}`),
  ]);
  return columns([header, ...body]);
}
