import { searchPeople } from '../../domain/directory/find-people';
import { DATASETS } from '../../cards/verbs';
import type { Feature } from './feature';

/**
 * Finding people: the people picker of the assign and grant-role cards (Teams' typeahead, answered
 * here as the person types). The organization's directory is asked through the domain, so people who
 * never used the bot are found; only the caller's own organization is searched.
 */
export const people: Feature = {
  name: 'people',
  searches: {
    [DATASETS.people]: async (deps, ctx, q) =>
      (await searchPeople(deps, ctx, { query: q.text, skip: q.skip, top: q.top })).map((p) => ({
        title: p.email ? `${p.displayName} (${p.email})` : p.displayName,
        value: p.id,
      })),
  },
};
