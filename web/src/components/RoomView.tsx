import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type Pending, type RoomState } from '../chat.js';
import { get } from '../api.js';
import { filesRefused } from '../files.js';
import { navigate, useChat, useLoad } from '../hooks.js';
import { Icon } from '../icons.js';
import type { Message, Room } from '../types.js';
import { PrivacyBadge } from './Directory.js';
import { FileCard, Uploads, useDropZone } from './Files.js';
import { RoomSettings } from './RoomSettings.js';
import { Text } from './Text.js';
import { Empty, ErrorNote, Loading, time } from './ui.js';

/** A room's settings need no entry: administrators manage rooms they are not members of. */
export function RoomSettingsPage({ roomId }: { roomId: number }) {
  const { data, error, loading } = useLoad(() => get<Room>(`/api/v1/rooms/${roomId}`), [roomId]);
  if (loading) return <Loading what="the room's settings" />;
  if (error || !data)
    return (
      <section class="page">
        <h1>Room unavailable</h1>
        <ErrorNote error={error} />
      </section>
    );
  return <RoomSettings room={data} />;
}

export function RoomView({ roomId, focusSeq }: { roomId: number; focusSeq: number | null }) {
  const c = useChat();
  const [panel, setPanel] = useState(true);
  useEffect(() => {
    c.enter(roomId, focusSeq);
  }, [roomId, focusSeq]);
  // Files dropped on the room are posted to it; where it takes no files the overlay says so.
  const drop = useDropZone((files) => {
    const r = c.rooms.get(roomId)?.room;
    if (r?.can.post) c.attach(roomId, files);
  });
  const state = c.rooms.get(roomId);
  if (!state) return <Loading what="the room" />;
  const room = state.room;

  if (state.status === 'removed') {
    return (
      <section class="page">
        <h1>{room?.name ?? 'Room'}</h1>
        <div class="notice big" role="alert">
          {state.removedReason}
        </div>
        <button onClick={() => void c.leave(roomId).then(() => navigate(''))}>Close the room</button>
      </section>
    );
  }
  if (state.status === 'error' && !room) {
    return (
      <section class="page">
        <h1>Room unavailable</h1>
        <ErrorNote error={state.error} />
        <p>
          <a href="#/">Back to the directory</a>
        </p>
      </section>
    );
  }
  if (!room) return <Loading what="the room" />;

  const following = state.followed;
  const showPanel = panel && room.addin !== null;
  return (
    <div class={`room${showPanel ? ' with-panel' : ''}`}>
      <section class="room-main" aria-labelledby="room-title" {...drop.handlers}>
        {drop.over && (
          <div class={`drop-overlay${filesRefused(room) ? ' refused' : ''}`} aria-hidden="true">
            {filesRefused(room) ?? `Drop to post in ${room.name}`}
          </div>
        )}
        <header class="room-head">
          <div class="room-title">
            <h1 id="room-title">{room.name}</h1>
            <PrivacyBadge room={room} />
            <span class="muted small">{room.category.name}</span>
          </div>
          <div class="room-actions">
            <span class="muted small" title={state.participants?.map((p) => p.name).join(', ') ?? ''}>
              {state.participantCount} here
            </span>
            <button class="icon-button" aria-pressed={following} aria-label={following ? 'Unfollow this room' : 'Follow this room (open it at every sign-in)'} title={following ? 'Following' : 'Follow'} onClick={() => void c.setFollowed(roomId, !following)}>
              <Icon name="star" />
            </button>
            {room.addin && (
              <button class="icon-button" aria-pressed={showPanel} aria-label={`${showPanel ? 'Hide' : 'Show'} the add-in ${room.addin.name}`} onClick={() => setPanel(!panel)}>
                <Icon name="panel" />
              </button>
            )}
            {room.can.manage && (
              <a class="icon-button" href={`#/room/${roomId}/settings`} aria-label="Room settings">
                <Icon name="settings" />
              </a>
            )}
            <button class="icon-button" aria-label="Leave this room" title="Leave" onClick={() => void c.leave(roomId).then(() => navigate(''))}>
              <Icon name="leave" />
            </button>
          </div>
          {room.description && <p class="desc">{room.description}</p>}
          {room.type === 'auditorium' && (
            <p class="auditorium-note">
              <Icon name="megaphone" size={14} /> Auditorium: only presenters post
              {room.presenters.length > 0 ? ` — ${room.presenters.map((p) => p.name).join(', ')}` : ' (no presenters yet)'}.
            </p>
          )}
        </header>
        <MessageList state={state} />
        <Composer state={state} room={room} />
      </section>
      {showPanel && room.addin && <AddInPanel room={room} onClose={() => setPanel(false)} />}
    </div>
  );
}

class MessageRow extends Component<{ m: Message; focused: boolean; mine: boolean }> {
  override shouldComponentUpdate(next: { m: Message; focused: boolean; mine: boolean }): boolean {
    return next.m !== this.props.m || next.focused !== this.props.focused;
  }
  override render() {
    const { m, focused, mine } = this.props;
    return (
      <li class={`msg${m.kind === 'story' ? ' story' : ''}${m.kind === 'notice' ? ' notice' : ''}${focused ? ' focused' : ''}${mine ? ' mine' : ''}`} data-seq={m.seq} id={`m-${m.seq}`} tabIndex={focused ? -1 : undefined}>
        <div class="msg-meta">
          <span class="author">{m.authorName ?? `user ${m.authorId}`}</span>
          <time dateTime={m.createdAt}>{time(m.createdAt)}</time>
          {m.kind === 'story' && <span class="tag">story</span>}
          {m.kind === 'notice' && <span class="tag notice">notice</span>}
        </div>
        {m.kind === 'story' && m.title && <h3 class="story-title">{m.title}</h3>}
        {/* Without a caption the server makes the file name the text: the card says it already. */}
        {(!m.file || (m.text && m.text !== m.file.name)) && (
          <div class="text">
            <Text text={m.text} />
          </div>
        )}
        {m.file && <FileCard file={m.file} />}
      </li>
    );
  }
}

const NEAR = 120;

/** The window of history: loads older/newer pages at the edges and keeps the reader's place. */
function MessageList({ state }: { state: RoomState }) {
  const c = useChat();
  const box = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ seq: number; offset: number } | null>(null);
  const stick = useRef(true);
  const generation = useRef(-1);
  const [atBottom, setAtBottom] = useState(true);

  const measure = () => {
    const el = box.current;
    if (!el) return;
    const bottomGap = el.scrollHeight - el.scrollTop - el.clientHeight;
    stick.current = bottomGap < NEAR && !state.moreAfter;
    setAtBottom(bottomGap < NEAR);
    // Remember the first message in view, to keep it in place when pages come or go above it.
    const top = el.getBoundingClientRect().top;
    for (const item of el.querySelectorAll<HTMLElement>('li.msg')) {
      const r = item.getBoundingClientRect();
      if (r.bottom > top) {
        anchor.current = { seq: Number(item.dataset.seq), offset: r.top - top };
        break;
      }
    }
  };

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    measure();
    if (el.scrollTop < 400 && state.moreBefore) void c.loadOlder(state);
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 400 && state.moreAfter) void c.loadNewer(state);
    if (stick.current && document.visibilityState === 'visible') c.markRead(state.id);
  };

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (generation.current !== state.generation) {
      generation.current = state.generation;
      const target = state.focusSeq !== null ? el.querySelector<HTMLElement>(`#m-${state.focusSeq}`) : null;
      if (target) {
        target.scrollIntoView({ block: 'center' });
        target.focus({ preventScroll: true });
      } else el.scrollTop = el.scrollHeight;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    } else if (anchor.current) {
      const item = el.querySelector<HTMLElement>(`#m-${anchor.current.seq}`);
      if (item) el.scrollTop += item.getBoundingClientRect().top - el.getBoundingClientRect().top - anchor.current.offset;
    }
    measure();
    if (stick.current && document.visibilityState === 'visible') c.markRead(state.id);
    // Not enough history to scroll yet, but more exists: fetch it.
    if (el.scrollHeight <= el.clientHeight && state.moreBefore) void c.loadOlder(state);
  });

  const unreadBelow = !atBottom || state.moreAfter;
  return (
    <div class="messages-wrap">
      <div class="messages" ref={box} onScroll={onScroll} tabIndex={0} role="log" aria-label={`Messages in ${state.room?.name ?? 'the room'}`} aria-busy={state.status === 'joining'}>
        {state.moreBefore ? (
          <p class="edge" role="status">
            {state.loadingOlder ? 'Loading older messages…' : 'Scroll up for older messages'}
          </p>
        ) : (
          state.messages.length > 0 && <p class="edge">The beginning of {state.room?.name}</p>
        )}
        {state.status === 'joining' && state.messages.length === 0 ? (
          <Loading what="messages" />
        ) : state.messages.length === 0 && state.pending.length === 0 ? (
          <Empty>No messages yet. Say hello.</Empty>
        ) : null}
        <ol class="msg-list">
          {state.messages.map((m) => (
            <MessageRow key={m.seq || `live-${m.id}`} m={m} focused={m.seq === state.focusSeq} mine={m.authorId === c.me?.id} />
          ))}
          {!state.moreAfter && state.pending.map((p) => <PendingRow key={p.clientId} p={p} roomId={state.id} />)}
        </ol>
        {state.moreAfter && (
          <p class="edge" role="status">
            {state.loadingNewer ? 'Loading newer messages…' : 'Scroll down for newer messages'}
          </p>
        )}
        {state.error && state.status === 'joined' && <ErrorNote error={state.error} />}
      </div>
      {unreadBelow && (
        <button
          class="jump"
          onClick={() => {
            if (state.moreAfter) void c.loadLatest(state);
            else if (box.current) box.current.scrollTop = box.current.scrollHeight;
          }}
        >
          <Icon name="down" size={14} /> Jump to latest{c.unread(state.id) > 0 ? ` (${c.unread(state.id)} unread)` : ''}
        </button>
      )}
    </div>
  );
}

function PendingRow({ p, roomId }: { p: Pending; roomId: number }) {
  const c = useChat();
  return (
    <li class={`msg pending ${p.state}`}>
      <div class="msg-meta">
        <span class="author">{c.me?.displayName}</span>
        <span class="muted small">{p.state === 'sending' ? 'sending…' : p.state === 'waiting' ? 'waiting for the connection…' : 'not sent'}</span>
      </div>
      {p.title && <h3 class="story-title">{p.title}</h3>}
      <div class="text">
        <Text text={p.text} />
      </div>
      {p.state === 'failed' && (
        <div class="pending-actions">
          <ErrorNote error={p.error} />
          <button class="small" onClick={() => c.retry(roomId, p.clientId)}>
            Retry
          </button>
          <button class="small ghost" onClick={() => c.discard(roomId, p.clientId)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}

function Composer({ state, room }: { state: RoomState; room: Room }) {
  const c = useChat();
  const [text, setText] = useState('');
  const [story, setStory] = useState(false);
  const [title, setTitle] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const id = `compose-${room.id}`;

  if (!room.can.post) {
    const why =
      room.type === 'auditorium'
        ? `Only presenters post in this auditorium${room.presenters.length ? ` (${room.presenters.map((p) => p.name).join(', ')})` : ''}. You can read along.`
        : 'You may read this room but not post in it.';
    return (
      <div class="composer disabled" aria-live="polite">
        <textarea aria-label={`Message ${room.name}`} disabled placeholder={why} aria-describedby={`${id}-why`} rows={1} />
        <p id={`${id}-why`} class="muted small">
          {why}
        </p>
      </div>
    );
  }
  const send = () => {
    const body = text.trim();
    if (!body) return;
    c.post(state.id, text, story ? 'story' : 'text', story && title.trim() ? title.trim() : null);
    setText('');
    setTitle('');
    setStory(false);
  };
  /** Files go at once, each its own message; what is typed (not a story) becomes the first one's caption. */
  const attach = (files: File[]) => {
    if (files.length === 0) return;
    const caption = story ? '' : text.trim();
    c.attach(state.id, files, caption);
    if (caption) setText('');
  };
  const files = !filesRefused(room);
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {story && (
        <>
          <label for={`${id}-title`} class="sr-only">
            Story title
          </label>
          <input id={`${id}-title`} class="story-title-input" placeholder="Story title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} maxLength={256} />
        </>
      )}
      <Uploads roomId={state.id} uploads={state.uploads} />
      <div class="composer-row">
        {files && (
          <>
            <input
              ref={picker}
              type="file"
              multiple
              hidden
              tabIndex={-1}
              aria-label="Choose files to post"
              onChange={(e) => {
                attach([...(e.currentTarget.files ?? [])]);
                e.currentTarget.value = '';
              }}
            />
            <button type="button" class="icon-button attach" aria-label="Attach files (what you typed becomes the caption)" title="Attach files" onClick={() => picker.current?.click()}>
              <Icon name="clip" />
            </button>
          </>
        )}
        <label for={id} class="sr-only">
          Message {room.name}
        </label>
        <textarea
          id={id}
          rows={story ? 6 : 2}
          placeholder={story ? 'Write the story…' : `Message ${room.name} (Enter sends, Shift+Enter for a new line)`}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onPaste={(e) => {
            // Pasted files (an image from the clipboard) are posted; pasted text stays text.
            const pasted = [...(e.clipboardData?.files ?? [])];
            if (pasted.length === 0 || e.clipboardData?.types.includes('text/plain')) return;
            e.preventDefault();
            attach(pasted);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !story && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <div class="composer-buttons">
          <label class="check small">
            <input type="checkbox" checked={story} onChange={(e) => setStory(e.currentTarget.checked)} /> Story
          </label>
          <button class="primary" type="submit" aria-label="Send" disabled={!text.trim()}>
            <Icon name="send" /> <span class="send-label">Send</span>
          </button>
        </div>
      </div>
    </form>
  );
}

/**
 * The room's add-in in a sandboxed frame. Scripts and forms run; the frame never gets pchat's
 * origin: a same-origin add-in runs in an opaque origin (no allow-same-origin), so it cannot
 * reach pchat's cookies, storage or DOM; a cross-origin one keeps its own origin (its own
 * sign-in), which gives it nothing of pchat's either.
 */
function AddInPanel({ room, onClose }: { room: Room; onClose: () => void }) {
  const addin = room.addin!;
  let crossOrigin = false;
  try {
    crossOrigin = new URL(addin.url).origin !== location.origin;
  } catch {
    crossOrigin = false;
  }
  const sandbox = `allow-scripts allow-forms allow-popups${crossOrigin ? ' allow-same-origin' : ''}`;
  return (
    <aside class="addin" aria-label={`Add-in ${addin.name}`}>
      <div class="addin-head">
        <h2>{addin.name}</h2>
        <button class="icon-button" aria-label="Close the add-in panel" onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <iframe title={`Add-in ${addin.name}`} src={addin.url} sandbox={sandbox} referrerpolicy="no-referrer" loading="lazy" />
    </aside>
  );
}
