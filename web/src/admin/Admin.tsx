import { useState } from 'preact/hooks';
import { api, get, query } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Principal, Room } from '../types.js';
import { Empty, ErrorNote, Field, fieldError, Loading } from '../components/ui.js';
import { Compliance } from './Compliance.js';
import { type ResourceSpec, Resources, useAllPrincipals } from './Resources.js';

const names = (v: unknown) => ((v as Principal[] | undefined) ?? []).map((p) => p.name).join(', ') || '—';

const SPECS: Record<string, ResourceSpec> = {
  categories: {
    path: 'categories',
    noun: 'category',
    plural: 'categories',
    removable: true,
    title: (c) => String(c.name),
    summary: (c) => `allowed: ${names(c.allowed)} · denied: ${names(c.denied)} · creators: ${names(c.creators)}${c.chatHistory ? '' : ' · no history'}`,
    fields: [
      { key: 'name', label: 'Name', kind: 'text', required: true },
      { key: 'description', label: 'Description', kind: 'textarea' },
      { key: 'allowed', label: 'Allowed', kind: 'principals', hint: 'Who may find its rooms and be given roles in them.' },
      { key: 'denied', label: 'Denied', kind: 'principals', hint: 'Denied always wins over allowed (ethical walls).' },
      { key: 'creators', label: 'Creators', kind: 'principals', hint: 'Who may create rooms here; must lie within allowed − denied.' },
      { key: 'invitations', label: 'Invitations', kind: 'bool', hint: 'rooms may notify new members' },
      { key: 'fileUpload', label: 'File upload', kind: 'bool' },
      { key: 'chatHistory', label: 'Chat history', kind: 'bool', hint: 'off: messages are delivered live but not kept (compliance still records them)' },
    ],
  },
  addins: {
    path: 'addins',
    noun: 'add-in',
    plural: 'add-ins',
    removable: true,
    title: (a) => String(a.name),
    summary: (a) => String(a.url),
    fields: [
      { key: 'name', label: 'Name', kind: 'text', required: true },
      { key: 'url', label: 'URL (http or https)', kind: 'url', required: true },
    ],
  },
  users: {
    path: 'users',
    noun: 'user',
    plural: 'users',
    removable: false,
    title: (u) => `${String(u.displayName)} (${String(u.login)})`,
    summary: (u) => [u.isAdmin ? 'administrator' : '', u.disabled ? 'disabled' : 'active', u.email ? String(u.email) : ''].filter(Boolean).join(' · '),
    fields: [
      { key: 'login', label: 'Login', kind: 'text', required: true },
      { key: 'displayName', label: 'Display name', kind: 'text', optionalEmpty: true },
      { key: 'email', label: 'E-mail', kind: 'email' },
      { key: 'password', label: 'Password (leave empty to keep)', kind: 'password', hint: 'At least 8 characters. A reset signs the user out everywhere; your own password changes on your profile page.' },
      { key: 'isAdmin', label: 'Administrator', kind: 'bool' },
      { key: 'disabled', label: 'Disabled', kind: 'bool', hint: 'cannot sign in; signed out everywhere at once' },
    ],
  },
  groups: {
    path: 'groups',
    noun: 'group',
    plural: 'groups',
    removable: true,
    title: (g) => String(g.name),
    summary: (g) => `members: ${names(g.members)}`,
    fields: [
      { key: 'name', label: 'Name', kind: 'text', required: true },
      { key: 'description', label: 'Description', kind: 'textarea' },
      { key: 'members', label: 'Members', kind: 'principals', hint: 'Users and groups; cycles are refused.' },
    ],
  },
};

const SECTIONS = [
  ['categories', 'Categories'],
  ['addins', 'Add-ins'],
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['policy', 'Policy'],
  ['config', 'Configuration'],
  ['moderation', 'Moderation'],
  ['compliance', 'Compliance log'],
] as const;

export function Admin({ section }: { section: string }) {
  const spec = SPECS[section];
  return (
    <section class="page" aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <nav class="tabs" aria-label="Administration sections">
        {SECTIONS.map(([key, label]) => (
          <a key={key} href={`#/admin/${key}`} aria-current={section === key ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {spec ? <Resources key={section} spec={spec} /> : section === 'policy' ? <Policy /> : section === 'config' ? <Config /> : section === 'moderation' ? <Moderation /> : section === 'compliance' ? <Compliance /> : <Empty>Choose a section.</Empty>}
    </section>
  );
}

interface Rule {
  scope: 'global' | 'site' | 'user';
  targetId: number | null;
  enabled: boolean;
}

function Policy() {
  const rules = useLoad(() => get<{ policies: Rule[] }>('/api/v1/policies'), []);
  const principals = useAllPrincipals();
  const [form, setForm] = useState<{ scope: Rule['scope']; targetId: string; enabled: boolean }>({ scope: 'user', targetId: '', enabled: true });
  const [error, setError] = useState<unknown>(null);
  const nameOf = (r: Rule) => (r.scope === 'global' ? 'everyone' : (principals.find((p) => p.kind === (r.scope === 'site' ? 'group' : 'user') && p.id === r.targetId)?.name ?? `#${r.targetId}`));
  const targets = principals.filter((p) => p.kind === (form.scope === 'site' ? 'group' : 'user'));
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await api('PUT', '/api/v1/policies', { scope: form.scope, targetId: form.scope === 'global' ? null : Number(form.targetId), enabled: form.enabled });
      rules.reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async (r: Rule) => {
    try {
      await api('DELETE', `/api/v1/policies${query({ scope: r.scope, targetId: r.targetId })}`);
      rules.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <h2>Persistent chat policy</h2>
      <p class="muted">Whether people may use chat at all. The most specific rule applies: user, then site (a group), then global.</p>
      {rules.loading ? (
        <Loading what="policies" />
      ) : (
        <table class="table">
          <caption class="sr-only">Policy rules</caption>
          <thead>
            <tr>
              <th scope="col">Scope</th>
              <th scope="col">Applies to</th>
              <th scope="col">Chat</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(rules.data?.policies ?? []).map((r) => (
              <tr key={`${r.scope}:${r.targetId}`}>
                <td>{r.scope}</td>
                <td>{nameOf(r)}</td>
                <td>{r.enabled ? 'enabled' : 'disabled'}</td>
                <td class="actions">
                  <button class="small ghost" onClick={() => void remove(r)} aria-label={`Remove the ${r.scope} rule for ${nameOf(r)}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="card inline-form" onSubmit={save} aria-label="Set a policy rule">
        <Field label="Scope" id="pol-scope" error={fieldError(error, 'scope')}>
          <select id="pol-scope" value={form.scope} onChange={(e) => setForm({ ...form, scope: e.currentTarget.value as Rule['scope'], targetId: '' })}>
            <option value="global">global</option>
            <option value="site">site (group)</option>
            <option value="user">user</option>
          </select>
        </Field>
        {form.scope !== 'global' && (
          <Field label={form.scope === 'site' ? 'Group' : 'User'} id="pol-target" error={fieldError(error, 'targetId')}>
            <select id="pol-target" required value={form.targetId} onChange={(e) => setForm({ ...form, targetId: e.currentTarget.value })}>
              <option value="">Choose…</option>
              {targets.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <label class="check">
          <input type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })} /> Chat enabled
        </label>
        <button class="primary" type="submit">
          Set rule
        </button>
        <ErrorNote error={error} />
      </form>
    </div>
  );
}

const CONFIG_FIELDS = [
  ['defaultChatHistory', 'Messages sent when a room is opened (1–500)'],
  ['participantUpdateLimit', 'Above this many people, roster changes are not pushed'],
  ['maxMessageChars', 'Longest message, in characters'],
  ['maxFileSizeKB', 'Largest file, in KB'],
] as const;

function Config() {
  const current = useLoad(() => get<Record<string, number | string | null>>('/api/v1/config'), []);
  const [form, setForm] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  if (current.loading) return <Loading what="configuration" />;
  const values = form ?? Object.fromEntries(Object.entries(current.data ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const body: Record<string, unknown> = Object.fromEntries(CONFIG_FIELDS.map(([k]) => [k, Number(values[k])]));
      body.roomManagementUrl = values.roomManagementUrl ? values.roomManagementUrl : null;
      // "off", "always", or minutes; anything else goes as typed and the server says what it takes.
      const window = (values.editOwnMessages ?? '').trim().toLowerCase();
      if (window) body.editOwnMessages = /^\d+$/.test(window) ? Number(window) : window;
      await api('PATCH', '/api/v1/config', body);
      setSaved(true);
      current.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form class="card settings" onSubmit={save} aria-labelledby="config-title">
      <h2 id="config-title">Chat configuration</h2>
      {CONFIG_FIELDS.map(([key, label]) => (
        <Field key={key} label={label} id={`cfg-${key}`} error={fieldError(error, key)}>
          <input id={`cfg-${key}`} type="number" value={values[key] ?? ''} onInput={(e) => setForm({ ...values, [key]: e.currentTarget.value })} />
        </Field>
      ))}
      <Field label="Room management page (optional URL)" id="cfg-url" error={fieldError(error, 'roomManagementUrl')}>
        <input id="cfg-url" type="url" value={values.roomManagementUrl ?? ''} onInput={(e) => setForm({ ...values, roomManagementUrl: e.currentTarget.value })} />
      </Field>
      <Field label="Authors may edit and delete their own messages" id="cfg-edit" error={fieldError(error, 'editOwnMessages')} hint="off, always, or for this many minutes after posting">
        <input id="cfg-edit" aria-describedby="cfg-edit-hint" value={values.editOwnMessages ?? ''} onInput={(e) => setForm({ ...values, editOwnMessages: e.currentTarget.value })} />
      </Field>
      <ErrorNote error={error} prefix="Not saved." />
      {saved && (
        <p class="ok" role="status">
          Saved; it applies at once.
        </p>
      )}
      <button class="primary" type="submit">
        Save
      </button>
    </form>
  );
}

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

function Moderation() {
  const rooms = useLoad(() => get<{ rooms: Room[] }>('/api/v1/rooms?limit=1000'), []);
  const users = useAllPrincipals().filter((p) => p.kind === 'user');
  const [clear, setClear] = useState({ roomId: '', upTo: '' });
  const [clearResult, setClearResult] = useState<unknown>(null);
  const [sel, setSel] = useState({ roomId: '', authorId: '', from: '', to: '', keywords: '', match: 'all', caseSensitive: false, action: 'remove', replacement: '' });
  const [result, setResult] = useState<{ matched: number; dryRun: boolean } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [clearError, setClearError] = useState<unknown>(null);

  const doClear = async (event: Event) => {
    event.preventDefault();
    setClearError(null);
    if (!confirm('Delete every message of this room up to that time? This cannot be undone (compliance keeps the originals).')) return;
    try {
      setClearResult(await api('POST', `/api/v1/rooms/${clear.roomId}/clear`, { upTo: toIso(clear.upTo) }));
    } catch (e) {
      setClearError(e);
    }
  };
  const run = async (dryRun: boolean) => {
    setError(null);
    setResult(null);
    const body: Record<string, unknown> = { match: sel.match, caseSensitive: sel.caseSensitive, action: sel.action, dryRun };
    if (sel.roomId) body.roomId = Number(sel.roomId);
    if (sel.authorId) body.authorId = Number(sel.authorId);
    if (sel.from) body.from = toIso(sel.from);
    if (sel.to) body.to = toIso(sel.to);
    if (sel.keywords.trim()) body.keywords = sel.keywords;
    if (sel.action === 'replace' && sel.replacement.trim()) body.replacement = sel.replacement;
    if (!dryRun && !confirm(`${sel.action === 'remove' ? 'Remove' : 'Replace'} the selected messages? This cannot be undone.`)) return;
    try {
      const r = await api<{ matched: number }>('POST', '/api/v1/moderation/remove-messages', body);
      setResult({ matched: r.matched, dryRun });
    } catch (e) {
      setError(e);
    }
  };
  const roomOptions = (rooms.data?.rooms ?? []).map((r) => (
    <option key={r.id} value={r.id}>
      {r.name}
    </option>
  ));

  return (
    <div class="stack">
      <form class="card settings" onSubmit={doClear} aria-labelledby="clear-title">
        <h2 id="clear-title">Clear a room</h2>
        <p class="muted">Deletes everything from the oldest message through the time given.</p>
        <Field label="Room" id="clr-room" error={fieldError(clearError, 'roomId')}>
          <select id="clr-room" required value={clear.roomId} onChange={(e) => setClear({ ...clear, roomId: e.currentTarget.value })}>
            <option value="">Choose…</option>
            {roomOptions}
          </select>
        </Field>
        <Field label="Up to (inclusive)" id="clr-upto" error={fieldError(clearError, 'upTo')}>
          <input id="clr-upto" type="datetime-local" required value={clear.upTo} onInput={(e) => setClear({ ...clear, upTo: e.currentTarget.value })} />
        </Field>
        <ErrorNote error={clearError} />
        {clearResult !== null && (
          <p class="ok" role="status">
            Removed {(clearResult as { removed: number }).removed} messages.
          </p>
        )}
        <button class="danger" type="submit">
          Clear
        </button>
      </form>
      <form
        class="card settings"
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
        aria-labelledby="remove-title"
      >
        <h2 id="remove-title">Remove or replace messages</h2>
        <p class="muted">Select by any of room, author, dates and keywords. Preview first: it only counts.</p>
        <div class="grid2">
          <Field label="Room" id="rm-room" error={fieldError(error, 'roomId')}>
            <select id="rm-room" value={sel.roomId} onChange={(e) => setSel({ ...sel, roomId: e.currentTarget.value })}>
              <option value="">Every room</option>
              {roomOptions}
            </select>
          </Field>
          <Field label="Author" id="rm-author" error={fieldError(error, 'authorId')}>
            <select id="rm-author" value={sel.authorId} onChange={(e) => setSel({ ...sel, authorId: e.currentTarget.value })}>
              <option value="">Anyone</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="From" id="rm-from" error={fieldError(error, 'from')}>
            <input id="rm-from" type="datetime-local" value={sel.from} onInput={(e) => setSel({ ...sel, from: e.currentTarget.value })} />
          </Field>
          <Field label="To" id="rm-to" error={fieldError(error, 'to')}>
            <input id="rm-to" type="datetime-local" value={sel.to} onInput={(e) => setSel({ ...sel, to: e.currentTarget.value })} />
          </Field>
          <Field label="Keywords" id="rm-kw" error={fieldError(error, 'keywords')}>
            <input id="rm-kw" value={sel.keywords} onInput={(e) => setSel({ ...sel, keywords: e.currentTarget.value })} />
          </Field>
          <Field label="Match" id="rm-match" error={fieldError(error, 'match')}>
            <select id="rm-match" value={sel.match} onChange={(e) => setSel({ ...sel, match: e.currentTarget.value })}>
              <option value="all">all words</option>
              <option value="any">any word</option>
              <option value="exact">exact phrase</option>
            </select>
          </Field>
        </div>
        <label class="check">
          <input type="checkbox" checked={sel.caseSensitive} onChange={(e) => setSel({ ...sel, caseSensitive: e.currentTarget.checked })} /> Case sensitive
        </label>
        <fieldset>
          <legend>Action</legend>
          <label class="radio">
            <input type="radio" name="rm-action" checked={sel.action === 'remove'} onChange={() => setSel({ ...sel, action: 'remove' })} /> Remove
          </label>
          <label class="radio">
            <input type="radio" name="rm-action" checked={sel.action === 'replace'} onChange={() => setSel({ ...sel, action: 'replace' })} /> Replace the text
          </label>
        </fieldset>
        {sel.action === 'replace' && (
          <Field label="Replacement (empty: the standard notice)" id="rm-repl" error={fieldError(error, 'replacement')}>
            <input id="rm-repl" value={sel.replacement} onInput={(e) => setSel({ ...sel, replacement: e.currentTarget.value })} />
          </Field>
        )}
        <ErrorNote error={error} />
        {result && (
          <p class="ok" role="status">
            {result.dryRun ? `${result.matched} messages match.` : `${result.matched} messages ${sel.action === 'remove' ? 'removed' : 'replaced'}.`}
          </p>
        )}
        <div class="buttons">
          <button type="button" onClick={() => void run(true)}>
            Preview count
          </button>
          <button class="danger" type="submit">
            {sel.action === 'remove' ? 'Remove' : 'Replace'}
          </button>
        </div>
      </form>
    </div>
  );
}
