import { GraphError, type GraphClient } from './graph-client';

/**
 * Installs the app for a person through Microsoft Graph and returns their 1:1 chat with the bot: what
 * Teams apps do to reach someone the bot can't start a chat with (the app isn't installed for them, nor
 * in a team they're in). Needs the application permission TeamsAppInstallation.ReadWriteSelfForUser.All
 * (and AppCatalog.Read.All to find the app), consented by an admin of the person's organization, and the
 * app in that organization's catalog.
 *
 *   GET  /appCatalogs/teamsApps?$filter=externalId eq '{manifest id}'  → the catalog id (once per tenant)
 *   POST /users/{id}/teamwork/installedApps                            → 201 installed, 409 already
 *   GET  /users/{id}/teamwork/installedApps?$filter=teamsApp/id eq …   → the installation
 *   GET  /users/{id}/teamwork/installedApps/{installation}/chat        → the chat id (19:…)
 */
export class ProactiveInstaller {
  private readonly catalogIds = new Map<string, Promise<string>>();

  constructor(
    private readonly graph: GraphClient,
    /** The manifest's app id (TEAMS_APP_ID): the catalog's externalId for an app the organization uploaded. */
    private readonly manifestAppId: string,
  ) {}

  async chatWith(tenantId: string, userId: string): Promise<string> {
    const appId = await this.catalogId(tenantId);
    const user = `/users/${encodeURIComponent(userId)}/teamwork/installedApps`;
    await this.graph.call(tenantId, 'POST', user, { body: { 'teamsApp@odata.bind': `${this.graph.graphUrl}/appCatalogs/teamsApps/${appId}` }, accept: [409] });
    const { body } = await this.graph.call<{ value?: Array<{ id: string }> }>(
      tenantId,
      'GET',
      `${user}?$expand=teamsApp&$filter=${encodeURIComponent(`teamsApp/id eq '${appId}'`)}`,
    );
    const installation = body?.value?.[0]?.id;
    if (!installation) throw new GraphError(404, 'NotInstalled', 'the app was installed for them but Teams does not list the installation yet');
    const chat = await this.graph.call<{ id?: string }>(tenantId, 'GET', `${user}/${encodeURIComponent(installation)}/chat`);
    if (!chat.body?.id) throw new GraphError(404, 'NoChat', 'Teams has no chat for the installation yet');
    return chat.body.id;
  }

  /** Once per tenant (again after a failure). */
  private catalogId(tenantId: string): Promise<string> {
    let id = this.catalogIds.get(tenantId);
    if (!id) {
      const lookup = (async () => {
        const filter = encodeURIComponent(`externalId eq '${this.manifestAppId.replace(/'/g, "''")}'`);
        const { body } = await this.graph.call<{ value?: Array<{ id: string }> }>(tenantId, 'GET', `/appCatalogs/teamsApps?$filter=${filter}`);
        const found = body?.value?.[0]?.id;
        if (!found) throw new GraphError(404, 'AppNotInCatalog', "the app is not in the organization's app catalog (upload it in the Teams admin center)");
        return found;
      })();
      this.catalogIds.set(tenantId, (id = lookup));
      lookup.catch(() => this.catalogIds.delete(tenantId));
    }
    return id;
  }
}
