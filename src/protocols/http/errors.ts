import { type ErrorCode, PchatError } from '../../core/errors.js';
import { describeError, type PublicError, retryAfterOf } from '../errors.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_name: 400,
  malformed_json: 400,
  too_large: 413,
  unauthenticated: 401,
  not_permitted: 403,
  not_found: 404,
  room_not_found: 404,
  name_taken: 409,
  conflict: 409,
  category_not_empty: 409,
  group_cycle: 409,
  room_disabled: 403,
  read_only: 503,
  decommissioned: 503,
  rate_limited: 429,
  password_change_required: 403,
  wrong_password: 403,
  invalid_archive: 400,
  invalid_dump: 400,
  internal: 500,
};

/** Fastify's own errors (body parsing, size, media type) in pchat's vocabulary. */
function fromFastify(error: unknown): unknown {
  const e = error as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PchatError('too_large', 'The request body is too large.');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new PchatError('invalid_input', 'Send the body as application/json.');
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new PchatError('malformed_json', 'The JSON body is empty.');
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (e.statusCode === 400 && error instanceof SyntaxError)) {
    return new PchatError('malformed_json', `The body is not valid JSON: ${e.message ?? ''}`);
  }
  if (!(error instanceof PchatError) && e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return new PchatError('invalid_input', e.message ?? 'Bad request.');
  }
  return error;
}

/** The one mapping from any error to the HTTP wire. */
export function toHttpError(error: unknown): { status: number; body: { error: PublicError }; unexpected: boolean; retryAfterSeconds?: number } {
  const { error: body, unexpected } = describeError(fromFastify(error));
  const retryAfterSeconds = retryAfterOf(error);
  return { status: STATUS[body.code as ErrorCode] ?? 500, body: { error: body }, unexpected, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
}
