import { useState } from 'preact/hooks';
import { api, get } from '../api.js';
import { chat } from '../chat.js';
import { useChat, useLoad } from '../hooks.js';
import type { Me, SessionInfo } from '../types.js';
import { NotificationPermission } from './Mentions.js';
import { PasswordForm } from './PasswordForm.js';
import { Empty, ErrorNote, Field, fieldError, Loading, time } from './ui.js';

/** "Firefox on Linux" from a User-Agent header; the raw text when nothing is recognised. */
export function deviceOf(session: SessionInfo): string {
  if (session.kind === 'irc') return `IRC client${session.userAgent && session.userAgent !== 'IRC' ? ` (${session.userAgent.replace(/^IRC: /, '')})` : ''}`;
  if (session.kind === 'sip') return `Lync / SIP client${session.userAgent ? ` (${session.userAgent})` : ''}`;
  const ua = session.userAgent ?? '';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const system = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  if (browser) return system ? `${browser} on ${system}` : browser;
  return ua ? ua.slice(0, 60) : 'Unknown device';
}

/** The signed-in user's own page: display name, password, and the sessions they can end. */
export function Profile() {
  const c = useChat();
  const me = c.me as Me;
  // A password change ends the other sessions: the list is read again.
  const [version, setVersion] = useState(0);
  return (
    <section class="page profile" aria-labelledby="profile-title">
      <h1 id="profile-title">Your profile</h1>
      <p class="muted">
        Signed in as <code>{me.login}</code>
        {me.isAdmin && ' · administrator'}
      </p>
      <div class="profile-grid">
        <section class="card" aria-labelledby="name-title">
          <h2 id="name-title">Display name</h2>
          <NameForm me={me} />
        </section>
        <section class="card" aria-labelledby="password-title">
          <h2 id="password-title">Password</h2>
          <p class="muted small">Changing it signs you out everywhere else: other browsers, IRC and Lync clients.</p>
          <PasswordChange onChanged={() => setVersion((v) => v + 1)} />
        </section>
        <section class="card" aria-labelledby="notifications-title">
          <h2 id="notifications-title">Notifications</h2>
          <NotificationPermission />
          <p class="muted small">Each room's bell (in its header) chooses what notifies you there: all messages, mentions of you, or nothing.</p>
        </section>
      </div>
      <Sessions version={version} />
    </section>
  );
}

function NameForm({ me }: { me: Me }) {
  const [name, setName] = useState(me.displayName);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const user = await api<{ displayName: string }>('PATCH', `/api/v1/users/${me.id}`, { displayName: name });
      chat.me = { ...me, displayName: user.displayName };
      chat.changed();
      setSaved(true);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  return (
    <form onSubmit={submit}>
      <Field label="The name others see" id="profile-name" error={fieldError(error, 'displayName')}>
        <input id="profile-name" required maxLength={256} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <ErrorNote error={error} />
      <div class="actions">
        <button class="primary" type="submit" disabled={busy || name.trim() === ''}>
          Save name
        </button>
        {saved && (
          <span class="ok" role="status">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}

function PasswordChange({ onChanged }: { onChanged: () => void }) {
  const [done, setDone] = useState(false);
  return (
    <>
      <PasswordForm
        onDone={() => {
          setDone(true);
          onChanged();
        }}
      />
      {done && (
        <p class="ok" role="status">
          Password changed. Your other sessions were signed out.
        </p>
      )}
    </>
  );
}

function Sessions({ version }: { version: number }) {
  const [tick, setTick] = useState(0);
  const { data, error, loading } = useLoad(() => get<{ sessions: SessionInfo[] }>('/api/v1/me/sessions'), [tick, version]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const reload = () => setTick((t) => t + 1);

  const end = async (session: SessionInfo) => {
    setBusy(true);
    setActionError(null);
    try {
      if (session.current) await chat.signOut();
      else await api('DELETE', `/api/v1/me/sessions/${session.id}`);
      reload();
    } catch (e) {
      setActionError(e);
    }
    setBusy(false);
  };
  const endOthers = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await api('DELETE', '/api/v1/me/sessions');
      reload();
    } catch (e) {
      setActionError(e);
    }
    setBusy(false);
  };

  const sessions = data?.sessions ?? [];
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section class="card sessions" aria-labelledby="sessions-title">
      <div class="page-head">
        <h2 id="sessions-title">Where you are signed in</h2>
        <button class="danger" onClick={() => void endOthers()} disabled={busy || others === 0}>
          Sign out everywhere else
        </button>
      </div>
      <ErrorNote error={error ?? actionError} />
      {loading && !data ? (
        <Loading what="sessions" />
      ) : sessions.length === 0 ? (
        <Empty>No sessions.</Empty>
      ) : (
        <ul class="session-list">
          {sessions.map((s) => (
            <li key={s.id} class={s.current ? 'current' : ''}>
              <div class="session-what">
                <strong title={s.userAgent ?? undefined}>{deviceOf(s)}</strong>
                {s.current && <span class="tag">This browser</span>}
                <span class="muted small">
                  {s.address ?? 'unknown address'} · signed in <time dateTime={s.createdAt}>{time(s.createdAt)}</time> · last used{' '}
                  <time dateTime={s.lastUsedAt}>{time(s.lastUsedAt)}</time>
                </span>
              </div>
              <button class={s.current ? 'ghost small' : 'small'} onClick={() => void end(s)} disabled={busy} aria-label={`${s.current ? 'Sign out' : 'End session'}: ${deviceOf(s)}, ${s.address ?? 'unknown address'}`}>
                {s.current ? 'Sign out' : 'End'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
