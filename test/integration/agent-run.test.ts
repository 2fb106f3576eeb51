import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/agent/errors.js';
import {
  AGENT_PARAMETER,
  type AgentWorld,
  expectNoSecrets,
  useAgentWorld,
} from '../helpers/agent.js';

// `run` with a 50 ms interval does a cycle in 0.1 to 0.3 s on an idle 2-core machine, about 1 s
// with both cores busy; these tests wait for at most six cycles. The waits below allow 60 s, and
// the tests 120 s: each is over ten times what a busy machine takes. No assertion is on time.
const WAIT_MS = 60_000;
const TIMEOUT_MS = 120_000;

let world: AgentWorld;
useAgentWorld((started) => {
  world = started;
});

const lines = (text: string, pattern: RegExp): string[] =>
  text.split('\n').filter((line) => pattern.test(line));

describe('license-token-agent run', () => {
  it(
    'keeps going through 5xx answers and a refusal, delivers the newer token, and exits 0 on SIGTERM',
    async () => {
      const { current } = await world.rotatedOnce();
      let calls = 0;
      world.handler = async (event, context) => {
        calls++;
        if (calls <= 2) return { statusCode: 503, body: '{"message":"Service Unavailable"}' };
        if (calls === 3) return { statusCode: 403, body: '{"message":"refused"}' };
        return world.exchange.handler(event, context);
      };
      const marker = join(world.dir, 'on-change');
      const agent = world.spawn([
        ...world.refreshArgs('run'),
        '--interval',
        '50ms',
        '--jitter',
        '20ms',
        '--on-change',
        `echo changed >> ${marker}`,
      ]);

      await agent.waitFor((stdout) => lines(stdout, /^unchanged /).length >= 2, WAIT_MS);
      agent.child.kill('SIGTERM');
      const { code, stdout, stderr } = await agent.exited;

      expect(code).toBe(ExitCode.Ok);
      expectNoSecrets(stdout + stderr);
      expect(stderr.split('\n').slice(0, 3)).toEqual([
        expect.stringMatching(
          /^license-token-agent: the exchange answered HTTP 503 \(next attempt in \d+ms\)$/,
        ),
        expect.stringMatching(
          /^license-token-agent: the exchange answered HTTP 503 \(next attempt/,
        ),
        expect.stringMatching(
          new RegExp(
            `^license-token-agent: the exchange refused the token for ${AGENT_PARAMETER}; .*ask the vendor for a new token.* \\(next attempt in \\d+ms\\)$`,
          ),
        ),
      ]);
      expect(stderr.split('\n').length, 'nothing else on stderr').toBe(4);
      const outcomes = stdout.trimEnd().split('\n');
      expect(outcomes[0]).toMatch(/^refreshed .*, version 2, /);
      expect(outcomes.slice(1).every((line) => line.startsWith('unchanged '))).toBe(true);
      expect(await readFile(world.tokenFile, 'utf8')).toBe(`${current}\n`);
      expect(await readFile(marker, 'utf8')).toBe('changed\n');
    },
    TIMEOUT_MS,
  );

  it(
    'reads the token file again each time: a re-provisioned token is picked up without a restart',
    async () => {
      const token = await world.rotate();
      await writeFile(world.tokenFile, await world.mint()); // a token the exchange does not know
      const agent = world.spawn([
        ...world.refreshArgs('run'),
        '--interval',
        '50ms',
        '--jitter',
        '0s',
      ]);

      await agent.waitFor((_, stderr) => lines(stderr, /refused the token/).length >= 2, WAIT_MS);
      // As an operator's install would: a whole new file, never a half-written one the agent reads.
      await writeFile(`${world.tokenFile}.new`, token);
      await rename(`${world.tokenFile}.new`, world.tokenFile);
      await agent.waitFor((stdout) => lines(stdout, /^unchanged /).length >= 1, WAIT_MS);
      agent.child.kill('SIGINT');
      const { code, stdout, stderr } = await agent.exited;

      expect(code).toBe(ExitCode.Ok);
      expectNoSecrets(stdout + stderr);
      expect(stdout).toMatch(/^(unchanged [^\n]+\n)+$/);
      expect(lines(stderr, /./).every((line) => line.includes('refused the token'))).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    'stops at once on SIGTERM during its wait, with the default hour-long interval',
    async () => {
      const token = await world.rotate();
      await writeFile(world.tokenFile, token);
      const agent = world.spawn(world.refreshArgs('run'));

      await agent.waitFor((stdout) => stdout.includes('\n'), WAIT_MS);
      agent.child.kill('SIGTERM');
      const finished = await agent.exited;

      expect(finished).toMatchObject({ code: ExitCode.Ok, stderr: '' });
      expect(lines(finished.stdout, /./)).toEqual([expect.stringMatching(/^unchanged /)]);
    },
    TIMEOUT_MS,
  );

  it(
    'exits 2 at once on a bad --interval',
    async () => {
      const run = await world.run([...world.refreshArgs('run'), '--interval', '60']);
      expect(run).toMatchObject({
        code: ExitCode.Usage,
        stderr:
          'license-token-agent: --interval "60" is not a duration like 90s, 10m, 1h or 1h30m (see license-token-agent --help)\n',
      });
      expect(world.functionUrl.requests()).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
