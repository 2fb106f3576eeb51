import { afterAll, beforeAll, vi } from 'vitest';
import { NOW } from './factories.js';

/** Freezes `Date` (and only Date) at NOW for the enclosing test file or describe block. */
export function freezeDateAtNow(): void {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterAll(() => {
    vi.useRealTimers();
  });
}
