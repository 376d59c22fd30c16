import { linkify } from '../linkify.js';

/** User text: text nodes only (never HTML), with http/https/mailto links made safe. */
export function Text({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((s, i) =>
        typeof s === 'string' ? (
          s
        ) : (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer">
            {s.text}
          </a>
        ),
      )}
    </>
  );
}
