import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ComplianceEvent } from '../../src/core/model.js';

/** A Message (or FirstMessage) element of a compliance XML file, attributes as parsed. */
export interface XmlMessage {
  readonly type: string;
  readonly content: string;
  readonly id: string;
  readonly sender: Record<string, string>;
  readonly time: Record<string, string>;
}
export interface XmlConversation {
  readonly channel: Record<string, string>;
  readonly first: XmlMessage;
  readonly messages: XmlMessage[];
  readonly start: Record<string, string>;
  readonly end: Record<string, string>;
  /** Child element names in document order. */
  readonly order: string[];
}

const attrs = (node: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((node ?? {}) as Record<string, unknown>)) if (k.startsWith('@_')) out[k.slice(2)] = String(v);
  return out;
};

const toMessage = (node: any): XmlMessage => {
  const a = attrs(node);
  return { type: a.type!, content: a.content!, id: a.id!, sender: attrs(node.Sender), time: attrs(node.DateTimeUTC) };
};

/** Checks well-formedness, then reads the document into conversations (every attribute kept as text). */
export function parseComplianceXml(xml: string): XmlConversation[] {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, `not well-formed XML: ${JSON.stringify(valid)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    trimValues: false,
    // Character references (&#10; for a line break in an attribute) as an XML parser reads them.
    htmlEntities: true,
    isArray: (name) => name === 'Conversation' || name === 'Message',
  });
  const orderParser = new XMLParser({ ignoreAttributes: true, preserveOrder: true });
  const doc = parser.parse(xml) as any;
  assert.ok('Conversations' in doc, 'the root element is Conversations');
  const ordered = (orderParser.parse(xml) as any[]).find((n) => 'Conversations' in n)?.Conversations ?? [];
  const conversations = (doc.Conversations?.Conversation ?? []) as any[];
  return conversations.map((c, i) => ({
    channel: attrs(c.Channel),
    first: toMessage(c.FirstMessage),
    messages: ((c.Messages?.Message ?? []) as any[]).map(toMessage),
    start: attrs(c.StartTimeUTC),
    end: attrs(c.EndTimeUTC),
    order: (((ordered as any[]).filter((n) => 'Conversation' in n)[i]?.Conversation ?? []) as any[]).map((n) => Object.keys(n)[0]!).filter((k) => k !== '#text'),
  }));
}

export interface BatchFile {
  readonly name: string;
  readonly firstId: number;
  readonly lastId: number;
  readonly format: 'xml' | 'jsonl';
  readonly text: string;
}

const NAME = /^pchat-compliance-(\d+)-(\d+)\.(xml|jsonl)$/;

/** The published batch files of a directory, in id order, and whatever else is in it. */
export function readBatchFiles(dir: string): { files: BatchFile[]; others: string[] } {
  const files: BatchFile[] = [];
  const others: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const match = NAME.exec(name);
    if (!match) {
      others.push(name);
      continue;
    }
    files.push({ name, firstId: Number(match[1]), lastId: Number(match[2]), format: match[3] as 'xml' | 'jsonl', text: readFileSync(join(dir, name), 'utf8') });
  }
  return { files: files.sort((a, b) => a.firstId - b.firstId), others };
}

export const jsonLines = (text: string): any[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

/**
 * Every record of `expected` is in exactly one file, and nothing else is: the files' id ranges
 * do not overlap, each file holds exactly the records of its range (by id for JSON lines; by
 * count and CHAT text, which the tests make unique, for XML), and no temporary file is left.
 */
export function assertExactlyOnce(dir: string, expected: readonly ComplianceEvent[]): BatchFile[] {
  const { files, others } = readBatchFiles(dir);
  assert.deepEqual(others, [], 'no temporary or stray files remain');
  const sorted = [...expected].sort((a, b) => a.id - b.id);
  let previous = 0;
  const seen = new Set<number>();
  for (const file of files) {
    assert.ok(file.firstId > previous, `${file.name} overlaps the file before it`);
    assert.ok(file.lastId >= file.firstId, file.name);
    previous = file.lastId;
    const inRange = sorted.filter((e) => e.id >= file.firstId && e.id <= file.lastId);
    assert.equal(inRange[0]?.id, file.firstId, `${file.name} starts at a record`);
    assert.equal(inRange.at(-1)?.id, file.lastId, `${file.name} ends at a record`);
    if (file.format === 'jsonl') {
      assert.deepEqual(
        jsonLines(file.text).map((r) => r.id),
        inRange.map((e) => e.id),
        `${file.name} holds exactly the records of its range`,
      );
    } else {
      const messages = parseComplianceXml(file.text).flatMap((c) => c.messages);
      assert.equal(messages.length, inRange.length, `${file.name} holds as many messages as its range has records`);
      const texts = (list: readonly string[]) => [...list].sort();
      assert.deepEqual(
        texts(messages.filter((m) => m.type === 'CHAT').map((m) => m.content)),
        texts(inRange.filter((e) => e.type === 'CHAT').map((e) => String(e.data?.text))),
        `${file.name} holds the CHAT records of its range`,
      );
    }
    for (const e of inRange) {
      assert.ok(!seen.has(e.id), `record ${e.id} is in two files`);
      seen.add(e.id);
    }
  }
  const missing = sorted.filter((e) => !seen.has(e.id)).map((e) => e.id);
  assert.deepEqual(missing, [], 'every record is in a file');
  return files;
}
