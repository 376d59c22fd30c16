import { useState } from 'preact/hooks';
import { api, get } from '../api.js';
import { chat } from '../chat.js';
import { navigate, useLoad } from '../hooks.js';
import type { AddIn, Principal, Room } from '../types.js';
import { PRIVACY_TEXT } from './Directory.js';
import { PrincipalPicker } from './PrincipalPicker.js';
import { ErrorNote, Field, fieldError, Loading } from './ui.js';

const refs = (list: Principal[]) => list.map(({ kind, id }) => ({ kind, id }));

/** A room manager's page: settings and role lists, choosing only among principals the category allows. */
export function RoomSettings({ room }: { room: Room }) {
  const eligible = useLoad(() => get<{ principals: Principal[] }>(`/api/v1/categories/${room.category.id}/eligible`), [room.category.id]);
  const addins = useLoad(() => get<{ addins: AddIn[] }>('/api/v1/addins'), []);
  const [form, setForm] = useState({
    name: room.name,
    description: room.description,
    privacy: room.privacy,
    type: room.type,
    invitations: room.invitations,
    addinId: room.addin?.id ?? null,
    disabled: room.disabled,
    members: room.members,
    managers: room.managers,
    presenters: room.presenters,
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => {
    setForm({ ...form, [k]: v });
    setSaved(null);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = {
        ...form,
        members: form.privacy === 'open' ? [] : refs(form.members),
        managers: refs(form.managers),
        presenters: form.type === 'auditorium' ? refs(form.presenters) : [],
      };
      const updated = await api<Room & { dropped: Principal[] }>('PATCH', `/api/v1/rooms/${room.id}`, body);
      const state = chat.rooms.get(room.id);
      if (state) state.room = updated;
      chat.changed();
      setForm({ ...form, members: updated.members, managers: updated.managers, presenters: updated.presenters });
      setSaved(updated.disabled ? 'Saved. The room is disabled: its members were signed out of it.' : 'Saved.');
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  const candidates = eligible.data?.principals ?? [];
  return (
    <section class="page" aria-labelledby="settings-title">
      <p>
        <a href={`#/room/${room.id}`}>← Back to {room.name}</a>
      </p>
      <h1 id="settings-title">Settings of {room.name}</h1>
      <p class="muted">
        Category <strong>{room.category.name}</strong>: roles may go only to the users and groups it allows.
      </p>
      {eligible.loading ? <Loading what="who the category allows" /> : <ErrorNote error={eligible.error} />}
      <form class="card settings" onSubmit={submit}>
        <Field label="Name" id="rs-name" error={fieldError(error, 'name')}>
          <input id="rs-name" required value={form.name} onInput={(e) => set('name', e.currentTarget.value)} maxLength={256} />
        </Field>
        <Field label="Description" id="rs-desc" error={fieldError(error, 'description')} hint="Up to 256 characters.">
          <textarea id="rs-desc" rows={2} value={form.description} onInput={(e) => set('description', e.currentTarget.value)} />
        </Field>
        <fieldset class={fieldError(error, 'privacy') ? 'invalid' : ''}>
          <legend>Privacy</legend>
          {(['open', 'closed', 'secret'] as const).map((p) => (
            <label key={p} class="radio">
              <input type="radio" name="privacy" value={p} checked={form.privacy === p} onChange={() => set('privacy', p)} /> <strong>{p}</strong> — {PRIVACY_TEXT[p].split(': ')[1]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Type</legend>
          <label class="radio">
            <input type="radio" name="type" checked={form.type === 'normal'} onChange={() => set('type', 'normal')} /> <strong>normal</strong> — every member posts
          </label>
          <label class="radio">
            <input type="radio" name="type" checked={form.type === 'auditorium'} onChange={() => set('type', 'auditorium')} /> <strong>auditorium</strong> — only presenters post
          </label>
        </fieldset>
        <Field label="Invitations" id="rs-inv" error={fieldError(error, 'invitations')} hint={room.invitationsEnabled || form.invitations === 'false' ? undefined : 'The category has invitations off, so none are sent either way.'}>
          <select id="rs-inv" value={form.invitations} onChange={(e) => set('invitations', e.currentTarget.value as 'inherit' | 'false')}>
            <option value="inherit">As the category says</option>
            <option value="false">Off</option>
          </select>
        </Field>
        <Field label="Add-in (shown in a side panel)" id="rs-addin" error={fieldError(error, 'addinId')}>
          <select id="rs-addin" value={form.addinId ?? ''} onChange={(e) => set('addinId', e.currentTarget.value ? Number(e.currentTarget.value) : null)}>
            <option value="">None</option>
            {(addins.data?.addins ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} — {a.url}
              </option>
            ))}
          </select>
        </Field>
        {form.privacy === 'open' ? (
          <p class="hint">Open rooms have no member list: everyone the category allows may enter.</p>
        ) : (
          <PrincipalPicker id="rs-members" label="Members" value={form.members} candidates={candidates} onChange={(v) => set('members', v)} error={fieldError(error, 'members')} />
        )}
        <PrincipalPicker id="rs-managers" label="Managers" value={form.managers} candidates={candidates} onChange={(v) => set('managers', v)} error={fieldError(error, 'managers')} hint="Managers edit these settings and may disable the room." />
        {form.type === 'auditorium' ? (
          <PrincipalPicker id="rs-presenters" label="Presenters" value={form.presenters} candidates={candidates} onChange={(v) => set('presenters', v)} error={fieldError(error, 'presenters')} hint="Only presenters post in an auditorium." />
        ) : (
          <p class="hint">Presenters exist only in auditorium rooms.</p>
        )}
        <label class="check">
          <input type="checkbox" checked={form.disabled} onChange={(e) => set('disabled', e.currentTarget.checked)} /> Disabled — members are removed at once; history and settings are kept
        </label>
        <ErrorNote error={error} prefix="Not saved." />
        {saved && (
          <p class="ok" role="status">
            {saved}
          </p>
        )}
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" class="ghost" onClick={() => navigate(`room/${room.id}`)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
