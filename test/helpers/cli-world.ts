import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeEach } from 'vitest';
import type { SandboxClients } from '../../tools/local/clients.js';
import { createRotatorQueues, type RotatorQueues } from '../../tools/local/queues.js';
import { type SeededToken, seedToken, type TokenSeed } from '../../tools/local/seed.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, TOKEN_PATH } from './factories.js';
import { clientsFor, startTestSandbox } from './sandbox.js';

/** A sandbox with the jobs queues, shared by one CLI test file and emptied before each test. */
export interface CliWorld {
  readonly sandbox: Sandbox;
  readonly clients: SandboxClients;
  readonly queues: RotatorQueues;
  /** Seeds a managed token `name` (relative to the token path), `ageDays` old. */
  seed(name: string, seed?: Partial<TokenSeed>): Promise<SeededToken>;
  /** Writes a SecureString under the token path whose Description is not a record. */
  unmanaged(name: string, description: string): Promise<void>;
}

/** Starts one sandbox for the file; each test starts from a fresh one. */
export function cliWorld(): CliWorld {
  let sandbox: Sandbox | undefined;
  let clients: SandboxClients | undefined;
  let queues: RotatorQueues | undefined;
  const fresh = async () => {
    await sandbox?.close();
    sandbox = await startTestSandbox();
    clients = clientsFor(sandbox);
    queues = await createRotatorQueues(clients.sqs, { prefix: 'cli-test' });
  };
  beforeEach(fresh);
  afterAll(async () => {
    await sandbox?.close();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the CLI world is not started');
    return value;
  };
  return {
    get sandbox() {
      return need(sandbox);
    },
    get clients() {
      return need(clients);
    },
    get queues() {
      return need(queues);
    },
    unmanaged: async (name, description) => {
      await need(clients).ssm.send(
        new PutParameterCommand({
          Name: `${TOKEN_PATH}${name}`,
          Type: 'SecureString',
          Value: 'x',
          Description: description,
        }),
      );
    },
    seed: (name, seed = {}) =>
      seedToken(need(sandbox), need(clients), {
        name: `${TOKEN_PATH}${name}`,
        licenseArn: LICENSE_ARN,
        ageDays: 10,
        ...seed,
      }),
  };
}
