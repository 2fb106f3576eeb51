import { PermanentError } from '../../src/errors.js';
import type {
  IssuedToken,
  LicenseLocation,
  LicenseTokens,
  Revocation,
  TokenInfo,
  TokenRequest,
} from '../../src/rotation/ports.js';
import { Secret } from '../../src/rotation/secret.js';
import { DAY_MS } from '../../src/time.js';
import { LICENSE_ARN, NOW, ROLE_ARN } from './factories.js';
import { fakeToken } from './secrets.js';

/** One call the in-memory License Manager received, for assertions. */
export type TokenCall =
  | { op: 'create'; request: TokenRequest }
  | { op: 'verify'; tokenId: string | undefined; where: LicenseLocation }
  | { op: 'delete'; tokenId: string; where: LicenseLocation }
  | { op: 'list'; tokenIds: readonly string[]; homeRegion: string | undefined }
  | { op: 'list-license'; licenseArn: string; homeRegion: string | undefined };

/** A token the in-memory License Manager knows, as ListTokens would describe it. */
type Known = { -readonly [K in keyof TokenInfo]: TokenInfo[K] };

/**
 * The LicenseTokens port in memory, for the pure rotation tests: ClientToken replay, what
 * ListTokens says of each token, and switches to make verification or deletion fail.
 */
export class MemoryTokens implements LicenseTokens {
  readonly calls: TokenCall[] = [];
  readonly known = new Map<string, Known>();
  readonly #byClientToken = new Map<string, IssuedToken>();
  /** Make GetAccessToken refuse (or fail with) this error. */
  verifyError: Error | undefined;
  /** Make DeleteToken fail with this error. */
  deleteError: Error | undefined;
  /** Make ListTokens fail with this error. */
  listError: Error | undefined;
  /** Pretend CreateToken followed a redirect to this region. */
  redirectTo: string | undefined;
  /** The moment CreateToken mints at (a token's expiry counts from it). */
  now: Date = NOW;

  /** Makes a token known, as minted earlier: by default AVAILABLE, for LICENSE_ARN. */
  seed(tokenId: string, overrides: Partial<TokenInfo> = {}): void {
    this.known.set(tokenId, {
      tokenId,
      licenseArn: LICENSE_ARN,
      status: 'AVAILABLE',
      roleArns: [ROLE_ARN],
      tokenProperties: ['customer:acme'],
      expiresAt: new Date(this.now.getTime() + 200 * DAY_MS),
      ...overrides,
    });
  }

  /** What ListTokens says of a token's status, or undefined when it does not know it. */
  statusOf(tokenId: string): string | undefined {
    return this.known.get(tokenId)?.status;
  }

  async createToken(request: TokenRequest): Promise<IssuedToken> {
    this.calls.push({ op: 'create', request });
    const replay = this.#byClientToken.get(request.clientToken);
    if (replay !== undefined) return replay;
    const issued: IssuedToken = {
      tokenId: `tok-${this.#byClientToken.size + 1}`,
      token: new Secret(fakeToken()),
      ...(this.redirectTo === undefined ? {} : { redirectedTo: this.redirectTo }),
    };
    this.#byClientToken.set(request.clientToken, issued);
    this.seed(issued.tokenId, {
      licenseArn: request.licenseArn,
      roleArns: request.roleArns,
      tokenProperties: request.tokenProperties,
      expiresAt: new Date(this.now.getTime() + request.expirationInDays * DAY_MS),
    });
    return issued;
  }

  /** Forgets every ClientToken, as License Manager does ten minutes after a mint. */
  forgetClientTokens(): void {
    this.#byClientToken.clear();
  }

  async verifyToken(
    token: Secret,
    _properties: readonly string[],
    where: LicenseLocation,
  ): Promise<void> {
    const issued = [...this.#byClientToken.values()].find((candidate) => candidate.token === token);
    this.calls.push({ op: 'verify', tokenId: issued?.tokenId, where });
    if (this.verifyError !== undefined) throw this.verifyError;
  }

  async deleteToken(tokenId: string, where: LicenseLocation): Promise<Revocation> {
    this.calls.push({ op: 'delete', tokenId, where });
    if (this.deleteError !== undefined) throw this.deleteError;
    const token = this.known.get(tokenId);
    if (token?.status !== 'AVAILABLE') return 'already-revoked';
    token.status = 'DELETED';
    return 'revoked';
  }

  async describeTokens(
    tokenIds: readonly string[],
    homeRegion?: string,
  ): Promise<ReadonlyMap<string, TokenInfo>> {
    this.calls.push({ op: 'list', tokenIds, homeRegion });
    if (this.listError !== undefined) throw this.listError;
    return new Map(
      tokenIds.flatMap((id) => {
        const token = this.known.get(id);
        return token === undefined ? [] : [[id, { ...token }] as const];
      }),
    );
  }

  async *licenseTokens(licenseArn: string, homeRegion?: string): AsyncIterable<TokenInfo[]> {
    this.calls.push({ op: 'list-license', licenseArn, homeRegion });
    if (this.listError !== undefined) throw this.listError;
    yield [...this.known.values()]
      .filter((token) => token.licenseArn === licenseArn)
      .map((token) => ({ ...token }));
  }

  /** The calls of one kind. */
  callsOf<K extends TokenCall['op']>(op: K): Extract<TokenCall, { op: K }>[] {
    return this.calls.filter((call): call is Extract<TokenCall, { op: K }> => call.op === op);
  }
}

/** GetAccessToken's verdict on a token it will not honour, as the adapter reports it. */
export const rejected = (): PermanentError =>
  new PermanentError('GetAccessToken', 'TokenRejected', 'Token is not valid');
