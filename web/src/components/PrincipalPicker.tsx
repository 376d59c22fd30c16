import { useState } from 'preact/hooks';
import { Icon } from '../icons.js';
import type { Principal } from '../types.js';
import { FieldNotes } from './ui.js';

const key = (p: Principal) => `${p.kind}:${p.id}`;
export const label = (p: Principal) => `${p.name ?? `#${p.id}`}${p.kind === 'group' ? ' (group)' : ''}`;

/**
 * A list of users and groups: chosen ones with a remove button each, and a filterable choice
 * among `candidates` (e.g. only the principals a category allows).
 */
export function PrincipalPicker({ id, label: text, value, candidates, onChange, error, hint }: { id: string; label: string; value: Principal[]; candidates: Principal[]; onChange: (v: Principal[]) => void; error?: string | null; hint?: string }) {
  const [filter, setFilter] = useState('');
  const [choice, setChoice] = useState('');
  const chosen = new Set(value.map(key));
  const needle = filter.toLocaleLowerCase();
  const options = candidates.filter((p) => !chosen.has(key(p)) && label(p).toLocaleLowerCase().includes(needle));
  const add = () => {
    const p = options.find((o) => key(o) === choice) ?? (options.length === 1 ? options[0] : undefined);
    if (p) onChange([...value, p]);
    setChoice('');
    setFilter('');
  };
  return (
    <fieldset class={`picker${error ? ' invalid' : ''}`} aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}>
      <legend>{text}</legend>
      {value.length === 0 ? (
        <p class="muted small">None.</p>
      ) : (
        <ul class="chips">
          {value.map((p) => (
            <li key={key(p)} class="chip">
              {label(p)}
              <button type="button" class="chip-remove" aria-label={`Remove ${label(p)} from ${text}`} onClick={() => onChange(value.filter((v) => key(v) !== key(p)))}>
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="picker-add">
        <label class="sr-only" for={`${id}-filter`}>
          Filter candidates for {text}
        </label>
        <input id={`${id}-filter`} type="search" placeholder="Filter…" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <label class="sr-only" for={`${id}-choice`}>
          Choose whom to add to {text}
        </label>
        <select id={`${id}-choice`} value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
          <option value="">{options.length ? `Choose (${options.length})…` : 'No one else to choose'}</option>
          {options.slice(0, 500).map((p) => (
            <option key={key(p)} value={key(p)}>
              {label(p)}
            </option>
          ))}
        </select>
        <button type="button" class="small" onClick={add} disabled={options.length === 0}>
          Add
        </button>
      </div>
      <FieldNotes id={id} hint={hint} error={error} />
    </fieldset>
  );
}
