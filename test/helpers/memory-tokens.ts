import { PermanentError } from '../../src/errors.js';
import type {
  IssuedToken,
  LicenseLocation,
  LicenseTokens,
  Revocation,
  TokenRequest,
} from '../../src/rotation/ports.js';
import { Secret } from '../../src/rotation/secret.js';
import { fakeToken } from './secrets.js';

/** One call the in-memory License Manager received, for assertions. */
export type TokenCall =
  | { op: 'create'; request: TokenRequest }
  | { op: 'verify'; tokenId: string | undefined; where: LicenseLocation }
  | { op: 'delete'; tokenId: string; where: LicenseLocation }
  | { op: 'list'; tokenIds: readonly string[]; homeRegion: string | undefined };

/**
 * The LicenseTokens port in memory, for the pure rotation tests: ClientToken replay, a token
 * status per id, and switches to make verification or deletion fail.
 */
export class MemoryTokens implements LicenseTokens {
  readonly calls: TokenCall[] = [];
  readonly status = new Map<string, 'AVAILABLE' | 'DELETED'>();
  readonly #byClientToken = new Map<string, IssuedToken>();
  /** Make GetAccessToken refuse (or fail with) this error. */
  verifyError: Error | undefined;
  /** Make DeleteToken fail with this error. */
  deleteError: Error | undefined;
  /** Pretend CreateToken followed a redirect to this region. */
  redirectTo: string | undefined;

  async createToken(request: TokenRequest): Promise<IssuedToken> {
    this.calls.push({ op: 'create', request });
    const known = this.#byClientToken.get(request.clientToken);
    if (known !== undefined) return known;
    const issued: IssuedToken = {
      tokenId: `tok-${this.#byClientToken.size + 1}`,
      token: new Secret(fakeToken()),
      ...(this.redirectTo === undefined ? {} : { redirectedTo: this.redirectTo }),
    };
    this.#byClientToken.set(request.clientToken, issued);
    this.status.set(issued.tokenId, 'AVAILABLE');
    return issued;
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
    if (this.status.get(tokenId) !== 'AVAILABLE') return 'already-revoked';
    this.status.set(tokenId, 'DELETED');
    return 'revoked';
  }

  async availableTokenIds(
    tokenIds: readonly string[],
    homeRegion?: string,
  ): Promise<ReadonlySet<string>> {
    this.calls.push({ op: 'list', tokenIds, homeRegion });
    return new Set(tokenIds.filter((id) => this.status.get(id) === 'AVAILABLE'));
  }

  /** The calls of one kind. */
  callsOf<K extends TokenCall['op']>(op: K): Extract<TokenCall, { op: K }>[] {
    return this.calls.filter((call): call is Extract<TokenCall, { op: K }> => call.op === op);
  }
}

/** GetAccessToken's verdict on a token it will not honour, as the adapter reports it. */
export const rejected = (): PermanentError =>
  new PermanentError('GetAccessToken', 'TokenRejected', 'Token is not valid');
