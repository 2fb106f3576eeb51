import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * Stands in for KMS: a SecureString read without decryption returns an opaque ciphertext, as AWS
 * does, and never the plaintext (moto returns `kms:<key>:<plaintext>`).
 */
export class SandboxKms {
  readonly #key = randomBytes(32);

  /** Encrypts a value under the named key (the key name is bound in as associated data). */
  encrypt(keyId: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(keyId));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([1, 2, 2]), iv, cipher.getAuthTag(), body]).toString(
      'base64',
    );
  }
}
