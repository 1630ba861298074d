import type { Server } from 'restify';
import type { Deps } from '../../domain/ports';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import type { SignedLinks } from '../signed-links';
import { registerWebApi } from './web-api';
import { WebAuthenticator, WEB_LINK_MINUTES } from './web-auth';
import { PageAssets, registerPages, type WebPage } from './pages';
import { WEB_ROUTES } from '../features/registry';
import type { SandboxPaymentProvider } from '../../payments/sandbox-payment-provider';
import { registerSandboxTokenizer } from './sandbox-tokenizer';

export interface WebSurface {
  auth: WebAuthenticator;
  /** A signed link that opens a page outside Teams as this person (the fragment never reaches logs). */
  pageLink(identity: { tenantId: string; userId: string }, page: WebPage, params?: Record<string, string>): { url: string; minutes: number };
}

/** The pages shown in Teams and their JSON API, on the bot's own server. */
export const registerWeb = (server: Server, deps: { config: AppConfig; deps: Deps; links: SignedLinks; logger: Logger; payments: SandboxPaymentProvider }): WebSurface => {
  const auth = new WebAuthenticator(deps.config.sso, deps.links, () => deps.deps.clock.now());
  const assets = new PageAssets({ minify: deps.config.env === 'production' });
  assets.warm().catch((err) => deps.logger.error({ err }, 'page bundle build failed'));
  registerPages(server, { assets, logger: deps.logger });
  registerWebApi(server, { deps: deps.deps, auth, logger: deps.logger, routes: WEB_ROUTES });
  registerSandboxTokenizer(server, { payments: deps.payments, logger: deps.logger });
  return {
    auth,
    pageLink: (identity, page, params = {}) => {
      const query = new URLSearchParams(params).toString();
      return { url: `${deps.config.publicUrl}/web/${page}${query ? `?${query}` : ''}#link=${auth.issueLink(identity)}`, minutes: WEB_LINK_MINUTES };
    },
  };
};
