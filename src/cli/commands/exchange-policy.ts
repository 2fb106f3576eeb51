import { UsageError } from '../../errors.js';
import type { Invocation } from '../invocation.js';
import { ExitCode } from '../io.js';

/** Help for `exchange-policy`. */
export const exchangePolicyHelp = `Usage: license-token-rotator exchange-policy [--function-arn ARN] [--json]

Prints the one IAM policy statement a consumption role needs to call the token
exchange: lambda:InvokeFunctionUrl and lambda:InvokeFunction (AWS checks both on a
function URL call) on the exchange function alone. Add it to each role the tokens
name (register --role-arn): a host assumes that role with the credentials its own
token yields, and signs its exchange calls with them. Reads nothing from AWS.

The statement goes to stdout (pretty JSON) and a one-line hint to stderr, so that
"exchange-policy > statement.json" keeps the statement alone; --json prints the
statement only.

Options:
  --function-arn ARN   the exchange function's ARN (default EXCHANGE_FUNCTION_ARN),
                       with its alias if the function URL is on one
  --json               the statement alone`;

// A function URL lives on the function or on one of its aliases: either ARN may be the resource.
const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]{1,128})?$/;

/**
 * The statement that lets a role call the exchange's function URL, and nothing else. Since
 * October 2025 AWS checks lambda:InvokeFunction as well as lambda:InvokeFunctionUrl on a function
 * URL call; a condition on the URL's auth type would not apply to the first, so the statement
 * names the one function instead (the stack output ConsumerPolicyStatement says the same).
 */
export function exchangeStatement(functionArn: string) {
  return {
    Effect: 'Allow',
    Action: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'],
    Resource: functionArn,
  } as const;
}

/** Prints the IAM statement a consumption role needs to call the exchange. */
export function exchangePolicyCommand(
  invocation: Invocation,
  given: string | undefined,
): Promise<ExitCode> {
  const { io } = invocation;
  const functionArn = (given ?? io.env.EXCHANGE_FUNCTION_ARN ?? '').trim();
  if (functionArn === '') {
    throw new UsageError(
      "exchange-policy needs the exchange function's ARN: pass --function-arn ARN or set EXCHANGE_FUNCTION_ARN",
    );
  }
  if (!FUNCTION_ARN.test(functionArn)) {
    throw new UsageError(
      `the exchange function must be a Lambda function ARN, got "${functionArn}"`,
    );
  }
  io.stdout.write(`${JSON.stringify(exchangeStatement(functionArn), null, 2)}\n`);
  if (!invocation.json) {
    io.stderr.write(
      'Add this statement to the permissions policy of each role the tokens name (register --role-arn).\n',
    );
  }
  return Promise.resolve(ExitCode.Ok);
}
