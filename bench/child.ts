import { type ChildProcess, fork } from 'node:child_process';

/** A request from the runner to a bench child process. */
interface Request {
  readonly id: number;
  readonly type: string;
  readonly payload: unknown;
}

/** A child's answer to one request. */
type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** What a child sends once it listens. */
const READY = 'bench-child-ready';

const isReply = (message: unknown): message is Reply =>
  typeof message === 'object' && message !== null && 'id' in message && 'ok' in message;

const isRequest = (message: unknown): message is Request =>
  typeof message === 'object' && message !== null && 'id' in message && 'type' in message;

/** The runner's side of a bench child: ask it things, then let it go. */
export interface Child {
  /** Sends one request and resolves with the child's answer (typed by the caller). */
  request<T>(type: string, payload?: unknown): Promise<T>;
  /** Disconnects and waits for the child to exit. */
  close(): Promise<void>;
}

/**
 * Starts a bench module (TypeScript, through tsx) in its own Node process, so what it measures
 * (memory, CPU) is its own. Its stdout is dropped: the handlers log a JSON line per job, as on
 * Lambda, and that cost stays in; its stderr is kept and shown if it fails.
 */
export function startChild(
  module: URL,
  options: { readonly env?: Readonly<Record<string, string>>; readonly exposeGc?: boolean } = {},
): Child {
  const child: ChildProcess = fork(module, [], {
    execArgv: ['--import', 'tsx', ...(options.exposeGc ? ['--expose-gc'] : [])],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
  });
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >();
  let next = 0;
  let markReady: () => void = () => undefined;
  // A child listens only once its module has loaded: requests wait for its word.
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.on('message', (message: unknown) => {
    if (message === READY) markReady();
    if (!isReply(message)) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(new Error(`${module.pathname}: ${message.error}`));
  });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const waiter of pending.values()) {
        waiter.reject(
          new Error(`${module.pathname} exited (${code ?? signal}) mid-request:\n${stderr}`),
        );
      }
      pending.clear();
      resolve();
    });
  });
  return {
    request: async <T>(type: string, payload?: unknown) => {
      await Promise.race([ready, exited]);
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) {
          reject(new Error(`${module.pathname} exited before it was ready:\n${stderr}`));
          return;
        }
        const id = next++;
        pending.set(id, { resolve: (value) => resolve(value as T), reject });
        child.send({ id, type, payload } satisfies Request);
      });
    },
    close: async () => {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

/** A child's handlers, by request type. */
export type Handlers = Readonly<Record<string, (payload: unknown) => unknown>>;

/** The child's side: answers the runner's requests until it disconnects, then exits. */
export function serve(handlers: Handlers): void {
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    void (async () => {
      const handler = handlers[message.type];
      let reply: Reply;
      try {
        if (handler === undefined) throw new Error(`no handler for ${message.type}`);
        reply = { id: message.id, ok: true, value: await handler(message.payload) };
      } catch (error) {
        reply = {
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        };
      }
      process.send?.(reply);
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.(READY);
}
