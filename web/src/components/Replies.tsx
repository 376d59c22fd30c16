import { chat } from '../chat.js';
import type { Message, ReplyParent } from '../types.js';
import './Replies.css';

/** One line of a parent: its start, flattened, cut to fit a line. */
const excerptOf = (text: string, max = 90): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
};

/**
 * Above a reply: whom it answers and the start of what they wrote, linking to the parent in the
 * room (it opens there in context, as a search result does). A parent removed since says so.
 */
export function ReplyContext({ roomId, parent }: { roomId: number; parent: ReplyParent }) {
  if (parent.seq === null) return <p class="reply-context removed">Reply to a removed message</p>;
  const who = parent.authorName ?? `user ${parent.authorId ?? '?'}`;
  return (
    <p class="reply-context">
      <a href={`#/room/${roomId}/m/${parent.seq}`} aria-label={`Reply to ${who}: ${excerptOf(parent.excerpt)} (show that message)`}>
        <span class="reply-author">{who}</span> <span class="reply-excerpt">{excerptOf(parent.excerpt)}</span>
      </a>
    </p>
  );
}

/** Under a message that has replies: how many (the replies are in the room's history, each naming it). */
export function ReplyCount({ count }: { count: number }) {
  return <span class="reply-count">{count === 1 ? '1 reply' : `${count} replies`}</span>;
}

/** The Reply button every kept message has while one may post in the room. */
export function ReplyButton({ m }: { m: Message }) {
  return (
 <button
      type="button"
      class="small reply-button"
      aria-label={`Reply to ${m.authorName ?? 'this message'}`}
      onClick={() => {
        chat.replyTo(m.roomId, m);
        // Straight on to typing the answer (the composer's id: RoomView.tsx).
        document.getElementById(`compose-${m.roomId}`)?.focus();
      }}
    >
      Reply
    </button>
  );
}

/** Above the composer while it answers a message: whom, and a way back out (Escape in the composer too). */
export function ReplyingTo({ m, onCancel }: { m: Message; onCancel: () => void }) {
  const who = m.authorName ?? `user ${m.authorId}`;
  return (
    <div class="replying-to" role="status">
      <span>
        Replying to <strong>{who}</strong>: <span class="reply-excerpt">{excerptOf(m.text, 70)}</span>
      </span>
      <button type="button" class="small ghost" aria-label={`Cancel the reply to ${who}`} onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
