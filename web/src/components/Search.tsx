import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Room, SearchHit, User } from '../types.js';
import { Text } from './Text.js';
import { Empty, ErrorNote, Field, fieldError, Loading, time } from './ui.js';

interface Criteria {
  q: string;
  authorId: string;
  roomId: string;
  from: string;
  to: string;
}

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

/** Search by keyword, author, room and date range; each hit opens the message in context. */
export function Search() {
  const [form, setForm] = useState<Criteria>({ q: '', authorId: '', roomId: '', from: '', to: '' });
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  /** The words of the search whose results are shown, to mark in them. */
  const [words, setWords] = useState<string[]>([]);
  const users = useLoad(() => get<{ users: User[] }>('/api/v1/users'), []);
  const rooms = useLoad(() => get<{ rooms: Room[] }>('/api/v1/rooms?limit=1000'), []);

  const run = async (cursor: number | null) => {
    setBusy(true);
    setError(null);
    try {
      const res = await get<{ hits: SearchHit[]; next: number | null }>(
        `/api/v1/search${query({ q: form.q, authorId: form.authorId, roomId: form.roomId, from: dayStart(form.from), to: dayEnd(form.to), cursor, limit: 50 })}`,
      );
      setHits(cursor === null ? res.hits : [...(hits ?? []), ...res.hits]);
      if (cursor === null) setWords(searchWords(form.q));
      setNext(res.next);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  const set = (key: keyof Criteria) => (e: Event) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });

  return (
    <section class="page" aria-labelledby="search-title">
      <h1 id="search-title">Search messages</h1>
      <form
        class="card search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void run(null);
        }}
      >
        <Field label="Words" id="s-q" error={fieldError(error, 'q')}>
          <input id="s-q" type="search" required value={form.q} onInput={set('q')} placeholder="e.g. release friday" />
        </Field>
        <Field label="Author" id="s-author" error={fieldError(error, 'authorId')}>
          <select id="s-author" value={form.authorId} onChange={set('authorId')}>
            <option value="">Anyone</option>
            {(users.data?.users ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName} ({u.login})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Room" id="s-room" error={fieldError(error, 'roomId')}>
          <select id="s-room" value={form.roomId} onChange={set('roomId')}>
            <option value="">Every room I may read</option>
            {(rooms.data?.rooms ?? [])
              .filter((r) => r.can.read)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
          </select>
        </Field>
        <Field label="From" id="s-from" error={fieldError(error, 'from')}>
          <input id="s-from" type="date" value={form.from} onInput={set('from')} />
        </Field>
        <Field label="To" id="s-to" error={fieldError(error, 'to')}>
          <input id="s-to" type="date" value={form.to} onInput={set('to')} />
        </Field>
        <button class="primary" type="submit" disabled={busy}>
          Search
        </button>
      </form>
      <ErrorNote error={error} />
      {busy && hits === null && <Loading what="results" />}
      {hits !== null &&
        (hits.length === 0 ? (
          <Empty>Nothing found. Try fewer words or a wider date range.</Empty>
        ) : (
          <>
            <p class="muted" role="status">
              {hits.length}
              {next ? '+' : ''} result{hits.length === 1 ? '' : 's'}, newest first
            </p>
            <ol class="hits">
              {hits.map((h) => (
                <li key={h.message.id} class="card hit">
                  {/* The name a screen reader gives contains the words on screen, in their order (WCAG 2.5.3). */}
                  <a href={contextLink(h.message.roomId, h.message.seq, words)} aria-label={`Open in context: ${h.roomName} · ${h.authorName} · ${time(h.message.createdAt)}`}>
                    <span class="hit-meta">
                      <strong>{h.roomName}</strong> · {h.authorName} · <time dateTime={h.message.createdAt}>{time(h.message.createdAt)}</time>
                    </span>
                  </a>
                  {h.message.title && <strong class="story-title">{h.message.title}</strong>}
                  {h.message.text && (
                    <div class="text clamp">
                      <Text text={h.message.text} highlight={words} actor={h.authorName} />
                    </div>
                  )}
                  {h.message.file && <p class="muted small">File: {h.message.file.name}</p>}
                </li>
              ))}
            </ol>
            {next !== null && (
              <button onClick={() => void run(next)} disabled={busy}>
                More results
              </button>
            )}
          </>
        ))}
    </section>
  );
}

/** The words a query looks for, as the results should mark them: quotes and a final `*` dropped, excluded (`-word`) words left out. */
function searchWords(q: string): string[] {
  return q
    .split(/\s+/)
    .filter((w) => w !== '' && !w.startsWith('-'))
    .map((w) => w.replace(/^"+|"+$/g, '').replace(/\*$/, ''))
    .filter((w) => w.length > 0);
}

/** A hit in its room, the words to mark there carried in the link (`?hl=`), so they stay marked in context. */
const contextLink = (roomId: number, seq: number, words: readonly string[]): string =>
  `#/room/${roomId}/m/${seq}${words.length > 0 ? `?hl=${encodeURIComponent(words.join(' '))}` : ''}`;
