import type { Handlers } from '../../../tools/local/handlers.js';
import { wireHandlers } from '../../../tools/local/handlers.js';
import { createRotatorQueues } from '../../../tools/local/queues.js';
import type { Sandbox } from '../../../tools/sandbox/sandbox.js';
import { TOKEN_PATH } from '../../helpers/factories.js';
import { clientsFor, TEST_REGION } from '../../helpers/sandbox.js';

/** The functions wired to a test sandbox as `npm start` wires them: its queues, its clock. */
export async function wiredHandlers(sandbox: Sandbox): Promise<Handlers> {
  const queues = await createRotatorQueues(clientsFor(sandbox).sqs);
  return wireHandlers(
    {
      endpoint: sandbox.endpoint,
      region: TEST_REGION,
      queues,
      tokenPath: TOKEN_PATH,
      verbose: false,
    },
    () => sandbox.clock.now(),
  );
}
