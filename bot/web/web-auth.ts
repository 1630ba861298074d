import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { SignedLinks } from '../signed-links';

/** The person behind a page request, established by the server from a verified credential. */
export interface WebIdentity {
  tenantId: string;
  userId: string;
  name: string;
  /** How they proved it, for logs and the audit trail's curious reader. */
  via: 'teams-sso' | 'signed-link';
}

export interface SsoSettings {
  /** The Entra app the Teams SSO token is issued for (manifest `webApplicationInfo.id`). Empty: SSO off. */
  clientId: string;
  /** `webApplicationInfo.resource`, e.g. api://bot.contoso.com/<clientId>: also a valid audience. */
  appIdUri: string;
  /** Where Entra publishes its signing keys. */
  jwksUrl: string;
  /** Single-tenant deployments accept only their own tenant; empty accepts any tenant. */
  allowedTenantId: string;
}

export const WEB_LINK_PURPOSE = 'web-session';
export const WEB_LINK_MINUTES = 30;

/** Entra ids are GUIDs; the shape check only keeps odd strings out of queries and logs. */
const ENTRA_ID = /^[0-9a-f][0-9a-f-]{7,63}$/i;

export class WebAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebAuthError';
  }
}

/**
 * Pages never tell the server who is using them; they bring a credential the server verifies:
 * - inside Teams, the Teams SSO token (`authentication.getAuthToken()`): an Entra access token whose
 *   signature, audience, issuer, expiry and tenant are checked here (`Authorization: Bearer …`);
 * - outside Teams (local development, the Agents Playground), a short-lived link the bot signed in
 *   chat (`Authorization: Link …`).
 */
export class WebAuthenticator {
  private readonly keys: JWTVerifyGetKey | null;

  constructor(
    private readonly sso: SsoSettings,
    private readonly links: SignedLinks,
    private readonly now: () => Date = () => new Date(),
    keys?: JWTVerifyGetKey,
  ) {
    this.keys = sso.clientId ? (keys ?? createRemoteJWKSet(new URL(sso.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 12 * 3_600_000 })) : null;
  }

  /** A link for `identity` to open the pages outside Teams. */
  issueLink(identity: { tenantId: string; userId: string }, minutes = WEB_LINK_MINUTES): string {
    return this.links.sign({ tenantId: identity.tenantId, userId: identity.userId, purpose: WEB_LINK_PURPOSE, arg: null }, minutes * 60_000);
  }

  /** The verified identity behind an Authorization header; throws WebAuthError otherwise. */
  async identify(authorization: string | undefined): Promise<WebIdentity> {
    const [scheme, credential] = (authorization ?? '').trim().split(/\s+/, 2);
    if (!scheme || !credential) throw new WebAuthError('Sign-in required: open this page from Microsoft Teams, or ask the bot for a link ("open my purchases").');
    if (/^link$/i.test(scheme)) {
      const claims = this.links.verify(credential, WEB_LINK_PURPOSE);
      if (!claims) throw new WebAuthError('This link is invalid or has expired. Ask the bot for a new one ("open my purchases" or "open admin").');
      return { tenantId: claims.tenantId, userId: claims.userId, name: '', via: 'signed-link' };
    }
    if (!/^bearer$/i.test(scheme)) throw new WebAuthError('Unsupported authorization scheme.');
    if (!this.keys) throw new WebAuthError('Teams single sign-on is not configured on this server (set SSO_CLIENT_ID or BOT_ID).');
    let payload;
    try {
      ({ payload } = await jwtVerify(credential, this.keys, {
        audience: [this.sso.clientId, this.sso.appIdUri].filter(Boolean),
        algorithms: ['RS256'],
        currentDate: this.now(),
        clockTolerance: 60,
        requiredClaims: ['exp', 'iss', 'aud'],
      }));
    } catch (e) {
      throw new WebAuthError(`Your Teams sign-in could not be verified (${(e as Error).message}).`);
    }
    const tid = payload.tid;
    const oid = payload.oid;
    if (typeof tid !== 'string' || !ENTRA_ID.test(tid)) throw new WebAuthError('Your Teams sign-in has no tenant.');
    if (typeof oid !== 'string' || !ENTRA_ID.test(oid)) throw new WebAuthError('Your Teams sign-in has no user id.');
    // Multi-tenant apps validate the issuer against the token's own tenant (v1 and v2 token formats).
    const issuers = [`https://login.microsoftonline.com/${tid}/v2.0`, `https://sts.windows.net/${tid}/`];
    if (!issuers.includes(String(payload.iss))) throw new WebAuthError('Your Teams sign-in was issued by an unexpected authority.');
    if (this.sso.allowedTenantId && tid.toLowerCase() !== this.sso.allowedTenantId.toLowerCase()) {
      throw new WebAuthError('This app is not available to your organization.');
    }
    return { tenantId: tid, userId: oid, name: typeof payload.name === 'string' ? payload.name : '', via: 'teams-sso' };
  }
}
