import { randomBytes } from 'node:crypto';
import { header, type OutgoingRequest, type SipRequest, uriOf } from './message.js';

/** A dialog the client opened with an INVITE to the chat lookup address or the chat service. */
export interface Dialog {
  readonly callId: string;
  readonly kind: 'lookup' | 'service';
  /** Our tag (To of the INVITE's answer, From of our requests). */
  readonly localTag: string;
  /** The address the client invited (From of our requests). */
  readonly localUri: string;
  /** The INVITE's From header as sent (To of our requests, with the client's tag). */
  readonly remote: string;
  /** Where our in-dialog requests go: the INVITE's Contact. */
  readonly target: string;
  cseq: number;
  /** When the session expires unless refreshed (UPDATE or re-INVITE), ms since the epoch. */
  expiresAt: number;
}

export const newTag = (): string => randomBytes(6).toString('hex');
export const newBranch = (): string => `z9hG4bK${randomBytes(8).toString('hex')}`;

/**
 * The dialogs of one connection (RFC 3261 §12), and the in-dialog requests we send in them.
 * Server-sent INFOs must carry the dialog's Call-ID and tags or the client answers 487.
 */
export class Dialogs {
  private readonly byCallId = new Map<string, Dialog>();

  open(invite: SipRequest, kind: Dialog['kind'], sessionExpiresMs: number): Dialog {
    const callId = header(invite, 'call-id') as string;
    const existing = this.byCallId.get(callId);
    if (existing) {
      existing.expiresAt = Date.now() + sessionExpiresMs;
      return existing;
    }
    const dialog: Dialog = {
      callId,
      kind,
      localTag: newTag(),
      localUri: uriOf(header(invite, 'to') ?? invite.uri),
      remote: header(invite, 'from') ?? '',
      target: uriOf(header(invite, 'contact') ?? header(invite, 'from') ?? ''),
      cseq: 0,
      expiresAt: Date.now() + sessionExpiresMs,
    };
    this.byCallId.set(callId, dialog);
    return dialog;
  }

  get(callId: string | undefined): Dialog | undefined {
    return callId === undefined ? undefined : this.byCallId.get(callId);
  }

  close(callId: string): Dialog | undefined {
    const dialog = this.byCallId.get(callId);
    this.byCallId.delete(callId);
    return dialog;
  }

  /** The newest open dialog with the chat service: where notices and live messages go. */
  service(): Dialog | undefined {
    let found: Dialog | undefined;
    for (const d of this.byCallId.values()) if (d.kind === 'service') found = d;
    return found;
  }

  /** Dialogs whose session expired without a refresh. */
  expired(now: number): Dialog[] {
    return [...this.byCallId.values()].filter((d) => d.expiresAt < now);
  }

  get size(): number {
    return this.byCallId.size;
  }

  all(): Dialog[] {
    return [...this.byCallId.values()];
  }

  /** An in-dialog request from us (RFC 3261 §12.2.1.1). */
  request(dialog: Dialog, method: string, via: string, extra: [string, string][], body?: string): OutgoingRequest {
    dialog.cseq += 1;
    return {
      method,
      uri: dialog.target,
      headers: [
        ['Via', `${via};branch=${newBranch()}`],
        ['Max-Forwards', '70'],
        ['From', `<${dialog.localUri}>;tag=${dialog.localTag}`],
        ['To', dialog.remote],
        ['Call-ID', dialog.callId],
        ['CSeq', `${dialog.cseq} ${method}`],
        ...extra,
      ],
      ...(body !== undefined && { body }),
    };
  }
}
