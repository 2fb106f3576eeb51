/** An SDK exception, as far as the tests look at it. */
export interface SdkError extends Error {
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly [member: string]: unknown;
}

/** Awaits a call that must fail and returns what it threw. */
export async function thrown(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Error) return error as SdkError;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
