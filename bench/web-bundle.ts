// web-bundle: builds the web client for production and measures what a browser downloads:
// the initial JavaScript (the entry script and the modules index.html preloads), gzipped,
// and the whole bundle. Target (issue 20): initial JavaScript < 60 KB gzipped.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { progress, report, ROOT } from './lib/report.js';

const NAME = 'web-bundle';
const log = progress(NAME);
const dist = join(ROOT, 'web', 'dist');

log('building the production bundle (scripts/build-web.mjs --force)');
const built = spawnSync(process.execPath, ['scripts/build-web.mjs', '--force'], { cwd: ROOT, stdio: 'inherit' });
if (built.status !== 0) throw new Error('the web client did not build');

const html = readFileSync(join(dist, 'index.html'), 'utf8');
// What index.html loads before anything runs: its module scripts and modulepreload links.
const initial = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)].map((m) => m[1] ?? m[2]) as string[];
const files = readdirSync(dist, { recursive: true }).map(String).filter((f) => statSync(join(dist, f)).isFile());
const gz = (f: string) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const raw = (f: string) => statSync(join(dist, f)).size;
const sum = (list: string[], size: (f: string) => number) => list.reduce((n, f) => n + size(f), 0);
const js = files.filter((f) => f.endsWith('.js'));
const css = files.filter((f) => f.endsWith('.css'));

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
report({
  name: NAME,
  figures: {
    'initial JS, gzipped (bytes)': sum(initial, gz),
    'initial JS, raw (bytes)': sum(initial, raw),
    'all JS, gzipped (bytes)': sum(js, gz),
    'CSS, gzipped (bytes)': sum(css, gz),
    'whole bundle, gzipped (bytes)': sum(files, gz),
    'whole bundle, raw (bytes)': sum(files, raw),
    files: files.length,
  },
  targets: [{ metric: 'initial JS gzipped', value: kb(sum(initial, gz)), op: '<=', target: 60, unit: 'KB' }],
  notes: [`initial scripts: ${initial.join(', ')}`, 'gzip level 9 (what a server or CDN would send); fonts are the system stack and icons inline SVG, so nothing else is fetched'],
  details: { files: Object.fromEntries(files.map((f) => [f, { raw: raw(f), gzip: gz(f) }])) },
});
