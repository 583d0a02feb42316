// How guessable a PIN is, for the hint under the PIN field. The server locks out an address after five wrong
// guesses, so a PIN mostly has to survive a delegate who guesses the obvious ones.

/** 'none' (empty), 'invalid' (not 4–12 digits), 'weak' (obvious: repeated, sequential, a year, short), or 'good'. */
export function pinStrength(pin) {
  const value = String(pin || '');
  if (value === '') return 'none';
  if (!/^[0-9]{4,12}$/.test(value)) return 'invalid';
  const digits = [...value].map(Number);
  const same = digits.every((d) => d === digits[0]);
  const steps = digits.slice(1).map((d, i) => d - digits[i]);
  const sequential = steps.every((s) => s === 1) || steps.every((s) => s === -1);
  const year = /^(19|20)[0-9]{2}$/.test(value);
  const repeatedPair = value.length % 2 === 0 && value === value.slice(0, 2).repeat(value.length / 2);
  if (same || sequential || year || repeatedPair) return 'weak';
  return value.length >= 6 ? 'good' : 'weak';
}
