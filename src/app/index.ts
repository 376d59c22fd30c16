import type { Clock, EventBus } from '../ports/events.js';
import type { Store } from '../ports/store.js';
import { addInUseCases } from './addins.js';
import { audited, auditUseCases } from './audit.js';
import { categoryUseCases } from './categories.js';
import { complianceUseCases } from './compliance.js';
import type { AppContext } from './context.js';
import { Directory } from './directory.js';
import { groupUseCases } from './groups.js';
import { MessageWriter } from './messageWriter.js';
import { messageUseCases } from './messages.js';
import { moderationUseCases } from './moderation.js';
import { roomUseCases } from './rooms.js';
import { searchUseCases } from './search.js';
import { sessionUseCases } from './sessions.js';
import { settingsUseCases } from './settings.js';
import { userUseCases } from './users.js';

export type Application = ReturnType<typeof createApplication>;

/** Every use case, bound to one context. Protocols hold this and nothing below it. */
export function createApplication(deps: { store: Store; bus: EventBus; clock: Clock }) {
  const directory = new Directory(deps.store, deps.bus);
  const writer = new MessageWriter(deps.store.messages, (results) => {
    for (const { message, duplicate } of results) {
      if (!duplicate) void deps.bus.publish({ type: 'message.posted', roomId: message.roomId, message, live: message.seq === 0 });
    }
  });
  const ctx: AppContext = { ...deps, directory, writer };
  return {
    context: ctx,
    directory,
    sessions: sessionUseCases(ctx),
    users: audited(ctx, 'users', userUseCases(ctx)),
    groups: audited(ctx, 'groups', groupUseCases(ctx)),
    categories: audited(ctx, 'categories', categoryUseCases(ctx)),
    rooms: audited(ctx, 'rooms', roomUseCases(ctx)),
    addins: audited(ctx, 'addins', addInUseCases(ctx)),
    settings: audited(ctx, 'settings', settingsUseCases(ctx)),
    messages: messageUseCases(ctx),
    search: searchUseCases(ctx),
    moderation: audited(ctx, 'moderation', moderationUseCases(ctx)),
    compliance: complianceUseCases(ctx),
    audit: auditUseCases(ctx),
    /** Waits for every accepted post to be committed. */
    flush: () => writer.flush(),
  };
}
