import type { Readable } from 'node:stream';

export interface Line {
  readonly text: string;
  /** 1-based, for error messages that name the line. */
  readonly number: number;
}

/**
 * Splits a byte stream into lines, decoding strict UTF-8 (a malformed byte sequence is an error,
 * not a replacement character that would silently change a message). `onBytes` sees every chunk
 * before decoding, for checksums and size limits. A final line without a newline is yielded too.
 */
export async function* lines(stream: Readable, onBytes?: (chunk: Buffer) => void): AsyncGenerator<Line> {
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
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      number += 1;
      yield { text: text.slice(start, end), number };
      start = end + 1;
    }
    pending = text.slice(start);
  }
  try {
    pending += decoder.decode();
  } catch {
    throw new LineError(number + 1, 'is not valid UTF-8');
  }
  if (pending.length > 0) yield { text: pending, number: number + 1 };
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
