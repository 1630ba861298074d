import { ConfigurationServiceClientCredentialFactory, type Activity } from 'botbuilder';
import { ReusedConnectorClients } from '../../bot/adapter';
import { startBot, type BotHarness } from './harness';

const settings = { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' };
const activity = (serviceUrl: string) => ({ type: 'message', channelId: 'msteams', serviceUrl, text: 'help' }) as Activity;

/** Credentials that fail the first `failures` times they are asked for, as an unreachable token endpoint would. */
class FlakyCredentials extends ConfigurationServiceClientCredentialFactory {
  calls = 0;
  constructor(private failures: number) {
    super(settings);
  }
  override createCredentials(...args: Parameters<ConfigurationServiceClientCredentialFactory['createCredentials']>) {
    this.calls += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('token endpoint unreachable'));
    }
    return super.createCredentials(...args);
  }
}

describe('ReusedConnectorClients: one ConnectorClient per app id, service URL and audience, one UserTokenClient per app id', () => {
  it('gives the same client to every incoming turn for one service URL, another for another; proactive sends share one of their own', async () => {
    const auth = new ReusedConnectorClients(settings, new ConfigurationServiceClientCredentialFactory(settings));
    const first = await auth.authenticateRequest(activity('https://smba.example/amer/'), '');
    const second = await auth.authenticateRequest(activity('https://smba.example/amer/'), '');
    const a = await first.connectorFactory!.create('https://smba.example/amer/', first.audience);
    const b = await second.connectorFactory!.create('https://smba.example/amer/', second.audience);
    expect(b).toBe(a);
    // Proactive sends (createConnectorFactory) get a client apart from the turns': theirs carries the outbox's policy.
    const proactive = await auth.createConnectorFactory(first.claimsIdentity).create('https://smba.example/amer/', first.audience);
    expect(proactive).not.toBe(a);
    expect(await auth.createConnectorFactory(second.claimsIdentity).create('https://smba.example/amer/', second.audience)).toBe(proactive);
    expect(await auth.createConnectorFactory(first.claimsIdentity).create('https://smba.example/emea/', first.audience)).not.toBe(proactive);
    const emea = await first.connectorFactory!.create('https://smba.example/emea/', first.audience);
    expect(emea).not.toBe(a);
    expect(await first.connectorFactory!.create('https://smba.example/amer/', 'https://api.botframework.us')).not.toBe(a);
  });

  it('does not keep a client whose creation failed: the next turn tries again', async () => {
    const credentials = new FlakyCredentials(1);
    const auth = new ReusedConnectorClients(settings, credentials);
    const factory = (await auth.authenticateRequest(activity('https://smba.example/amer/'), '')).connectorFactory!;
    await expect(factory.create('https://smba.example/amer/')).rejects.toThrow('token endpoint unreachable');
    const client = await factory.create('https://smba.example/amer/');
    expect(await factory.create('https://smba.example/amer/')).toBe(client);
    expect(credentials.calls).toBe(2);
  });

  it('gives every turn of one app id the same UserTokenClient, and tries again after a failed creation', async () => {
    const credentials = new FlakyCredentials(1);
    const auth = new ReusedConnectorClients(settings, credentials);
    const { claimsIdentity } = await auth.authenticateRequest(activity('https://smba.example/amer/'), '');
    await expect(auth.createUserTokenClient(claimsIdentity)).rejects.toThrow('token endpoint unreachable');
    const client = await auth.createUserTokenClient(claimsIdentity);
    const again = (await auth.authenticateRequest(activity('https://smba.example/emea/'), '')).claimsIdentity;
    expect(await auth.createUserTokenClient(again)).toBe(client);
    expect(credentials.calls).toBe(2);
  });

  it(`keeps at most ${ReusedConnectorClients.MAX_CLIENTS} clients, the least recently used going first`, async () => {
    const credentials = new FlakyCredentials(0);
    const auth = new ReusedConnectorClients(settings, credentials);
    const factory = (await auth.authenticateRequest(activity('https://smba.example/0/'), '')).connectorFactory!;
    const kept = await factory.create('https://smba.example/0/');
    const dropped = await factory.create('https://smba.example/1/');
    for (let i = 2; i < ReusedConnectorClients.MAX_CLIENTS; i++) await factory.create(`https://smba.example/${i}/`);
    expect(await factory.create('https://smba.example/0/')).toBe(kept); // used again: now the most recent
    await factory.create('https://smba.example/new/'); // one over: the least recently used (1) goes
    expect(await factory.create('https://smba.example/0/')).toBe(kept);
    expect(await factory.create('https://smba.example/1/')).not.toBe(dropped);
  });
});

describe('the bot over real HTTP with reused connector clients', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(async () => {
    await bot.close();
  });

  it('answers turn after turn through the one client, each reply reaching the connector', async () => {
    for (let i = 0; i < 3; i++) {
      const { status, replies } = await bot.say('megan', 'help');
      expect(status).toBe(200);
      expect(replies.join('\n')).toContain('I can help you buy and manage');
    }
  });
});
