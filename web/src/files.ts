/** Files in messages: sizes for people, which images preview inline, and whether a room takes files. */
import type { FileInfo, Room } from './types.js';

/** 1536 → "1.5 KB"; binary units, as maxFileSizeKB counts them. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let n = bytes / 1024;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n < 100 ? Math.round(n * 10) / 10 : Math.round(n)} ${units[i]}`;
}

/** The image types the server serves inline; everything else downloads as an attachment. */
const PREVIEWABLE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** Larger images show as a plain card: a preview should not cost a big download while scrolling. */
const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;

export const previewable = (f: FileInfo): boolean => PREVIEWABLE.has(f.contentType.toLowerCase()) && f.size <= PREVIEW_MAX_BYTES;

/** Only pchat's own file paths become links or images (the CSP would block anything else anyway). */
export const fileUrl = (f: FileInfo): string | null => (typeof f.url === 'string' && f.url.startsWith('/api/v1/files/') ? f.url : null);

/** "PDF", "PNG image", or the content type when the name has no extension. */
export function fileType(f: FileInfo): string {
  const ext = /\.([a-z0-9]{1,8})$/i.exec(f.name)?.[1]?.toUpperCase();
  if (!ext) return f.contentType || 'file';
  return f.contentType.startsWith('image/') ? `${ext} image` : ext;
}

/**
 * Why files cannot be posted in a room as far as the client knows, or null to offer attaching
 * (when the room view does not say, the server decides and its refusal is shown).
 */
export function filesRefused(room: Room): string | null {
  if (!room.can.post) return 'You may not post in this room.';
  if (room.category.fileUpload === false) return 'Files may not be posted in this room: its category does not allow them.';
  if (room.category.chatHistory === false) return 'Files may not be posted in this room: its category keeps no history.';
  return null;
}
