import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DeleteTokenCommand } from '@aws-sdk/client-license-manager';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/agent/errors.js';
import {
  AGENT_NODE,
  AGENT_PARAMETER,
  type AgentWorld,
  agentEnv,
  useAgentWorld,
} from '../helpers/agent.js';
import { ROLE_ARN } from '../helpers/factories.js';
import { clientsFor, TEST_REGION } from '../helpers/sandbox.js';

// Each test spawns the built agent once: 0.2 to 0.5 s on an idle 2-core machine, about 1.5 s with
// both cores busy. 30 s is over ten times that.
const TIMEOUT_MS = 30_000;

let world: AgentWorld;
useAgentWorld((started) => {
  world = started;
});

/** The secrets STS issued: what `credentials` may print, on stdout only. */
const issuedSecrets = (): string[] =>
  world.sandbox.sts.issued().flatMap((c) => [c.secretAccessKey, c.sessionToken]);

/** A single-quoted word for /bin/sh. */
const shellWord = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

describe('license-token-agent credentials', () => {
  it(
    'prints the role credentials STS issued for the token, as credential_process wants them',
    async () => {
      const token = await world.mint();
      await writeFile(world.tokenFile, token, { mode: 0o600 });

      const run = await world.run(['credentials', ...world.sourceArgs()], {
        allowed: issuedSecrets,
      });

      expect(run).toMatchObject({ code: ExitCode.Ok, stderr: '' });
      expect(run.stdout.endsWith('}\n')).toBe(true);
      const printed = JSON.parse(run.stdout);
      const issued = world.sandbox.sts.credentials(printed.AccessKeyId);
      expect(printed).toEqual({
        Version: 1,
        AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/),
        SecretAccessKey: issued?.secretAccessKey,
        SessionToken: issued?.sessionToken,
        Expiration: issued?.expiresAt.toISOString().replace('.000Z', 'Z'),
      });
      expect(issued?.roleArn).toBe(ROLE_ARN);
    },
    TIMEOUT_MS,
  );

  it(
    'serves the AWS SDK as its credential_process, and the credentials pass the function URL',
    async () => {
      const token = await world.rotate();
      await writeFile(world.tokenFile, token, { mode: 0o600 });
      const environment = Object.entries(agentEnv(world.sandbox))
        .filter(([name]) => name.startsWith('AWS_'))
        .map(([name, value]) => `${name}=${shellWord(value)}`);
      const command = [
        ...environment,
        shellWord(AGENT_NODE),
        shellWord(world.agentFile ?? ''),
        'credentials',
        ...world.sourceArgs().map(shellWord),
      ].join(' ');
      const config = join(world.dir, 'config');
      await writeFile(config, `[profile licensed]\ncredential_process = ${command}\n`);

      const credentials = await fromProcess({
        profile: 'licensed',
        configFilepath: config,
        filepath: join(world.dir, 'no-credentials-file'),
      })();
      const signer = new SignatureV4({
        credentials,
        region: TEST_REGION,
        service: 'lambda',
        sha256: Sha256,
      });
      const url = new URL(world.functionUrl.url);
      const body = JSON.stringify({ parameterName: AGENT_PARAMETER, token });
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
      const answer = await fetch(url, { method: 'POST', headers: signed.headers, body });

      expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now());
      expect(answer.status).toBe(200);
      expect(world.exchange.calls()).toMatchObject([{ presented: 'current', status: 200 }]);
    },
    TIMEOUT_MS,
  );

  it(
    'exits 3 and prints nothing on stdout when License Manager refuses the token',
    async () => {
      const token = await world.mint();
      await writeFile(world.tokenFile, token, { mode: 0o600 });
      const minted = world.sandbox.licenseManager.tokens().find((t) => t.token === token);
      await clientsFor(world.sandbox).licenseManager.send(
        new DeleteTokenCommand({ TokenId: minted?.tokenId }),
      );

      const run = await world.run(['credentials', ...world.sourceArgs()]);

      expect(run).toMatchObject({ code: ExitCode.Refused, stdout: '' });
      expect(run.stderr).toMatch(
        /^license-token-agent: License Manager refused the token: .*\(on the vendor side: license-token-rotator show NAME --reveal\)/,
      );
      expect(world.sandbox.sts.issued()).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
