import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteTokenCommand } from '@aws-sdk/client-license-manager';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/agent/errors.js';
import { Rejection } from '../../tools/local/function-url.js';
import { AGENT_PARAMETER, type AgentWorld, useAgentWorld } from '../helpers/agent.js';
import { clientsFor } from '../helpers/sandbox.js';

// Each test spawns the built agent once or twice: 0.2 to 0.6 s on an idle 2-core machine, about
// 1.5 s with both cores busy. 30 s is over ten times that; the build in beforeAll takes 0.3 to 2 s.
const TIMEOUT_MS = 30_000;

let world: AgentWorld;
const worlds = useAgentWorld((started) => {
  world = started;
});

const FINGERPRINT = '[0-9a-f]{6}…';
const EXPIRY = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';

describe('license-token-agent refresh', () => {
  it(
    'writes a newer token atomically, confirms the pickup, runs --on-change and prints one line',
    async () => {
      const { current } = await world.rotatedOnce();
      const before = await stat(world.tokenFile);
      const marker = join(world.dir, 'on-change');
      const run = await world.run([
        ...world.refreshArgs(),
        '--on-change',
        `printf '%s' "$LICENSE_TOKEN_FILE" >> ${marker}`,
      ]);

      expect(run).toMatchObject({ code: ExitCode.Ok, stderr: '' });
      expect(run.stdout).toMatch(
        new RegExp(
          `^refreshed ${world.tokenFile}: token ${FINGERPRINT} → ${FINGERPRINT}, version 2, expires ${EXPIRY}\\n$`,
        ),
      );
      expect(await readFile(world.tokenFile, 'utf8')).toBe(`${current}\n`);
      const after = await stat(world.tokenFile);
      expect(after.mode & 0o777).toBe(0o600);
      expect(after.ino, 'a new file renamed over the old one').not.toBe(before.ino);
      expect(await readdir(world.dir)).toEqual(['license.jwt', 'on-change']);
      expect(await readFile(marker, 'utf8')).toBe(world.tokenFile);
      expect(world.exchange.calls().map((c) => [c.presented, c.status])).toEqual([
        ['previous', 200],
        ['current', 200],
      ]);
      const minted = world.sandbox.licenseManager.tokens().find((t) => t.token === current);
      expect(world.exchange.pickups()).toEqual([minted?.tokenId]);
    },
    TIMEOUT_MS,
  );

  it(
    'leaves the file alone and skips --on-change when the host already has the current token',
    async () => {
      const token = await world.rotate();
      await writeFile(world.tokenFile, token, { mode: 0o640 });
      const before = await stat(world.tokenFile);
      const marker = join(world.dir, 'on-change');

      const run = await world.run([...world.refreshArgs(), '--on-change', `touch ${marker}`]);

      expect(run).toMatchObject({ code: ExitCode.Ok, stderr: '' });
      expect(run.stdout).toMatch(
        new RegExp(
          `^unchanged ${world.tokenFile}: token ${FINGERPRINT}, version 1, expires ${EXPIRY}\\n$`,
        ),
      );
      const after = await stat(world.tokenFile);
      expect([after.ino, after.mtimeMs, after.mode & 0o777]).toEqual([
        before.ino,
        before.mtimeMs,
        0o640,
      ]);
      expect(existsSync(marker)).toBe(false);
      expect(world.exchange.calls().map((c) => c.presented)).toEqual(['current']);
    },
    TIMEOUT_MS,
  );

  it(
    'exits 3 with re-provisioning advice, file untouched, when the exchange refuses the token',
    async () => {
      const { old } = await world.rotatedOnce();
      await world.rotate(); // a second rotation: version 1 is no longer accepted
      const marker = join(world.dir, 'on-change');

      const run = await world.run([...world.refreshArgs(), '--on-change', `touch ${marker}`]);

      expect(run.code).toBe(ExitCode.Refused);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `license-token-agent: the exchange refused the token for ${AGENT_PARAMETER}; the token in ${world.tokenFile} is revoked, expired or not this parameter's: ask the vendor for a new token (on the vendor side: license-token-rotator show ${AGENT_PARAMETER} --reveal) and write it to ${world.tokenFile}\n`,
      );
      expect(await readFile(world.tokenFile, 'utf8')).toBe(`${old}\n`);
      expect(existsSync(marker)).toBe(false);
      expect(world.exchange.calls().map((c) => [c.presented, c.status])).toEqual([['other', 403]]);
    },
    TIMEOUT_MS,
  );

  it(
    'exits 3 before calling the exchange when License Manager refuses the token (revoked)',
    async () => {
      const { old } = await world.rotatedOnce();
      const minted = world.sandbox.licenseManager.tokens().find((t) => t.token === old);
      await clientsFor(world.sandbox).licenseManager.send(
        new DeleteTokenCommand({ TokenId: minted?.tokenId }),
      );

      const run = await world.run(world.refreshArgs());

      expect(run.code).toBe(ExitCode.Refused);
      expect(run.stderr).toMatch(
        /^license-token-agent: License Manager refused the token: GetAccessToken failed \(AuthorizationException\): The token has been deleted\.; the token in .* is revoked/,
      );
      expect(await readFile(world.tokenFile, 'utf8')).toBe(`${old}\n`);
      expect(world.functionUrl.requests()).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'exits 1, file untouched, when the exchange answers 5xx or cannot be reached',
    async () => {
      const { old } = await world.rotatedOnce();
      world.handler = async () => ({ statusCode: 503, body: '{"message":"Service Unavailable"}' });
      const failing = await world.run(world.refreshArgs());
      expect(failing).toMatchObject({ code: ExitCode.Transient, stdout: '' });
      expect(failing.stderr).toBe('license-token-agent: the exchange answered HTTP 503\n');

      await world.functionUrl.close(); // its port is now refused
      const unreachable = await world.run(world.refreshArgs());
      expect(unreachable).toMatchObject({ code: ExitCode.Transient, stdout: '' });
      expect(unreachable.stderr).toMatch(
        /^license-token-agent: the exchange call failed \(ECONNREFUSED\) at 127\.0\.0\.1:\d+\n$/,
      );
      expect(await readFile(world.tokenFile, 'utf8')).toBe(`${old}\n`);
    },
    TIMEOUT_MS,
  );

  it(
    'exits 4, no temp file left, when the new token cannot be written',
    async () => {
      await world.rotatedOnce();
      const standIn = world.exchange.handler;
      world.handler = async (event, context) => {
        // Between the agent's read and its write, the file becomes a directory no file can replace.
        await rm(world.tokenFile);
        await mkdir(world.tokenFile);
        await writeFile(join(world.tokenFile, 'keep'), 'x');
        world.handler = standIn;
        return standIn(event, context);
      };

      const run = await world.run(world.refreshArgs());

      expect(run).toMatchObject({ code: ExitCode.WriteFailed, stdout: '' });
      expect(run.stderr).toMatch(
        new RegExp(
          `^license-token-agent: could not write the new token to ${world.tokenFile} \\((EISDIR|ENOTEMPTY|EEXIST)\\)\\n$`,
        ),
      );
      expect(await readdir(world.dir)).toEqual(['license.jwt']);
      expect(world.exchange.calls()).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  it(
    'exits 1 when License Manager throttles, and 2 when the token file cannot be read',
    async () => {
      await world.rotatedOnce();
      world.sandbox.faults.add({
        failNext: [
          {
            operation: 'license-manager:GetAccessToken',
            count: 1,
            error: 'RateLimitExceededException',
          },
        ],
      });
      const throttled = await world.run(world.refreshArgs());
      expect(throttled.code).toBe(ExitCode.Transient);
      expect(throttled.stderr).toMatch(/GetAccessToken failed \(RateLimitExceededException\)/);

      const missing = join(world.dir, 'missing.jwt');
      const unreadable = await world.run(
        world.refreshArgs().map((arg) => (arg === world.tokenFile ? missing : arg)),
      );
      expect(unreadable).toMatchObject({
        code: ExitCode.Usage,
        stdout: '',
        stderr: `license-token-agent: cannot read the token file ${missing} (ENOENT)\n`,
      });
    },
    TIMEOUT_MS,
  );
});

describe('license-token-agent and the function URL', () => {
  it(
    'exits 2, the exchange never called, when the role may not invoke the function URL',
    async () => {
      await worlds.restart({ allowedRoles: ['arn:aws:iam::123456789012:role/SomeoneElse'] });
      const { old } = await world.rotatedOnce();

      const run = await world.run(world.refreshArgs());

      expect(run.code).toBe(ExitCode.Usage);
      expect(run.stderr).toBe(
        'license-token-agent: the function URL refused the signed request (403 {"Message":"Forbidden"}): check --exchange-url, that --role-arn may invoke it, and this host\'s clock\n',
      );
      expect(world.functionUrl.requests()).toEqual([{ status: 403, rejection: Rejection.Role }]);
      expect(world.functionUrl.invocations()).toEqual([]);
      expect(world.exchange.calls()).toEqual([]);
      expect(await readFile(world.tokenFile, 'utf8')).toBe(`${old}\n`);
    },
    TIMEOUT_MS,
  );

  it(
    'signs as the role session STS issued for the token, as the exchange sees it',
    async () => {
      await world.rotatedOnce();

      await world.run(world.refreshArgs());

      const [first] = world.functionUrl.invocations();
      expect(first?.requestContext.authorizer.iam).toEqual({
        accessKey: expect.stringMatching(/^ASIA/),
        accountId: '123456789012',
        callerId: expect.stringMatching(/^AROA[A-Z2-7]{17}:license-token-agent-/),
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: expect.stringMatching(
          /^arn:aws:sts::123456789012:assumed-role\/LicenseConsumer\/license-token-agent-/,
        ),
        userId: first?.requestContext.authorizer.iam.callerId,
      });
      expect(first).toMatchObject({
        rawPath: '/',
        isBase64Encoded: false,
        headers: { 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST' } },
      });
      expect(Object.keys(JSON.parse(first?.body ?? '{}'))).toEqual(['parameterName', 'token']);
    },
    TIMEOUT_MS,
  );
});

describe('the built license-token-agent file', () => {
  it('is an executable script that imports nothing but node: modules', async () => {
    const text = await readFile(world.agentFile ?? '', 'utf8');
    const specifiers = [
      ...text.matchAll(/^\s*import\s[^'"]*?['"]([^'"]+)['"]/gm),
      ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
      ...text.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map(([, specifier]) => specifier);

    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(world.agentFile ?? '')).mode & 0o111).toBe(0o111);
    expect(specifiers).toContain('node:crypto');
    expect(specifiers.filter((s) => !s?.startsWith('node:'))).toEqual([]);
  });

  it(
    'answers --help with the commands and exit codes, and a usage error with exit 2',
    async () => {
      const help = await world.run(['--help']);
      expect(help).toMatchObject({ code: ExitCode.Ok, stderr: '' });
      expect(help.stdout).toMatch(/^Usage: license-token-agent <command> \[options\]\n/);
      for (const line of [
        /^ {2}refresh /m,
        /^ {2}run /m,
        /^ {2}credentials /m,
        /^ {2}4 {2}the new/m,
      ]) {
        expect(help.stdout).toMatch(line);
      }

      const refreshHelp = await world.run(['refresh', '--help']);
      expect(refreshHelp.code).toBe(ExitCode.Ok);
      expect(refreshHelp.stdout).toMatch(/^Usage: license-token-agent refresh --token-file PATH/);

      const wrong = await world.run([...world.refreshArgs(), '--verbose']);
      expect(wrong).toMatchObject({
        code: ExitCode.Usage,
        stdout: '',
        stderr:
          'license-token-agent: refresh has no option --verbose (see license-token-agent --help)\n',
      });
    },
    TIMEOUT_MS,
  );
});
