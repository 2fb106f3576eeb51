import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseStartArgs } from '../../../tools/local/args.js';

describe('parseStartArgs', () => {
  it('defaults to the demo on a free port in us-east-1, quietly', () => {
    expect(parseStartArgs([])).toEqual({
      help: false,
      serve: false,
      port: undefined,
      seed: undefined,
      verbose: false,
      empty: false,
      region: 'us-east-1',
      faults: { throttle: [], latency: [] },
    });
  });

  it('reads serve, port, seed, region, verbosity and fault rules', () => {
    const options = parseStartArgs([
      '--serve',
      '--port',
      '0',
      '--seed',
      '42',
      '--region',
      'eu-west-1',
      '-v',
      '--throttle',
      'license-manager:CreateToken=0.3',
      '--throttle',
      'ssm:*=0.1',
      '--latency',
      '*=25',
    ]);
    expect(options).toMatchObject({
      serve: true,
      port: 0,
      seed: 42,
      region: 'eu-west-1',
      verbose: true,
    });
    expect(options.faults).toEqual({
      throttle: [
        { operation: 'license-manager:CreateToken', probability: 0.3 },
        { operation: 'ssm:*', probability: 0.1 },
      ],
      latency: [{ operation: '*', ms: 25 }],
    });
  });

  it('refuses what it cannot use, with a UsageError naming the option', () => {
    for (const argv of [
      ['--port', '70000'],
      ['--port', 'x'],
      ['--seed', '-1'],
      ['--region', 'moon'],
      ['--throttle', 'ssm:*'],
      ['--throttle', 'ssm:*=2'],
      ['--latency', '*=-5'],
      ['--nope'],
      ['stray'],
    ]) {
      expect(() => parseStartArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});
