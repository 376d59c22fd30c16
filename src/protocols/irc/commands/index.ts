import type { IrcCommand } from '../session.js';
import { CHANNELS } from './channels.js';
import { CHATHISTORY } from './chathistory.js';
import { MESSAGING } from './messaging.js';
import { MODES } from './modes.js';
import { QUERIES } from './queries.js';
import { REGISTRATION } from './registration.js';

/** Every command the endpoint understands, by name: the one table the session dispatches on. */
export const COMMANDS: Readonly<Record<string, IrcCommand>> = Object.freeze({
  ...REGISTRATION,
  ...CHANNELS,
  ...MESSAGING,
  ...QUERIES,
  ...MODES,
  ...CHATHISTORY,
});
