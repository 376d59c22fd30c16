import { useEffect, useState } from 'preact/hooks';
import { get, query } from '../api.js';
import type { Feed, FeedHit, FeedInput } from '../feeds.js';
import { navigate, useChat, useLoad } from '../hooks.js';
import type { Room, User } from '../types.js';
import { Text } from './Text.js';
import { Empty, ErrorNote, Field, fieldError, FieldNotes, Loading, time } from './ui.js';

/** The feed screens, loaded lazily (FeedsList.tsx): a feed's hits, or the form to create or edit one. */
export function FeedsScreen({ feedId, editing }: { feedId: number | null; editing: boolean }) {
  const c = useChat();
  if (feedId === null) return <FeedForm feed={null} />;
  const feed = c.feeds.get(feedId);
  if (!feed) return c.feeds.loaded ? <Empty>No such topic feed. It may have been deleted on another device.</Empty> : <Loading what="topic feeds" />;
  return editing ? <FeedForm key={`e${feed.id}`} feed={feed} /> : <FeedHits key={feed.id} feed={feed} />;
}

/** Rooms to tick, with a filter by name: a fieldset of checkboxes, so each is named and reachable by Tab and Space. */
function RoomChoice({ rooms, chosen, onChange, error }: { rooms: readonly { id: number; name: string }[]; chosen: ReadonlySet<number>; onChange: (ids: Set<number>) => void; error: string | null }) {
  const [filter, setFilter] = useState('');
  const needle = filter.toLocaleLowerCase();
  // Ticked rooms stay listed whatever the filter, so a choice never disappears from view.
  const shown = rooms.filter((r) => chosen.has(r.id) || r.name.toLocaleLowerCase().includes(needle));
  const toggle = (id: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  return (
    <fieldset class={`picker${error ? ' invalid' : ''}`} aria-describedby={error ? 'feed-rooms-error' : 'feed-rooms-hint'}>
      <legend>Only in these rooms</legend>
      <label class="sr-only" for="feed-rooms-filter">
        Filter the rooms by name
      </label>
      <input id="feed-rooms-filter" type="search" placeholder="Filter rooms…" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      <ul class="room-checks">
        {shown.slice(0, 300).map((r) => (
          <li key={r.id}>
            <label>
              <input type="checkbox" checked={chosen.has(r.id)} onChange={(e) => toggle(r.id, e.currentTarget.checked)} /> {r.name}
            </label>
          </li>
        ))}
      </ul>
      <FieldNotes id="feed-rooms" hint="None ticked: every room you may read, direct conversations included." error={error} />
    </fieldset>
  );
}

/** Creating or editing a filter: words, optionally an author and a set of rooms. */
function FeedForm({ feed }: { feed: Feed | null }) {
  const c = useChat();
  const users = useLoad(() => get<{ users: User[] }>('/api/v1/users'), []);
  const rooms = useLoad(() => get<{ rooms: Room[] }>('/api/v1/rooms?limit=1000'), []);
  const [words, setWords] = useState(feed?.words.join(' ') ?? '');
  const [name, setName] = useState(feed && feed.name !== feed.words.join(' ') ? feed.name : '');
  const [authorId, setAuthorId] = useState(feed?.authorId ? String(feed.authorId) : '');
  const [chosen, setChosen] = useState<Set<number>>(new Set((feed?.rooms ?? []).map((r) => r.id)));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const readable = (rooms.data?.rooms ?? []).filter((r) => r.can.read && !r.direct);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const input: FeedInput = {
      words,
      ...(name.trim() && { name: name.trim() }),
      authorId: authorId ? Number(authorId) : null,
      roomIds: chosen.size > 0 ? [...chosen] : null,
    };
    try {
      const saved = await c.feeds.save(input, feed?.id ?? null);
      navigate(`feeds/${saved.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section class="page" aria-labelledby="feed-form-title">
      <div class="page-head">
        <h1 id="feed-form-title">{feed ? `Edit “${feed.name}”` : 'New topic feed'}</h1>
      </div>
      <form class="card feed-form" onSubmit={save}>
        <ErrorNote error={users.error ?? rooms.error} prefix="People or rooms could not be loaded." />
        <Field label="Words" id="feed-words" error={fieldError(error, 'words')} hint="Every word must be in a message, in any order; case and accents do not matter. Up to 8 words.">
          <input
            id="feed-words"
            required
            value={words}
            onInput={(e) => setWords(e.currentTarget.value)}
            placeholder="e.g. release notes"
            aria-describedby="feed-words-hint"
          />
        </Field>
        <Field label="Name (optional)" id="feed-name" error={fieldError(error, 'name')}>
          <input id="feed-name" value={name} maxLength={80} onInput={(e) => setName(e.currentTarget.value)} placeholder="The words" />
        </Field>
        <Field label="Author" id="feed-author" error={fieldError(error, 'authorId')}>
          <select id="feed-author" value={authorId} onChange={(e) => setAuthorId(e.currentTarget.value)}>
            <option value="">Anyone</option>
            {(users.data?.users ?? [])
              .filter((u) => u.id !== c.me?.id)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName} ({u.login})
                </option>
              ))}
          </select>
        </Field>
        <RoomChoice rooms={readable} chosen={chosen} onChange={setChosen} error={fieldError(error, 'roomIds')} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>
            {feed ? 'Save feed' : 'Create feed'}
          </button>
          <button type="button" class="ghost" onClick={() => navigate(feed ? `feeds/${feed.id}` : '')}>
            Cancel
          </button>
        </div>
        {error && !fieldError(error, 'words') && !fieldError(error, 'authorId') && !fieldError(error, 'roomIds') && !fieldError(error, 'name') && <ErrorNote error={error} />}
      </form>
    </section>
  );
}

/** A feed's messages, newest first: live hits above the pages read from the server; seen as shown. */
function FeedHits({ feed }: { feed: Feed }) {
  const c = useChat();
  const [pages, setPages] = useState<FeedHit[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [confirming, setConfirming] = useState(false);

  const load = async (before: number | null) => {
    setLoading(true);
    try {
      const page = await get<{ hits: FeedHit[]; next: number | null }>(`/api/v1/feeds/${feed.id}/messages${query({ before, limit: 50 })}`);
      setPages((old) => (before === null ? page.hits : [...old, ...page.hits]));
      setNext(page.next);
      setError(null);
    } catch (e) {
      setError(e);
    }
    setLoading(false);
  };

  useEffect(() => {
    c.feeds.live.delete(feed.id);
    c.feeds.viewing = feed.id;
    void load(null);
    return () => {
      if (c.feeds.viewing === feed.id) c.feeds.viewing = null;
    };
  }, [feed.id]);

  // Live hits arrived since the first page, newest first, then the pages (without repeats).
  const live = c.feeds.live.get(feed.id) ?? [];
  const known = new Set(pages.map((h) => h.hitId));
  const hits = [...live.filter((h) => !known.has(h.hitId)), ...pages];
  const newest = hits[0]?.hitId ?? 0;
  useEffect(() => {
    if (newest > 0) void c.feeds.markRead(feed.id, newest);
  }, [newest]);

  const remove = async () => {
    try {
      await c.feeds.remove(feed.id);
      navigate('');
    } catch (e) {
      setError(e);
    }
  };

  const constraints = [
    `Words: ${feed.words.join(', ')}`,
    feed.authorName ? `by ${feed.authorName}` : null,
    feed.rooms ? `in ${feed.rooms.map((r) => r.name).join(', ') || 'no room you may still read'}` : 'in every room you may read',
  ].filter(Boolean);

  return (
    <section class="page" aria-labelledby="feed-title">
      <div class="page-head">
        <h1 id="feed-title">{feed.name}</h1>
        <div class="buttons">
          <button onClick={() => navigate(`feeds/${feed.id}/edit`)}>Edit</button>
          {confirming ? (
            <>
              <button class="danger" onClick={() => void remove()}>
                Delete “{feed.name}”
              </button>
              <button class="ghost" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button class="ghost" onClick={() => setConfirming(true)}>
              Delete…
            </button>
          )}
        </div>
      </div>
      <p class="muted">{constraints.join(' · ')}</p>
      <ErrorNote error={error} />
      {loading && hits.length === 0 ? (
        <Loading what="the feed" />
      ) : hits.length === 0 ? (
        <Empty>No messages yet. New messages with these words appear here as they are posted.</Empty>
      ) : (
        <ol class="hits" aria-label={`Messages of ${feed.name}, newest first`} aria-live="polite">
          {hits.map((h) => (
            <li key={h.hitId} class="card hit">
              <a href={`#/room/${h.message.roomId}/m/${h.message.seq}`} aria-label={`Open in context: ${h.roomName} · ${h.authorName} · ${time(h.message.createdAt)}`}>
                <span class="hit-meta">
                  <strong>{h.roomName}</strong> · {h.authorName} · <time dateTime={h.message.createdAt}>{time(h.message.createdAt)}</time>
                </span>
              </a>
              {h.message.title && <strong class="story-title">{h.message.title}</strong>}
              {h.message.text && (
                <div class="text clamp">
                  <Text text={h.message.text} highlight={[...feed.words]} actor={h.authorName} />
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
      {next !== null && (
        <button onClick={() => void load(next)} disabled={loading}>
          Older messages
        </button>
      )}
    </section>
  );
}
