import { describe, expect, it } from 'vitest';
import { progress, styleFor, table } from '../../../src/cli/style.js';

const sink = (isTTY: boolean) => {
  const written: string[] = [];
  return { output: { isTTY, write: (text: string) => written.push(text) }, written };
};

describe('table', () => {
  it('aligns columns by what a terminal shows, ignoring colour codes', () => {
    const { green } = styleFor({ isTTY: true, write: () => 0 }, {});
    expect(
      table([
        ['a', green('ok'), 'x'],
        ['long name', 'due', 'y'],
      ]),
    ).toBe('a          \u001b[32mok\u001b[39m   x\nlong name  due  y');
  });

  it('aligns columns two spaces apart without trailing space', () => {
    expect(
      table([
        ['A', 'BB', 'C'],
        ['long cell', 'x', ''],
      ]),
    ).toBe('A          BB  C\nlong cell  x');
  });

  it('puts each line after the indent it is given', () => {
    expect(table([['a', 'b'], ['cc']], '  ')).toBe('  a   b\n  cc');
  });
});

describe('styleFor', () => {
  it('colours a TTY unless NO_COLOR is set or the terminal is dumb', () => {
    const tty = { isTTY: true, write: () => 0 };
    expect(styleFor(tty, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(styleFor(tty, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(styleFor(tty, { TERM: 'dumb' }).red('x')).toBe('x');
    expect(styleFor({ write: () => 0 }, {}).red('x')).toBe('x');
  });
});

describe('progress', () => {
  it('stays quiet for the first moment, then counts, then clears its line', () => {
    let now = 0;
    const { output, written } = sink(true);
    const shown = progress(output, 'Scanned', () => now);
    shown.update(50);
    expect(written).toEqual([]);
    now = 400;
    shown.update(1500);
    shown.done();
    expect(written).toEqual(['\rScanned 1,500…', '\r\u001b[2K']);
  });

  it('never writes to something that is not a TTY', () => {
    let now = 0;
    const { output, written } = sink(false);
    const shown = progress(output, 'Scanned', () => now);
    now = 10_000;
    shown.update(1);
    shown.done();
    expect(written).toEqual([]);
  });
});
