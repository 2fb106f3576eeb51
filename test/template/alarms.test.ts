import { describe, expect, it } from 'vitest';
import { MetricName, NAMESPACE } from '../../src/observability/metrics.js';
import { Evaluator, type Json, packaged, resource, resourcesOfType } from './template.js';

const { template, stage, region, evaluator, env } = packaged();
const scannerEnv = env('ScannerLambdaFunction');
const service = String(scannerEnv.POWERTOOLS_SERVICE_NAME);
const topicArn = evaluator.evaluate({ Ref: 'AlarmTopic' });

/** What each alarm must watch and when it must fire. */
interface Expected {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Json;
  readonly statistic: string;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly comparison: string;
  readonly threshold: number;
  readonly missing: string;
}

const byService = [{ Name: 'service', Value: service }];
const queueName = (id: string): Json => [
  { Name: 'QueueName', Value: evaluator.evaluate({ 'Fn::GetAtt': [id, 'QueueName'] }) ?? null },
];
const functionName = (name: string): Json => [
  { Name: 'FunctionName', Value: `license-token-rotator-${stage}-${name}` },
];
const fiveMinutes = { period: 300, evaluationPeriods: 1 } as const;
// A scan publishes its counts once, hours apart: the hour of the last scan.
const perScan = { period: 3600, evaluationPeriods: 1 } as const;
const anyAtAll = { comparison: 'GreaterThanOrEqualToThreshold', threshold: 1 } as const;

const EXPECTED: Record<string, Expected> = {
  DeadLetterQueueNotEmptyAlarm: {
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    dimensions: queueName('DeadLetterQueue'),
    statistic: 'Maximum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  RotationFailuresAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.RotationFailures,
    dimensions: byService,
    statistic: 'Sum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  ScannerErrorsAlarm: {
    namespace: 'AWS/Lambda',
    metric: 'Errors',
    dimensions: functionName('scanner'),
    statistic: 'Sum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  ScannerHeartbeatAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.Scanned,
    dimensions: byService,
    statistic: 'SampleCount',
    period: 3600,
    evaluationPeriods: 12,
    datapointsToAlarm: 12,
    comparison: 'LessThanThreshold',
    threshold: 1,
    missing: 'breaching',
  },
  TokenCriticalAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.MinDaysToExpiry,
    dimensions: byService,
    statistic: 'Minimum',
    period: 3600,
    evaluationPeriods: 1,
    comparison: 'LessThanThreshold',
    threshold: 7,
    missing: 'ignore',
  },
  OldestJobAlarm: {
    namespace: 'AWS/SQS',
    metric: 'ApproximateAgeOfOldestMessage',
    dimensions: queueName('JobQueue'),
    statistic: 'Maximum',
    ...fiveMinutes,
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: 3600,
    missing: 'notBreaching',
  },
  RotatorThrottlesAlarm: {
    namespace: 'AWS/Lambda',
    metric: 'Throttles',
    dimensions: functionName('rotator'),
    statistic: 'Sum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  VerificationFailuresAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.VerificationFailures,
    dimensions: byService,
    statistic: 'Sum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  RevocationFailuresAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.RevocationFailures,
    dimensions: byService,
    statistic: 'Sum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  RecordsNotAllowedAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.RecordsNotAllowed,
    dimensions: byService,
    statistic: 'Maximum',
    ...perScan,
    ...anyAtAll,
    missing: 'ignore',
  },
  DamagedRecordsAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.DamagedRecords,
    dimensions: byService,
    statistic: 'Maximum',
    ...perScan,
    ...anyAtAll,
    missing: 'ignore',
  },
  LostTokensAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.LostTokens,
    dimensions: byService,
    statistic: 'Maximum',
    ...perScan,
    ...anyAtAll,
    missing: 'ignore',
  },
  UnrecordedTokensAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.UnrecordedTokens,
    dimensions: byService,
    statistic: 'Maximum',
    period: 3600,
    evaluationPeriods: 12,
    datapointsToAlarm: 2,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  UnexpectedVersionsAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.UnexpectedVersions,
    dimensions: byService,
    statistic: 'Sum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  EventPublishFailuresAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.EventPublishFailures,
    dimensions: byService,
    statistic: 'Sum',
    ...fiveMinutes,
    ...anyAtAll,
    missing: 'notBreaching',
  },
  ExchangeRefusalsAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.ExchangeRefusals,
    dimensions: byService,
    statistic: 'Sum',
    ...fiveMinutes,
    // A burst (exchangeRefusalAlarmThreshold), not one refusal.
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: 20,
    missing: 'notBreaching',
  },
  PickupOverdueAlarm: {
    namespace: NAMESPACE,
    metric: MetricName.PickupOverdue,
    dimensions: byService,
    statistic: 'Maximum',
    ...perScan,
    ...anyAtAll,
    missing: 'ignore',
  },
};

const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
/** The scanner's schedule, `rate(N hours)`, in seconds. */
const scanIntervalSeconds = (): number => {
  const [, rule] = resourcesOfType(template, 'AWS::Events::Rule')[0] ?? [];
  const match = /^rate\((\d+) hours?\)$/.exec(String(rule?.Properties.ScheduleExpression));
  return Number(match?.[1]) * 3600;
};
const alarm = (id: string): Record<string, Json> =>
  evaluator.evaluate(resource(template, id).Properties) as Record<string, Json>;

describe('alarms', () => {
  it('are exactly the ones the runbook documents, no more and no fewer', () => {
    expect(alarms.map(([id]) => id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s watches its metric with its threshold', (id, want) => {
    const got = alarm(id);
    expect({
      namespace: got.Namespace,
      metric: got.MetricName,
      dimensions: got.Dimensions,
      statistic: got.Statistic,
      period: got.Period,
      evaluationPeriods: Number(got.EvaluationPeriods),
      ...(got.DatapointsToAlarm === undefined
        ? {}
        : { datapointsToAlarm: Number(got.DatapointsToAlarm) }),
      comparison: got.ComparisonOperator,
      threshold: Number(got.Threshold),
      missing: got.TreatMissingData,
    }).toEqual(want);
  });

  it.each(Object.keys(EXPECTED))('%s notifies the alarm topic on ALARM and on OK', (id) => {
    const got = alarm(id);
    expect(got.AlarmActions).toEqual([topicArn]);
    expect(got.OKActions).toEqual([topicArn]);
    expect(String(got.AlarmName)).toMatch(new RegExp(`^license-token-rotator-${stage}-`));
    expect(String(got.AlarmDescription)).toMatch(/ docs\/runbook\.md\.$/);
  });

  it('alarm on the service dimension the functions publish with', () => {
    expect(env('RotatorLambdaFunction').POWERTOOLS_SERVICE_NAME).toBe(service);
    expect(env('ExchangeLambdaFunction').POWERTOOLS_SERVICE_NAME).toBe(service);
    expect(service).toBe(`license-token-rotator-${stage}`);
  });

  it('call a pickup overdue after the PICKUP_OVERDUE_HOURS the scanner counts with', () => {
    expect(String(alarm('PickupOverdueAlarm').AlarmDescription)).toContain(
      `more than ${scannerEnv.PICKUP_OVERDUE_HOURS} hours ago`,
    );
  });

  it('call a token critical below the CRITICAL_DAYS the scanner logs with', () => {
    expect(Number(alarm('TokenCriticalAlarm').Threshold)).toBe(Number(scannerEnv.CRITICAL_DAYS));
  });

  it('miss the heartbeat after twice the scan interval without a completed scan', () => {
    const intervalSeconds = scanIntervalSeconds();
    const heartbeat = alarm('ScannerHeartbeatAlarm');
    expect(Number(heartbeat.Period) * Number(heartbeat.EvaluationPeriods)).toBe(
      2 * intervalSeconds,
    );
    // CloudWatch caps an alarm's evaluation range at one day.
    expect(Number(heartbeat.Period) * Number(heartbeat.EvaluationPeriods)).toBeLessThanOrEqual(
      86400,
    );
  });

  it('call tokens unrecorded only when two scans within the heartbeat window saw them', () => {
    const unrecorded = alarm('UnrecordedTokensAlarm');
    const heartbeat = alarm('ScannerHeartbeatAlarm');
    const windowSeconds = Number(unrecorded.Period) * Number(unrecorded.EvaluationPeriods);
    expect(windowSeconds).toBe(Number(heartbeat.Period) * Number(heartbeat.EvaluationPeriods));
    // The window holds at least two scans; a scan publishes once, so one scan is one datapoint.
    expect(windowSeconds).toBeGreaterThanOrEqual(2 * scanIntervalSeconds());
    expect(Number(unrecorded.DatapointsToAlarm)).toBe(2);
  });
});

describe('the alarm topic', () => {
  it('is one stage-scoped topic, with an e-mail subscription only when an address is given', () => {
    expect(resourcesOfType(template, 'AWS::SNS::Topic').map(([id]) => id)).toEqual(['AlarmTopic']);
    expect(resource(template, 'AlarmTopic').Properties.TopicName).toBe(
      `license-token-rotator-${stage}-alarms`,
    );
    const subscription = resource(template, 'AlarmEmailSubscription');
    expect(subscription.Condition).toBe('HasAlarmEmail');
    expect(subscription.Properties).toEqual({
      TopicArn: { Ref: 'AlarmTopic' },
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
    });
    expect(evaluator.condition('HasAlarmEmail')).toBe(false);
    const withEmail = new Evaluator(template, region, { AlarmEmail: 'ops@example.com' });
    expect(withEmail.condition('HasAlarmEmail')).toBe(true);
  });
});

describe('the dashboard', () => {
  const dashboard = resource(template, 'Dashboard').Properties;
  const body = JSON.parse(evaluator.string(dashboard.DashboardBody)) as {
    widgets: {
      type: string;
      properties: { title: string; metrics?: Json[][]; alarms?: string[] };
    }[];
  };
  // Metric rows use "." for "same as the row above"; resolve them to read each metric's name.
  const metricsOf = (rows: Json[][]): { namespace: string; name: string }[] => {
    const resolved: Json[][] = [];
    for (const row of rows) {
      const previous = resolved.at(-1) ?? [];
      resolved.push(row.map((cell, i) => (cell === '.' ? (previous[i] ?? null) : cell)));
    }
    return resolved.map((row) => ({ namespace: String(row[0]), name: String(row[1]) }));
  };
  const titled = (title: string) => body.widgets.find((w) => w.properties.title.startsWith(title));
  const metricNames = (title: string): string[] =>
    metricsOf(titled(title)?.properties.metrics ?? []).map((m) => m.name);

  it('is stage-scoped', () => {
    expect(dashboard.DashboardName).toBe(`license-token-rotator-${stage}`);
  });

  it('shows days to expiry, with the critical line', () => {
    expect(metricNames('Days to expiry')).toEqual([MetricName.MinDaysToExpiry]);
    expect(JSON.stringify(titled('Days to expiry'))).toContain(
      `"value":${scannerEnv.CRITICAL_DAYS}`,
    );
  });

  it('shows due and expired counts', () => {
    expect(metricNames('Tokens due')).toEqual(
      expect.arrayContaining([MetricName.Due, MetricName.Expired, MetricName.Critical]),
    );
  });

  it('shows rotations and failures over time', () => {
    expect(metricNames('Rotations')).toEqual(
      expect.arrayContaining([
        MetricName.Rotated,
        MetricName.RotationFailures,
        MetricName.RotationRetries,
        MetricName.VerificationFailures,
        MetricName.UnexpectedVersions,
      ]),
    );
  });

  it('shows the exchange: deliveries, refusals, pickups, and lost events', () => {
    expect(metricNames('Token exchange')).toEqual([
      MetricName.ExchangeDeliveries,
      MetricName.ExchangeRefusals,
      MetricName.PickupsRecorded,
      MetricName.EventPublishFailures,
    ]);
  });

  it('shows what waits for a pickup, per scan', () => {
    expect(metricNames('Waiting for pickup')).toEqual([
      MetricName.RevocationsDeferred,
      MetricName.PickupOverdue,
    ]);
  });

  it('shows each function’s invocations and errors, the exchange’s throttles too', () => {
    const rows = JSON.stringify(titled('Functions')?.properties.metrics);
    for (const name of ['scanner', 'rotator', 'exchange']) {
      expect(rows).toContain(`"license-token-rotator-${stage}-${name}"`);
    }
    expect(rows).toContain('"exchange throttles"');
  });

  it('shows the safety checks of each scan', () => {
    expect(metricNames('Safety checks')).toEqual([
      MetricName.RecordsNotAllowed,
      MetricName.DamagedRecords,
      MetricName.ConflictingRecords,
      MetricName.UnrecordedTokens,
      MetricName.LostTokens,
    ]);
  });

  it('names only metrics the code emits, on the functions service dimension', () => {
    const emitted = new Set<string>(Object.values(MetricName));
    const own = body.widgets
      .flatMap((w) => metricsOf(w.properties.metrics ?? []))
      .filter((m) => m.namespace === NAMESPACE);
    expect(own.length).toBeGreaterThan(10);
    for (const metric of own) expect(emitted.has(metric.name), metric.name).toBe(true);
    expect(JSON.stringify(body)).not.toContain('${');
    expect(JSON.stringify(body)).toContain(`"service","${service}"`);
  });

  it('lists every alarm', () => {
    const listed = body.widgets.flatMap((w) => w.properties.alarms ?? []);
    expect(listed.sort()).toEqual(
      alarms.map(([id]) => evaluator.string({ 'Fn::GetAtt': [id, 'Arn'] })).sort(),
    );
  });
});
