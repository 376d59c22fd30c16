import { createReadStream, readSync } from 'node:fs';
import { exportProblem } from '../exportContainer.js';

/** One line of a JSONL file, where it is (bytes), for reading it again on its own. */
export interface PlacedLine {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
  readonly offset: number;
  readonly length: number;
}

/** The lines of a file with their byte offsets, a batch per piece read (empty lines left out). */
export async function* placedLines(path: string): AsyncGenerator<PlacedLine[]> {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  let number = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const out: PlacedLine[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      number += 1;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      if (end > start) out.push({ text: buf.toString('utf8', start, end), number, offset: carryOffset + start, length: end - start });
      start = nl + 1;
    }
    carry = buf.subarray(start);
    carryOffset += start;
    if (out.length > 0) yield out;
  }
  if (carry.length > 0) yield [{ text: carry.toString('utf8'), number: number + 1, offset: carryOffset, length: carry.length }];
}

/** A line's JSON object, or an error naming the file and the line. */
export function parseLine(line: { text: string; number: number }, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(line.text);
  } catch (error) {
    throw exportProblem('mattermost', `${file} line ${line.number}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof (json as { type?: unknown }).type !== 'string') {
    throw exportProblem('mattermost', `${file} line ${line.number}: not a bulk export line (an object with a "type")`);
  }
  return json as Record<string, unknown>;
}

/** The JSON object of the line at `place` in the open file `fd`, read again on its own. */
export function readPlacedLine(fd: number, place: { offset: number; length: number; number: number }, file: string): Record<string, unknown> {
  const buf = Buffer.allocUnsafe(place.length);
  readSync(fd, buf, 0, place.length, place.offset);
  return parseLine({ text: buf.toString('utf8'), number: place.number }, file);
}
