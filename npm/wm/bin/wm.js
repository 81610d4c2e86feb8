#!/usr/bin/env node
'use strict';
// The `wm` command of the npm package: run the native binary of this
// platform's package with the same arguments, stdio, signals and exit code.

const { spawn } = require('child_process');
const { binaryPath, name, version } = require('../lib/platform');

const tried = [];
const bin = binaryPath(tried);
if (!bin) {
  process.stderr.write(
    `error: ${name}@${version} has no wm binary for this machine (${process.platform}-${process.arch}).\n` +
      `  looked for: ${tried.join(', ')}\n` +
      `  The binary comes in an optional dependency, and package managers skip optional\n` +
      `  dependencies silently: reinstall without --no-optional / --omit=optional, check\n` +
      `  pnpm's supportedArchitectures, or set WM_BINARY to a wm binary\n` +
      `  (cargo install --git <wm repository> builds one).\n`,
  );
  process.exit(127);
}

const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit', windowsHide: true });

// Pass signals sent to the launcher on to wm (a terminal's Ctrl-C reaches
// both already; wm exits on the first).
const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
const handlers = {};
for (const sig of forwarded) {
  handlers[sig] = () => {
    try {
      child.kill(sig);
    } catch (_) {
      // already gone
    }
  };
  try {
    process.on(sig, handlers[sig]);
  } catch (_) {
    // a signal this platform does not have
  }
}

child.on('error', (err) => {
  process.stderr.write(`error: cannot run ${bin}: ${err.message}\n`);
  process.exit(127);
});

child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so the caller sees what wm saw.
    for (const sig of forwarded) process.removeListener(sig, handlers[sig]);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
