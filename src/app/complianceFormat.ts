import type { ComplianceEvent } from '../core/model.js';
import type { ComplianceExportFormat, ComplianceSpan, TextSink } from '../ports/complianceExport.js';

/**
 * The two formats of a compliance export (docs/compliance.md).
 *
 * XML follows the output of Lync / Skype for Business Persistent Chat's built-in XmlAdapter, as
 * Microsoft documents it ("Customizing the XSLT definition file", with its default output XSD):
 * `Conversations / Conversation { Channel(uri, name), FirstMessage, Messages / Message(type,
 * content, id){ Sender(UserName, id, email, internal, uri), DateTimeUTC(since1970, string,
 * long) }, StartTimeUTC, EndTimeUTC }`, so an XSLT written for that adapter reads it.
 * JSON lines carry one record per line with its room and user resolved, and the record's data
 * exactly as stored.
 */

/** A room as an export names it. `name` is null when the room was removed (its records stay). */
export interface ExportRoom {
  readonly id: number;
  readonly name: string | null;
  /** The room's legacy `ma-chan://` URI when it has one, else `pchat://<instance id>/room/<id>`. */
  readonly uri: string;
  readonly legacyUri: string | null;
}

/** A user as an export names them; login and names are null when no such user exists. */
export interface ExportUser {
  readonly id: number;
  readonly login: string | null;
  readonly displayName: string | null;
  readonly email: string | null;
}

/** What a writer reads: the records after `afterId` through `span.lastId`, page by page. */
export interface ExportSource {
  readonly afterId: number;
  /** The records to write; null: none (an empty document). */
  readonly span: ComplianceSpan | null;
  /** Up to a page of records after `afterId` within the span (of one room when given), in id order. */
  page(afterId: number, roomId?: number): Promise<ComplianceEvent[]>;
  room(id: number): Promise<ExportRoom>;
  user(id: number): Promise<ExportUser>;
}

/** The file a batch goes to: `pchat-compliance-<first id>-<last id>.<xml|jsonl>`, ids zero-padded to 12 digits so names sort in id order. */
export function batchFileName(batch: { firstId: number; lastId: number }, format: ComplianceExportFormat): string {
  const pad = (id: number) => String(id).padStart(12, '0');
  return `pchat-compliance-${pad(batch.firstId)}-${pad(batch.lastId)}.${format}`;
}

export function writeExport(format: ComplianceExportFormat, source: ExportSource, sink: TextSink): Promise<void> {
  return format === 'xml' ? writeXml(source, sink) : writeJsonLines(source, sink);
}

// ---- JSON lines ----

/** One line per record, in id order. */
export async function writeJsonLines(source: ExportSource, sink: TextSink): Promise<void> {
  if (!source.span) return;
  let after = source.afterId;
  for (;;) {
    const page = await source.page(after);
    if (page.length === 0) return;
    let text = '';
    for (const event of page) {
      const [room, user] = [await source.room(event.roomId), await source.user(event.userId)];
      text += `${JSON.stringify({
        id: event.id,
        type: event.type,
        at: new Date(event.at).toISOString(),
        since1970: event.at,
        room,
        user,
        data: event.data,
      })}\n`;
    }
    await sink.write(text);
    after = page.at(-1)!.id;
  }
}

// ---- XML ----

/** Characters XML 1.0 cannot carry at all, even as references: replaced by U+FFFD (the JSON lines keep them). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** An attribute value: escaped, with tabs and line breaks as references so that parsers keep them. */
export function xmlAttribute(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/[&<>"\t\n\r]/g, (c) => ESCAPES[c]!);
}

/** .NET ticks (100 ns since 0001-01-01) at the Unix epoch. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

/** `<Name since1970="ms" string="2008-06-04T20:15:40.9530000Z" long="<.NET ticks>" />`, as Lync writes times. */
function dateTime(element: string, ms: number): string {
  const string = new Date(ms).toISOString().replace(/Z$/, '0000Z');
  return `<${element} since1970="${ms}" string="${string}" long="${BigInt(ms) * 10_000n + EPOCH_TICKS}" />`;
}

/** The records that name a message by its id: a post, and its author's edits and deletion (pchat's EDIT and DELETE). */
const ABOUT_A_MESSAGE = new Set(['CHAT', 'EDIT', 'DELETE']);

/**
 * What Lync's `content` attribute holds for each type: CHAT the message text as recorded
 * (the original, kept after moderation); EDIT the new text (the previous one is the content of
 * the message's record before it, and in the JSON lines' data); DELETE the text removed;
 * FILEUPLOAD / FILEDOWNLOAD the file name; JOIN and PART nothing; anything else with data
 * (BACKCHAT: how much history was read) its data as JSON; REACT / UNREACT the emoji.
 */
export function contentOf(event: ComplianceEvent): string {
  const data = event.data;
  if (ABOUT_A_MESSAGE.has(event.type)) return typeof data?.text === 'string' ? data.text : '';
  if (event.type === 'REACT' || event.type === 'UNREACT') return typeof data?.emoji === 'string' ? data.emoji : '';
  if (event.type === 'FILEUPLOAD' || event.type === 'FILEDOWNLOAD') {
    for (const key of ['name', 'fileName']) if (typeof data?.[key] === 'string') return data[key] as string;
  }
  return data ? JSON.stringify(data) : '';
}

/** Lync's `id` attribute: the message's id for CHAT, EDIT, DELETE, REACT and UNREACT records (0 for live-only messages), else 0. */
function contentId(event: ComplianceEvent): number {
  const aboutAMessage = ABOUT_A_MESSAGE.has(event.type) || event.type === 'REACT' || event.type === 'UNREACT';
  return aboutAMessage && typeof event.data?.messageId === 'number' ? event.data.messageId : 0;
}

async function message(element: 'Message' | 'FirstMessage', event: ComplianceEvent, source: ExportSource, indent: string): Promise<string> {
  const user = await source.user(event.userId);
  const uri = (user.login ?? '').replace(/^sips?:/i, '');
  return (
    `${indent}<${element} type="${event.type}" content="${xmlAttribute(contentOf(event))}" id="${contentId(event)}">\n` +
    `${indent}  <Sender UserName="${xmlAttribute(user.displayName ?? user.login ?? '')}" id="${event.userId}" email="${xmlAttribute(user.email ?? '')}" internal="true" uri="${xmlAttribute(uri)}" />\n` +
    `${indent}  ${dateTime('DateTimeUTC', event.at)}\n` +
    `${indent}</${element}>\n`
  );
}

/**
 * One Conversation per room, in the order of each room's first record; its messages in id
 * order, read a page at a time through the room's index (nothing holds the whole batch).
 * StartTimeUTC and EndTimeUTC are the earliest and latest record time of the conversation,
 * as in Microsoft's sample output.
 */
export async function writeXml(source: ExportSource, sink: TextSink): Promise<void> {
  const { span } = source;
  await sink.write('<?xml version="1.0" encoding="utf-8"?>\n');
  if (span) await sink.write(`<!-- pchat compliance export: ${span.count} records, ids ${span.firstId} to ${span.lastId} -->\n`);
  const root = '<Conversations xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"';
  if (!span) {
    await sink.write(`${root} />\n`);
    return;
  }
  await sink.write(`${root}>\n`);
  for (const roomId of span.roomIds) {
    const room = await source.room(roomId);
    let page = await source.page(source.afterId, roomId);
    const first = page[0];
    if (!first) continue;
    await sink.write(
      `  <Conversation>\n    <Channel uri="${xmlAttribute(room.uri)}" name="${xmlAttribute(room.name ?? '')}" />\n${await message('FirstMessage', first, source, '    ')}    <Messages>\n`,
    );
    let start = first.at;
    let end = first.at;
    while (page.length > 0) {
      let text = '';
      for (const event of page) {
        text += await message('Message', event, source, '      ');
        start = Math.min(start, event.at);
        end = Math.max(end, event.at);
      }
      await sink.write(text);
      page = await source.page(page.at(-1)!.id, roomId);
    }
    await sink.write(`    </Messages>\n    ${dateTime('StartTimeUTC', start)}\n    ${dateTime('EndTimeUTC', end)}\n  </Conversation>\n`);
  }
  await sink.write('</Conversations>\n');
}
