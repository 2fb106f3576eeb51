import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, WriteError } from '../../../src/agent/errors.js';
import { readTokenFile, writeFileAtomically } from '../../../src/agent/token-file.js';
import { thrown } from '../../helpers/thrown.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lta-file-'));
  file = join(dir, 'license.jwt');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the token file', () => {
  it('reads one token, trimmed, and whether the file ended with a newline', async () => {
    await writeFile(file, '  eyJ.token.x \n');
    expect(await readTokenFile(file)).toEqual({ token: 'eyJ.token.x', trailingNewline: true });
    await writeFile(file, 'eyJ.token.x');
    expect(await readTokenFile(file)).toEqual({ token: 'eyJ.token.x', trailingNewline: false });
  });

  it.each([
    ['missing', undefined, `cannot read the token file FILE (ENOENT)`],
    ['empty', ' \n', 'the token file FILE is empty'],
    ['two words', 'one two\n', 'the token file FILE does not hold one token'],
    ['huge', 'x'.repeat(70_000), 'the token file FILE does not hold one token'],
  ])('refuses a %s file as a usage error', async (_, content, message) => {
    if (content !== undefined) await writeFile(file, content);
    const error = await thrown(readTokenFile(file));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(message.replace('FILE', file));
  });

  it('replaces the file with a new one of mode 0600, leaving no temp file', async () => {
    await writeFile(file, 'old\n', { mode: 0o644 });
    const before = await stat(file);

    await writeFileAtomically(file, 'new\n');

    const after = await stat(file);
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect(after.mode & 0o777).toBe(0o600);
    expect(after.ino).not.toBe(before.ino);
    expect(await readdir(dir)).toEqual(['license.jwt']);
  });

  it('creates the file when there is none, mode 0600 whatever the umask', async () => {
    const umask = process.umask(0o277);
    try {
      await writeFileAtomically(file, 'first');
    } finally {
      process.umask(umask);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('first');
  });

  it('removes its temp file and throws a WriteError when the rename fails', async () => {
    await mkdir(file); // a directory with something in it: no file can be renamed over it
    await writeFile(join(file, 'keep'), 'x');

    const error = await thrown(writeFileAtomically(file, 'new'));

    expect(error).toBeInstanceOf(WriteError);
    expect(error.message).toMatch(
      new RegExp(`^could not write the new token to ${file} \\((EISDIR|ENOTEMPTY|EEXIST)\\)$`),
    );
    expect(await readdir(dir)).toEqual(['license.jwt']);
  });

  it('throws a WriteError when the directory does not exist', async () => {
    const error = await thrown(writeFileAtomically(join(dir, 'gone', 'license.jwt'), 'new'));
    expect(error).toBeInstanceOf(WriteError);
    expect(error.message).toMatch(/\(ENOENT\)$/);
  });

  it.runIf(process.getuid?.() === 0)(
    'keeps the owner and group of the file it replaces when run as root',
    async () => {
      await writeFile(file, 'old');
      await chown(file, 4321, 8765);

      await writeFileAtomically(file, 'new');

      const after = await stat(file);
      expect([after.uid, after.gid]).toEqual([4321, 8765]);
    },
  );
});
