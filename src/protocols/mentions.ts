import type { Application } from '../app/index.js';
import type { MentionPage } from '../app/mentions.js';
import { presentMessage } from './present.js';

/**
 * A page of the Mentions view as HTTP and WebSocket answer it: each message with its room's name
 * (a direct conversation's is internal: `direct` tells the client to name it by its people) and
 * whether it is above the caller's read position.
 */
export async function presentMentions(app: Application, page: MentionPage): Promise<Record<string, unknown>> {
  const snapshot = await app.directory.snapshot();
  return {
    mentions: page.messages.map((m) => {
      const room = snapshot.rooms.get(m.roomId);
      return { message: presentMessage(m, snapshot), roomName: room?.name ?? '', direct: room?.direct === true, unread: m.seq > (page.lastRead.get(m.roomId) ?? 0) };
    }),
    nextBefore: page.nextBefore,
  };
}
