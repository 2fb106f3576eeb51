import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode, UsageError, WriteError } from './errors.js';

/** The token file's mode: the token is a credential, readable by its owner only. */
export const TOKEN_FILE_MODE = 0o600;
/** License Manager's tokens are a few KB; a larger file is not a token file. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/** The token a file holds, and whether the file ended with a newline (a rewrite keeps that). */
export interface HeldToken {
  readonly token: string;
  readonly trailingNewline: boolean;
}

/** Reads the token file; a file that is missing, unreadable, empty or not one token is a UsageError. */
export async function readTokenFile(path: string): Promise<HeldToken> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the token file ${path} (${errorCode(error)})`);
  }
  const token = text.trim();
  if (token === '') throw new UsageError(`the token file ${path} is empty`);
  if (text.length > MAX_TOKEN_FILE_BYTES || /\s/.test(token)) {
    throw new UsageError(`the token file ${path} does not hold one token`);
  }
  return { token, trailingNewline: text.endsWith('\n') };
}

/** Makes a rename durable across a power cut; a filesystem that cannot sync a directory is left be. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Not every filesystem lets a directory be opened or synced; the rename itself is done.
  } finally {
    await handle?.close();
  }
}

/** Writes the temp file: mode 0600, the replaced file's owner when run as root, synced to disk. */
async function writeTemp(temp: string, content: string, replaced: string): Promise<void> {
  const handle = await open(temp, 'wx', TOKEN_FILE_MODE);
  try {
    // The umask may have taken bits away from the mode open was given: set it exactly.
    await handle.chmod(TOKEN_FILE_MODE);
    const previous = await stat(replaced).catch(() => undefined);
    if (previous !== undefined && process.getuid?.() === 0) {
      await handle.chown(previous.uid, previous.gid);
    }
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces a file atomically: a temp file in the same directory, written and synced, then renamed
 * over the old one, so a reader sees the old token or the new one, never half of one. The temp
 * file is removed on any failure, which is a WriteError.
 */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeTemp(temp, content, path);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new WriteError(`could not write the new token to ${path} (${errorCode(error)})`);
  }
  await syncDirectory(directory);
}
