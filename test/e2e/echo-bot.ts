import restify, { type Server } from 'restify';
import {
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  MessageFactory,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';

/**
 * A tiny unauthenticated bot for testing the Playground driver itself, independent of the product's
 * commands: it echoes text, sends a form card on "card", reports submitted card data, answers
 * Action.Execute with a replacement card, and keeps every activity and conversation reference.
 */
export interface EchoBot {
  endpoint: string;
  adapter: CloudAdapter;
  received: Partial<Activity>[];
  references: Map<string, Partial<ConversationReference>>;
  close(): Promise<void>;
}

export const FORM_CARD = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Echo form', weight: 'Bolder' },
    { type: 'Input.Text', id: 'note', label: 'Note', placeholder: 'Type a note' },
    { type: 'Input.Text', id: 'comment', placeholder: 'Comment', isMultiline: true },
    {
      type: 'Input.ChoiceSet',
      id: 'qty',
      label: 'Quantity',
      value: '1',
      choices: [
        { title: 'One', value: '1' },
        { title: 'Five', value: '5' },
        { title: 'Ten', value: '10' },
      ],
    },
    {
      type: 'Input.ChoiceSet',
      id: 'freq',
      label: 'Billing',
      style: 'expanded',
      value: 'Monthly',
      choices: [
        { title: 'Monthly', value: 'Monthly' },
        { title: 'Annual', value: 'Annual' },
      ],
    },
    {
      type: 'Input.ChoiceSet',
      id: 'extras',
      label: 'Extras',
      style: 'expanded',
      isMultiSelect: true,
      choices: [
        { title: 'Support', value: 'support' },
        { title: 'Training', value: 'training' },
      ],
    },
    { type: 'Input.Toggle', id: 'agree', title: 'I agree', value: 'false' },
  ],
  actions: [
    { type: 'Action.Submit', title: 'Send', data: { verb: 'send' } },
    { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data: { from: 'execute' } },
  ],
};

const sorted = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sorted)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sorted(x)]),
        )
      : v;
/** JSON with sorted keys, so tests can compare it as text. */
export const stable = (v: unknown): string => JSON.stringify(sorted(v));

export const startEchoBot = async (): Promise<EchoBot> => {
  const settings = { MicrosoftAppId: '', MicrosoftAppPassword: '' };
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(settings, new ConfigurationServiceClientCredentialFactory(settings)));
  const received: Partial<Activity>[] = [];
  const references = new Map<string, Partial<ConversationReference>>();

  const server: Server = restify.createServer({ name: 'echo-bot' });
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, async (context) => {
      const a = context.activity;
      received.push(JSON.parse(JSON.stringify(a)) as Partial<Activity>); // removeRecipientMention edits `a`
      // For proactive messages: no reply id, and a channel itself rather than the thread (";messageid=").
      const { activityId: _reply, ...reference } = TurnContext.getConversationReference(a);
      const id = a.conversation.id.split(';')[0];
      references.set(id, { ...reference, conversation: { ...reference.conversation, id } as ConversationReference['conversation'] });
      const text = (TurnContext.removeRecipientMention(a) ?? a.text ?? '').trim();
      if (a.type === 'message' && a.value) {
        await context.sendActivity(`submitted ${stable(a.value)}`);
      } else if (a.type === 'message' && text === 'card') {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(FORM_CARD)));
      } else if (a.type === 'message') {
        await context.sendActivity(`echo: ${text}`);
      } else if (a.type === 'invoke' && a.name === 'adaptiveCard/action') {
        const data = (a.value as { action?: { data?: unknown } })?.action?.data;
        const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `Executed ${stable(data)}` }] };
        await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } } });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}/api/messages`,
    adapter,
    received,
    references,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};
