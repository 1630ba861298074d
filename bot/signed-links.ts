import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  /** Tenant and Entra user the link was issued to; the server re-checks their role on use. */
  tenantId: string;
  userId: string;
  /** What the link is for, so a link for one thing can't be used for another. */
  purpose: string;
  /** Purpose-specific argument (e.g. the product of an export), or null. */
  arg: string | null;
  /** Expiry, ms since epoch. */
  exp: number;
}

/** Short-lived HMAC-signed links: the bot issues them in chat; the browser brings them back. */
export class SignedLinks {
  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  sign(claims: Omit<LinkClaims, 'exp'>, ttlMs: number): string {
    const body = Buffer.from(JSON.stringify({ ...claims, exp: this.now() + ttlMs })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a valid, unexpired token for `purpose`, or null for anything else. */
  verify(token: unknown, purpose: string): LinkClaims | null {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const [body, mac] = token.split('.');
    if (!body || !mac) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
      if (claims.purpose !== purpose || typeof claims.exp !== 'number' || claims.exp < this.now()) return null;
      if (typeof claims.tenantId !== 'string' || typeof claims.userId !== 'string') return null;
      return claims;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
