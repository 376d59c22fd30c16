import type { Message } from '../core/model.js';
import type { Clock, EventBus, PostedEvent } from '../ports/events.js';
import type { AppendResult, NewComplianceEvent, NewMessage, Store } from '../ports/store.js';
import { addInUseCases } from './addins.js';
import { audited, auditUseCases } from './audit.js';
import { categoryUseCases } from './categories.js';
import { complianceUseCases } from './compliance.js';
import { complianceExportUseCases } from './complianceExport.js';
import { fileUseCases } from './files.js';
import { type AppContext, DEFAULT_SESSION_POLICY, type SessionPolicy } from './context.js';
import { directUseCases } from './direct.js';
import { Directory } from './directory.js';
import { groupUseCases } from './groups.js';
import { guestUseCases } from './guests.js';
import { GroupCommit } from './groupCommit.js';
import { feedUseCases } from './feeds/feeds.js';
import { FeedMatcher } from './feeds/matcher.js';
import { importUseCases } from './imports.js';
import type { ThrottleSettings } from './loginThrottle.js';
import { mentionUseCases } from './mentions.js';
import { messageUseCases } from './messages.js';
import { moderationUseCases } from './moderation.js';
import { ownMessageUseCases } from './ownMessages.js';
import { poolUseCases } from './pool.js';
import { readingUseCases } from './reading.js';
import { reactionUseCases } from './reactions.js';
import { roomUseCases } from './rooms.js';
import { searchUseCases } from './search.js';
import { accountUseCases } from './accounts.js';
import { sessionUseCases } from './sessions.js';
import { settingsUseCases } from './settings.js';
import { sipUseCases } from './sip.js';
import { userUseCases } from './users.js';

export type Application = ReturnType<typeof createApplication>;

/** Every use case, bound to one context. Protocols hold this and nothing below it. */
export function createApplication(deps: { store: Store; bus: EventBus; clock: Clock; sipCredentialKey?: Buffer | null; signInThrottle?: ThrottleSettings; sessionPolicy?: SessionPolicy; minPasswordLength?: number }) {
  const directory = new Directory(deps.store, deps.bus);
  const mentionsOf = new WeakMap<Message, readonly number[]>();
  const writer = new GroupCommit<NewMessage, AppendResult>(
    async (posts) => {
      const results = await deps.store.messages.append(posts);
      // Whom each post mentions, from its input to its event: the hub tells them (WebSocket `mention`).
      posts.forEach((post, i) => void (post.mentions?.length && !results[i]!.duplicate && mentionsOf.set(results[i]!.message, post.mentions)));
      return results;
    },
    (results) => {
      const events: PostedEvent[] = [];
      for (const { message, duplicate } of results) {
        const mentions = mentionsOf.get(message);
        if (!duplicate) events.push({ type: 'message.posted', roomId: message.roomId, message, live: message.seq === 0, ...(mentions && { mentions }) });
      }
      if (events.length > 0) void deps.bus.publishAll(events);
      feedMatcher.committed(results); // topic feeds: queued, matched after the acknowledgements
    },
  );
  const compliance = new GroupCommit<NewComplianceEvent, void>(async (events) => {
    await deps.store.compliance.append(events);
    return events.map(() => undefined);
  });
  const ctx: AppContext = { ...deps, sipCredentialKey: deps.sipCredentialKey ?? null, sessionPolicy: deps.sessionPolicy ?? DEFAULT_SESSION_POLICY, minPasswordLength: deps.minPasswordLength ?? 8, directory, writer, compliance };
  const feedMatcher = new FeedMatcher(ctx);
  const files = fileUseCases(ctx);
  const sessions = sessionUseCases(ctx);
  const accounts = accountUseCases(ctx, sessions);
  // After moderation removed files, sweep their bytes (a failed run is retried by the periodic one).
  const filesRemoved = () => void files.sweepOrphans().catch(() => undefined);
  return {
    context: ctx,
    directory,
    sessions,
    accounts,
    guests: guestUseCases(ctx),
    users: audited(ctx, 'users', userUseCases(ctx)),
    groups: audited(ctx, 'groups', groupUseCases(ctx)),
    categories: audited(ctx, 'categories', categoryUseCases(ctx)),
    rooms: audited(ctx, 'rooms', roomUseCases(ctx)),
    addins: audited(ctx, 'addins', addInUseCases(ctx)),
    settings: audited(ctx, 'settings', settingsUseCases(ctx)),
    messages: messageUseCases(ctx),
    /** Authors editing and deleting their own messages, within the configured window. */
    ownMessages: ownMessageUseCases(ctx, filesRemoved),
    direct: directUseCases(ctx),
    files,
    reading: readingUseCases(ctx),
    /** Emoji reactions on messages. */
    reactions: reactionUseCases(ctx),
    /** Topic feeds: users' keyword filters, matched on the server as messages commit (`feeds.matcher.start` in the server). */
    feeds: feedUseCases(ctx, feedMatcher),
    /** @mentions: the Mentions view, completion's people, per-room notification settings. */
    mentions: mentionUseCases(ctx),
    sip: sipUseCases(ctx),
    search: searchUseCases(ctx),
    moderation: audited(ctx, 'moderation', moderationUseCases(ctx, filesRemoved)),
    compliance: complianceUseCases(ctx),
    complianceExport: complianceExportUseCases(ctx),
    pool: audited(ctx, 'pool', poolUseCases(ctx)),
    imports: audited(ctx, 'imports', importUseCases(ctx)),
    audit: auditUseCases(ctx),
    /** Waits for every accepted post and compliance record to be committed. */
    flush: async () => {
      await writer.flush();
      await compliance.flush();
      await feedMatcher.flush();
      await accounts.flush();
    },
  };
}
