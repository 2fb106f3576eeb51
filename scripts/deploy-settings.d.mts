/** Types of deploy-settings.mjs, for the tests that import its check. */

/** Every problem of the deploy settings as one message; undefined when there is none. */
export function checkDeploySettings(settings: Record<string, unknown>): string | undefined;

/** The osls plugin that runs the check before packaging. */
export default class DeploySettings {
  constructor(serverless: unknown);
  readonly hooks: Record<string, () => void>;
}
