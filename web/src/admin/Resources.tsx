import { useState } from 'preact/hooks';
import { api, get } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Principal } from '../types.js';
import { PrincipalPicker } from '../components/PrincipalPicker.js';
import { Empty, ErrorNote, Field, fieldError, Loading } from '../components/ui.js';

type Kind = 'text' | 'textarea' | 'bool' | 'principals' | 'password' | 'email' | 'url';
export interface FieldSpec {
  readonly key: string;
  readonly label: string;
  readonly kind: Kind;
  readonly hint?: string;
  readonly required?: boolean;
  /** Sent only when creating (e.g. nothing) or only when non-empty (passwords). */
  readonly optionalEmpty?: boolean;
}
export interface ResourceSpec {
  /** e.g. categories: the API path segment and the list's key */
  readonly path: string;
  readonly noun: string;
  /** The noun in the plural, as people write it ("add-ins"): headings and messages. */
  readonly plural: string;
  readonly fields: readonly FieldSpec[];
  readonly removable: boolean;
  readonly title: (item: Record<string, unknown>) => string;
  readonly summary: (item: Record<string, unknown>) => string;
}

/** Every user and group, for administrators' principal lists; `version` reloads them (after a save). */
export function useAllPrincipals(version = 0): Principal[] {
  const { data } = useLoad(async () => {
    const [users, groups] = await Promise.all([get<{ users: { id: number; displayName: string; login: string }[] }>('/api/v1/users'), get<{ groups: { id: number; name: string }[] }>('/api/v1/groups')]);
    return [...users.users.map((u) => ({ kind: 'user' as const, id: u.id, name: `${u.displayName} (${u.login})` })), ...groups.groups.map((g) => ({ kind: 'group' as const, id: g.id, name: g.name }))];
  }, [version]);
  return data ?? [];
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const blank = (spec: ResourceSpec): Record<string, unknown> =>
  Object.fromEntries(spec.fields.map((f) => [f.key, f.kind === 'bool' ? f.key !== 'disabled' && f.key !== 'isAdmin' : f.kind === 'principals' ? [] : '']));

/** List, create, edit and (where allowed) remove one kind of administered object. */
export function Resources({ spec }: { spec: ResourceSpec }) {
  const list = useLoad(() => get<Record<string, Record<string, unknown>[]>>(`/api/v1/${spec.path}`), [spec.path]);
  // A user or group just created must be offered in the next form at once.
  const [saves, setSaves] = useState(0);
  const principals = useAllPrincipals(saves);
  const [editing, setEditing] = useState<Record<string, unknown> | null>(null);
  const items = list.data?.[spec.path] ?? [];

  return (
    <div>
      <div class="page-head">
        <h2>{capitalised(spec.plural)}</h2>
        <button class="primary" onClick={() => setEditing(blank(spec))}>
          New {spec.noun}
        </button>
      </div>
      {editing && (
        <Editor
          key={String(editing.id ?? 'new')}
          spec={spec}
          item={editing}
          principals={principals}
          onDone={() => {
            setEditing(null);
            list.reload();
            setSaves((n) => n + 1);
          }}
        />
      )}
      {list.loading && !list.data ? (
        <Loading what={spec.plural} />
      ) : list.error ? (
        <ErrorNote error={list.error} />
      ) : items.length === 0 ? (
        <Empty>No {spec.plural} yet.</Empty>
      ) : (
        <table class="table">
          <caption class="sr-only">{capitalised(spec.plural)}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Details</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={String(item.id)}>
                <th scope="row">{spec.title(item)}</th>
                <td class="muted small">{spec.summary(item)}</td>
                <td class="actions">
                  <button class="small" onClick={() => setEditing(item)} aria-label={`Edit ${spec.title(item)}`}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Editor({ spec, item, principals, onDone }: { spec: ResourceSpec; item: Record<string, unknown>; principals: Principal[]; onDone: () => void }) {
  const isNew = item.id === undefined;
  const [form, setForm] = useState<Record<string, unknown>>(() => Object.fromEntries(spec.fields.map((f) => [f.key, f.kind === 'password' ? '' : (item[f.key] ?? (f.kind === 'principals' ? [] : f.kind === 'bool' ? false : ''))])));
  const [error, setError] = useState<unknown>(null);
  const set = (k: string, v: unknown) => setForm({ ...form, [k]: v });

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const body: Record<string, unknown> = {};
    for (const f of spec.fields) {
      const v = form[f.key];
      if (f.kind === 'principals') body[f.key] = (v as Principal[]).map(({ kind, id }) => ({ kind, id }));
      else if ((f.optionalEmpty || f.kind === 'password') && v === '') continue;
      else if (f.kind === 'email' && v === '') body[f.key] = null;
      else body[f.key] = v;
    }
    try {
      await api(isNew ? 'POST' : 'PATCH', isNew ? `/api/v1/${spec.path}` : `/api/v1/${spec.path}/${String(item.id)}`, body);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async () => {
    if (!confirm(`Remove the ${spec.noun} “${spec.title(item)}”?`)) return;
    try {
      await api('DELETE', `/api/v1/${spec.path}/${String(item.id)}`);
      onDone();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <form class="card settings" onSubmit={submit} aria-label={isNew ? `New ${spec.noun}` : `Edit ${spec.title(item)}`}>
      <h3>{isNew ? `New ${spec.noun}` : `Edit ${spec.title(item)}`}</h3>
      {spec.fields.map((f) => {
        const id = `${spec.path}-${f.key}`;
        const err = fieldError(error, f.key);
        if (f.kind === 'principals')
          return <PrincipalPicker key={f.key} id={id} label={f.label} value={form[f.key] as Principal[]} candidates={principals} onChange={(v) => set(f.key, v)} error={err} hint={f.hint} />;
        if (f.kind === 'bool')
          return (
            <label key={f.key} class="check">
              <input type="checkbox" checked={Boolean(form[f.key])} onChange={(e) => set(f.key, e.currentTarget.checked)} /> {f.label}
              {f.hint && <small class="hint"> — {f.hint}</small>}
            </label>
          );
        return (
          <Field key={f.key} label={f.label} id={id} error={err} hint={f.hint}>
            {f.kind === 'textarea' ? (
              <textarea id={id} rows={2} value={String(form[f.key] ?? '')} onInput={(e) => set(f.key, e.currentTarget.value)} />
            ) : (
              <input id={id} type={(f.kind === 'password' ? 'password' : f.kind === 'email' ? 'email' : f.kind === 'url' ? 'url' : 'text') as 'text'} required={Boolean(f.required && (isNew || f.kind !== 'password'))} autocomplete={f.kind === 'password' ? 'new-password' : 'off'} value={String(form[f.key] ?? '')} onInput={(e) => set(f.key, e.currentTarget.value)} />
            )}
          </Field>
        );
      })}
      <ErrorNote error={error} prefix="Not saved." />
      <div class="buttons">
        <button class="primary" type="submit">
          {isNew ? 'Create' : 'Save'}
        </button>
        <button type="button" class="ghost" onClick={onDone}>
          Cancel
        </button>
        {!isNew && spec.removable && (
          <button type="button" class="danger" onClick={() => void remove()}>
            Remove
          </button>
        )}
      </div>
    </form>
  );
}
