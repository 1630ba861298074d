import type { Server } from 'restify';
import type { Deps } from '../domain/ports';
import { exportableSubscriptionIds, exportLicensedUsers } from '../domain/admin/export-licensed-users';
import { DomainError } from '../domain/shared/errors';
import type { Logger } from './logger';
import type { SignedLinks } from './signed-links';
import { streamDownload } from './web/stream-download';

export const EXPORT_PURPOSE = 'export-licensed-users';
export const EXPORT_LINK_MINUTES = 10;
export const EXPORT_PATH = '/exports/licensed-users.csv';

/**
 * The CSV behind the chat's "Download CSV" button. The link says who asked; the domain checks again
 * that they are still an admin of that tenant before the first byte, and the rows stream in batches.
 */
export const registerExportEndpoint = (server: Server, deps: { deps: Deps; links: SignedLinks; logger: Logger }): void => {
  server.get(EXPORT_PATH, async (req, res) => {
    const claims = deps.links.verify((req.query as Record<string, unknown> | undefined)?.token, EXPORT_PURPOSE);
    if (!claims) {
      res.send(403, { error: 'This download link is invalid or has expired. Say "export" to the bot for a new one.' });
      return;
    }
    const ctx = { tenantId: claims.tenantId, actorId: claims.userId, surface: 'web' as const };
    let rows: AsyncIterable<string>;
    try {
      const ids = await exportableSubscriptionIds(deps.deps, ctx, { productId: claims.arg ?? undefined });
      if (ids.length === 0) {
        res.send(404, { error: 'There are no live subscriptions to export any more.' });
        return;
      }
      rows = await exportLicensedUsers(deps.deps, ctx, { subscriptionIds: ids });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      res.send(403, { error: e.message });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="licensed-users.csv"', 'cache-control': 'no-store' });
    await streamDownload(res, rows, (err) => deps.logger.error({ err }, 'export failed midway'));
  });
};
