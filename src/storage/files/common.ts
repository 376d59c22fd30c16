import { PchatError } from '../../core/errors.js';

/** Lower-case hex SHA-256: the only blob keys there are (and the only names a directory store builds paths from). */
export const isDigest = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);

/** The error a BlobStore's put throws past `maxBytes` (the app rewords it with the configured limit). */
export const tooLarge = (maxBytes: number): PchatError =>
  new PchatError('too_large', `The file is larger than the limit of ${Math.floor(maxBytes / 1024)} KB.`, { field: 'file' });

/**
 * An upload that never finished (its process was killed) is cleaned up once this old: a younger
 * one may belong to a put still running in another process.
 */
export const STALE_UPLOAD_MS = 60 * 60 * 1000;
