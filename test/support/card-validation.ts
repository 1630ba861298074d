import * as AC from 'adaptivecards';

/** Parses a card with the official adaptivecards parser and returns every warning or error it raised. */
export const cardProblems = (card: unknown): string[] => {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card as never, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(`${context.getEventAt(i).phase === AC.ValidationPhase.Parse ? 'parse' : 'validation'}: ${context.getEventAt(i).message}`);
  const validation = parsed.validateProperties();
  for (const e of validation.validationEvents) problems.push(`validation: ${e.message}`);
  return problems;
};

/** Every string left unbound by templating ("${…}") means a view-model field was missing. */
export const unboundExpressions = (card: unknown): string[] => [...JSON.stringify(card).matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]);
