import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventType } from '../../../src/rotation/events.js';
import { HOUR_MS } from '../../../src/time.js';
import type { SandboxClients } from '../../../tools/local/clients.js';
import {
  CONSUMER_ROLE_ARN,
  makeHostDirectory,
  provisionHost,
  refreshArgs,
  removeHostDirectory,
  runAgentHere,
  shellCommand,
  shellWord,
  startExchange,
} from '../../../tools/local/consumer.js';
import { Rejection } from '../../../tools/local/function-url.js';
import { seedToken } from '../../../tools/local/seed.js';
import type { Sandbox } from '../../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, TOKEN_PATH } from '../../helpers/factories.js';
import { clientsFor, startTestSandbox, TEST_REGION } from '../../helpers/sandbox.js';
import { wiredHandlers } from './wired.js';

const PARAMETER = `${TOKEN_PATH}acme/prod`;

describe('a printed command', () => {
  it('leaves plain words as they are and quotes the others', () => {
    expect(shellWord('/tmp/license-token-host-a1/license.jwt')).toBe(
      '/tmp/license-token-host-a1/license.jwt',
    );
    expect(shellWord('AWS_ENDPOINT_URL=http://127.0.0.1:4566')).toBe(
      'AWS_ENDPOINT_URL=http://127.0.0.1:4566',
    );
    expect(shellWord("it's here")).toBe(`'it'\\''s here'`);
    expect(shellWord('')).toBe("''");
  });

  it('reads back in sh as the same words, wrapped, each option with its value', async () => {
    const words = [
      'printf',
      '%s\\n',
      '--token-file',
      '/tmp/a dir/license.jwt',
      '--parameter',
      '/license-tokens/acme/prod',
      '--on-change',
      "systemctl reload 'acme'",
      '--verbose',
      '--exchange-url',
      'http://127.0.0.1:4567/',
    ];

    const text = shellCommand(words, '  ');
    // sh is the shell a user pastes into; it is on every machine the tests run on.
    const { stdout } = await promisify(execFile)('/bin/sh', ['-c', text]);

    expect(stdout).toBe(`${words.slice(2).join('\n')}\n`);
    const lines = text.split(' \\\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toMatch(/^printf '%s\\n' --token-file/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {6}--[a-z-]+( |$)/);
  });
});

describe('the demo host and the local exchange', () => {
  let sandbox: Sandbox;
  let clients: SandboxClients;
  let dir: string;

  beforeEach(async () => {
    sandbox = await startTestSandbox();
    clients = clientsFor(sandbox);
    dir = await makeHostDirectory();
  });
  afterEach(async () => {
    await sandbox.close();
    await removeHostDirectory(dir);
  });

  /** The exchange wired to the sandbox as `npm start` wires it, behind its function URL. */
  const exchange = async () =>
    startExchange(sandbox, (await wiredHandlers(sandbox)).exchange, { region: TEST_REGION });

  it("provisions a host with the parameter's current token, readable by its owner only", async () => {
    await seedToken(sandbox, clients, { name: PARAMETER, licenseArn: LICENSE_ARN, ageDays: 3 });

    const host = await provisionHost(clients.ssm, dir, PARAMETER);

    const stored = await clients.ssm.send(
      new GetParameterCommand({ Name: PARAMETER, WithDecryption: true }),
    );
    expect(host.parameterName).toBe(PARAMETER);
    expect(host.tokenFile.startsWith(dir)).toBe(true);
    expect(await readFile(host.tokenFile, 'utf8')).toBe(`${stored.Parameter?.Value}\n`);
    expect((await stat(host.tokenFile)).mode & 0o777).toBe(0o600);
  });

  it("refreshes with the agent's code, signing on the sandbox's clock however far it moved", async () => {
    const seeded = await seedToken(sandbox, clients, {
      name: PARAMETER,
      licenseArn: LICENSE_ARN,
      ageDays: 3,
    });
    const host = await provisionHost(clients.ssm, dir, PARAMETER);
    const url = await exchange();
    // Three days from this machine's clock: a signature dated by it would be refused.
    sandbox.clock.advance(72 * HOUR_MS);
    try {
      const run = await runAgentHere(refreshArgs(host, url), {
        endpoint: sandbox.endpoint,
        now: () => sandbox.clock.now(),
      });

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^unchanged \/tmp\/license-token-host-\w+\/license\.jwt: token [0-9a-f]{6}…, version 1, expires \S+Z\n$/,
      );
      expect(url.requests()).toEqual([{ status: 200 }]);
      const pickups = sandbox.events.put().filter((e) => e.detailType === EventType.PickedUp);
      expect(pickups.map((e) => e.detail)).toEqual([
        expect.objectContaining({
          parameterName: PARAMETER,
          tokenId: seeded.tokenId,
          // The exchange runs on the sandbox's clock too.
          pickedUpAt: sandbox.clock.now().toISOString(),
        }),
      ]);
    } finally {
      await url.close();
    }
  });

  it('lets the consumer role invoke the exchange and no other', async () => {
    await seedToken(sandbox, clients, {
      name: PARAMETER,
      licenseArn: LICENSE_ARN,
      ageDays: 3,
      roleArns: ['arn:aws:iam::123456789012:role/SomeoneElse'],
    });
    const host = await provisionHost(clients.ssm, dir, PARAMETER);
    const url = await exchange();
    try {
      const args = refreshArgs(host, url).map((word) =>
        word === CONSUMER_ROLE_ARN ? 'arn:aws:iam::123456789012:role/SomeoneElse' : word,
      );
      const run = await runAgentHere(args, {
        endpoint: sandbox.endpoint,
        now: () => sandbox.clock.now(),
      });

      expect(run.code).not.toBe(0);
      expect(url.requests()).toEqual([{ status: 403, rejection: Rejection.Role }]);
    } finally {
      await url.close();
    }
  });
});
