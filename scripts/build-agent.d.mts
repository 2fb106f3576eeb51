/** Types of build-agent.mjs, for the tests that build the agent themselves. */

/** Where `npm run package` puts the agent: dist/license-token-agent.mjs. */
export const AGENT_OUTFILE: string;

/** The imports of a built file that are not node: built-ins, from esbuild's metafile. */
export function foreignImports(
  metafile: { outputs: Record<string, { imports: { path: string }[] }> },
  outfile: string,
): string[];

/** Bundles the agent into `outfile` (executable, with a shebang); resolves with its size in bytes. */
export function buildAgent(outfile?: string): Promise<number>;
