import { getHeapStatistics } from 'node:v8';

/** What a process used while some work ran. */
export interface MemoryUse {
  /** Peak resident set size of the whole process life (getrusage's ru_maxrss), in bytes. */
  readonly peakRssBytes: number;
  /** Highest V8 used heap seen by the sampler while the work ran. */
  readonly peakHeapBytes: number;
  /**
   * The highest used heap in each quarter of the run's duration: a scan that streams reaches its
   * plateau early and stays there, so the last quarters match the first ones whatever the size.
   */
  readonly peakHeapByQuarter: readonly number[];
  /** The highest RSS in each quarter of the run, read every 10 ms. */
  readonly peakRssByQuarter: readonly number[];
  /** Used heap after a full GC, before the work. */
  readonly heapBeforeBytes: number;
  /** Used heap after a full GC, after the work: what the work left behind. */
  readonly heapAfterBytes: number;
  /**
   * With `liveEveryMs`: the highest used heap right after a forced full GC, taken every
   * `liveEveryMs` during the run: the work's live working set, free of garbage awaiting
   * collection. A scan that held its pages would show them here; at the end they are gone.
   */
  readonly peakLiveHeapBytes: number | undefined;
  /** Samples taken. */
  readonly samples: number;
}

const collect = (): void => {
  // Present when the child runs with --expose-gc (the runner starts it so).
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
};

const usedHeap = (): number => getHeapStatistics().used_heap_size;

/**
 * Runs `work` while sampling V8's used heap every `everyMs` (the timer fires whenever the work
 * awaits I/O, which a scan does once a page), and reports the peaks. The RSS peak comes from the
 * kernel, so it misses nothing between samples. `getHeapStatistics` is sampled rather than
 * `process.memoryUsage`, which reads /proc and cost the scan 3% of its CPU at 2 ms.
 */
export async function measureMemory<T>(
  work: () => Promise<T>,
  options: { readonly everyMs?: number; readonly liveEveryMs?: number } = {},
): Promise<{ result: T; memory: MemoryUse }> {
  const everyMs = options.everyMs ?? 5;
  collect();
  const heapBeforeBytes = usedHeap();
  const started = performance.now();
  const trace: { at: number; heap: number; rss: number }[] = [];
  let peakHeapBytes = heapBeforeBytes;
  // Peaks per 10 ms slot: bounded (a 100 s run keeps 10,000 numbers), enough for quarters.
  const slotMs = 10;
  const sample = (): void => {
    const heap = usedHeap();
    peakHeapBytes = Math.max(peakHeapBytes, heap);
    const at = Math.floor((performance.now() - started) / slotMs);
    const last = trace.at(-1);
    if (last !== undefined && last.at === at) last.heap = Math.max(last.heap, heap);
    else trace.push({ at, heap, rss: process.memoryUsage.rss() });
  };
  let peakLiveHeapBytes: number | undefined;
  const live = (): void => {
    collect();
    peakLiveHeapBytes = Math.max(peakLiveHeapBytes ?? 0, usedHeap());
  };
  const timer = setInterval(sample, everyMs);
  const liveTimer =
    options.liveEveryMs === undefined ? undefined : setInterval(live, options.liveEveryMs);
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
    clearInterval(liveTimer);
    sample();
  }
  const slots = Math.max(1, Math.ceil((performance.now() - started) / slotMs));
  const byQuarter = (pick: (slot: { heap: number; rss: number }) => number): number[] =>
    [0, 1, 2, 3].map((quarter) =>
      trace
        .filter(({ at }) => Math.min(3, Math.floor((at * 4) / slots)) === quarter)
        .reduce((peak, slot) => Math.max(peak, pick(slot)), 0),
    );
  collect();
  return {
    result,
    memory: {
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakHeapBytes,
      peakHeapByQuarter: byQuarter((slot) => slot.heap),
      peakRssByQuarter: byQuarter((slot) => slot.rss),
      heapBeforeBytes,
      heapAfterBytes: usedHeap(),
      peakLiveHeapBytes,
      samples: trace.length,
    },
  };
}

/**
 * What `build`'s result keeps alive: the used heap right after a full GC with it, less the used
 * heap right after one before it was built (the process must run with --expose-gc). Whatever a
 * first call allocates once and keeps (clients, parsers, compiled code) is counted too, so warm
 * the path up first.
 */
export async function retainedBy<T>(build: () => Promise<T>): Promise<{ value: T; bytes: number }> {
  collect();
  const before = usedHeap();
  const value = await build();
  collect();
  return { value, bytes: usedHeap() - before };
}
