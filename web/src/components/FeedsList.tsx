import { useEffect, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import { useChat } from '../hooks.js';
import { Icon } from '../icons.js';
import { ErrorNote, Loading } from './ui.js';

/** The sidebar's "Topic feeds": each saved filter with its live count of new hits. */
export function FeedList({ currentFeedId }: { currentFeedId: number | null }) {
  const c = useChat();
  const { list, loaded } = c.feeds;
  return (
    <section class="feed-list" aria-labelledby="feeds-title">
      <div class="sidebar-head">
        <h2 class="sidebar-title" id="feeds-title">
          Topic feeds
        </h2>
        <a class="icon-button small" href="#/feeds/new" aria-label="New topic feed" title="New topic feed">
          <Icon name="plus" size={14} />
        </a>
      </div>
      {list.length === 0 ? (
        <p class="muted small">{loaded ? 'Follow words across every room you may read: add a feed.' : 'Loading…'}</p>
      ) : (
        <ul class="room-list" aria-label="Your topic feeds">
          {list.map((feed) => (
            <li key={feed.id} data-feed={feed.name}>
              <a href={`#/feeds/${feed.id}`} aria-current={currentFeedId === feed.id ? 'page' : undefined}>
                <Icon name="search" size={14} />
                <span class="room-name">{feed.name}</span>
                {feed.unread > 0 && (
                  <span class="badge" aria-label={`${feed.unread} new`}>
                    {feed.unread > 999 ? '999+' : feed.unread}
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type Screen = FunctionComponent<{ feedId: number | null; editing: boolean }>;
let loaded: Promise<Screen> | null = null;

/**
 * The feed screens (a feed's hits, creating and editing filters), loaded on first use: only some
 * users follow feeds, so they stay out of the initial bundle.
 */
export function FeedsPage({ feedId, editing }: { feedId: number | null; editing: boolean }) {
  const [screen, setScreen] = useState<{ Screen: Screen } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    loaded ??= import('./FeedsScreen.js').then((m) => m.FeedsScreen);
    loaded.then((Screen) => setScreen({ Screen }), (e: unknown) => {
      loaded = null;
      setError(e);
    });
  }, []);
  if (error) return <ErrorNote error={error} prefix="The feed screen could not be loaded." />;
  if (!screen) return <Loading what="topic feeds" />;
  return <screen.Screen feedId={feedId} editing={editing} />;
}
