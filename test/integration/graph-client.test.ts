import { GraphClient, GraphError } from '../../bot/graph/graph-client';
import { ProactiveInstaller } from '../../bot/graph/proactive-install';
import { GraphStandIn } from '../support/graph-stand-in';

/** The Graph client and the proactive install against a loopback stand-in that answers as Graph does. */
describe('Microsoft Graph: app-only tokens per tenant, throttling, proactive install', () => {
  let graph: GraphStandIn;
  const slept: number[] = [];
  const clientOf = (over: Partial<{ clientSecret: string }> = {}) =>
    new GraphClient(
      { clientId: graph.clientId, clientSecret: over.clientSecret ?? graph.clientSecret, graphUrl: graph.graphUrl, authorityUrl: graph.url },
      { sleep: async (ms) => void slept.push(ms) },
    );
  beforeEach(async () => {
    graph = await new GraphStandIn().start();
    slept.length = 0;
  });
  afterEach(() => graph.stop());

  test("a token per tenant, reused; each tenant's calls carry that tenant's token", async () => {
    graph.tenant('tenant-a', ['alice']);
    graph.tenant('tenant-b', ['bob']);
    const client = clientOf();
    const installer = new ProactiveInstaller(client, graph.manifestAppId);
    expect(await installer.chatWith('tenant-a', 'alice')).toBe('19:alice_bot@unq.gbl.spaces');
    expect(await installer.chatWith('tenant-b', 'bob')).toBe('19:bob_bot@unq.gbl.spaces');
    const tokens = graph.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
    expect(tokens.map((r) => r.tenantId)).toEqual(['tenant-a', 'tenant-b']);
    const userCalls = graph.requests.filter((q) => q.path.includes('/users/'));
    expect(userCalls).toHaveLength(6); // install, find the installation, its chat: for each
    for (const r of userCalls) expect(r.tenantId).toBe(r.path.includes('alice') ? 'tenant-a' : 'tenant-b');
    // Someone of one tenant is unknown in the other: the call is that tenant's, so Graph says 404.
    await expect(installer.chatWith('tenant-b', 'alice')).rejects.toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
  });

  test('installing for someone who has the app already (409) still finds their chat', async () => {
    const t = graph.tenant('tenant-a', ['alice']);
    t.installed.add('alice');
    expect(await new ProactiveInstaller(clientOf(), graph.manifestAppId).chatWith('tenant-a', 'alice')).toBe('19:alice_bot@unq.gbl.spaces');
    expect(graph.requests.filter((r) => r.method === 'POST' && r.path.includes('installedApps'))).toHaveLength(1);
  });

  test('429 is waited out for its Retry-After, then the call goes through', async () => {
    graph.tenant('tenant-a', ['alice']);
    graph.throttleNext = 2;
    expect(await new ProactiveInstaller(clientOf(), graph.manifestAppId).chatWith('tenant-a', 'alice')).toMatch(/^19:/);
    expect(slept).toEqual([1000, 1000]);
  });

  test('throttled past the retries: a transient error (the caller retries later)', async () => {
    graph.tenant('tenant-a', ['alice']);
    graph.throttleNext = 10;
    const e = await new ProactiveInstaller(clientOf(), graph.manifestAppId).chatWith('tenant-a', 'alice').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GraphError);
    expect(e).toMatchObject({ status: 429, transient: true });
  });

  test('each refusal says what is missing, and is not transient: no consent (403), not in the catalog, a wrong secret', async () => {
    graph.tenant('no-consent', ['alice'], { consent: false });
    graph.tenant('no-catalog', ['alice'], { catalog: false });
    const installer = new ProactiveInstaller(clientOf(), graph.manifestAppId);
    await expect(installer.chatWith('no-consent', 'alice')).rejects.toMatchObject({ status: 403, transient: false, message: expect.stringMatching(/AppCatalog\.Read\.All/) });
    await expect(installer.chatWith('no-catalog', 'alice')).rejects.toMatchObject({ code: 'AppNotInCatalog', transient: false });
    await expect(new ProactiveInstaller(clientOf({ clientSecret: 'wrong' }), graph.manifestAppId).chatWith('no-catalog', 'alice')).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/AADSTS7000215/),
    });
    // A tenant id that isn't one never reaches the token endpoint's path.
    await expect(installer.chatWith('../evil', 'alice')).rejects.toMatchObject({ code: 'BadTenant' });
  });

  test('a full URL (an @odata.nextLink) is followed only on Graph itself', async () => {
    const client = clientOf();
    await expect(client.call('tenant-a', 'GET', 'https://evil.example/v1.0/users')).rejects.toMatchObject({ code: 'BadRequest' });
  });
});
