import { useEffect, useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { useChat } from '../hooks.js';
import { Icon } from '../icons.js';
import type { NotifyLevel } from '../mentions.js';
import { askNotificationPermission, notificationPermission } from '../notify.js';
import type { MentionHit } from '../types.js';
import { Text } from './Text.js';
import { Empty, ErrorNote, Loading, time } from './ui.js';

const PAGE = 30;

/** The sidebar's way to the Mentions view, with the count of unread mentions of me. */
export function MentionsLink({ current }: { current: boolean }) {
  const c = useChat();
  const total = c.mentions.total();
  return (
    <a class="mentions-link" href="#/mentions" aria-current={current ? 'page' : undefined}>
      <span class="at" aria-hidden="true">
        @
      </span>
      <span class="room-name">Mentions</span>
      {total > 0 && (
        <span class="badge mention-badge" aria-label={`${total} unread ${total === 1 ? 'mention' : 'mentions'}`}>
          {total > 999 ? '999+' : total}
        </span>
      )}
    </a>
  );
}

/**
 * Browser notifications are asked for here, by a click (never on page load): mentions (and what
 * each room's setting asks for) then show while the tab is hidden.
 */
export function NotificationPermission() {
  const [permission, setPermission] = useState(notificationPermission());
  if (permission === 'unsupported') return <p class="muted small">This browser cannot show notifications.</p>;
  if (permission === 'granted') return <p class="muted small">Browser notifications are on: mentions of you (and what each room's setting asks for) show while pchat's tab is hidden.</p>;
  if (permission === 'denied') return <p class="muted small">Notifications are blocked for this site; allow them in the browser's site settings to be told of mentions.</p>;
  return (
    <p class="notify-ask">
      <button type="button" onClick={() => void askNotificationPermission().then(setPermission)}>
        Turn on browser notifications
      </button>{' '}
      <span class="muted small">to be told of mentions while pchat's tab is hidden.</span>
    </p>
  );
}

/** The messages that mention me, newest first, each opening its place in the room; older ones a page at a time. */
export function MentionsPage() {
  const c = useChat();
  const [hits, setHits] = useState<MentionHit[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const load = async (before: number | null) => {
    setBusy(true);
    setError(null);
    try {
      const page = await get<{ mentions: MentionHit[]; nextBefore: number | null }>(`/api/v1/mentions${query({ limit: PAGE, ...(before !== null && { before }) })}`);
      setHits((shown) => [...(before === null ? [] : (shown ?? [])), ...page.mentions]);
      setNext(page.nextBefore);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  useEffect(() => {
    void load(null);
  }, []);
  const roomName = (h: MentionHit) => (h.direct ? (c.direct.titleOf(h.message.roomId, c.me?.id) ?? 'Direct conversation') : h.roomName);

  return (
    <section class="page mentions-page" aria-labelledby="mentions-title">
      <h1 id="mentions-title">Mentions</h1>
      <p class="muted">Messages that mention you (@{c.me?.login}), newest first. Typing @ in a message offers the people who may read the room.</p>
      <NotificationPermission />
      <ErrorNote error={error} />
      {busy && hits === null && <Loading what="your mentions" />}
      {hits !== null &&
        (hits.length === 0 ? (
          <Empty>No one has mentioned you yet.</Empty>
        ) : (
          <ol class="hits">
            {hits.map((h) => (
              <li key={h.message.id} class={`card hit${h.unread ? ' unread' : ''}`}>
                <a href={`#/room/${h.message.roomId}/m/${h.message.seq}`} aria-label={`Open in context: ${roomName(h)} · ${h.message.authorName ?? ''} · ${time(h.message.createdAt)}${h.unread ? ' unread' : ''}`}>
                  <span class="hit-meta">
                    <strong>{roomName(h)}</strong> · {h.message.authorName} · <time dateTime={h.message.createdAt}>{time(h.message.createdAt)}</time>
                    {h.unread && (
                      <>
                        {' '}
                        <span class="tag mention-tag">unread</span>
                      </>
                    )}
                  </span>
                </a>
                <div class="text clamp">
                  <Text text={h.message.text} actor={h.message.authorName ?? ''} />
                </div>
              </li>
            ))}
          </ol>
        ))}
      {next !== null && (
        <button onClick={() => void load(next)} disabled={busy}>
          Older mentions
        </button>
      )}
    </section>
  );
}

/** The room header's notification setting (stored on the server, so every device follows it): all messages, mentions of me (the default), or nothing. */
export function NotifySetting({ roomId }: { roomId: number }) {
  const c = useChat();
  const [error, setError] = useState<unknown>(null);
  const id = `notify-${roomId}`;
  return (
    <span class="notify-setting" title="Which new messages notify you while pchat's tab is hidden; the @ count shows mentions either way">
      <label for={id}>
        <Icon name="bell" size={16} />
        <span class="sr-only">Notify me of</span>
      </label>
      <select
        id={id}
        value={c.mentions.level(roomId)}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          setError(null);
          c.mentions.setLevel(roomId, e.currentTarget.value as NotifyLevel).catch(setError);
        }}
      >
        <option value="all">All</option>
        <option value="mentions">Mentions</option>
        <option value="none">None</option>
      </select>
      {error !== null && <ErrorNote error={error} />}
    </span>
  );
}
