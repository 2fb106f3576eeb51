import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { parseRecord, RevocationPolicy, serialiseRecord } from '../../src/rotation/record.js';
import { seedToken } from '../../tools/local/seed.js';
import type { SeededRandom } from '../../tools/sandbox/random.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, ROLE_ARN, TOKEN_PATH } from '../helpers/factories.js';
import { clientsFor, invoke, TEST_REGION } from '../helpers/sandbox.js';

/** A license of the chaos fleet and where License Manager keeps it. */
export interface ChaosLicense {
  readonly label: string;
  readonly licenseArn: string;
  readonly homeRegion: string;
  /** Whether the seeded records name the home region; without it the rotator must follow a redirect. */
  readonly recordNamesRegion: boolean;
}

/** The four licenses: two at home in the default region, two elsewhere (one found by redirect). */
export const CHAOS_LICENSES: readonly ChaosLicense[] = [
  { label: 'acme', licenseArn: LICENSE_ARN, homeRegion: TEST_REGION, recordNamesRegion: false },
  {
    label: 'globex',
    licenseArn: 'arn:aws:license-manager::294406891311:license:l-11111111111111111111111111111111',
    homeRegion: TEST_REGION,
    recordNamesRegion: false,
  },
  {
    label: 'initech',
    licenseArn: 'arn:aws:license-manager::294406891311:license:l-22222222222222222222222222222222',
    homeRegion: 'eu-west-1',
    recordNamesRegion: false,
  },
  {
    label: 'umbrella',
    licenseArn: 'arn:aws:license-manager::294406891311:license:l-33333333333333333333333333333333',
    homeRegion: 'ap-southeast-2',
    recordNamesRegion: true,
  },
];

/** One managed token: what its record asks License Manager for. */
export interface FleetEntry {
  readonly name: string;
  readonly license: ChaosLicense;
  /**
   * The token property only this parameter's tokens carry (the JWT's `amr`): it tells, from
   * License Manager's own state, which parameter any token was minted for.
   */
  readonly property: string;
  readonly roleArns: readonly string[];
  readonly expirationInDays: number;
  readonly renewBeforeDays?: number;
  /**
   * The record's own revocation policy: after-grace for the parameters no host of the chaos run
   * holds (the licenses homed outside the sandbox's default region: consumers that read Parameter
   * Store at every use, as the docs advise) and a quarter of the others; the rest follow the
   * deploy's default, after-pickup.
   */
  readonly revocation?: typeof RevocationPolicy.AfterGrace;
}

/** Lifetimes of the fleet: mostly License Manager's default year, and shorter ones that renew often. */
const CLASSES = [
  { label: 'year', share: 0.8, expirationInDays: 365 },
  { label: 'quarter', share: 0.15, expirationInDays: 90 },
  { label: 'month', share: 0.05, expirationInDays: 30, renewBeforeDays: 10 },
] as const;

/** Builds the fleet: `size` tokens spread over the licenses and lifetimes. */
export function chaosFleet(size: number): FleetEntry[] {
  const fleet: FleetEntry[] = [];
  let index = 0;
  for (const lifetime of CLASSES) {
    const count =
      lifetime === CLASSES[CLASSES.length - 1] ? size - index : Math.round(size * lifetime.share);
    for (let n = 0; n < count; n++, index++) {
      const license = CHAOS_LICENSES[index % CHAOS_LICENSES.length] ?? CHAOS_LICENSES[0];
      if (license === undefined) throw new Error('no licenses');
      const id = String(index).padStart(3, '0');
      fleet.push({
        name: `${TOKEN_PATH}${license.label}/${lifetime.label}/${id}`,
        license,
        property: `param:${id}`,
        roleArns: [ROLE_ARN],
        expirationInDays: lifetime.expirationInDays,
        // Spread over the lifetimes (the license follows index % 4).
        ...(license.homeRegion !== TEST_REGION || Math.floor(index / 4) % 4 === 1
          ? { revocation: RevocationPolicy.AfterGrace }
          : {}),
        // Some year tokens carry their own window: the record's renewBeforeDays wins.
        ...('renewBeforeDays' in lifetime
          ? { renewBeforeDays: lifetime.renewBeforeDays }
          : index % 10 === 0
            ? { renewBeforeDays: 30 }
            : {}),
      });
    }
  }
  return fleet;
}

/**
 * Parameters under the token path that are not managed: the scan must skip them every time, and
 * nothing may ever write to them. And one outside the path that nothing may touch either.
 */
export const UNMANAGED: readonly { name: string; description: string }[] = [
  { name: `${TOKEN_PATH}hand-made/notes`, description: 'rotate me by hand, yearly' },
  { name: `${TOKEN_PATH}hand-made/array`, description: '[1,2,3]' },
  {
    name: `${TOKEN_PATH}hand-made/centuries`,
    description: JSON.stringify({
      v: 1,
      licenseArn: LICENSE_ARN,
      roleArns: [],
      tokenProperties: [],
      expirationInDays: 365,
      tokenId: 'forever',
      issuedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2999-01-01T00:00:00.000Z',
    }),
  },
  {
    name: `${TOKEN_PATH}hand-made/wrong-arn`,
    description: JSON.stringify({
      v: 1,
      licenseArn: 'arn:aws:iam::123456789012:role/NotALicense',
      roleArns: [],
      tokenProperties: [],
      expirationInDays: 365,
      tokenId: 'wrong',
      issuedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-06-01T00:00:00.000Z',
    }),
  },
];

/**
 * Adds a revocation policy to a seeded record, as `register --revocation` writes it: the same
 * token, its record with the field (a second version, as a re-registration makes).
 */
async function withRevocation(
  sandbox: Sandbox,
  name: string,
  revocation: RevocationPolicy,
): Promise<void> {
  const seeded = sandbox.ssm.parameter(name);
  if (seeded === undefined) throw new Error(`${name} was not seeded`);
  const record = parseRecord(seeded.description, sandbox.clock.now());
  await invoke(sandbox.ssm, 'PutParameter', {
    Name: name,
    Type: 'SecureString',
    Value: seeded.value,
    Description: serialiseRecord({ ...record, revocation }),
    Overwrite: true,
  });
}

/** A secret that is not a token and lives outside the token path. */
const OUTSIDE_PATH = '/app/database/password';

/** Days before expiry a token of the entry becomes due: its own window, else a third of its life. */
const renewBefore = (entry: FleetEntry): number =>
  entry.renewBeforeDays ?? entry.expirationInDays / 3;

/**
 * Registers the fleet on the sandbox as the CLI would (back-dated tokens with valid records, each
 * in its license's home region), plus the unmanaged parameters. Ages are spread from new to a
 * few days into the renewal window, so a share is due at the first scan and none is near expiry.
 */
export async function seedFleet(
  sandbox: Sandbox,
  fleet: readonly FleetEntry[],
  random: SeededRandom,
): Promise<void> {
  const byRegion = new Map<string, ReturnType<typeof clientsFor>>();
  const clients = (region: string) => {
    const known = byRegion.get(region) ?? clientsFor(sandbox, { region });
    byRegion.set(region, known);
    return known;
  };
  for (const entry of fleet) {
    await seedToken(sandbox, clients(entry.license.homeRegion), {
      name: entry.name,
      licenseArn: entry.license.licenseArn,
      // Up to three days into its renewal window: some due at the first scan, none near expiry.
      ageDays: Math.floor(random.next() * (entry.expirationInDays - renewBefore(entry) + 3)),
      expirationInDays: entry.expirationInDays,
      roleArns: entry.roleArns,
      tokenProperties: [entry.property],
      ...(entry.renewBeforeDays === undefined ? {} : { renewBeforeDays: entry.renewBeforeDays }),
      ...(entry.license.recordNamesRegion ? { homeRegion: entry.license.homeRegion } : {}),
    });
    if (entry.revocation !== undefined) await withRevocation(sandbox, entry.name, entry.revocation);
  }
  const { ssm } = clients(TEST_REGION);
  for (const { name, description } of UNMANAGED) {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: 'SecureString',
        Value: 'not-a-token',
        Description: description,
      }),
    );
  }
  await ssm.send(
    new PutParameterCommand({ Name: OUTSIDE_PATH, Type: 'SecureString', Value: 'hunter2' }),
  );
}
