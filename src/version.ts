import { readFileSync } from 'node:fs';

/** pchat's version, from package.json (two levels up from both src/ and dist/src/). */
export const VERSION: string = (() => {
  try {
    const url = new URL('../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
