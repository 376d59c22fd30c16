import { writeFile, rename } from 'node:fs/promises';
import { inWords } from './reportWords.js';

/** Text as HTML: every user-controlled string goes through this, so no name can inject markup. */
export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface ReportSection {
  readonly title: string;
  /** A sentence under the title. */
  readonly intro?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  /** Rows beyond this are summarised as a count, so a report stays readable (default 5,000). */
  readonly limit?: number;
}

export interface Report {
  readonly title: string;
  /** Key facts shown first, e.g. source, target, outcome. */
  readonly summary: readonly (readonly [string, unknown])[];
  readonly sections: readonly ReportSection[];
}

/** A token this long without a space (a SHA-256, a path, a URL, an id) may break anywhere. */
const LONG_TOKEN = /\S{21,}/;

/** The cell's class: numbers right-aligned, long tokens breakable, prose given room to read. */
function cellClass(cell: unknown, text: string): string {
  if (typeof cell === 'number') return 'num';
  if (LONG_TOKEN.test(text)) return 'long';
  return text.length > 60 ? 'text' : '';
}

function cellHtml(cell: unknown): string {
  const text = inWords(cell);
  const cls = cellClass(cell, text);
  return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;
}

/**
 * One self-contained HTML page (no external resources), written atomically. Tables sit in a
 * container that scrolls sideways on a narrow screen instead of squeezing their columns: every
 * cell keeps a minimum width, long ids break anywhere rather than stretch a column, and prose
 * gets a readable measure. Values are shown in words (counts as "12 rooms, 1 add-in"), never JSON.
 */
export async function writeReport(file: string, report: Report): Promise<void> {
  const section = (s: ReportSection) => {
    const limit = s.limit ?? 5000;
    const shown = s.rows.slice(0, limit);
    const more = s.rows.length - shown.length;
    return `<section><h2>${escapeHtml(s.title)} <small>(${s.rows.length})</small></h2>
${s.intro ? `<p>${escapeHtml(s.intro)}</p>` : ''}
${
  s.rows.length === 0
    ? '<p class="none">None.</p>'
    : `<div class="table"><table><thead><tr>${s.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>
${shown.map((row) => `<tr>${row.map(cellHtml).join('')}</tr>`).join('\n')}
</tbody></table></div>${more > 0 ? `<p>… and ${more} more.</p>` : ''}`
}</section>`;
  };
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:80rem}
h1{font-size:1.5rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin-top:2rem}small{color:#57606a;font-weight:normal}
.table{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;min-width:100%}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;min-width:6ch;overflow-wrap:break-word}
th{background:#f6f8fa}
td.num{text-align:right;white-space:nowrap}
td.long{overflow-wrap:anywhere;min-width:18ch}
td.text{min-width:20ch}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}.none{color:#57606a}
@media (max-width:40rem){body{margin:1rem}dl{grid-template-columns:minmax(0,1fr)}dd{margin-bottom:.4rem}}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
<dl>${report.summary.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(inWords(v))}</dd>`).join('')}</dl>
${report.sections.map(section).join('\n')}
</body></html>
`;
  await writeFile(`${file}.partial`, html);
  await rename(`${file}.partial`, file);
}
