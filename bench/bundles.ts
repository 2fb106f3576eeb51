import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { exampleParams } from '../test/template/template.js';
import { extractZip } from '../test/template/zip.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The parts of the resolved serverless.yml the bench reads (`osls print --format json`). */
export interface ServiceConfig {
  readonly provider: {
    readonly region: string;
    readonly environment?: Readonly<Record<string, unknown>>;
  };
  readonly custom: { readonly esbuild: Readonly<Record<string, unknown>> };
  readonly functions: Readonly<
    Record<
      string,
      {
        readonly handler: string;
        readonly environment?: Readonly<Record<string, unknown>>;
        /** Seconds. */
        readonly timeout?: number;
        readonly events?: readonly unknown[];
      }
    >
  >;
  /** The CloudFormation resources, by logical id. */
  readonly resources?: { readonly Resources?: Readonly<Record<string, unknown>> };
}

/** One function's packaged artifact, as `npm run package` builds it. */
export interface PackagedBundle {
  readonly name: string;
  /** The handler module, e.g. src/handlers/scanner.ts. */
  readonly entry: string;
  readonly zipBytes: number;
  /** The minified .mjs alone, without its source map. */
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** Where the unzipped bundle is, to import it. */
  readonly bundlePath: string;
  /** True when the bench's own esbuild build (for the metafile) produced the same bytes. */
  readonly metafileMatchesPackage: boolean;
  /** Output bytes by package (and by src/ folder), from esbuild's metafile. */
  readonly bytesByPackage: Readonly<Record<string, number>>;
}

const osls = (args: readonly string[]): string =>
  execFileSync(join(ROOT, 'node_modules', '.bin', 'osls'), args, {
    cwd: ROOT,
    encoding: 'utf8',
    // As scripts/package.sh: no account needed, and never a real profile's keys.
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([key]) =>
            !['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN'].includes(key) &&
            !key.startsWith('AWS_ENDPOINT_URL'),
        ),
      ),
      AWS_ACCESS_KEY_ID: 'package-offline',
      AWS_SECRET_ACCESS_KEY: 'package-offline',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });

/** serverless.yml as osls resolves it for the stage and region `npm run package` uses. */
export function serviceConfig(): ServiceConfig {
  const text = osls([
    'print',
    ...['--format', 'json', '--stage', 'dev', '--region', 'us-east-1'],
    ...exampleParams(),
  ]);
  return JSON.parse(text.slice(text.indexOf('{'))) as ServiceConfig;
}

/** The package step of `npm run package` (scripts/package.sh), into a directory of our own. */
export function packageFunctions(directory: string): void {
  // licenseArns and roleArns have no default; the bench measures with the example ones.
  osls([
    'package',
    ...['--stage', 'dev', '--region', 'us-east-1', '--package', directory],
    ...exampleParams(),
  ]);
}

// serverless-esbuild's own options, which it removes before calling esbuild (its bundle.js).
const PLUGIN_OPTIONS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
]);

/** The esbuild options serverless-esbuild derives from `custom.esbuild`, plus a metafile. */
export function esbuildOptions(config: ServiceConfig): BuildOptions {
  const custom = config.custom.esbuild;
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  const exclude = list(custom.exclude);
  const extension =
    typeof custom.outputFileExtension === 'string' ? custom.outputFileExtension : '.js';
  return {
    ...(Object.fromEntries(
      Object.entries(custom).filter(([key]) => !PLUGIN_OPTIONS.has(key)),
    ) as BuildOptions),
    external: [...list(custom.external), ...(exclude.includes('*') ? [] : exclude)],
    ...(extension === '.js' ? {} : { outExtension: { '.js': extension } }),
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'error',
  };
}

/** Output bytes by npm package, and by src/ or bench/ folder for the project's own code. */
export function bytesByPackage(metafile: Metafile): Record<string, number> {
  const bytes: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match?.[1] ?? input.split('/').slice(0, 2).join('/');
      bytes[key] = (bytes[key] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(bytes).sort(([, a], [, b]) => b - a));
}

const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

/** Builds an entry with the functions' esbuild options; returns the .mjs path and its metafile. */
export async function buildEntry(
  options: BuildOptions,
  entry: string,
  outdir: string,
): Promise<{ bundlePath: string; metafile: Metafile }> {
  const result = await build({ ...options, entryPoints: [join(ROOT, entry)], outdir });
  const metafile = result.metafile;
  if (metafile === undefined) throw new Error(`esbuild gave no metafile for ${entry}`);
  const output = Object.keys(metafile.outputs).find((file) => !file.endsWith('.map'));
  if (output === undefined) throw new Error(`esbuild wrote no bundle for ${entry}`);
  return { bundlePath: join(ROOT, output), metafile };
}

/**
 * Packages both functions as `npm run package` does, unzips each, and rebuilds its entry with the
 * same esbuild options and a metafile; the rebuild must be byte-identical to the packaged bundle
 * for the per-package figures to describe it.
 */
export async function packagedBundles(
  config: ServiceConfig,
  work: string,
): Promise<PackagedBundle[]> {
  packageFunctions(join(work, 'package'));
  const options = esbuildOptions(config);
  const bundles: PackagedBundle[] = [];
  for (const [name, fn] of Object.entries(config.functions)) {
    const base = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    const zip = join(work, 'package', `${name}.zip`);
    const unzipped = join(work, 'unzipped', name);
    extractZip(zip, unzipped);
    const extension = (options.outExtension?.['.js'] ?? '.js') as string;
    const bundlePath = join(unzipped, `${base}${extension}`);
    const rebuilt = await buildEntry(options, `${base}.ts`, join(work, 'metafile', name));
    bundles.push({
      name,
      entry: `${base}.ts`,
      zipBytes: statSync(zip).size,
      bundleBytes: statSync(bundlePath).size,
      sourceMapBytes: statSync(`${bundlePath}.map`).size,
      bundlePath,
      metafileMatchesPackage: sha256(rebuilt.bundlePath) === sha256(bundlePath),
      bytesByPackage: bytesByPackage(rebuilt.metafile),
    });
  }
  return bundles;
}
