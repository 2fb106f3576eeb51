/** How the jobs of one batch run. */
export const GroupMode = {
  /**
   * As deployed (src/app/rotator.ts `createRotator`): each FIFO group of the batch through
   * Powertools' FIFO processor of its own, the groups at once, a group's own jobs one after
   * another.
   */
  AtOnce: 'groups-at-once',
  /**
   * What if, the former arrangement: every job of the batch one after another. The bench builds
   * it from the deployed rotator, handing it the batch's groups one at a time.
   */
  OneAfterAnother: 'one-after-another',
} as const;

/** One of the GroupMode values. */
export type GroupMode = (typeof GroupMode)[keyof typeof GroupMode];

/** The arrangement serverless.yml deploys: the targets and the findings are about this one. */
export const DEPLOYED_GROUPS: GroupMode = GroupMode.AtOnce;

/** How the report names each arrangement. */
export const ARRANGEMENT_LABELS: Readonly<Record<GroupMode, string>> = {
  [GroupMode.AtOnce]: 'groups at once (deployed)',
  [GroupMode.OneAfterAnother]: 'one after another (what-if: the former arrangement)',
};
