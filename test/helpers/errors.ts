/** Runs `action` and returns what it threw, checked to be an instance of `type`. */
export function thrownBy<E extends Error>(
  type: abstract new (...args: never[]) => E,
  action: () => unknown,
): E {
  try {
    action();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

/** An exception shaped as the AWS SDK throws it: a code, a fault side and an HTTP status. */
export const awsError = (name: string, status: number, message = name): Error =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
