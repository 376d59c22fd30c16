import type { ComponentChildren } from 'preact';

/** A room or conversation in the sidebar: its icon, its name, its unread count and its unread mentions of me, when there are. */
export function SidebarLink({ roomId, current, name, unread, mentions = 0, icon, className }: { roomId: number; current: boolean; name: string; unread: number; mentions?: number; icon?: ComponentChildren; className?: string }) {
  return (
    <a href={`#/room/${roomId}`} aria-current={current ? 'page' : undefined} class={className}>
      {icon}
      <span class="room-name">{name}</span>
      {mentions > 0 && (
        <span class="badge mention-badge" aria-label={`${mentions} ${mentions === 1 ? 'mention' : 'mentions'} of you`}>
          @{mentions > 99 ? '99+' : mentions}
        </span>
      )}
      {unread > 0 && (
        <span class="badge" aria-label={`${unread} unread`}>
          {unread > 999 ? '999+' : unread}
        </span>
      )}
    </a>
  );
}
