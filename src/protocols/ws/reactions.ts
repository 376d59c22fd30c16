import { z } from 'zod';
import { parse } from '../../app/validate.js';
import { presentReactions } from '../presentReactions.js';
import type { WsDeps, WsSession } from './session.js';

const reactionFrame = z.strictObject({ roomId: z.int().positive(), seq: z.int().positive(), emoji: z.string() });

/** `react` and `unreact` (commands.ts): the app decides; the answer carries the message's reactions after the change. */
export async function reactionCommand(session: WsSession, payload: Record<string, unknown>, ref: unknown, deps: WsDeps, add: boolean): Promise<void> {
  const frame = parse(reactionFrame, payload);
  const actor = await deps.app.sessions.actorFor(session.userId);
  const view = add
    ? await deps.app.reactions.add(actor, frame.roomId, frame.seq, frame.emoji)
    : await deps.app.reactions.remove(actor, frame.roomId, frame.seq, frame.emoji);
  const snapshot = await deps.app.directory.snapshot();
  session.send({ type: 'reactions', ...(ref !== undefined && { ref }), ...view, reactions: presentReactions(view.reactions, snapshot) });
}
