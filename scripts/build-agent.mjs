// Builds license-token-agent: src/agent/main.ts bundled by esbuild into one ESM file that runs on
// a plain Node.js 20 with no node_modules, then checked to import nothing but node: modules.
//   node scripts/build-agent.mjs [OUTFILE]   (default dist/license-token-agent.mjs)
import { chmod, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Where `npm run package` puts the agent. */
export const AGENT_OUTFILE = resolve(root, 'dist/license-token-agent.mjs');

/** The imports of a built file that are not node: built-ins (esbuild's metafile lists them). */
export function foreignImports(metafile, outfile) {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(root, path) === outfile);
  if (output === undefined) throw new Error(`esbuild reported no output ${outfile}`);
  return output[1].imports.map((entry) => entry.path).filter((path) => !path.startsWith('node:'));
}

/** Bundles the agent into `outfile` (executable, with a shebang) and returns its size in bytes. */
export async function buildAgent(outfile = AGENT_OUTFILE) {
  const target = resolve(outfile);
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/agent/main.ts'],
    outfile: target,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    // Customers read what they run: the bundle stays unminified.
    minify: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const foreign = foreignImports(result.metafile, target);
  if (foreign.length > 0) {
    throw new Error(`${outfile} imports more than node: built-ins: ${foreign.join(', ')}`);
  }
  await chmod(target, 0o755);
  return (await stat(target)).size;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = resolve(process.argv[2] ?? AGENT_OUTFILE);
  const size = await buildAgent(outfile);
  console.log(`${outfile}: ${size} bytes, imports only node: modules`);
}
