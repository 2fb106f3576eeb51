import { writeSync } from 'node:fs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateTokenCommand, GetAccessTokenCommand } from '@aws-sdk/client-license-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SandboxClock } from '../../tools/sandbox/clock.js';
import { SANDBOX_CREDENTIALS } from '../../tools/sandbox/credentials.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { LICENSE_ARN } from './factories.js';
import { type MotoServer, motoExecutable, startMoto } from './moto.js';
import { clientsFor, startTestSandbox, TEST_REGION } from './sandbox.js';
import { fakeJwt } from './secrets.js';

/** Where a conformance case runs, and real SDK clients for it. */
export interface Target {
  readonly name: 'sandbox' | 'moto';
  readonly endpoint: string;
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly sts: STSClient;
  /** A web identity token the target's STS accepts for a role (moto accepts any). */
  webIdentityToken(roleArn: string): Promise<string>;
}

const clients = (
  name: Target['name'],
  endpoint: string,
  webIdentityToken: Target['webIdentityToken'],
): Target => {
  const config = {
    endpoint,
    region: TEST_REGION,
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: 1,
  };
  return {
    name,
    endpoint,
    ssm: new SSMClient(config),
    sqs: new SQSClient(config),
    events: new EventBridgeClient(config),
    // Unsigned calls (AssumeRoleWithWebIdentity) need none; the others would sign as the rest.
    sts: new STSClient(config),
    webIdentityToken,
  };
};

/** The sandbox accepts only access tokens its License Manager issued, for the roles they name. */
async function sandboxToken(sandbox: Sandbox, roleArn: string): Promise<string> {
  const { licenseManager } = clientsFor(sandbox);
  const { Token } = await licenseManager.send(
    new CreateTokenCommand({
      LicenseArn: LICENSE_ARN,
      RoleArns: [roleArn],
      ClientToken: `conformance-${sandbox.random.hex(8)}`,
    }),
  );
  const { AccessToken } = await licenseManager.send(new GetAccessTokenCommand({ Token }));
  return AccessToken ?? '';
}

/**
 * Declares the same cases against the sandbox and against moto_server. moto runs when
 * `moto_server` is on PATH; otherwise its suite is skipped, visibly, unless REQUIRE_MOTO=1, which
 * turns its absence into a failure (CI).
 */
export function againstSandboxAndMoto(suite: string, cases: (target: () => Target) => void): void {
  describe(`${suite}, against the sandbox`, () => {
    let target: Target | undefined;
    let close = async (): Promise<void> => undefined;
    beforeAll(async () => {
      // Real time, like moto: the cases wait out short visibility timeouts.
      const sandbox = await startTestSandbox({ clock: new SandboxClock() });
      target = clients('sandbox', sandbox.endpoint, (role) => sandboxToken(sandbox, role));
      close = () => sandbox.close();
    });
    afterAll(() => close());
    cases(() => {
      if (target === undefined) throw new Error('the sandbox did not start');
      return target;
    });
  });

  const executable = motoExecutable();
  if (executable === undefined) {
    if (process.env.REQUIRE_MOTO === '1') {
      describe(`${suite}, against moto_server`, () => {
        it('needs moto_server on PATH (REQUIRE_MOTO=1)', () => {
          throw new Error('moto_server is not on PATH, and REQUIRE_MOTO=1 requires it');
        });
      });
    } else {
      // Straight to the terminal: the test setup captures what goes through process.stderr.
      writeSync(
        2,
        `\n${suite} conformance: moto_server is not on PATH, so only the sandbox half runs (REQUIRE_MOTO=1 makes this a failure).\n`,
      );
      describe.skip(`${suite}, against moto_server: SKIPPED, moto_server is not on PATH`, () => {
        cases(() => {
          throw new Error('skipped');
        });
      });
    }
    return;
  }
  describe(`${suite}, against moto_server`, () => {
    let moto: MotoServer | undefined;
    let target: Target | undefined;
    beforeAll(async () => {
      moto = await startMoto(executable);
      target = clients('moto', moto.endpoint, async () => fakeJwt({ token_use: 'access' }));
    }, 40_000);
    afterAll(async () => {
      await moto?.stop();
    });
    cases(() => {
      if (target === undefined) throw new Error('moto_server did not start');
      return target;
    });
  });
}
