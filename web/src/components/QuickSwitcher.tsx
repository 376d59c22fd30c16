import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate, useChat } from '../hooks.js';

interface Choice {
  readonly roomId: number;
  readonly name: string;
  readonly what: 'room' | 'direct message';
  readonly unread: number;
}

/**
 * Ctrl-K (⌘-K): a dialog to jump to any of one's rooms or direct conversations by typing part of
 * its name; arrows move, Enter opens, Escape closes. The list is the sidebar's, so it shows
 * nothing one could not already open.
 */
export function QuickSwitcher() {
  const c = useChat();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        returnTo.current = document.activeElement as HTMLElement | null;
        setTyped('');
        setActive(0);
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  if (!open) return null;
  const choices: Choice[] = [
    ...c.open.filter((id) => !c.direct.has(id)).map((id) => ({ roomId: id, name: c.rooms.get(id)?.room?.name ?? `Room ${id}`, what: 'room' as const, unread: c.unread(id) })),
    ...c.direct.list.map((d) => ({ roomId: d.roomId, name: c.direct.titleOf(d.roomId, c.me?.id) ?? `Conversation ${d.roomId}`, what: 'direct message' as const, unread: d.unread })),
  ];
  const needle = typed.trim().toLocaleLowerCase();
  const shown = needle === '' ? choices : choices.filter((ch) => ch.name.toLocaleLowerCase().includes(needle));
  const current = Math.min(active, Math.max(shown.length - 1, 0));

  const close = () => {
    setOpen(false);
    returnTo.current?.focus();
  };
  const choose = (choice: Choice | undefined) => {
    if (!choice) return;
    setOpen(false);
    navigate(`room/${choice.roomId}`);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + shown.length) % Math.max(shown.length, 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(shown[current]);
    }
  };

  const optionId = (roomId: number) => `switch-${roomId}`;
  return (
    <div class="switcher-scrim" onClick={(e) => e.target === e.currentTarget && close()}>
      <div class="switcher card" role="dialog" aria-modal="true" aria-label="Jump to a room or conversation">
        <input
          ref={input}
          type="text"
          role="combobox"
          aria-label="Room or person"
          aria-expanded="true"
          aria-controls="switcher-list"
          aria-activedescendant={shown[current] ? optionId(shown[current].roomId) : undefined}
          placeholder="Jump to a room or conversation…"
          value={typed}
          onInput={(e) => {
            setTyped(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <ul id="switcher-list" role="listbox" aria-label="Rooms and conversations">
          {shown.map((ch, i) => (
            <li key={ch.roomId} id={optionId(ch.roomId)} role="option" aria-selected={i === current} class={i === current ? 'active' : ''} onClick={() => choose(ch)}>
              <span class="switcher-name">{ch.name}</span>
              <span class="muted small">{ch.what}</span>
              {ch.unread > 0 && <span class="badge">{ch.unread}</span>}
            </li>
          ))}
        </ul>
        {shown.length === 0 && <p class="muted small switcher-none">No room or conversation of yours matches.</p>}
      </div>
    </div>
  );
}
