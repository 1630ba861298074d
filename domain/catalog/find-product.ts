import type { Product } from '../model';

const norm = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/**
 * Products named by the words a person typed ("power bi", "Visio plan 2", or a product id), best
 * first: an exact name or id, then names starting with the words, then names containing them.
 * Several results mean the words were ambiguous and the caller should let the person choose.
 */
export const matchProducts = (products: readonly Product[], words: string): Product[] => {
  const q = norm(words);
  if (!q) return [];
  const byId = products.find((p) => p.id.toLowerCase() === q.replace(/ /g, '') || p.legacyIds.some((id) => id.toLowerCase() === q.replace(/ /g, '')));
  if (byId) return [byId];
  const exact = products.filter((p) => norm(p.name) === q || norm(p.name).replace(/^microsoft /, '') === q);
  if (exact.length) return exact;
  const starts = products.filter(
    (p) =>
      norm(p.name).startsWith(q) ||
      norm(p.name)
        .replace(/^microsoft /, '')
        .startsWith(q),
  );
  if (starts.length) return starts;
  const tokens = q.split(' ');
  return products.filter((p) =>
    tokens.every((t) =>
      norm(p.name)
        .split(' ')
        .some((w) => w.startsWith(t)),
    ),
  );
};
