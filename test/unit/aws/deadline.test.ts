import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { deadlinePlugin, withDeadline } from '../../../src/aws/deadline.js';
import { TransientError } from '../../../src/errors.js';

/** An SSM client whose calls stop before the network: they hang, or answer at once. */
function clientThat(answer: 'hangs' | 'answers'): SSMClient {
  const client = new SSMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  client.middlewareStack.add(
    () => () =>
      answer === 'hangs'
        ? new Promise<never>(() => undefined)
        : Promise.resolve({ output: { $metadata: {} }, response: {} }),
    { step: 'build', name: 'fakeNetwork' },
  );
  client.middlewareStack.use(deadlinePlugin());
  return client;
}

const call = (client: SSMClient) => client.send(new GetParameterCommand({ Name: '/x' }));

describe('deadlinePlugin', () => {
  it("stops a hanging call when its job's deadline passes, as a transient error", async () => {
    const deadline = new AbortController();
    const pending = withDeadline(deadline.signal, () => call(clientThat('hangs')));
    deadline.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'DeadlineExceeded' });
  });

  it('starts no call once the deadline has passed', async () => {
    const deadline = new AbortController();
    deadline.abort();
    await expect(
      withDeadline(deadline.signal, () => call(clientThat('answers'))),
    ).rejects.toMatchObject({ code: 'DeadlineExceeded' });
  });

  it('leaves calls alone outside a deadline, and within one that has not passed', async () => {
    await expect(call(clientThat('answers'))).resolves.toMatchObject({ $metadata: {} });
    const deadline = new AbortController();
    await expect(
      withDeadline(deadline.signal, () => call(clientThat('answers'))),
    ).resolves.toMatchObject({ $metadata: {} });
  });
});
