/**
 * The credentials every client of the sandbox signs with. They are dummies: the sandbox reads the
 * region from the signature and never checks the key.
 */
export const SANDBOX_CREDENTIALS = {
  accessKeyId: 'AKIALOCALSANDBOX',
  secretAccessKey: 'local-sandbox-secret',
} as const;
