import type { RotationRecord } from './record.js';

/** A record's claim on a token: its current token (seen AVAILABLE or not yet), or its previous. */
const Role = { Current: 'c', CurrentSeen: 'C', Previous: 'p' } as const;
type Role = (typeof Role)[keyof typeof Role];

const isCurrent = (role: string): boolean => role === Role.Current || role === Role.CurrentSeen;

/**
 * Which record names which token, license by license, to find the records that name another's
 * and the current tokens License Manager no longer lists. A record may name any token id, and
 * every delete acts on a record's word: a record that named another parameter's current token as
 * its previous would have the scan revoke it, and its rotation push it out. So each token may be
 * named once: a record that names another's current token as its previous is in conflict, and two
 * records that name the same token in the same place both are (neither can be told from the
 * other). A token of another license is refused by every delete's own proof. Memory: one entry
 * per token named.
 */
export class Claims {
  /** License → token id → the claim's role and the name of the record that makes it. */
  readonly #byLicense = new Map<string, Map<string, string>>();
  /** Parameter name → what its record conflicts with. */
  readonly #conflicts = new Map<string, string>();

  /**
   * Notes the tokens a parameter's record names. `watched` false: its current token is not
   * expected to be listed (it has expired), so it is never reported lost.
   */
  note(
    name: string,
    record: Pick<RotationRecord, 'licenseArn' | 'tokenId' | 'previousTokenId'>,
    watched = true,
  ): void {
    const claims = this.#byLicense.get(record.licenseArn) ?? new Map<string, string>();
    this.#byLicense.set(record.licenseArn, claims);
    this.#claim(claims, record.tokenId, name, watched ? Role.Current : Role.CurrentSeen);
    if (record.previousTokenId !== undefined) {
      this.#claim(claims, record.previousTokenId, name, Role.Previous);
    }
  }

  /** True when some record of the license names the token, as current or previous. */
  has(licenseArn: string, tokenId: string): boolean {
    return this.#byLicense.get(licenseArn)?.has(tokenId) === true;
  }

  /** Notes that License Manager lists the token as AVAILABLE. */
  seen(licenseArn: string, tokenId: string): void {
    const claims = this.#byLicense.get(licenseArn);
    const claim = claims?.get(tokenId);
    if (claims !== undefined && claim?.startsWith(Role.Current)) {
      claims.set(tokenId, `${Role.CurrentSeen}${claim.slice(1)}`);
    }
  }

  /** The records of the license whose current token was not seen AVAILABLE, by token id. */
  lost(licenseArn: string): { readonly name: string; readonly tokenId: string }[] {
    const lost: { name: string; tokenId: string }[] = [];
    for (const [tokenId, claim] of this.#byLicense.get(licenseArn) ?? []) {
      if (claim.startsWith(Role.Current)) lost.push({ name: claim.slice(1), tokenId });
    }
    return lost;
  }

  /** What the parameter's record conflicts with, or undefined when nothing. */
  conflictOf(name: string): string | undefined {
    return this.#conflicts.get(name);
  }

  /** Every record in conflict, with what it conflicts with. */
  conflicts(): ReadonlyMap<string, string> {
    return this.#conflicts;
  }

  #claim(claims: Map<string, string>, tokenId: string, name: string, role: Role): void {
    const earlier = claims.get(tokenId);
    if (earlier === undefined) {
      claims.set(tokenId, `${role}${name}`);
      return;
    }
    const other = earlier.slice(1);
    const current = isCurrent(role);
    const otherCurrent = isCurrent(earlier.slice(0, 1));
    if (current && otherCurrent) {
      this.#flag(name, `its token ${tokenId} is also the token of ${other}`);
      this.#flag(other, `its token ${tokenId} is also the token of ${name}`);
    } else if (!current && !otherCurrent) {
      this.#flag(name, `its previous token ${tokenId} is also the previous token of ${other}`);
      this.#flag(other, `its previous token ${tokenId} is also the previous token of ${name}`);
    } else if (!current) {
      this.#flag(name, `its previous token ${tokenId} is the token of ${other}`);
    } else {
      this.#flag(other, `its previous token ${tokenId} is the token of ${name}`);
      // The current claim is the one later records are held against.
      claims.set(tokenId, `${role}${name}`);
    }
  }

  #flag(name: string, problem: string): void {
    if (!this.#conflicts.has(name)) this.#conflicts.set(name, problem);
  }
}
