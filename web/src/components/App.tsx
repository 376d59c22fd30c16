import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, whenSignedOut } from '../api.js';
import { chat } from '../chat.js';
import { navigate, useChat, useRoute } from '../hooks.js';
import { Icon } from '../icons.js';
import type { Me } from '../types.js';
import { Admin } from '../admin/Admin.js';
import { Directory } from './Directory.js';
import { DirectList, NewConversation } from './DirectMessages.js';
import { FeedList, FeedsPage } from './FeedsList.js';
import { RoomSettingsPage, RoomView } from './RoomView.js';
import { Search } from './Search.js';
import { MentionsLink, MentionsPage } from './Mentions.js';
import { QuickSwitcher } from './QuickSwitcher.js';
import { SidebarLink } from './SidebarLink.js';
import { ForcedPasswordChange } from './PasswordForm.js';
import { Profile } from './Profile.js';
import { SignIn } from './SignIn.js';
import { Loading } from './ui.js';

const CONNECTION_TEXT = { connecting: 'Connecting…', reconnecting: 'Connection lost. Reconnecting…', online: '', signedOut: '' } as const;

export function App() {
  const c = useChat();
  const [checking, setChecking] = useState(true);
  // Signed in with a one-time password: only the password form until it is changed.
  const [forced, setForced] = useState<Me | null>(null);
  const begin = async (me: Me) => {
    if (me.mustChangePassword) return setForced(me);
    setForced(null);
    await chat.start(me);
  };

  useEffect(() => {
    whenSignedOut(() => {
      setForced(null);
      if (chat.me) chat.reset('Your session ended. Sign in again.');
    });
    // The probe answers 200 either way: a page load before sign-in logs no failed request.
    get<{ signedIn: boolean; user?: Me }>('/api/v1/session')
      .then((session) => (session.signedIn && session.user ? begin(session.user) : undefined))
      .catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 401)) chat.signedOutReason = e instanceof Error ? e.message : String(e);
      })
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <Loading what="pchat" />;
  if (forced) return <ForcedPasswordChange login={forced.login} onDone={async () => begin(await get<Me>('/api/v1/me'))} />;
  if (!c.me) return <SignIn notice={c.signedOutReason} onSignedIn={begin} />;
  return <Shell />;
}

function Shell() {
  const c = useChat();
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const [page, a, b, d] = route;
  const roomId = page === 'room' ? Number(a) : null;
  useEffect(() => setMenuOpen(false), [route.join('/')]);

  let main;
  if (page === 'room' && roomId && b === 'settings') main = <RoomSettingsPage key={`s${roomId}`} roomId={roomId} />;
  else if (page === 'room' && roomId) main = <RoomView key={roomId} roomId={roomId} focusSeq={b === 'm' && d ? Number(d) : null} />;
  else if (page === 'direct' && a === 'new') main = <NewConversation />;
  else if (page === 'search') main = <Search />;
  else if (page === 'mentions') main = <MentionsPage />;
  else if (page === 'feeds') main = <FeedsPage key={`f${a}${b ?? ''}`} feedId={a && a !== 'new' ? Number(a) : null} editing={b === 'edit'} />;
  else if (page === 'admin' && c.me?.isAdmin) main = <Admin section={a ?? 'categories'} />;
  else if (page === 'profile') main = <Profile />;
  else main = <Directory />;

  const status = CONNECTION_TEXT[c.connection];
  // Direct conversations are listed under "Direct messages", not with the rooms.
  const rooms = c.open.filter((id) => !c.direct.has(id));
  return (
    <div class={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button class="icon-button menu-button" aria-label="Rooms menu" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen(!menuOpen)}>
          <Icon name="menu" />
        </button>
        <a class="brand" href="#/">
          <span class="logo" aria-hidden="true">
            p
          </span>
          chat
        </a>
        <nav class="topnav" aria-label="Main">
          <a href="#/" aria-current={!page ? 'page' : undefined}>
            <Icon name="rooms" /> <span>Directory</span>
          </a>
          <a href="#/search" aria-current={page === 'search' ? 'page' : undefined}>
            <Icon name="search" /> <span>Search</span>
          </a>
          {c.me?.isAdmin && (
            <a href="#/admin" aria-current={page === 'admin' ? 'page' : undefined}>
              <Icon name="shield" /> <span>Admin</span>
            </a>
          )}
        </nav>
        <div class="me">
          <a class="me-link" href="#/profile" title={`${c.me?.login ?? ''}: your profile, password and sessions`} aria-current={page === 'profile' ? 'page' : undefined}>
            <Icon name="user" /> <span class="me-name">{c.me?.displayName}</span>
            <span class="sr-only">(your profile)</span>
          </a>
          <button
            class="ghost"
            onClick={() => {
              void c.signOut().then(() => navigate(''));
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      {status && (
        <div class={`banner ${c.connection}`} role="status" aria-live="polite">
          <span class="spinner" aria-hidden="true" /> {status}
        </div>
      )}
      {!c.me?.chatEnabled && (
        <div class="banner warn" role="status">
          The persistent chat policy does not enable chat for your account. Ask an administrator.
        </div>
      )}
      <aside id="sidebar" class="sidebar" aria-label="Your rooms, direct messages and topic feeds">
        <MentionsLink current={page === 'mentions'} />
        <h2 class="sidebar-title">Your rooms</h2>
        {rooms.length === 0 ? (
          <p class="muted small">Open a room from the directory; rooms you follow open at every sign-in.</p>
        ) : (
          <ul class="room-list">
            {rooms.map((id) => {
              const s = c.rooms.get(id);
              const unread = c.unread(id);
              const name = s?.room?.name ?? `Room ${id}`;
              return (
                <li key={id}>
                  <SidebarLink
                    roomId={id}
                    current={roomId === id}
                    name={name}
                    unread={unread}
                    mentions={c.mentions.count(id)}
                    icon={s?.followed && <Icon name="star" size={14} />}
                    className={s?.status === 'removed' ? 'gone' : ''}
                  />
                </li>
              );
            })}
          </ul>
        )}
        <DirectList currentRoomId={roomId} />
        <FeedList currentFeedId={page === 'feeds' && a && a !== 'new' ? Number(a) : null} />
      </aside>
      <div class="scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" />
      <main id="main" class="main" tabIndex={-1}>
        {main}
      </main>
      <QuickSwitcher />
    </div>
  );
}
