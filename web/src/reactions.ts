import type { Message, ReactionView } from './types.js';

/** A room's messages after a `message.reactions` frame (chat.ts): only that message changes, to the server's whole new set. */
export function withReactionFrame(messages: Message[], frame: Record<string, unknown>): Message[] {
  return messages.map((m) => (m.id === frame.messageId ? { ...m, reactions: frame.reactions as ReactionView[] } : m));
}
