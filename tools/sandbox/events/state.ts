import type { SandboxClock } from '../clock.js';
import type { SeededRandom } from '../random.js';

/** One event a PutEvents call accepted, as a test (or the admin state) reads it back. */
export interface PutEvent {
  readonly id: string;
  /** The entry's Time, or when it was put. */
  readonly time: Date;
  readonly region: string;
  readonly account: string;
  /** The bus's name (an ARN in the request is read back to its name). */
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  /** The Detail, parsed. */
  readonly detail: Readonly<Record<string, unknown>>;
  readonly resources: readonly string[];
}

/** The bus every account has. */
export const DEFAULT_BUS = 'default';

/** An event bus name, as EventBridge's CreateEventBus allows it. */
export const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;

/** What EventBridge's operations share: the buses the sandbox knows, and every event put. */
export class EventsState {
  readonly clock: SandboxClock;
  readonly random: SeededRandom;
  readonly #buses = new Set<string>([DEFAULT_BUS]);
  readonly #events: PutEvent[] = [];

  /** @param buses buses besides `default` (a bus PutEvents names that is not here fails its entries) */
  constructor(clock: SandboxClock, random: SeededRandom, buses: readonly string[] = []) {
    this.clock = clock;
    this.random = random;
    for (const bus of buses) this.addBus(bus);
  }

  /** Adds a bus (in every region); throws RangeError for a name EventBridge would refuse. */
  addBus(name: string): void {
    if (!BUS_NAME.test(name)) {
      throw new RangeError(
        `an event bus name is 1 to 256 letters, digits and . - _ /, got ${JSON.stringify(name)}`,
      );
    }
    this.#buses.add(name);
  }

  /** The buses, `default` first. */
  buses(): readonly string[] {
    return [...this.#buses];
  }

  /** Whether a bus exists. */
  hasBus(name: string): boolean {
    return this.#buses.has(name);
  }

  /** Every event put, oldest first; only one bus's when `bus` is given. */
  put(bus?: string): readonly PutEvent[] {
    return bus === undefined ? [...this.#events] : this.#events.filter((e) => e.bus === bus);
  }

  /** Keeps an accepted event. */
  keep(event: PutEvent): void {
    this.#events.push(event);
  }
}
