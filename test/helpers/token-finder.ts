import { inspect } from 'node:util';

const BASE64URL = /[A-Za-z0-9_-]/;

// The end of the run of base64url characters that starts at `from`.
function runEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && BASE64URL.test(text.charAt(end))) end++;
  return end;
}

/**
 * Finds whole JWTs from a known set in any text, in one pass over the text, however many tokens
 * are known. A JWT is `header.payload.signature`; every occurrence of one starts at an `eyJ` whose
 * base64url run is exactly its header, followed by exactly its payload, so those two segments
 * name the only candidate. A chaos run mints thousands of tokens and prints thousands of lines:
 * testing each line against each token would cost minutes.
 */
export class TokenFinder {
  readonly #byHead = new Map<string, string[]>();
  #size = 0;

  /** How many tokens are known. */
  get size(): number {
    return this.#size;
  }

  /** Registers a token (a JWT) to look for. */
  add(token: string): void {
    const parts = token.split('.');
    if (parts.length !== 3 || !token.startsWith('eyJ')) {
      throw new Error('TokenFinder only indexes JWTs (header.payload.signature)');
    }
    const head = `${parts[0]}.${parts[1]}`;
    const known = this.#byHead.get(head) ?? [];
    if (known.includes(token)) return;
    known.push(token);
    this.#byHead.set(head, known);
    this.#size++;
  }

  /** The known tokens that occur in the text, each once. */
  find(text: string): string[] {
    const found = new Set<string>();
    for (let at = text.indexOf('eyJ'); at !== -1; at = text.indexOf('eyJ', at + 1)) {
      const headerEnd = runEnd(text, at);
      if (text.charAt(headerEnd) !== '.') continue;
      const payloadEnd = runEnd(text, headerEnd + 1);
      for (const token of this.#byHead.get(text.slice(at, payloadEnd)) ?? []) {
        if (text.startsWith(token, at)) found.add(token);
      }
    }
    return [...found];
  }

  /** The known tokens in any form of a value a test caught: its text, JSON, inspect and stack. */
  findIn(value: unknown): string[] {
    const forms = [String(value), inspect(value, { depth: 8 })];
    try {
      forms.push(JSON.stringify(value) ?? '');
    } catch {
      // Circular: inspect has it.
    }
    if (value instanceof Error && value.stack !== undefined) forms.push(value.stack);
    return this.find(forms.join('\n'));
  }
}
