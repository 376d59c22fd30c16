/**
 * Browser notifications and the page title's count. Permission is asked only from a user gesture
 * (the button on the profile page), never on load. `notify` shows one notification, only when
 * permission was granted; clicking it focuses the tab and opens `href` (a #/ route).
 * Other features (topic feeds) call `notify` and `setTitleCount` with their own key.
 */

/** Whether this browser has notifications at all, and what the user decided. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks for permission; call it from a click handler only. */
export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** Whether the page is hidden (another tab, minimised): notifications are for then only. */
export const pageHidden = (): boolean => document.visibilityState === 'hidden';

/** Shows a notification (when permitted); `tag` replaces an earlier one with the same tag. Returns whether it was shown. */
export function notify(title: string, body: string, href: string, tag?: string): boolean {
  if (notificationPermission() !== 'granted') return false;
  try {
    const n = new Notification(title, { body: body.length > 180 ? `${body.slice(0, 179)}…` : body, ...(tag && { tag }) });
    n.onclick = () => {
      focus();
      location.hash = href.replace(/^#?/, '#');
      n.close();
    };
    return true;
  } catch {
    // Some browsers only notify through a service worker; pchat has none, so nothing is shown.
    return false;
  }
}

const counts = new Map<string, number>();
const BASE_TITLE = 'pchat';

/** Sets one source's count (e.g. `mentions`, `feeds`); the title shows their sum: "(3) pchat". */
export function setTitleCount(source: string, count: number): void {
  if ((counts.get(source) ?? 0) === count) return;
  counts.set(source, count);
  let total = 0;
  for (const n of counts.values()) total += n;
  document.title = total > 0 ? `(${total > 999 ? '999+' : total}) ${BASE_TITLE}` : BASE_TITLE;
}
