import { Component } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Pending, type RoomState } from '../chat.js';
import { useChat } from '../hooks.js';
import { Icon } from '../icons.js';
import { arrange, clock, fullTime } from '../messageRows.js';
import { mentionsLogin } from '../../../src/core/mentions.js';
import type { Message } from '../types.js';
import { Avatar } from './Avatar.js';
import { FileCard } from './Files.js';
import { MessageActions } from './MessageActions.js';
import { AddReaction, ReactionChips } from './Reactions.js';
import { ReplyButton, ReplyContext, ReplyCount } from './Replies.js';
import { Text } from './Text.js';
import { Empty, ErrorNote, Loading } from './ui.js';

interface RowProps {
  m: Message;
  focused: boolean;
  mine: boolean;
  /** Under the previous message's name: same author, a few minutes later, same day. */
  continued: boolean;
  /** It mentions the reader (@login): set apart by a bar and a "mentions you" tag, never by colour alone. */
  mentionsMe: boolean;
  /** The reader may post here, so may answer it. */
  canReply: boolean;
  /** Words to mark in it: a search hit opened in context (the focused message). */
  highlight: readonly string[] | undefined;
}

const sameProps = (a: object, b: object): boolean => {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
};

class MessageRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    return !sameProps(next, this.props);
  }
  override render() {
    const { m, focused, mine, continued, mentionsMe, canReply, highlight } = this.props;
    const author = m.authorName ?? `user ${m.authorId}`;
    return (
      <li class={`msg${m.kind === 'story' ? ' story' : ''}${m.kind === 'notice' ? ' notice' : ''}${focused ? ' focused' : ''}${mine ? ' mine' : ''}${continued ? ' continued' : ''}${mentionsMe ? ' mentions-me' : ''}`} data-seq={m.seq} id={`m-${m.seq}`} tabIndex={focused ? -1 : undefined}>
        <div class="msg-gutter">
          {continued ? (
            <span class="gutter-time" aria-hidden="true">
              {clock(m.createdAt)}
            </span>
          ) : (
            <Avatar userId={m.authorId} name={author} />
          )}
        </div>
        <div class="msg-body">
          {/* A continued message keeps its author and time for screen readers; the eye has them above. */}
          <div class={`msg-meta${continued ? ' sr-only' : ''}`}>
            <span class="author">{author}</span>
            <time dateTime={m.createdAt} title={fullTime(m.createdAt)}>
              {clock(m.createdAt)}
            </time>
            {m.kind === 'story' && <span class="tag">story</span>}
            {m.kind === 'notice' && <span class="tag notice">notice</span>}
            {mentionsMe && <span class="tag mention">mentions you</span>}
          </div>
          {m.replyTo && <ReplyContext roomId={m.roomId} parent={m.replyTo} />}
          {m.kind === 'story' && m.title && <h3 class="story-title">{m.title}</h3>}
          {/* Without a caption the server makes the file name the text: the card says it already. */}
          {(!m.file || (m.text && m.text !== m.file.name)) && (
            <div class="text">
              <Text text={m.text} actor={author} {...(highlight && { highlight })} />
            </div>
          )}
          {m.file && <FileCard file={m.file} />}
          <ReactionChips m={m} />
          <MessageActions m={m} mine={mine} />
          {(m.replyCount ?? 0) > 0 && <ReplyCount count={m.replyCount!} />}
          {/* Whoever reads the room may react; Reply only where one may post. */}
          {m.seq > 0 && (
            <span class="reply-tool">
              <AddReaction m={m} />
              {canReply && <ReplyButton m={m} />}
            </span>
          )}
        </div>
      </li>
    );
  }
}

const NEAR = 120;

/** The last message read when the room came into view; null when nothing was unread then. */
function useReadMark(state: RoomState): number | null {
  const mark = useRef<number | null | undefined>(undefined);
  // Taken at the first render with the history, before this view marks anything read, and kept
  // while the room is in view: reading on does not move the line, coming back to the room does.
  if (mark.current === undefined && state.status === 'joined') mark.current = state.lastRead > 0 && state.lastRead < state.lastSeq ? state.lastRead : null;
  return mark.current ?? null;
}

/** The window of history: loads older/newer pages at the edges and keeps the reader's place. */
export function MessageList({ state }: { state: RoomState }) {
  const c = useChat();
  const box = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ seq: number; offset: number } | null>(null);
  const stick = useRef(true);
  const generation = useRef(-1);
  const [atBottom, setAtBottom] = useState(true);
  const readMark = useReadMark(state);
  const me = c.me?.id ?? null;
  const login = c.me?.login ?? null;
  const mentionsYou = (m: Message) => login !== null && m.authorId !== me && mentionsLogin(m.text, login);
  // A search hit opened in context keeps its words marked (Search.tsx puts them in the link).
  const hl = new URLSearchParams(location.hash.split('?')[1] ?? '').get('hl');
  const hitWords = useMemo(() => (hl ? hl.split(' ').filter(Boolean) : undefined), [hl]);
  const rows = useMemo(() => arrange(state.messages, readMark, state.moreBefore, me), [state.messages, readMark, state.moreBefore, me]);

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
      const line = el.querySelector<HTMLElement>('.divider.new');
      if (target) {
        target.scrollIntoView({ block: 'center' });
        target.focus({ preventScroll: true });
      } else {
        el.scrollTop = el.scrollHeight;
        // More unread than the screen holds: open at the "New messages" line, not past it.
        if (line && line.getBoundingClientRect().top < el.getBoundingClientRect().top) el.scrollTop += line.getBoundingClientRect().top - el.getBoundingClientRect().top - 8;
      }
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
          {rows.map((row) =>
            row.type === 'message' ? (
              <MessageRow key={row.message.seq || `live-${row.message.id}`} m={row.message} focused={row.message.seq === state.focusSeq} mine={row.message.authorId === c.me?.id} continued={row.continued && !mentionsYou(row.message) && !row.message.replyTo} mentionsMe={mentionsYou(row.message)} canReply={state.room?.can.post === true} highlight={row.message.seq === state.focusSeq ? hitWords : undefined} />
            ) : (
              <li key={row.key} class={`divider ${row.type}`}>
                <span>{row.type === 'day' ? row.label : 'New messages'}</span>
              </li>
            ),
          )}
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
  const name = c.me?.displayName ?? '';
  return (
    <li class={`msg pending ${p.state}`}>
      <div class="msg-gutter">{c.me && <Avatar userId={c.me.id} name={name} />}</div>
      <div class="msg-body">
        <div class="msg-meta">
          <span class="author">{name}</span>
          <span class="muted small">{p.state === 'sending' ? 'sending…' : p.state === 'waiting' ? 'waiting for the connection…' : 'not sent'}</span>
        </div>
        {p.title && <h3 class="story-title">{p.title}</h3>}
        <div class="text">
          <Text text={p.text} actor={name} />
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
      </div>
    </li>
  );
}
