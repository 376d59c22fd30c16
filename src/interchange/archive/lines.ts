import type { Readable } from 'node:stream';

/** The complete lines of one piece of a stream; the first is line number `first` (1-based). */
export interface LineBatch {
  readonly lines: string[];
  readonly first: number;
}

/**
 * Splits a byte stream into lines, a batch per piece read (a promise per line cost more than
 * parsing it), decoding strict UTF-8: a malformed byte sequence is an error, not a replacement
 * character that would silently change a message. `onBytes` sees every piece before decoding, for
 * checksums and size limits. A final line without a newline is yielded too.
 */
export async function* lineBatches(stream: Readable, onBytes?: (chunk: Buffer) => void): AsyncGenerator<LineBatch> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let number = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onBytes?.(chunk);
    let text: string;
    try {
      text = pending + decoder.decode(chunk, { stream: true });
    } catch {
      throw new LineError(number + 1, 'is not valid UTF-8');
    }
    const lines = text.split('\n');
    pending = lines.pop()!;
    if (lines.length === 0) continue;
    yield { lines, first: number + 1 };
    number += lines.length;
  }
  try {
    pending += decoder.decode();
  } catch {
    throw new LineError(number + 1, 'is not valid UTF-8');
  }
  if (pending.length > 0) yield { lines: [pending], first: number + 1 };
}

/** A problem at one line of a file; the caller adds the file name. */
export class LineError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line} ${problem}`);
  }
}
