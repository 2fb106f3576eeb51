import { InvalidInputError, StepError, UsageError } from '../errors.js';
import { redactTokens } from '../observability/redact.js';
import type { Log } from '../rotation/ports.js';

/**
 * An error as the operator reads it, on one line: our own errors by their message (already
 * written for the operator), anything else with its name. Redacted: ours already are; this
 * covers anything else that reaches the operator.
 */
export function errorLine(error: unknown): string {
  const known =
    error instanceof StepError || error instanceof InvalidInputError || error instanceof UsageError;
  const text = known
    ? error.message
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : String(error);
  return redactTokens(text);
}

/**
 * A log that keeps each of the logic's warnings as one line for the operator: the message, what
 * it is about (a parameter, a license, a region or a count) and why.
 */
export function warningLog(warnings: string[]): Log {
  return {
    info: () => undefined,
    warn: (message, ...extra) => {
      const fields = Object.fromEntries(extra.flatMap((fieldSet) => Object.entries(fieldSet)));
      const subject = String(
        fields.parameterName ?? fields.licenseArn ?? fields.region ?? fields.count ?? '',
      );
      const detail =
        fields.error === undefined
          ? String(fields.problem ?? fields.code ?? '')
          : errorLine(fields.error);
      warnings.push(`${message}: ${subject} ${detail}`.trim());
    },
  };
}
