import type {
  ParameterStore,
  ParameterSummary,
  Pickups,
  StoredToken,
  TokenVault,
  TokenWrite,
} from '../../src/rotation/ports.js';
import { type RotationRecord, serialiseRecord } from '../../src/rotation/record.js';
import type { Pickup } from '../../src/rotation/revocation-policy.js';
import { Secret } from '../../src/rotation/secret.js';
import { NOW } from './factories.js';

/** The ARN SSM gives a parameter of this name in the tests' account and region. */
export const parameterArn = (name: string, region = 'us-east-1'): string =>
  `arn:aws:ssm:${region}:123456789012:parameter${name}`;

type Version = { version: number; description: string | undefined; token: string };

/** The parameter ports in memory (metadata, pickups, values), for the pure rotation tests. */
export class MemoryStore implements ParameterStore, Pickups, TokenVault {
  readonly writes: TokenWrite[] = [];
  /** The pickup tag of each parameter. */
  readonly pickups = new Map<string, Pickup>();
  /** Make PutParameter fail with this error. */
  putError: Error | undefined;
  readonly #parameters = new Map<string, Version>();
  readonly #history = new Map<string, Version[]>();

  /** Stores a parameter at a version, with a record or a raw description. */
  set(name: string, version: number, record: RotationRecord | string, token = 'registered'): void {
    const description = typeof record === 'string' ? record : serialiseRecord(record);
    this.#keep(name, { version, description, token });
  }

  #keep(name: string, stored: Version): void {
    this.#parameters.set(name, stored);
    this.#history.set(name, [...(this.#history.get(name) ?? []), stored]);
  }

  /** The stored token value of a parameter (what a consumer would read). */
  token(name: string): string | undefined {
    return this.#parameters.get(name)?.token;
  }

  async *pages(path: string): AsyncIterable<ParameterSummary[]> {
    yield [...this.#parameters.keys()]
      .filter((name) => name.startsWith(path))
      .flatMap((name) => this.#summary(name) ?? []);
  }

  async describe(name: string): Promise<ParameterSummary | undefined> {
    return this.#summary(name);
  }

  async putToken(write: TokenWrite): Promise<number> {
    if (this.putError !== undefined) throw this.putError;
    this.writes.push(write);
    const version = (this.#parameters.get(write.name)?.version ?? 0) + 1;
    this.#keep(write.name, {
      version,
      description: write.description,
      token: write.token.reveal(),
    });
    return version;
  }

  async current(name: string): Promise<Omit<StoredToken, 'description'> | undefined> {
    const found = this.#parameters.get(name);
    return found && { version: found.version, token: new Secret(found.token) };
  }

  async *history(name: string): AsyncIterable<StoredToken[]> {
    yield (this.#history.get(name) ?? []).map((stored) => ({
      version: stored.version,
      description: stored.description,
      token: new Secret(stored.token),
    }));
  }

  async pickup(name: string): Promise<Pickup | undefined> {
    return this.pickups.get(name);
  }

  async recordPickup(name: string, pickup: Pickup): Promise<void> {
    this.pickups.set(name, pickup);
  }

  #summary(name: string): ParameterSummary | undefined {
    const found = this.#parameters.get(name);
    return (
      found && {
        name,
        arn: parameterArn(name),
        version: found.version,
        description: found.description,
        lastModified: NOW,
      }
    );
  }
}
