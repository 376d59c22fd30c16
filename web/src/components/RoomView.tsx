import { useEffect, useRef, useState } from 'preact/hooks';
import { type RoomState } from '../chat.js';
import { get } from '../api.js';
import { filesRefused } from '../files.js';
import { navigate, useChat, useLoad } from '../hooks.js';
import { Icon } from '../icons.js';
import type { Room } from '../types.js';
import { PrivacyBadge } from './Directory.js';
import { Uploads, useDropZone } from './Files.js';
import { MessageList } from './MessageList.js';
import { ReplyingTo } from './Replies.js';
import { useMentionCompletion } from './MentionComplete.js';
import { NotifySetting } from './Mentions.js';
import { RoomSettings } from './RoomSettings.js';
import { ErrorNote, Loading } from './ui.js';

/** Who may post in an auditorium, as people know them: display names, disabled accounts left out. */
export const presenterNames = (room: Room): string[] => room.presenters.filter((p) => !p.disabled).map((p) => p.displayName ?? p.name ?? `${p.kind} ${p.id}`);

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
            <NotifySetting roomId={roomId} />
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
              {presenterNames(room).length > 0 ? ` — ${presenterNames(room).join(', ')}` : ' (no presenters yet)'}.
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

function Composer({ state, room }: { state: RoomState; room: Room }) {
  const c = useChat();
  const [text, setText] = useState('');
  const [story, setStory] = useState(false);
  const [title, setTitle] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const id = `compose-${room.id}`;
  const field = useRef<HTMLTextAreaElement>(null);
  const completion = useMentionCompletion(room.id, `${id}-people`, field, setText);

  if (!room.can.post) {
    const why =
      room.type === 'auditorium'
        ? `Only presenters post in this auditorium${presenterNames(room).length ? ` (${presenterNames(room).join(', ')})` : ''}. You can read along.`
        : 'You may read this room but not post in it.';
    // Said once, in full: no box to type into that would take no text.
    return (
      <div class="composer disabled" aria-live="polite">
        <p class="composer-note">
          <Icon name={room.type === 'auditorium' ? 'megaphone' : 'lock'} size={16} /> <span>{why}</span>
        </p>
      </div>
    );
  }
  const send = () => {
    const body = text.trim();
    if (!body) return;
    c.post(state.id, text, story ? 'story' : 'text', story && title.trim() ? title.trim() : null);
    completion.close();
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
      {state.replyingTo && <ReplyingTo m={state.replyingTo} onCancel={() => c.replyTo(state.id, null)} />}
      {completion.listbox}
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
        {/* A short placeholder, whole at any width: a long room name is in the header already. */}
        <textarea
          id={id}
          ref={field}
          {...completion.fieldProps}
          onBlur={completion.close}
          rows={story ? 6 : 2}
          placeholder={story ? 'Write the story…' : room.name.length <= 24 ? `Message ${room.name}` : 'Write a message'}
          aria-describedby={story ? undefined : `${id}-keys`}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            completion.update();
          }}
          onPaste={(e) => {
            // Pasted files (an image from the clipboard) are posted; pasted text stays text.
            const pasted = [...(e.clipboardData?.files ?? [])];
            if (pasted.length === 0 || e.clipboardData?.types.includes('text/plain')) return;
            e.preventDefault();
            attach(pasted);
          }}
          onKeyDown={(e) => {
            if (completion.onKeyDown(e)) return;
            if (e.key === 'Escape' && state.replyingTo) {
              e.preventDefault();
              c.replyTo(state.id, null);
              return;
            }
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
      {!story && (
        <p id={`${id}-keys`} class="composer-keys">
          Enter sends, Shift+Enter starts a new line.
        </p>
      )}
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
