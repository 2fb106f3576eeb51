import { PICKUP_TAG, pickupFromTag } from '../../src/aws/parameter-store.js';
import type { Pickup } from '../../src/rotation/revocation-policy.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';

export { PICKUP_TAG };

/** The pickup the exchange recorded on a parameter (its tag), read from the sandbox's own state. */
export const pickupOf = (sandbox: Sandbox, name: string): Pickup | undefined =>
  pickupFromTag(sandbox.ssm.tagsOf(name).get(PICKUP_TAG));
