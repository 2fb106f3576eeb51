import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { readOperatorConfig } from '../../src/config.js';
import { DAY_MS } from '../../src/time.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { type SeedClients, seedToken } from './seed.js';

/** The token path the demo uses: the default of a deployment. */
export const DEMO_TOKEN_PATH = readOperatorConfig({}).tokenPath;

/** The demo's licenses, by the short name the tables show. */
export const DEMO_LICENSES = {
  acme: 'arn:aws:license-manager::294406891311:license:l-0a1c2e4f6a8b0c2d4e6f8a0b2c4d6e8f',
  globex: 'arn:aws:license-manager::294406891311:license:l-1b3d5f7a9c1e3a5c7e9b1d3f5a7c9e1b',
  initech: 'arn:aws:license-manager::294406891311:license:l-2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c',
  umbrella: 'arn:aws:license-manager::294406891311:license:l-3d5f7b9d1f3b5d7f9b1d3f5b7d9f1b3d',
} as const;

/** One managed token of the demo fleet. */
interface DemoToken {
  readonly name: string;
  readonly license: keyof typeof DEMO_LICENSES;
  /** Days since the token was issued. */
  readonly age: number;
  readonly expirationInDays?: number;
  readonly renewBeforeDays?: number;
}

/** The fleet: fresh tokens, due ones, an expired one, one whose license goes away. */
const FLEET: readonly DemoToken[] = [
  { name: 'acme/prod', license: 'acme', age: 20 },
  { name: 'acme/staging', license: 'acme', age: 45 },
  { name: 'acme/dev', license: 'acme', age: 180 },
  { name: 'acme/web', license: 'acme', age: 30 },
  { name: 'acme/mobile', license: 'acme', age: 200 },
  { name: 'acme/eu/prod', license: 'acme', age: 300 },
  { name: 'acme/eu/staging', license: 'acme', age: 330 },
  { name: 'globex/prod', license: 'globex', age: 10 },
  { name: 'globex/staging', license: 'globex', age: 100 },
  { name: 'globex/partner', license: 'globex', age: 120 },
  { name: 'globex/batch', license: 'globex', age: 250 },
  { name: 'globex/ci', license: 'globex', age: 320, renewBeforeDays: 30 },
  { name: 'globex/analytics', license: 'globex', age: 359 },
  { name: 'initech/prod', license: 'initech', age: 60 },
  { name: 'initech/reporting', license: 'initech', age: 150 },
  { name: 'initech/tps', license: 'initech', age: 280 },
  { name: 'initech/legacy', license: 'initech', age: 70, expirationInDays: 90 },
  { name: 'initech/printers', license: 'initech', age: 380 },
  { name: 'umbrella/prod', license: 'umbrella', age: 310 },
];

/**
 * The parameter the demo's host holds a token of: due (five days left), so `npm start` rotates it
 * and the host has something to pick up.
 */
export const HOST_PARAMETER = `${DEMO_TOKEN_PATH}globex/analytics`;

/** A parameter outside the token path, which the rotator must never touch. */
export const OUTSIDE_PARAMETER = '/app/database/password';
/** A parameter under the token path whose Description is not a record: unmanaged. */
export const UNMANAGED_PARAMETER = 'hand-made/legacy';

/** What was seeded. */
export interface SeededFleet {
  readonly managed: number;
  readonly names: readonly string[];
}

/**
 * Seeds the demo fleet through the real APIs (CreateToken, PutParameter), each token back-dated
 * on the sandbox's clock; then one license goes away.
 */
export async function seedDemoFleet(
  sandbox: Sandbox,
  clients: SeedClients,
  tokenPath: string,
): Promise<SeededFleet> {
  for (const [, licenseArn] of Object.entries(DEMO_LICENSES)) {
    sandbox.licenseManager.addLicense({ licenseArn, homeRegion: sandbox.defaultRegion });
  }
  const names: string[] = [];
  for (const token of FLEET) {
    const seeded = await seedToken(sandbox, clients, {
      name: `${tokenPath}${token.name}`,
      licenseArn: DEMO_LICENSES[token.license],
      ageDays: token.age,
      tokenProperties: [`customer:${token.license}`],
      ...(token.expirationInDays === undefined ? {} : { expirationInDays: token.expirationInDays }),
      ...(token.renewBeforeDays === undefined ? {} : { renewBeforeDays: token.renewBeforeDays }),
    });
    names.push(seeded.name);
  }
  const year = 365 * DAY_MS;
  sandbox.clock.advance(-year);
  try {
    await clients.ssm.send(
      new PutParameterCommand({
        Name: `${tokenPath}${UNMANAGED_PARAMETER}`,
        Type: 'SecureString',
        Value: 'pasted-by-hand-not-a-real-token',
        Description: 'Pasted by hand last year; nobody knows which license it is for.',
      }),
    );
    await clients.ssm.send(
      new PutParameterCommand({
        Name: OUTSIDE_PARAMETER,
        Type: 'SecureString',
        Value: 'correct-horse-battery-staple',
        Description: 'Not a license token: outside the token path.',
      }),
    );
  } finally {
    sandbox.clock.advance(year);
  }
  sandbox.licenseManager.setLicenseGone(DEMO_LICENSES.umbrella);
  return { managed: FLEET.length, names };
}
