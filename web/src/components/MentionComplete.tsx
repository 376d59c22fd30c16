import type { RefObject } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { get, query } from '../api.js';

interface Person {
  readonly id: number;
  readonly login: string;
  readonly displayName: string;
}

/** The `@` being typed before the caret: where it starts and what follows it (the `@` must start a word, as the server reads mentions). */
function tokenAt(value: string, caret: number): { start: number; prefix: string } | null {
  const match = /(?:^|[\s([{"'«“‘<])@([^\s@]*)$/u.exec(value.slice(0, caret));
  return match ? { start: caret - match[1]!.length - 1, prefix: match[1]! } : null;
}

/**
 * Completion of `@` mentions in a composer, after the ARIA combobox pattern: after `@`, a listbox of
 * the people who may read the room whose login or name starts with what follows (asked of the
 * server: GET /api/v1/rooms/:id/people, so a large open room is never loaded whole). Arrows
 * move, Enter or Tab inserts `@login`, Escape closes. The field keeps focus throughout.
 */
export function useMentionCompletion(roomId: number, listId: string, field: RefObject<HTMLTextAreaElement | null>, setText: (text: string) => void) {
  const [people, setPeople] = useState<Person[]>([]);
  const [active, setActive] = useState(0);
  const token = useRef<{ start: number; end: number } | null>(null);
  const asked = useRef(0);
  const open = people.length > 0;

  const close = () => {
    asked.current++;
    token.current = null;
    setPeople([]);
  };
  /** After each input: look for an `@` being typed, and ask for the people it may mean. */
  const update = () => {
    const el = field.current;
    const found = el ? tokenAt(el.value, el.selectionStart ?? el.value.length) : null;
    if (!el || !found) return close();
    token.current = { start: found.start, end: found.start + 1 + found.prefix.length };
    const ask = ++asked.current;
    get<{ people: Person[] }>(`/api/v1/rooms/${roomId}/people${query({ prefix: found.prefix, limit: 8 })}`).then(
      ({ people: found }) => {
        if (ask !== asked.current) return; // a later keystroke asked again
        setPeople(found);
        setActive(0);
      },
      () => ask === asked.current && setPeople([]),
    );
  };
  const accept = (person: Person) => {
    const el = field.current;
    const at = token.current;
    if (!el || !at) return;
    const inserted = `@${person.login} `;
    setText(el.value.slice(0, at.start) + inserted + el.value.slice(at.end));
    close();
    const caret = at.start + inserted.length;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(caret, caret);
    });
  };
  /** Handles the listbox's keys while it is open; true when the key was its. */
  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open) return false;
    const n = people.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') setActive((active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) accept(people[active]!);
    else if (e.key === 'Escape') close();
    else return false;
    e.preventDefault();
    e.stopPropagation();
    return true;
  };

  // The field stays a textbox (HTML allows no combobox role on a textarea): it names the listbox it
  // controls and its active option, and a status line says how to use it while it is open.
  const fieldProps = {
    'aria-autocomplete': 'list',
    'aria-controls': listId,
    'aria-activedescendant': open ? `${listId}-${active}` : undefined,
  } as const;
  const listbox = (
    <>
      <span class="sr-only" role="status">
        {open ? `${people.length} ${people.length === 1 ? 'person' : 'people'} to mention: arrows choose, Enter or Tab inserts, Escape closes.` : ''}
      </span>
      <ul id={listId} role="listbox" class="mention-options" aria-label="People to mention" hidden={!open}>
        {people.map((p, i) => (
          // Pressing an option must not take the focus from the field (mousedown, not click).
          <li
            key={p.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              accept(p);
            }}
          >
            <span class="person-name">{p.displayName}</span> <span class="muted small">@{p.login}</span>
          </li>
        ))}
      </ul>
    </>
  );
  return { fieldProps, listbox, update, close, onKeyDown };
}
