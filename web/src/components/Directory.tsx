import { useEffect, useState } from 'preact/hooks';
import { api, get, query } from '../api.js';
import { navigate, useChat, useLoad } from '../hooks.js';
import { Icon } from '../icons.js';
import type { Category, Room } from '../types.js';
import { Empty, ErrorNote, Field, fieldError, Loading } from './ui.js';

export const PRIVACY_TEXT = {
  open: 'Open: everyone the category allows reads and posts',
  closed: 'Closed: anyone allowed finds it; members enter',
  secret: 'Secret: only members know it exists',
} as const;

export function PrivacyBadge({ room }: { room: Pick<Room, 'privacy' | 'type' | 'disabled'> }) {
  return (
    <span class="badges">
      <span class={`tag ${room.privacy}`} title={PRIVACY_TEXT[room.privacy]}>
        {room.privacy === 'secret' ? <Icon name="eyeOff" size={12} /> : room.privacy === 'closed' ? <Icon name="lock" size={12} /> : null} {room.privacy}
      </span>
      {room.type === 'auditorium' && (
        <span class="tag auditorium" title="Auditorium: only presenters post">
          <Icon name="megaphone" size={12} /> auditorium
        </span>
      )}
      {room.disabled && <span class="tag disabled">disabled</span>}
    </span>
  );
}

/** The room directory, grouped by category: exactly the rooms the server says the user may find. */
export function Directory() {
  const c = useChat();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 200);
    return () => clearTimeout(t);
  }, [text]);
  const { data, error, loading, reload } = useLoad(() => get<{ rooms: Room[] }>(`/api/v1/rooms${query({ q, limit: 1000 })}`), [q]);
  const rooms = data?.rooms ?? [];
  const groups = new Map<string, Room[]>();
  for (const room of rooms) groups.set(room.category.name, [...(groups.get(room.category.name) ?? []), room]);
  const sorted = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));

  return (
    <section class="page" aria-labelledby="dir-title">
      <div class="page-head">
        <h1 id="dir-title">Room directory</h1>
        <div class="search-box">
          <label for="dir-q" class="sr-only">
            Find rooms by name or description
          </label>
          <Icon name="search" />
          <input id="dir-q" type="search" placeholder="Find rooms by name or description" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
      </div>
      {loading && !data ? (
        <Loading what="rooms" />
      ) : error ? (
        <>
          <ErrorNote error={error} prefix="The directory could not be loaded." />
          <button onClick={reload}>Try again</button>
        </>
      ) : rooms.length === 0 ? (
        <Empty>{q ? `No room you may find matches “${q}”.` : 'There are no rooms you may find yet.'}</Empty>
      ) : (
        sorted.map(([category, list]) => (
          <section key={category} class="category" aria-label={`Category ${category}`}>
            <h2>{category}</h2>
            <ul class="cards">
              {list.map((room) => {
                const following = c.rooms.get(room.id)?.followed ?? c.reading.get(room.id)?.followed ?? false;
                return (
                  <li key={room.id} class="card room-card" data-room={room.name}>
                    <div class="room-card-head">
                      <h3>
                        {room.can.enter ? <a href={`#/room/${room.id}`}>{room.name}</a> : room.name}
                      </h3>
                      <PrivacyBadge room={room} />
                    </div>
                    {room.description && <p class="desc">{room.description}</p>}
                    <div class="room-card-foot">
                      {room.can.enter ? (
                        <>
                          <button class="primary small" onClick={() => navigate(`room/${room.id}`)}>
                            {c.rooms.has(room.id) ? 'Open' : 'Join'}
                          </button>
                          <button class="ghost small" aria-pressed={following} onClick={() => void c.setFollowed(room.id, !following)}>
                            <Icon name="star" size={14} /> {following ? 'Following' : 'Follow'}
                          </button>
                        </>
                      ) : (
                        <span class="muted small">
                          Members only{room.members.length > 0 && ` — ${room.members.map((m) => m.name).join(', ')}`}
                        </span>
                      )}
                      {c.unread(room.id) > 0 && <span class="badge">{c.unread(room.id)} unread</span>}
                    </div>
                  </li>
                );
              })}
            </ul>
          </section>
        ))
      )}
      <CreateRoom onCreated={reload} />
    </section>
  );
}

/** Administrators and a category's creators start rooms here. */
function CreateRoom({ onCreated }: { onCreated: () => void }) {
  const c = useChat();
  const { data } = useLoad(() => get<{ categories: Category[] }>('/api/v1/categories'), []);
  const me = c.me!;
  const mine = (data?.categories ?? []).filter((cat) => me.isAdmin || cat.creators.some((p) => p.kind === 'user' && p.id === me.id));
  const [name, setName] = useState('');
  const [categoryId, setCategoryId] = useState(0);
  const [error, setError] = useState<unknown>(null);
  if (mine.length === 0) return null;
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const room = await api<Room>('POST', '/api/v1/rooms', { name, categoryId: categoryId || mine[0]!.id });
      setName('');
      onCreated();
      navigate(`room/${room.id}/settings`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form class="card inline-form" onSubmit={submit} aria-labelledby="new-room">
      <h2 id="new-room">New room</h2>
      <Field label="Name" id="new-room-name" error={fieldError(error, 'name')}>
        <input id="new-room-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field label="Category" id="new-room-cat" error={fieldError(error, 'categoryId')}>
        <select id="new-room-cat" value={categoryId || mine[0]!.id} onChange={(e) => setCategoryId(Number(e.currentTarget.value))}>
          {mine.map((cat) => (
            <option key={cat.id} value={cat.id}>
              {cat.name}
            </option>
          ))}
        </select>
      </Field>
      <button class="primary" type="submit">
        Create
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
