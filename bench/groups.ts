/** How the jobs of one batch run. */
export const GroupMode = {
  /** As deployed: Powertools' FIFO processor, one job after another. */
  Sequential: 'sequential',
  /**
   * What if: each FIFO group of the batch through a processor of its own, the groups at once
   * (a group's own jobs still one after another). The same rotator, only arranged differently.
   */
  Concurrent: 'concurrent',
} as const;

/** One of the GroupMode values. */
export type GroupMode = (typeof GroupMode)[keyof typeof GroupMode];
