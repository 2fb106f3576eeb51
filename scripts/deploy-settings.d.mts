/** Types of deploy-settings.mjs, for the tests that import its check. */

/** Every problem of the deploy settings as one message; undefined when there is none. */
export function checkDeploySettings(settings: Record<string, unknown>): string | undefined;

/** The revocation policies the check accepts. */
export const REVOCATION_POLICIES: readonly string[];

/** A CloudFormation resource as the plugin adds it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** The consumer accounts' grants on the exchange, by logical id. */
export function consumerPermissions(
  accountIds: string,
  functionLogicalId: string,
): Record<string, TemplateResource>;

/** The osls plugin that runs the check before packaging and adds the consumer grants. */
export default class DeploySettings {
  constructor(serverless: unknown);
  readonly hooks: Record<string, () => void>;
}
