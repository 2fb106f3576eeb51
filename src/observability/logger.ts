import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact.js';

/** The service name on every log line and metric, unless POWERTOOLS_SERVICE_NAME says otherwise. */
export const SERVICE_NAME = 'license-token-rotator';

/** A Powertools JSON logger whose output never holds anything shaped like a token. */
export const createLogger = (): Logger =>
  new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    jsonReplacerFn: redactingReplacer,
  });
