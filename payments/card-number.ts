/**
 * Card-number rules shared by the checkout page (checks as you type) and the sandbox processor
 * (checks again before tokenizing). Pure: no Node or DOM imports, so the page bundles it too.
 */

/** The digits of a card number as typed, without the spaces and dashes people put in. */
export const digitsOf = (value: string): string => value.replace(/[\s-]/g, '');

export const luhnValid = (digits: string): boolean => {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
};
