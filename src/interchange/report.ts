import { writeFile, rename } from 'node:fs/promises';

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

/** One self-contained HTML page (no external resources), written atomically. */
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
    : `<table><thead><tr>${s.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>
${shown.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(typeof cell === 'object' && cell !== null ? JSON.stringify(cell) : cell)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>${more > 0 ? `<p>… and ${more} more.</p>` : ''}`
}</section>`;
  };
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:80rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}small{color:#57606a;font-weight:normal}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f6f8fa}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}.none{color:#57606a}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
<dl>${report.summary.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${report.sections.map(section).join('\n')}
</body></html>
`;
  await writeFile(`${file}.partial`, html);
  await rename(`${file}.partial`, file);
}
