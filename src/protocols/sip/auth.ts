import type { OutgoingRequest, OutgoingResponse, SipMessage, SipRequest } from './message.js';

/** The security of a registered connection: checks the client's signatures and signs ours ([MS-SIPAE]). */
export interface MessageSecurity {
  /** Whether a request or response from the client carries a valid signature (or needs none). */
  verify(message: SipMessage): boolean;
  /** Adds what our message needs (Authentication-Info with rspauth) just before it is sent. */
  sign(message: OutgoingRequest | OutgoingResponse): void;
}

/** What answering one REGISTER comes to. */
export type RegisterOutcome =
  | { readonly kind: 'challenge'; readonly headers: [string, string][] }
  | { readonly kind: 'refused'; readonly status: 403 | 400; readonly reason: string; readonly headers?: [string, string][] }
  | { readonly kind: 'ok'; readonly security: MessageSecurity };

/**
 * One connection's side of sign-in; the account is already found from the REGISTER's address,
 * and `source` is the client's network address (the sign-in throttle counts by it).
 */
export interface SipAuthenticator {
  register(request: SipRequest, account: { userId: number; login: string }, source: string): Promise<RegisterOutcome>;
}

/** No signatures: the loopback-only test mode. */
export const UNSIGNED: MessageSecurity = {
  verify: () => true,
  sign: () => undefined,
};

/** `sip.auth = none-loopback-test`: anyone whose address names an account is signed in (CI only; the config refuses it on other addresses). */
export const noAuthentication = (): SipAuthenticator => ({
  register: async () => ({ kind: 'ok', security: UNSIGNED }),
});
