export { price, day } from '../cards/format';

/** Small formatting helpers for chat replies (Teams renders a subset of Markdown). */

export const bullets = (lines: string[]): string => lines.map((l) => `- ${l}`).join('\n');

/** Levenshtein distance, for "did you mean …". */
export const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
};
