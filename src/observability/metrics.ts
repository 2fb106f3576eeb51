import { Metrics } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './logger.js';

/** The CloudWatch namespace of every metric this project emits. */
export const NAMESPACE = 'LicenseTokenRotator';

/** Metric names; serverless.yml's alarms and dashboard refer to the same strings. */
export const MetricName = {
  Scanned: 'ParametersScanned',
  Due: 'TokensDue',
  Expired: 'TokensExpired',
  Critical: 'TokensCritical',
  Unmanaged: 'UnmanagedParameters',
  MinDaysToExpiry: 'MinDaysToExpiry',
  Enqueued: 'JobsEnqueued',
  EnqueueFailures: 'EnqueueFailures',
  Rotated: 'TokensRotated',
  Skipped: 'JobsSkipped',
  RotationFailures: 'RotationFailures',
  RotationRetries: 'RotationRetries',
  InvalidJobs: 'InvalidJobs',
  Verified: 'TokensVerified',
  VerificationFailures: 'VerificationFailures',
  Revoked: 'PreviousTokensRevoked',
  RevocationFailures: 'RevocationFailures',
  RevokesEnqueued: 'RevocationsEnqueued',
  OrphanRevokesEnqueued: 'OrphanRevocationsEnqueued',
  DamagedRecords: 'DamagedRecords',
  ConflictingRecords: 'ConflictingRecords',
  LostTokens: 'LostTokens',
  OptedOut: 'ParametersOptedOut',
  RecordsNotAllowed: 'RecordsNotAllowed',
  UnrecordedTokens: 'UnrecordedTokens',
  UnexpectedVersions: 'UnexpectedVersions',
  JobsDeferred: 'JobsDeferred',
  OrphansRevoked: 'OrphanTokensRevoked',
  EventPublishFailures: 'EventPublishFailures',
  RevocationsDeferred: 'RevocationsDeferred',
  PickupOverdue: 'PickupOverdue',
  ExchangeRefusals: 'ExchangeRefusals',
  ExchangeDeliveries: 'ExchangeDeliveries',
  PickupsRecorded: 'PickupsRecorded',
} as const;

/** Powertools metrics in Embedded Metric Format, namespace LicenseTokenRotator. */
export const createMetrics = (): Metrics =>
  new Metrics({
    namespace: NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  });
