import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { chat } from '../chat.js';
import type { Message, ReactionView } from '../types.js';
import './Reactions.css';
import { ErrorNote } from './ui.js';

/**
 * Emoji reactions (README, "Reactions"): under a message, one chip per emoji with its count; the
 * chip's tooltip and accessible name list who reacted by display name, one's own reaction shows
 * pressed (aria-pressed), and a click adds or takes back one's own. "Add reaction" (in the
 * message's actions) opens a small picker of common emoji: arrow keys move, Enter picks, Escape
 * closes. The server decides (PUT / DELETE /api/v1/rooms/{roomId}/messages/{seq}/reactions/{emoji});
 * the new set comes back to every client as the live `message.reactions` event.
 */

/** The picker's emoji: the reactions people use most, in one small grid (no library, nothing to lazy-load). */
export const COMMON_EMOJI = ['👍', '👎', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀', '🔥', '✅', '❌', '🚀', '💯', '🤔', '👏'];

const path = (m: Message, emoji: string) => `/api/v1/rooms/${m.roomId}/messages/${m.seq}/reactions/${encodeURIComponent(emoji)}`;

/** Adds or takes back the signed-in user's reaction; the change shows when the live event comes. */
export async function toggleReaction(m: Message, emoji: string, mine: boolean): Promise<void> {
  await api(mine ? 'DELETE' : 'PUT', path(m, emoji));
}

const names = (r: ReactionView): string => r.users.map((u) => u.name ?? `user ${u.id}`).join(', ');

/** The chips under a message; nothing when it has no reactions. */
export function ReactionChips({ m }: { m: Message }) {
  const [error, setError] = useState<unknown>(null);
  const reactions = m.reactions ?? [];
  if (reactions.length === 0) return null;
  const me = chat.me?.id;
  return (
    <div class="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => {
        const mine = r.users.some((u) => u.id === me);
        const who = names(r);
        return (
          <button
            key={r.emoji}
            type="button"
            class={`reaction${mine ? ' mine' : ''}`}
            aria-pressed={mine}
            title={`${r.emoji} ${who}`}
            aria-label={`${r.emoji} ${r.count}: ${who}${mine ? '. Press to take yours back' : '. Press to react too'}`}
            onClick={() => {
              setError(null);
              toggleReaction(m, r.emoji, mine).catch(setError);
            }}
          >
            <span class="reaction-emoji" aria-hidden="true">
              {r.emoji}
            </span>
            <span class="reaction-count" aria-hidden="true">
              {r.count}
            </span>
          </button>
        );
      })}
      <ErrorNote error={error} prefix="Reaction not saved." />
    </div>
  );
}

/** "Add reaction" and its picker (a grid of buttons: arrows move, Enter picks, Escape closes and returns focus). */
export function AddReaction({ m }: { m: Message }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) grid.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open]);
  // Messages shown only live (seq 0, a room without history) cannot be reacted to.
  if (m.seq === 0 || !chat.me) return null;

  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };
  const pick = (emoji: string) => {
    const mine = (m.reactions ?? []).some((r) => r.emoji === emoji && r.users.some((u) => u.id === chat.me?.id));
    setError(null);
    toggleReaction(m, emoji, mine).then(close, setError);
  };
  const move = (e: KeyboardEvent) => {
    const buttons = [...(grid.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 4, ArrowUp: -4, Home: -at, End: buttons.length - 1 - at }[e.key];
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (step !== undefined && at >= 0) {
      e.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, at + step))]?.focus();
    }
  };
  return (
    <span class="add-reaction">
      <button ref={trigger} type="button" class="small" aria-label="Add reaction" aria-expanded={open} onClick={() => (open ? close() : setOpen(true))}>
        <span aria-hidden="true">☺+</span>
      </button>
      {open && (
        <div
          ref={grid}
          class="emoji-picker"
          role="group"
          aria-label="Pick a reaction"
          onKeyDown={move}
          onFocusOut={(e) => {
            // Leaving the picker (Tab away, a click elsewhere) closes it.
            if (!grid.current?.contains(e.relatedTarget as Node | null) && e.relatedTarget !== trigger.current) setOpen(false);
          }}
        >
          {COMMON_EMOJI.map((emoji) => (
            <button key={emoji} type="button" class="emoji-choice" aria-label={`React with ${emoji}`} onClick={() => pick(emoji)}>
              {emoji}
            </button>
          ))}
          <ErrorNote error={error} prefix="Reaction not saved." />
        </div>
      )}
    </span>
  );
}
