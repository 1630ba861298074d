/** "1 license", "2 licenses", "1 person", "3 people": the domain's refusals and records read right at any count. */
export const count = (n: number, one: string, many = one === 'person' ? 'people' : `${one}s`): string => `${n} ${n === 1 ? one : many}`;
