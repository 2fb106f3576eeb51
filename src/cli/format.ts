import type { Revocation } from '../rotation/ports.js';
import type { InventoryItem } from '../rotation/scan.js';
import { DAY_MS } from '../time.js';
import type { Style } from './style.js';

/** `2026-11-27`: the day of an ISO timestamp. */
export const shortDate = (iso: string): string => iso.slice(0, 10);

/** `2026-11-27 12:00` in UTC, or `-`. */
export const shortTime = (iso: string | undefined): string =>
  iso === undefined ? '-' : `${shortDate(iso)} ${iso.slice(11, 16)}`;

/** The first 8 characters of a token id: enough to tell tokens apart at a glance. */
export const tokenPrefix = (id: string): string => id.slice(0, 8);

/** A token id in a table: its prefix and an ellipsis, or all of a short one. */
export const shortId = (id: string): string => (id.length > 10 ? `${tokenPrefix(id)}…` : id);

/** The license id part of a license ARN, shortened like a token id (`l-0a1c2e4f…`). */
export const licenseId = (arn: string): string => {
  const id = arn.replace(/^.*license[:/]/, '');
  return id.length > 12 ? `${id.slice(0, 10)}…` : id;
};

/** Days left, to one decimal below ten days, whole above. */
export const days = (value: number): string =>
  Math.abs(value) < 10 ? value.toFixed(1) : Math.trunc(value).toString();

/** A ten-cell bar of the lifetime left, coloured by state. */
export function lifeBar(item: InventoryItem, style: Style): string {
  if (item.state === 'unmanaged') return style.dim('?'.padEnd(10, ' '));
  const { record, assessment } = item;
  const lifetime = Date.parse(record.expiresAt) - Date.parse(record.issuedAt);
  const left = Math.max(0, Math.min(1, (assessment.daysLeft * DAY_MS) / lifetime));
  const filled = Math.round(left * 10);
  const bar = '█'.repeat(filled) + '░'.repeat(10 - filled);
  return item.state === 'ok'
    ? style.green(bar)
    : item.state === 'due'
      ? style.yellow(bar)
      : style.red(bar);
}

/** The state word, coloured. */
export function stateLabel(item: InventoryItem, style: Style): string {
  switch (item.state) {
    case 'ok':
      return style.green('ok');
    case 'due':
      return style.yellow('due');
    case 'expired':
      return style.red(style.bold('EXPIRED'));
    default:
      return style.dim(`unmanaged: ${item.problem}`);
  }
}

/** What became of a token the CLI asked License Manager to delete, in words. */
export const revocationResult = (result: Revocation): string =>
  result === 'revoked' ? 'deleted' : 'already deleted';
