import type { IrcCommand } from '../session.js';
import { CHANNELS } from './channels.js';
import { CHATHISTORY } from './chathistory.js';
import { KICK_INVITE } from './kickInvite.js';
import { MESSAGING } from './messaging.js';
import { MODES } from './modes.js';
import { OPERATOR } from './operator.js';
import { QUERIES } from './queries.js';
import { REDACT } from './redact.js';
import { REGISTRATION } from './registration.js';

/** Every command the endpoint understands, by name: the one table the session dispatches on. */
export const COMMANDS: Readonly<Record<string, IrcCommand>> = Object.freeze({
  ...REGISTRATION,
  ...CHANNELS,
  ...KICK_INVITE,
  ...MESSAGING,
  ...QUERIES,
  ...OPERATOR,
  ...MODES,
  ...CHATHISTORY,
  // Deleting one's own message (draft/message-redaction).
  REDACT,
});
