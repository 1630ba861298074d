import * as AC from 'adaptivecards';

/** Parses a card with the official adaptivecards parser and returns every warning or error it raised. */
export const cardProblems = (card: unknown): string[] => {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card as never, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++)
    problems.push(`${context.getEventAt(i).phase === AC.ValidationPhase.Parse ? 'parse' : 'validation'}: ${context.getEventAt(i).message}`);
  const validation = parsed.validateProperties();
  // Teams' dynamic typeahead (`choices.data` of type Data.Query) fills a ChoiceSet's choices as the
  // person types; Microsoft's own people-picker samples leave `choices` empty. The adaptivecards SDK
  // doesn't know Data.Query and flags each such ChoiceSet once: only those are let through.
  let typeaheads = (JSON.stringify(card).match(/"choices":\[\],"choices\.data":\{"type":"Data\.Query"/g) ?? []).length;
  for (const e of validation.validationEvents) {
    if (typeaheads > 0 && e.message === 'An Input.ChoiceSet must have at least one choice defined.') {
      typeaheads--;
      continue;
    }
    problems.push(`validation: ${e.message}`);
  }
  return problems;
};

/** Every string left unbound by templating ("${…}") means a view-model field was missing. */
export const unboundExpressions = (card: unknown): string[] => [...JSON.stringify(card).matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]);

/**
 * Every FactSet value, fact title and TextBlock text that is not a non-empty string, with its path: the
 * renderer shows such a value as a blank (a number in a FactSet renders nothing).
 */
export const emptyTexts = (card: unknown): string[] => {
  const problems: string[] = [];
  const check = (value: unknown, path: string): void => {
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${path}: ${JSON.stringify(value)}`);
  };
  const walk = (n: unknown, path: string): void => {
    if (Array.isArray(n)) return n.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.type === 'TextBlock') check(o.text, `${path}.text`);
    if (o.type === 'FactSet' && Array.isArray(o.facts)) {
      o.facts.forEach((f: { title?: unknown; value?: unknown }, i: number) => {
        check(f.title, `${path}.facts[${i}].title`);
        check(f.value, `${path}.facts[${i}].value`);
      });
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'facts') walk(v, `${path}.${k}`);
  };
  walk(card, '$');
  return problems;
};
