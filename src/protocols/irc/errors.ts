import { PchatError } from '../../core/errors.js';
import { NOT_UTF8 } from '../../core/validation.js';
import { describeError } from '../errors.js';
import { ERR } from './numerics.js';

/** One reply to send for a failed command: a numeric with its parameters, or a standard FAIL. */
export type ErrorReply = { readonly numeric: string; readonly params: string[] } | { readonly fail: string; readonly code: string; readonly params: string[] };

const MANAGE = new Set(['TOPIC', 'MODE', 'KICK', 'INVITE']);
const SEND = new Set(['PRIVMSG', 'NOTICE']);

/**
 * THE mapping from pchat errors to IRC replies. `target` is the channel (or nick) the command
 * was about. Secret rooms surface as room_not_found from the use cases, so they answer exactly
 * like channels that do not exist.
 */
export function ircError(command: string, target: string | null, error: unknown): { reply: ErrorReply; unexpected: boolean } {
  const { error: body, unexpected } = describeError(error);
  const code = error instanceof PchatError && !unexpected ? error.code : 'internal';
  const t = target ?? '*';
  const numeric = (n: string, text: string) => ({ reply: { numeric: n, params: [t, text] }, unexpected });
  switch (code) {
    case 'room_not_found':
      return command === 'CHATHISTORY'
        ? { reply: { fail: command, code: 'INVALID_TARGET', params: [t, 'No such channel'] }, unexpected }
        : numeric(ERR.NOSUCHCHANNEL, 'No such channel');
    case 'room_disabled':
      return numeric(ERR.NOSUCHCHANNEL, 'The room is disabled');
    case 'not_permitted':
      if (command === 'JOIN') return numeric(ERR.INVITEONLYCHAN, 'Cannot join channel (+i): members only');
      if (SEND.has(command)) return numeric(ERR.CANNOTSENDTOCHAN, body.message);
      if (MANAGE.has(command)) return numeric(ERR.CHANOPRIVSNEEDED, `You're not a channel operator: ${body.message}`);
      return { reply: { fail: command, code: 'NOT_PERMITTED', params: [body.message] }, unexpected };
    case 'unauthenticated':
    case 'rate_limited':
      return { reply: { numeric: ERR.PASSWDMISMATCH, params: [body.message] }, unexpected };
    case 'invalid_input':
      // The one text rule's refusal of bytes that are not UTF-8, as UTF8ONLY's standard reply.
      if (SEND.has(command) && body.message.endsWith(NOT_UTF8)) return { reply: { fail: command, code: 'INVALID_UTF8', params: [body.message] }, unexpected };
      if (SEND.has(command)) return numeric(ERR.CANNOTSENDTOCHAN, body.message);
      return { reply: { fail: command, code: 'INVALID_PARAMS', params: [...(target ? [target] : []), body.message] }, unexpected };
    case 'internal':
      return { reply: { fail: command, code: 'INTERNAL_ERROR', params: ['Something went wrong on the server'] }, unexpected };
    default:
      if (SEND.has(command)) return numeric(ERR.CANNOTSENDTOCHAN, body.message);
      return { reply: { fail: command, code: 'INVALID_PARAMS', params: [...(target ? [target] : []), body.message] }, unexpected };
  }
}
