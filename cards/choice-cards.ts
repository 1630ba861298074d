import { execute, type AdaptiveCard } from './ui';
import { VERBS, type Verb } from './verbs';

/**
 * Cards that ask "which one?" when words match more than one thing (a product, a subscription, a
 * person), and "did you mean?" cards for commands that were not understood. Every button finishes
 * the job the person started: it carries the verb and ids of the action itself, never a hint to type
 * something again.
 */

export interface ChoiceOption {
  /** What tells this option apart, first line bold. */
  title: string;
  lines: string[];
  action: { title: string; verb: Verb; data: Record<string, string | number | boolean> };
}

/** At most this many options on one card; the rest are summarized, so the card stays small. */
export const MAX_CHOICES = 10;

export const choiceCard = (input: { heading: string; question: string; options: readonly ChoiceOption[]; moreHint?: string }): AdaptiveCard => {
  const shown = input.options.slice(0, MAX_CHOICES);
  const hidden = input.options.length - shown.length;
  const body: unknown[] = [
    { type: 'TextBlock', text: input.heading, wrap: true, size: 'Medium', weight: 'Bolder' },
    { type: 'TextBlock', text: input.question, wrap: true, spacing: 'None' },
    ...shown.map((o) => ({
      type: 'Container',
      separator: true,
      items: [
        {
          type: 'ColumnSet',
          columns: [
            {
              type: 'Column',
              width: 'stretch',
              items: [
                { type: 'TextBlock', text: `**${o.title}**`, wrap: true },
                ...o.lines.map((l) => ({ type: 'TextBlock', text: l, wrap: true, spacing: 'None', isSubtle: true })),
              ],
            },
            { type: 'Column', width: 'auto', verticalContentAlignment: 'Center', items: [{ type: 'ActionSet', actions: [execute(o.action.title, o.action.verb, o.action.data)] }] },
          ],
        },
      ],
    })),
  ];
  if (hidden > 0) body.push({ type: 'TextBlock', text: `And ${hidden} more. ${input.moreHint ?? 'Add a word or two to narrow it down.'}`, wrap: true, isSubtle: true });
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body } as AdaptiveCard;
};

/** A text answer as a card (Teams renders its Markdown, and it stays in the chat in place of the card it answers). */
export const textCard = (markdown: string): AdaptiveCard =>
  ({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    // A card's TextBlock drops "<product>" as markup: placeholders are shown as ‹product›.
    body: markdown.split(/\n{2,}/).map((p) => ({ type: 'TextBlock', text: p.replace(/<([^<>\n]{1,40})>/g, '‹$1›'), wrap: true })),
  }) as AdaptiveCard;

/** "I didn't get that": the closest commands, with what was understood filled in, each as a button that runs it. */
export const suggestionCard = (input: { said: string; commands: readonly string[]; helpTitle?: string }): AdaptiveCard => {
  const body: unknown[] = [{ type: 'TextBlock', text: input.commands.length ? `I didn't get "${input.said}". Did you mean:` : `I didn't get "${input.said}".`, wrap: true }];
  const actions = [
    ...input.commands.slice(0, 3).map((c) => execute(c, VERBS.runCommand, { text: c })),
    execute(input.helpTitle ?? 'Show what I can do', VERBS.runCommand, { text: 'help' }),
  ];
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, actions } as AdaptiveCard;
};
