/**
 * Bytes that should be UTF-8, decoded so that nothing is silently replaced: every byte that is
 * not part of a well-formed UTF-8 sequence (stray continuation bytes, overlong forms, encoded
 * surrogates, values past U+10FFFF, truncated sequences) becomes the lone surrogate
 * U+DC80–U+DCFF that names it (as Python's "surrogateescape" does). A lone surrogate never
 * comes out of valid UTF-8, so the application's one text rule (`core/validation.ts`) refuses
 * such a text exactly as it refuses a lone surrogate sent as a JSON escape: every door hands
 * the fact to the application instead of a U+FFFD the user never typed.
 */
const strict = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8Marked(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeSlowly(bytes);
  }
}

function decodeSlowly(bytes: Uint8Array): string {
  const units: number[] = [];
  let out = '';
  const flush = () => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  const at = (i: number): number => bytes[i] ?? -1;
  const cont = (i: number, low = 0x80, high = 0xbf): boolean => at(i) >= low && at(i) <= high;
  for (let i = 0; i < bytes.length; ) {
    const b = at(i);
    let length = 0;
    let point = 0;
    if (b < 0x80) [length, point] = [1, b];
    else if (b >= 0xc2 && b <= 0xdf && cont(i + 1)) [length, point] = [2, ((b & 0x1f) << 6) | (at(i + 1) & 0x3f)];
    else if (b >= 0xe0 && b <= 0xef && cont(i + 1, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf) && cont(i + 2)) {
      [length, point] = [3, ((b & 0x0f) << 12) | ((at(i + 1) & 0x3f) << 6) | (at(i + 2) & 0x3f)];
    } else if (b >= 0xf0 && b <= 0xf4 && cont(i + 1, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf) && cont(i + 2) && cont(i + 3)) {
      [length, point] = [4, ((b & 0x07) << 18) | ((at(i + 1) & 0x3f) << 12) | ((at(i + 2) & 0x3f) << 6) | (at(i + 3) & 0x3f)];
    }
    if (length === 0) {
      units.push(0xdc00 + b);
      i += 1;
    } else {
      if (point > 0xffff) units.push(0xd800 + ((point - 0x10000) >> 10), 0xdc00 + ((point - 0x10000) & 0x3ff));
      else units.push(point);
      i += length;
    }
    if (units.length > 4096) flush();
  }
  flush();
  return out;
}
