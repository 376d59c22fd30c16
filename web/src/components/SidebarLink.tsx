import type { ComponentChildren } from 'preact';

/** A room or conversation in the sidebar: its icon, its name, and its unread count when there is one. */
export function SidebarLink({ roomId, current, name, unread, icon, className }: { roomId: number; current: boolean; name: string; unread: number; icon?: ComponentChildren; className?: string }) {
  return (
    <a href={`#/room/${roomId}`} aria-current={current ? 'page' : undefined} class={className}>
      {icon}
      <span class="room-name">{name}</span>
      {unread > 0 && (
        <span class="badge" aria-label={`${unread} unread`}>
          {unread > 999 ? '999+' : unread}
        </span>
      )}
    </a>
  );
}
