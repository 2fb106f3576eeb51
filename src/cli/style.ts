import { stripVTControlCharacters, styleText } from 'node:util';
import type { Environment } from '../config.js';
import type { Output } from './io.js';

/** Styling that switches itself off where colour does not belong. */
export interface Style {
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly red: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

// styleText would judge process.stdout and its environment; the CLI decides for the stream and
// the environment it was handed, so the check is off here and styleFor makes it.
const paint =
  (format: keyof Style) =>
  (text: string): string =>
    styleText(format, text, { validateStream: false });
const plain = (text: string): string => text;

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function styleFor(output: Output, env: Environment): Style {
  const colour = output.isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
  return colour
    ? {
        green: paint('green'),
        yellow: paint('yellow'),
        red: paint('red'),
        dim: paint('dim'),
        bold: paint('bold'),
      }
    : { green: plain, yellow: plain, red: plain, dim: plain, bold: plain };
}

// What a terminal shows takes room; colour codes do not.
const visibleLength = (text: string): number => stripVTControlCharacters(text).length;

/**
 * Left-aligned columns with two spaces between, measured without colour codes, each line after
 * `indent`; the CLI's tables and `npm start`'s.
 */
export function table(rows: readonly (readonly string[])[], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, visibleLength(cell));
    });
  }
  // The last cell is not padded, and a short row's blanks are trimmed: no line ends in spaces.
  const line = (row: readonly string[]): string =>
    row
      .map((cell, index) =>
        index === row.length - 1
          ? cell
          : cell + ' '.repeat((widths[index] ?? 0) - visibleLength(cell)),
      )
      .join('  ')
      .trimEnd();
  return rows.map((row) => indent + line(row)).join('\n');
}

/** A running count on the terminal's last line. */
export interface Progress {
  update(count: number): void;
  /** Clears the line, if anything was shown. */
  done(): void;
}

/** Shows progress on a TTY once an operation has taken more than a moment; silent elsewhere. */
export function progress(output: Output, label: string, clock: () => number = Date.now): Progress {
  const started = clock();
  let shown = false;
  return {
    update(count) {
      if (output.isTTY !== true || clock() - started < 300) return;
      shown = true;
      output.write(`\r${label} ${count.toLocaleString('en-US')}…`);
    },
    done() {
      if (shown) output.write('\r\u001b[2K');
    },
  };
}
