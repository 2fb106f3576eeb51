/**
 * The cold-start floor: the AWS SDK clients a function needs, constructed as the app constructs
 * them (src/aws/clients.ts), and nothing else. Both functions need the same three: the scanner
 * calls DescribeParameters, SendMessageBatch and ListTokens; the rotator DescribeParameters,
 * PutParameter, SendMessage (to the dead-letter queue), CreateToken, GetAccessToken, DeleteToken.
 */
import { licenseManagerClient, sqsClient, ssmClient } from '../../src/aws/clients.js';

/** Kept, so that the bundler cannot drop the construction. */
export const clients = [ssmClient(), sqsClient(), licenseManagerClient()];
