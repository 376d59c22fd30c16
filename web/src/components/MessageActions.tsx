import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { chat } from '../chat.js';
import type { EditWindow, Message } from '../types.js';
import './MessageActions.css';
import { ErrorNote, time } from './ui.js';

/**
 * Under a message: "(edited)" when its author changed it, and on one's own messages, while the
 * server's `editOwnMessages` window lasts, Edit (inline: Enter saves, Shift+Enter a new line,
 * Escape cancels) and Delete (asks first). The server decides (PATCH / DELETE
 * /api/v1/rooms/{roomId}/messages/{seq}); this only offers what it would accept. The change comes
 * back as a live event (messages.replaced / messages.removed) to every client, this one included.
 */

/** Milliseconds left to edit or delete `m` (Infinity: always), or null when it may not be. */
export function editTimeLeft(m: Message, meId: number | null, window: EditWindow | null, now: number): number | null {
  if (meId === null || m.authorId !== meId || m.seq === 0 || window === null || window === 'off') return null;
  if (window === 'always') return Number.POSITIVE_INFINITY;
  const left = Date.parse(m.createdAt) + window * 60_000 - now;
  return left > 0 ? left : null;
}

/** setTimeout takes at most 2^31 - 1 ms (about 24 days); longer windows need no timer within a page's life. */
const MAX_TIMER = 2 ** 31 - 1;

export function MessageActions({ m, mine }: { m: Message; mine: boolean }) {
  const [mode, setMode] = useState<'idle' | 'editing' | 'confirming'>('idle');
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState(m.text);
  const [error, setError] = useState<unknown>(null);
  const [, rerender] = useState(0);
  const editor = useRef<HTMLTextAreaElement>(null);
  const left = mine ? editTimeLeft(m, chat.me?.id ?? null, chat.editOwnMessages, Date.now()) : null;

  // The window is known once the configuration has loaded, and closes while the page is open.
  useEffect(() => {
    if (!mine) return;
    if (chat.editOwnMessages === null) return chat.subscribe(() => rerender((n) => n + 1));
    if (left === null || left > MAX_TIMER) return;
    const timer = setTimeout(() => rerender((n) => n + 1), left + 250);
    return () => clearTimeout(timer);
  }, [mine, left === null, m.seq, chat.editOwnMessages]);
  useEffect(() => {
    if (mode === 'editing') editor.current?.focus();
  }, [mode]);

  const path = `/api/v1/rooms/${m.roomId}/messages/${m.seq}`;
  /** Sends a change; the message updates (or goes) through the live event, the editor closes once the server said yes. */
  const run = async (request: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await request();
      setMode('idle');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => {
    setError(null);
    setMode('idle');
  };
  const save = () => {
    if (draft.trim() === '') return;
    if (draft === m.text) return cancel();
    void run(() => api('PATCH', path, { text: draft }));
  };

  const edited = m.editedAt ? (
    <span class="edited" title={`Edited ${time(m.editedAt)}`}>
      (edited)
    </span>
  ) : null;
  if (left === null && mode === 'idle') return edited;

  if (mode === 'editing') {
    const id = `edit-${m.roomId}-${m.seq}`;
    return (
      <form
        class="msg-editor"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <label for={id} class="sr-only">
          New text of your message
        </label>
        <textarea
          id={id}
          ref={editor}
          rows={Math.min(8, draft.split('\n').length + 1)}
          value={draft}
          disabled={busy}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              cancel();
            } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              save();
            }
          }}
        />
        <div class="msg-editor-buttons">
          <span class="muted small">Enter saves · Escape cancels</span>
          <button type="button" class="small ghost" onClick={cancel}>
            Cancel
          </button>
          <button type="submit" class="small primary" disabled={busy || draft.trim() === ''}>
            Save
          </button>
        </div>
        <ErrorNote error={error} prefix="Not saved." />
      </form>
    );
  }

  if (mode === 'confirming') {
    return (
      <div class="own-actions">
        {edited}
        <span class="confirm-delete" role="group" aria-label="Delete this message?">
          <span>Delete this message for everyone?</span>
          <button class="small danger" disabled={busy} onClick={() => void run(() => api('DELETE', path))}>
            Delete
          </button>
          <button class="small ghost" disabled={busy} onClick={cancel}>
            Keep it
          </button>
        </span>
        <ErrorNote error={error} />
      </div>
    );
  }
  // Idle: the buttons float over the message's corner (no line of their own), shown on hover and focus.
  return (
    <>
      {edited}
      <span class="own-buttons">
        <button
          class="small"
          aria-label="Edit your message"
          onClick={() => {
            setDraft(m.text);
            setError(null);
            setMode('editing');
          }}
        >
          Edit
        </button>
        <button
          class="small"
          aria-label="Delete your message"
          onClick={() => {
            setError(null);
            setMode('confirming');
          }}
        >
          Delete
        </button>
      </span>
    </>
  );
}
