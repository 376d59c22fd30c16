import { join } from 'node:path';
import type { ZoneClock } from './clock.js';
import { LineDecoder } from './decode.js';
import { type LineKind, MESSAGE_KINDS } from './events.js';
import { logFiles } from './files.js';
import { type DetectedFormat, detectFormat, isChannel, logName, type LogFormat, PARSERS, portable } from './formats.js';
import { decodedLines, type FileProblems, noProblems, readLog } from './logFile.js';

/** One log file of a channel, as the message pass reads it again. */
export interface ChannelFile {
  readonly relative: string;
  readonly format: DetectedFormat;
  readonly startDay: number;
}

/** A channel (one room): its files in order and what the first pass learnt. */
export interface Channel {
  readonly id: string;
  readonly channel: string;
  readonly network: string;
  readonly files: ChannelFile[];
  messages: number;
  first: number;
  /** The latest topic seen (set, unset or shown), or null when the logs show none. */
  topic: string | null;
  readonly counts: Map<LineKind, number>;
}

export interface Author {
  /** The nick as first written. */
  readonly nick: string;
  messages: number;
  /** Other nicks this person took with a nick change (folded). */
  readonly aliases: Set<string>;
}

export interface ScanResult {
  readonly channels: Channel[];
  readonly authors: Map<string, Author>;
  /** Files that log no channel (queries, server buffers): relative path → buffer name. */
  readonly skipped: [string, string][];
  readonly undetected: string[];
  readonly problems: Map<string, FileProblems>;
  readonly formats: Map<DetectedFormat, number>;
  /** Messages older than the start date, left out. */
  olderThanStart: number;
}

export interface ScanOptions {
  readonly format: LogFormat;
  readonly clock: ZoneClock;
  readonly encoding: string;
  readonly startMs: number | null;
}

/** Lines read to tell a file's format. */
const SNIFF_LINES = 50;

/**
 * The first pass over a logs directory: finds the channels and their files, tells each file's
 * format, and reads every line once for the directory records (authors with their message counts,
 * each room's latest topic, the counts of what is not imported) and the problems to report.
 */
export async function scanLogs(dir: string, options: ScanOptions): Promise<ScanResult> {
  const result: ScanResult = { channels: [], authors: new Map(), skipped: [], undetected: [], problems: new Map(), formats: new Map(), olderThanStart: 0 };
  const byId = new Map<string, Channel>();
  const dated: { file: ChannelFile; channel: Channel }[] = [];
  for (const relative of await logFiles(dir)) {
    const name = logName(relative);
    if (!isChannel(name.channel)) {
      result.skipped.push([portable(relative), name.channel]);
      continue;
    }
    const format = options.format === 'auto' ? await sniff(join(dir, relative), relative, options.encoding) : options.format;
    if (format === null) {
      result.undetected.push(portable(relative));
      continue;
    }
    result.formats.set(format, (result.formats.get(format) ?? 0) + 1);
    const id = `${name.network ? `${name.network.toLowerCase()}/` : ''}${name.channel.toLowerCase()}`;
    let channel = byId.get(id);
    if (!channel) {
      channel = { id, channel: name.channel, network: name.network, files: [], messages: 0, first: Number.POSITIVE_INFINITY, topic: null, counts: new Map() };
      byId.set(id, channel);
      result.channels.push(channel);
    }
    dated.push({ file: { relative, format, startDay: name.day }, channel });
  }
  // A channel's files in date order (undated ones by name, before the dated).
  dated.sort((a, b) => a.file.startDay - b.file.startDay || (a.file.relative < b.file.relative ? -1 : a.file.relative > b.file.relative ? 1 : 0));
  for (const { file, channel } of dated) channel.files.push(file);
  const decoder = new LineDecoder(options.encoding);
  for (const channel of result.channels) {
    for (const file of channel.files) {
      const problems = noProblems();
      result.problems.set(portable(file.relative), problems);
      const reading = { path: join(dir, file.relative), parser: PARSERS[file.format], startDay: file.startDay, clock: options.clock, decoder };
      for await (const page of readLog(reading, problems)) {
        for (const e of page) {
          if (MESSAGE_KINDS.has(e.kind)) {
            if (options.startMs !== null && e.at < options.startMs) {
              result.olderThanStart += 1;
              continue;
            }
            channel.messages += 1;
            if (e.at < channel.first) channel.first = e.at;
            let author = result.authors.get(e.author);
            if (!author) result.authors.set(e.author, (author = { nick: e.nick, messages: 0, aliases: new Set() }));
            author.messages += 1;
            if (e.nick.toLowerCase() !== e.author) author.aliases.add(e.nick.toLowerCase());
            continue;
          }
          if (e.kind === 'topic' || e.kind === 'topicShown') channel.topic = e.text;
          if (e.at < channel.first) channel.first = e.at;
          channel.counts.set(e.kind, (channel.counts.get(e.kind) ?? 0) + 1);
        }
      }
    }
  }
  return result;
}

async function sniff(path: string, relative: string, encoding: string): Promise<DetectedFormat | null> {
  const lines: string[] = [];
  for await (const page of decodedLines(path, new LineDecoder(encoding), noProblems())) {
    lines.push(...page.slice(0, SNIFF_LINES - lines.length));
    if (lines.length >= SNIFF_LINES) break;
  }
  return detectFormat(lines, relative);
}
