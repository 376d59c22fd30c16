#!/usr/bin/env node
// The `pchat` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import('../dist/src/cli/pchat.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli')) {
    console.error('pchat is not built yet: run `npm run build` first.');
    process.exit(1);
  }
  throw error;
});
