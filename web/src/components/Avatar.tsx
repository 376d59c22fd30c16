/** How many avatar colours styles.css defines (.av0 … .av9), each with white text at 4.5:1 or more. */
const PALETTE = 10;

/** "Alice Liddell" → "AL", "bob@example.com" → "B": the first letters of the first and last words, or of the only one. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letter = (word: string | undefined) => (word ? (Array.from(word)[0] ?? '').toLocaleUpperCase() : '');
  if (words.length === 0) return '?';
  return words.length === 1 ? letter(words[0]) : letter(words[0]) + letter(words.at(-1));
}

/**
 * The colour of a user: from their id, not their name, so it is the same on every device and
 * survives a rename. A multiplicative (Fibonacci) hash, whose high bits spread neighbouring ids.
 */
export const colourOf = (userId: number): number => Math.floor(((Math.imul(userId, 0x9e3779b1) >>> 0) / 2 ** 32) * PALETTE);

/** An initials avatar. Decoration only: the name beside it is the text, so screen readers skip this. */
export function Avatar({ userId, name }: { userId: number; name: string }) {
  return (
    <span class={`avatar av${colourOf(userId)}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
