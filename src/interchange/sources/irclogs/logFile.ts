import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { ZoneClock } from './clock.js';
import type { LineDecoder } from './decode.js';
import type { LineKind, LineParser } from './events.js';

/** One placed line of a log: what it is, when (UTC ms), by whom, where. */
export interface LogEntry {
  readonly kind: LineKind;
  readonly at: number;
  /**
   * Who said it, as the person's first nick in this stretch of the log (folded to lower case):
   * a nick taken with a nick change stays its taker's until they leave, so `alice` who became
   * `alice|away` is still `alice`.
   */
  readonly author: string;
  /** The nick as the line shows it. */
  readonly nick: string;
  readonly text: string;
  /** 1-based line number in the file. */
  readonly line: number;
}

/** What went wrong in one file, with line numbers: reported, never dropped silently. */
export interface FileProblems {
  /** Lines no parser of the file's format reads: [line number, text]. The first 20 are kept. */
  readonly unparsed: [number, string][];
  unparsedCount: number;
  /** Lines before any day is known (no date in the file name, no day line yet). */
  undated: number;
  firstUndated: number;
  /** Lines where the time went back with no day line: the day was advanced (a missing day-change line). */
  readonly inferredDays: number[];
  /** Lines decoded in the legacy encoding. */
  legacyLines: number;
}

export const noProblems = (): FileProblems => ({ unparsed: [], unparsedCount: 0, undated: 0, firstUndated: 0, inferredDays: [], legacyLines: 0 });

export interface LogReading {
  readonly path: string;
  readonly parser: LineParser;
  /** The day of the file name, or -1. */
  readonly startDay: number;
  readonly clock: ZoneClock;
  readonly decoder: LineDecoder;
}

const NEWLINE = 0x0a;
/** 64 KiB reads: a page of parsed lines dies young (1 MiB pages outlived young-generation collections, and collecting them cost more than parsing). */
const CHUNK = 1 << 16;

/** The file's lines decoded (UTF-8, else the legacy encoding for that line alone), in pages. */
export async function* decodedLines(path: string, decoder: LineDecoder, problems: FileProblems): AsyncGenerator<string[]> {
  let rest: Buffer | null = null;
  let first = true;
  // A byte order mark some Windows clients write is not part of the first line.
  const page = (bytes: Buffer): string[] => {
    const lines = splitDecoded(first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes, decoder, problems);
    first = false;
    return lines;
  };
  for await (const piece of createReadStream(path, { highWaterMark: CHUNK })) {
    let chunk = piece as Buffer;
    if (rest) chunk = Buffer.concat([rest, chunk]);
    const end = chunk.lastIndexOf(NEWLINE);
    if (end < 0) {
      rest = chunk;
      continue;
    }
    rest = end + 1 < chunk.length ? chunk.subarray(end + 1) : null;
    yield page(chunk.subarray(0, end));
  }
  if (rest && rest.length > 0) yield page(rest);
}

/** Bytes decoded as one piece when a chunk is not all UTF-8: the blocks around a bad line stay fast. */
const BLOCK = 8192;

/**
 * Decodes a run of whole lines: as UTF-8 at once when it all is (the common case); otherwise in
 * blocks of whole lines, each at once when it is UTF-8, else line by line, so only the lines that
 * are not UTF-8 are decoded in the legacy encoding.
 */
function splitDecoded(bytes: Buffer, decoder: LineDecoder, problems: FileProblems): string[] {
  if (isUtf8(bytes)) return withoutCr(bytes.toString('utf8').split('\n'));
  const lines: string[] = [];
  const before = decoder.legacyLines;
  let start = 0;
  while (start <= bytes.length) {
    let end = start + BLOCK >= bytes.length ? bytes.length : bytes.indexOf(NEWLINE, start + BLOCK);
    if (end < 0) end = bytes.length;
    const block = bytes.subarray(start, end);
    if (isUtf8(block)) for (const line of block.toString('utf8').split('\n')) lines.push(line);
    else {
      let from = 0;
      for (;;) {
        const nl = block.indexOf(NEWLINE, from);
        lines.push(decoder.line(block.subarray(from, nl < 0 ? block.length : nl)));
        if (nl < 0) break;
        from = nl + 1;
      }
    }
    start = end + 1;
  }
  problems.legacyLines += decoder.legacyLines - before;
  return withoutCr(lines);
}

const withoutCr = (lines: string[]): string[] => {
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
};


/**
 * Reads one log: parses each line, places it in time (the line's own date, else the file name's,
 * moved on by day lines, and by one day where the time goes back without one), and follows nick
 * changes. Yields the placed lines a page at a time; `problems` collects the rest.
 */
export async function* readLog(reading: LogReading, problems: FileProblems): AsyncGenerator<LogEntry[]> {
  const { parser, clock } = reading;
  let day = reading.startDay;
  let lastSeconds = -1;
  let lineNo = 0;
  // Current nick (folded) → the nick its holder had when they came into this stretch of the log.
  let holders = new Map<string, string>();
  for await (const page of decodedLines(reading.path, reading.decoder, problems)) {
    const out: LogEntry[] = [];
    for (const text of page) {
      lineNo += 1;
      if (text.trim() === '') continue;
      const p = parser(text);
      if (p === null) {
        problems.unparsedCount += 1;
        if (problems.unparsed.length < 20) problems.unparsed.push([lineNo, text.length > 200 ? `${text.slice(0, 200)}…` : text]);
        continue;
      }
      if (p.kind === 'day') {
        day = p.day;
        lastSeconds = -1;
        if (p.text === 'Log opened') holders = new Map();
        continue;
      }
      if (p.day >= 0) day = p.day;
      else if (day >= 0 && p.seconds >= 0 && p.seconds < lastSeconds) {
        day += 1;
        problems.inferredDays.push(lineNo);
      }
      if (p.seconds >= 0) lastSeconds = p.seconds;
      if (day < 0) {
        if (problems.undated++ === 0) problems.firstUndated = lineNo;
        continue;
      }
      const nick = p.nick.toLowerCase();
      let author = holders.get(nick) ?? nick;
      switch (p.kind) {
        case 'nick': {
          const next = p.other.toLowerCase();
          holders.delete(nick);
          if (next !== author) holders.set(next, author);
          else holders.delete(next);
          break;
        }
        case 'join':
          holders.delete(nick);
          author = nick;
          break;
        case 'part':
        case 'quit':
        case 'kick':
          holders.delete(nick);
          break;
        default:
      }
      out.push({ kind: p.kind, at: clock.utc(day, Math.max(0, p.seconds)), author, nick: p.nick, text: p.text, line: lineNo });
    }
    if (out.length > 0) yield out;
  }
}
