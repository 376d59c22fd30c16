/**
 * The one error type of pchat. Every protocol maps it to the wire with a single function
 * (HTTP status + JSON, WebSocket error frame, CLI exit message), so codes are stable API.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_name'
  | 'malformed_json'
  | 'too_large'
  | 'unauthenticated'
  | 'not_permitted'
  | 'not_found'
  | 'room_not_found'
  | 'name_taken'
  | 'conflict'
  | 'category_not_empty'
  | 'group_cycle'
  | 'room_disabled'
  | 'read_only'
  /** The deployment was migrated away (pchat migrate): every request is refused with the new address. */
  | 'decommissioned'
  | 'rate_limited'
  /** The account must choose a new password (a one-time password) before anything else. */
  | 'password_change_required'
  /** The current password given with a password change is not the account's password. */
  | 'wrong_password'
  /** An archive that is corrupt, truncated, of an unknown version, unsafe or over a size limit. */
  | 'invalid_archive'
  /** A legacy dump or archive that cannot be read: wrong encoding, columns, malformed lines. */
  | 'invalid_dump'
  | 'internal';

export interface PchatErrorOptions {
  /** The input field at fault, as a dotted path (e.g. `members.2.id`). */
  field?: string;
  /** Extra machine-readable detail, e.g. every validation issue. */
  details?: unknown;
  cause?: unknown;
  /** False for errors whose text must not reach a client (internal failures). */
  expose?: boolean;
}

export class PchatError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: unknown;
  readonly expose: boolean;

  constructor(code: ErrorCode, message: string, options: PchatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PchatError';
    this.code = code;
    this.field = options.field;
    this.details = options.details;
    this.expose = options.expose ?? true;
  }
}

export const invalid = (field: string, message: string): PchatError =>
  new PchatError('invalid_input', message, { field });

/** Secret rooms, and rooms the caller may not find, all answer exactly this. */
export const roomNotFound = (): PchatError => new PchatError('room_not_found', 'No such room.');

export const notFound = (what: string): PchatError => new PchatError('not_found', `No such ${what}.`);

export const notPermitted = (message = 'You are not permitted to do that.'): PchatError =>
  new PchatError('not_permitted', message);
