import { z } from 'zod';
import { invalid, notFound, notPermitted, PchatError } from '../core/errors.js';
import type { FileInfo, Message } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { formatSize } from '../core/sizes.js';
import { validateMessageText } from '../core/validation.js';
import { type AppContext, roomAccess } from './context.js';
import { mentionedUsers } from './mentions.js';
import { type FileSweepResult, sweepOrphanFiles } from './fileSweep.js';
import { clientIdInput, id, parse } from './validate.js';

/** What a file post says about itself; the bytes come separately, as a stream. */
export const uploadInput = z.strictObject({
  /** The name as the client gave it; any path is stripped. */
  name: z.string(),
  /** The media type as given; anything not of the type/subtype shape becomes application/octet-stream. */
  contentType: z.string().nullable().default(null),
  /** An optional caption; without one the message's text is the file name. */
  text: z.string().nullable().default(null),
  /** Chosen by the client; a retry with the same id is stored once (like posts). */
  clientId: clientIdInput,
});

export const MAX_FILE_NAME_CHARS = 255;

// C0/C1 controls, and the bidirectional overrides and isolates that can disguise an extension
// ("invoice‮fdp.exe").
// eslint-disable-next-line no-control-regex
const CONTROL_IN_FILE_NAME = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** A file name as stored: the last path segment, NFC, trimmed, 1–255 characters, no control characters. */
export function validateFileName(value: string, field = 'name'): string {
  const base = value.split(/[/\\]/).pop() ?? '';
  const name = base.normalize('NFC').trim();
  if (name === '' || name === '.' || name === '..') throw invalid(field, 'A file needs a name.');
  if ([...name].length > MAX_FILE_NAME_CHARS) throw invalid(field, `A file name can have at most ${MAX_FILE_NAME_CHARS} characters.`);
  if (CONTROL_IN_FILE_NAME.test(name)) throw invalid(field, 'A file name cannot contain control characters.');
  return name;
}

const TOKEN = "[A-Za-z0-9!#$&^_.+-]{1,127}";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/** A media type reduced to `type/subtype` (lower case, parameters dropped), or application/octet-stream. */
export function normalizeContentType(value: string | null | undefined): string {
  const essence = (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return MEDIA_TYPE.test(essence) ? essence : 'application/octet-stream';
}

/** What `download` hands a protocol: the file's row and a way to read its bytes. */
export interface Download {
  readonly file: FileInfo;
  /** The bytes from `start` to `end` inclusive (default: all); not_found when the bytes are gone. */
  open(range?: { start: number; end: number }): Promise<AsyncIterable<Uint8Array>>;
}

export interface UploadResult {
  readonly message: Message;
  readonly file: FileInfo;
  /** True when the same clientId was already stored: `message` and `file` are the stored ones. */
  readonly duplicate: boolean;
}

/**
 * Files in rooms. A file is posted as a message (the file row is written in the message's
 * transaction, through the same group-commit writer as every post), so it is durable before the
 * answer, published as `message.posted`, and removed with its message by moderation.
 */
export function fileUseCases(ctx: AppContext) {
  // One orphan sweep at a time; asking while one runs makes one more run after it.
  let running: Promise<FileSweepResult> | null = null;
  let again: Promise<FileSweepResult> | null = null;
  const sweep = (): Promise<FileSweepResult> => {
    if (!running) {
      // Blob times are the adapters' wall-clock times, so the sweep takes the real clock.
      running = sweepOrphanFiles(ctx.store, { now: Date.now() }).finally(() => (running = null));
      return running;
    }
    again ??= running.catch(() => undefined).then(() => {
      again = null;
      return sweep();
    });
    return again;
  };

  return {
    /**
     * Deletes the bytes no file row references any more (removed messages, cleared or deleted
     * rooms, uploads whose post never committed), once past the sweep's grace period. The server
     * runs it periodically; moderation asks for a run after removing messages.
     */
    sweepOrphans: sweep,
    /** Waits for a sweep under way (before the store closes). */
    async sweepIdle(): Promise<void> {
      await (again ?? running)?.catch(() => undefined);
    },

    /**
     * Every check happens before the first byte is read: the one gate (post), read-only
     * maintenance, the category's fileUpload flag and chat history, the name and the caption.
     * Then the bytes go to the blob store, which stops the moment they pass maxFileSizeKB.
     */
    async upload(actor: Actor, roomId: number, input: unknown, bytes: AsyncIterable<Uint8Array>): Promise<UploadResult> {
      const data = parse(uploadInput, input);
      const room = parse(id, roomId);
      const checks = async () => {
        const access = await roomAccess(ctx, actor, room, 'post');
        if (access.snapshot.maintenance) throw new PchatError('read_only', access.snapshot.maintenance.message);
        if (!access.category.fileUpload) throw notPermitted(`Files cannot be posted in the rooms of category "${access.category.name}".`);
        if (!access.category.chatHistory) {
          throw notPermitted(`Files cannot be posted in the rooms of category "${access.category.name}": it keeps no chat history, and a file needs a kept message.`);
        }
        return access;
      };
      const { snapshot, category } = await checks();
      const name = validateFileName(data.name);
      const contentType = normalizeContentType(data.contentType);
      const caption = data.text !== null && data.text.trim() !== '' ? validateMessageText(data.text, snapshot.config) : null;
      const maxBytes = snapshot.config.maxFileSizeKB * 1024;

      let stored: { sha256: string; size: number };
      try {
        stored = await ctx.store.blobs.put(bytes, maxBytes);
      } catch (error) {
        if (error instanceof PchatError && error.code === 'too_large') {
          throw new PchatError('too_large', `A file can have at most ${formatSize(snapshot.config.maxFileSizeKB * 1024)}.`, { field: 'file' });
        }
        throw error;
      }
      // An upload can take a while: whatever changed meanwhile (access, the category) applies.
      const current = await checks();
      const result = await ctx.writer.submit({
        roomId: room,
        authorId: actor.userId,
        kind: 'text',
        title: null,
        text: caption ?? name,
        createdAt: ctx.clock.now(),
        clientId: data.clientId,
        origin: null,
        keep: category.chatHistory,
        file: { name, contentType, size: stored.size, sha256: stored.sha256 },
        mentions: caption === null ? [] : mentionedUsers(current.snapshot, current.room, current.category, caption, actor.userId),
      });
      const file = result.message.file;
      if (!file) throw new PchatError('conflict', 'This clientId was already used for a message without a file.', { field: 'clientId' });
      if (!result.duplicate) {
        await ctx.compliance.submit({
          type: 'FILEUPLOAD',
          roomId: room,
          userId: actor.userId,
          at: ctx.clock.now(),
          data: { fileId: file.id, messageId: file.messageId, name: file.name, contentType: file.contentType, size: file.size, sha256: file.sha256 },
        });
      }
      return { message: result.message, file, duplicate: result.duplicate };
    },

    /**
     * A file for reading: not_found when there is no such file (or its message was removed),
     * then the one gate (read) on its room, so a secret room's file answers room_not_found to
     * outsiders. Records FILEDOWNLOAD before it answers.
     */
    async download(actor: Actor, fileId: unknown): Promise<Download> {
      const fid = parse(z.coerce.number().pipe(id), fileId);
      const file = await ctx.store.files.get(fid);
      if (!file) throw notFound('file');
      // A file of a room the caller may not find does not exist for them: the same answer as a missing id.
      await roomAccess(ctx, actor, file.roomId, 'read').catch((error: unknown) => {
        throw error instanceof PchatError && error.code === 'room_not_found' ? notFound('file') : error;
      });
      await ctx.compliance.submit({
        type: 'FILEDOWNLOAD',
        roomId: file.roomId,
        userId: actor.userId,
        at: ctx.clock.now(),
        data: { fileId: file.id, messageId: file.messageId, name: file.name, size: file.size, sha256: file.sha256 },
      });
      return {
        file,
        open: async (range) => {
          const stream = await ctx.store.blobs.get(file.sha256, range);
          if (!stream) throw notFound('file');
          return stream;
        },
      };
    },
  };
}

