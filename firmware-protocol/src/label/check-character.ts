/**
 * The check character of our bag labels: the ISO/IEC 7064 MOD 37-2 pure system, with the label's one
 * separator, '.', taking the value 36 in the data (the standard itself only checks 0-9 and A-Z).
 *
 * Why this scheme: the label alphabet is 0-9, A-Z and '.', 37 symbols, and 37 is prime. Each character
 * gets the weight 2^i mod 37 (i counted from the check character, weight 1), and the weighted sum of
 * the whole label must be 1 mod 37. Because 37 is prime and every value is below 37:
 * - a single changed character changes the sum by 2^i * (a - b), never 0 mod 37: always caught;
 * - two neighbours swapped change it by 2^i * (1 - 2) * (a - b), never 0 mod 37: always caught;
 * - 2 has order 36 mod 37, so even two characters swapped up to 35 places apart are caught.
 * Luhn mod N misses some transpositions; Damm needs an anti-symmetric quasigroup table of order 37;
 * the hybrid MOD 37,36 would leave '.' unchecked. A check value of 36 is written '*', as the standard
 * writes it; '*' appears nowhere else, and '.' never as the check character.
 */
const DATA_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.';
const CHECK_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*';
const MODULUS = 37;

export function isLabelDataCharacter(c: string): boolean {
  return c.length === 1 && DATA_ALPHABET.includes(c);
}

export function isLabelCheckCharacter(c: string): boolean {
  return c.length === 1 && CHECK_ALPHABET.includes(c);
}

/** The character to append to `data`; undefined if `data` has a character outside 0-9, A-Z and '.'. */
export function labelCheckCharacter(data: string): string | undefined {
  let p = 0;
  for (const c of data) {
    const v = DATA_ALPHABET.indexOf(c);
    if (v < 0) return undefined;
    p = ((p + v) * 2) % MODULUS;
  }
  return CHECK_ALPHABET[(MODULUS + 1 - p) % MODULUS];
}

/** True when the last character of `text` is the right check character for the rest. */
export function hasValidLabelCheck(text: string): boolean {
  if (text.length < 2) return false;
  return labelCheckCharacter(text.slice(0, -1)) === text.slice(-1);
}
