import { PchatError } from '../core/errors.js';

export interface PublicError {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
  readonly details?: unknown;
}

/**
 * What a client may be told about an error. Domain errors keep their code, text and field;
 * anything unexpected becomes a generic `internal` error and `unexpected` asks to log it.
 */
export function describeError(error: unknown): { error: PublicError; unexpected: boolean } {
  if (error instanceof PchatError && error.expose) {
    return {
      error: {
        code: error.code,
        message: error.message,
        ...(error.field !== undefined && { field: error.field }),
        ...(error.details !== undefined && { details: error.details }),
      },
      unexpected: false,
    };
  }
  return { error: { code: 'internal', message: 'Something went wrong on the server.' }, unexpected: true };
}

/** The wait a rate_limited error names (the sign-in throttle sets it), for Retry-After. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof PchatError) || error.code !== 'rate_limited') return undefined;
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : undefined;
}
