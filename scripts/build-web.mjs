// Builds the web client (web/ → web/dist) when it is missing or older than its sources:
// type-checks it with web/tsconfig.json, then bundles it with Vite. `npm start` and `npm test`
// run this, so the README's commands need nothing else. Usage: node scripts/build-web.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = 'web';
const output = join(web, 'dist', 'index.html');
const sources = [join(web, 'index.html'), join(web, 'vite.config.ts'), join(web, 'tsconfig.json'), 'package-lock.json'];
for (const f of readdirSync(join(web, 'src'), { recursive: true })) sources.push(join(web, 'src', String(f)));

const newest = Math.max(...sources.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
const fresh = existsSync(output) && statSync(output).mtimeMs >= newest;
if (fresh && !process.argv.includes('--force')) process.exit(0);

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`web client build failed: ${command} ${args.join(' ')}`);
    process.exit(result.status ?? 1);
  }
};
console.log('building the web client (web/dist)…');
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', join(web, 'tsconfig.json')]);
run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn']);
