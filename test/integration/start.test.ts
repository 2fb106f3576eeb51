import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../tools/local/clients.js';
import { runStart, spawnStart, waitForLine, waitForText } from '../helpers/subprocess.js';

// Anything shaped like a JWT: every token the sandbox mints is one.
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;

describe('npm start', () => {
  it('runs the real handlers end to end against the sandbox and exits 0', async () => {
    const run = await runStart([]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Scanner (events/scheduled-event.json): 20 scanned, 11 ok, 7 due, 1 expired, 1 unmanaged, 8 jobs enqueued.',
    );
    expect(run.stdout.match(/rotated: v1 -> v2/g)).toHaveLength(7);
    expect(run.stdout).toContain('Dead-letter queue (2 message(s))');
    expect(run.stdout).toMatch(
      /\/license-tokens\/umbrella\/prod +PermanentFailure +ResourceNotFoundException/,
    );
    expect(run.stdout).toMatch(/InvalidJob +InvalidParameterName/);
    expect(run.stdout).toContain('18 of 19 stored tokens work');
    expect(run.stdout).toContain('Writes outside /license-tokens/: 0.');
    expect(run.stdout).not.toMatch(JWT);
  });

  it('shows a host picking up its new token, and only that old token revoked after the grace period', async () => {
    const run = await runStart([]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ {2}refreshed \/\S+\/license\.jwt: token [0-9a-f]{6}… → [0-9a-f]{6}…, version 2, expires \S+Z$/m,
    );
    expect(run.stdout).toMatch(
      /\(200, 200\).*Pickup recorded: Token Picked Up for token [0-9a-f]{8}\./,
    );
    expect(run.stdout).toContain('Previous tokens: 1 to revoke, 6 kept awaiting pickup.');
    expect(run.stdout).toMatch(
      /^ {2}\/license-tokens\/globex\/analytics +[0-9a-f]{8} +DELETED +revoked \(picked-up\)/m,
    );
    expect(run.stdout.match(/ AVAILABLE +kept: awaiting pickup/g)).toHaveLength(6);
    expect(run.stdout).not.toMatch(JWT);
    // The host's directory held a token: it is gone once the demo ends.
    const tokenFile = /in (\/\S+\/license\.jwt)\./.exec(run.stdout)?.[1] ?? '';
    await expect(stat(dirname(tokenFile))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the sandbox up with --serve for the SDK and the admin API, until SIGTERM', async () => {
    const child = spawnStart(['--serve', '--port', '0']);
    try {
      const line = await waitForLine(child, /^Sandbox listening at/);
      const endpoint = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? '';
      const ssm = new SSMClient({
        endpoint,
        region: 'us-east-1',
        credentials: SANDBOX_CREDENTIALS,
      });
      const page = await ssm.send(
        new DescribeParametersCommand({
          MaxResults: 50,
          ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/license-tokens'] }],
        }),
      );
      expect(page.Parameters).toHaveLength(20);

      const clock = await fetch(`${endpoint}/_sandbox/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceDays: 30 }),
      });
      const { offsetMs } = (await clock.json()) as { offsetMs: number };
      expect(Math.round(offsetMs / 86_400_000)).toBe(30);
      const state = await (await fetch(`${endpoint}/_sandbox/state`)).text();
      expect(state).toContain('license-token-rotator-local-jobs.fifo');
      expect(state).not.toMatch(JWT);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  // Startup (tsx, seeding, building the agent) takes 1.5 to 3 s, an agent run 0.2 to 1.5 s, both
  // up to twice that with the cores busy: 30 s bounds a hung banner, 60 s the whole test.
  it('serves the exchange with --serve: the printed agent command refreshes the demo host through it', async () => {
    const child = spawnStart(['--serve', '--port', '0']);
    let tokenFile = '';
    try {
      const banner = await waitForText(child, /^Ctrl-C stops it\.$/, 30_000);
      const endpoint = /^Sandbox listening at (\S+) /m.exec(banner)?.[1] ?? '';
      const exchangeUrl = /^ {2}URL +(\S+)$/m.exec(banner)?.[1] ?? '';
      tokenFile = /token in (\S+) \(mode 0600\)/.exec(banner)?.[1] ?? '';
      const command = /^ {2}(AWS_ENDPOINT_URL=(?:.* \\\n)*.*[^\\])$/m.exec(banner)?.[1] ?? '';
      expect(command).toContain(`--exchange-url ${exchangeUrl}`);
      expect(banner).toContain('role  arn:aws:iam::123456789012:role/LicenseConsumer');
      expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);

      // Function URL auth comes first: an unsigned call gets AWS's 403, not the exchange's.
      const unsigned = await fetch(exchangeUrl, { method: 'POST', body: '{}' });
      expect(unsigned.status).toBe(403);
      expect(await unsigned.json()).toEqual({ Message: 'Forbidden' });
      // The agent signs with this machine's clock: moving the sandbox's must not lock it out.
      await fetch(`${endpoint}/_sandbox/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceDays: 2 }),
      });
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
      );
      const agent = await promisify(execFile)('/bin/sh', ['-c', command], {
        env,
        timeout: 20_000,
      });

      expect(agent.stderr).toBe('');
      expect(agent.stdout).toMatch(
        /^unchanged \/\S+\/license\.jwt: token [0-9a-f]{6}…, version 1, expires \S+Z\n$/,
      );
      expect(agent.stdout).not.toMatch(JWT);
      const state = await (await fetch(`${endpoint}/_sandbox/state`)).text();
      expect(state).toContain('Token Picked Up');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    await expect(stat(dirname(tokenFile))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it("injects the faults it is given into the handlers' run", async () => {
    const run = await runStart(['--latency', 'license-manager:CreateToken=1', '--seed', '5']);
    expect(run.code).toBe(0);
    // One CreateToken per rotation and one for the license that has gone.
    expect(run.stdout).toContain('Faults injected while they ran: 8 latency.');
  });

  it('explains itself with --help', async () => {
    const run = await runStart(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: npm start [-- options]');
    expect(run.stdout).toContain('--serve');
    expect(run.stdout).toContain('token exchange behind a local function URL');
  });

  it('refuses an unknown option with one line and exit code 2', async () => {
    const run = await runStart(['--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(2);
    expect(run.stderr).toContain("Unknown option '--frobnicate'");
  });
});
