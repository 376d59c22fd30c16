import type { Page } from 'playwright-core';

/**
 * Layout checks run in the page (as script text: the tests compile without the DOM library).
 * Each answers a list of problems, empty when the screen is sound, so a failure says what is wrong.
 */

/** `tag.class.class` and its text's start, to name an element in a failure. */
const NAME = `const name = (e) => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + (e.id ? '#' + e.id : '') + (e.textContent ? ' "' + e.textContent.trim().slice(0, 30) + '"' : '');`;

/**
 * The page as a whole: wider than the window, or scrolling as a document (the shell is one
 * screen high; only its regions scroll), or a region scrolling inside another that scrolls too.
 */
export function pageProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    ${NAME}
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > innerWidth + 1) problems.push('the page is ' + doc.scrollWidth + ' px wide in a ' + innerWidth + ' px window');
    if (doc.scrollHeight > innerHeight + 1) problems.push('the document scrolls: ' + doc.scrollHeight + ' px in a ' + innerHeight + ' px window');
    const scrolls = (e) => { const s = getComputedStyle(e); return /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1 && !['TEXTAREA', 'SELECT'].includes(e.tagName); };
    const scrollers = [...document.querySelectorAll('body *')].filter(scrolls);
    for (const inner of scrollers) for (const outer of scrollers) if (outer !== inner && outer.contains(inner)) problems.push('scrolls inside a scrolling region: ' + name(inner) + ' in ' + name(outer));
    return problems;
  })()`);
}

/**
 * Elements cut off: reaching past the window's sides, or past an ancestor that hides or scrolls
 * its overflow sideways (a table in its own sideways-scrolling box excepted, as intended on a
 * phone), and text controls whose content is wider or taller than their box.
 */
export function clippedElements(page: Page, within = 'body'): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    ${NAME}
    const problems = [];
    const root = document.querySelector(${JSON.stringify(within)});
    if (!root) return ['nothing matches ' + ${JSON.stringify(within)}];
    // Visually hidden text (for screen readers: 1 px, clipped) is not on screen to be cut off.
    const visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && !e.closest('.sr-only'); };
    const clipsX = (e) => /(hidden|clip|auto|scroll)/.test(getComputedStyle(e).overflowX);
    const things = root.querySelectorAll('h1, h2, h3, label, legend, p, input, select, textarea, button, a, time, .author, .tag, .avatar, .divider, .composer-note, th, td');
    for (const e of things) {
      if (!visible(e) || e.closest('.table-wrap, .sidebar, .addin')) continue;
      const r = e.getBoundingClientRect();
      if (r.left < -1 || r.right > innerWidth + 1) { problems.push(name(e) + ' reaches past the window (' + Math.round(r.left) + '–' + Math.round(r.right) + ' px of ' + innerWidth + ')'); continue; }
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (!clipsX(a)) continue;
        const b = a.getBoundingClientRect();
        if (r.left < b.left - 1 || r.right > b.right + 1) problems.push(name(e) + ' is cut off by ' + name(a) + ' (' + Math.round(r.left) + '–' + Math.round(r.right) + ' px in ' + Math.round(b.left) + '–' + Math.round(b.right) + ')');
        break;
      }
      // Shortened on purpose: an ellipsis, or a clamp to a few lines (search hits).
      if (getComputedStyle(e).textOverflow === 'ellipsis' || e.classList.contains('clamp')) continue;
      if (e.tagName === 'SELECT' && e.selectedIndex >= 0) {
        // The chosen option's text against the room left of the drop-down arrow (about 20 px in Chromium).
        const s = getComputedStyle(e);
        const context = document.createElement('canvas').getContext('2d');
        context.font = s.font;
        const text = e.options[e.selectedIndex].text;
        const need = context.measureText(text).width;
        const room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - 20;
        if (need > room + 1) problems.push(name(e) + ' shows "' + text + '" cut off (' + Math.round(need) + ' px of text in ' + Math.round(room) + ')');
      }
      if (['INPUT', 'TEXTAREA', 'P', 'LABEL', 'H1', 'H2', 'BUTTON'].includes(e.tagName) && e.type !== 'date' && e.type !== 'checkbox' && e.type !== 'radio' && (e.scrollWidth > e.clientWidth + 1 || (e.tagName !== 'TEXTAREA' && e.scrollHeight > e.clientHeight + 2 && getComputedStyle(e).overflowY !== 'visible'))) problems.push(name(e) + ' has more content than room (' + e.scrollWidth + '×' + e.scrollHeight + ' in ' + e.clientWidth + '×' + e.clientHeight + ')');
    }
    return problems;
  })()`);
}

/** Text that a placeholder shows is cut off: a textarea or input whose placeholder needs more lines or width than its box. */
export function clippedPlaceholders(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    ${NAME}
    const problems = [];
    for (const e of document.querySelectorAll('textarea[placeholder], input[placeholder]')) {
      if (!e.placeholder || e.value) continue;
      const probe = document.createElement(e.tagName === 'TEXTAREA' ? 'div' : 'span');
      const s = getComputedStyle(e);
      Object.assign(probe.style, { position: 'absolute', visibility: 'hidden', font: s.font, letterSpacing: s.letterSpacing, whiteSpace: e.tagName === 'TEXTAREA' ? 'pre-wrap' : 'pre', overflowWrap: 'break-word', width: e.tagName === 'TEXTAREA' ? e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) + 'px' : 'auto', lineHeight: s.lineHeight });
      probe.textContent = e.placeholder;
      document.body.appendChild(probe);
      const room = { w: e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight), h: e.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom) };
      const need = { w: probe.scrollWidth, h: probe.scrollHeight };
      probe.remove();
      if (need.w > room.w + 1 || need.h > room.h + 1) problems.push(name(e) + ' placeholder "' + e.placeholder + '" needs ' + need.w + '×' + need.h + ' px, has ' + Math.round(room.w) + '×' + Math.round(room.h));
    }
    return problems;
  })()`);
}

/** Whether an element's text sits on one line (an inline element that wraps has several boxes). */
export function wrapped(page: Page, selector: string): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll(${JSON.stringify(selector)})].filter((e) => e.getClientRects().length > 1 || e.getBoundingClientRect().height > parseFloat(getComputedStyle(e).lineHeight || '20') * 1.5).map((e) => e.textContent)`);
}

/** Table cells squeezed narrower than a few characters, so their words stand one letter a line. */
export function squeezedCells(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll('td, th')].filter((e) => {
    const text = e.innerText.trim();
    if (text.length <= 3 || e.getBoundingClientRect().height === 0) return false;
    const s = getComputedStyle(e);
    return e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) < parseFloat(s.fontSize) * 3;
  }).map((e) => e.tagName.toLowerCase() + ' "' + e.innerText.trim().slice(0, 30) + '" is ' + e.clientWidth + ' px wide')`);
}
