import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { navigate, useChat, useLoad } from '../hooks.js';
import { Icon } from '../icons.js';
import type { Principal, User } from '../types.js';
import { PrincipalPicker } from './PrincipalPicker.js';
import { SidebarLink } from './SidebarLink.js';
import { ErrorNote, fieldError, Loading } from './ui.js';

/** The sidebar's "Direct messages": every conversation, most recent first, with its unread count. */
export function DirectList({ currentRoomId }: { currentRoomId: number | null }) {
  const c = useChat();
  const list = c.direct.list;
  return (
    <section class="direct-list" aria-labelledby="dm-title">
      <div class="sidebar-head">
        <h2 class="sidebar-title" id="dm-title">
          Direct messages
        </h2>
        <a class="icon-button small" href="#/direct/new" aria-label="New direct message" title="New direct message">
          <Icon name="plus" size={14} />
        </a>
      </div>
      {list.length === 0 ? (
        <p class="muted small">{c.direct.loaded ? 'No conversations yet.' : 'Loading…'}</p>
      ) : (
        <ul class="room-list" aria-label="Direct conversations">
          {list.map((conversation) => {
            const id = conversation.roomId;
            const unread = c.rooms.has(id) ? c.unread(id) : conversation.unread;
            const title = c.direct.titleOf(id, c.me?.id) ?? `Conversation ${id}`;
            return (
              <li key={id} data-conversation={title}>
                <SidebarLink roomId={id} current={currentRoomId === id} name={title} unread={unread} icon={<Icon name="user" size={14} />} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Starting a conversation: pick up to seven people (eight in all, you included). */
export function NewConversation() {
  const c = useChat();
  const { data, error: loadError, loading } = useLoad(() => get<{ users: User[] }>('/api/v1/users'), []);
  const [chosen, setChosen] = useState<Principal[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (loading && !data) return <Loading what="people" />;
  const users = data?.users ?? [];
  const candidates: Principal[] = users
    .filter((u) => !u.disabled && u.id !== c.me?.id)
    .map((u) => ({ kind: 'user' as const, id: u.id, name: `${u.displayName} (${u.login})` }));
  const start = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const roomId = await c.direct.open(chosen.map((p) => p.id));
      navigate(`room/${roomId}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page" aria-labelledby="new-dm-title">
      <div class="page-head">
        <h1 id="new-dm-title">New direct message</h1>
      </div>
      <form class="card inline-form" onSubmit={start}>
        <ErrorNote error={loadError} prefix="The people could not be loaded." />
        <PrincipalPicker
          id="dm-people"
          label="People"
          value={chosen}
          candidates={candidates}
          onChange={setChosen}
          error={fieldError(error, 'participants')}
          hint="One person for a one-to-one conversation (you keep one per person), up to seven for a group. Only the people in it ever see it."
        />
        <button class="primary" type="submit" disabled={busy || chosen.length === 0}>
          Start conversation
        </button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
