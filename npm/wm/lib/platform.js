'use strict';
// Which per-platform package holds the `wm` binary for this machine, and
// where its binary is. No dependencies: Node's standard library only.

const fs = require('fs');
const path = require('path');

const pkg = require('../package.json');
// "@scope/wm" -> "@scope/wm-"; the platform packages share the scope.
const PREFIX = pkg.name + '-';

// glibc or musl, as npm's and pnpm's `libc` field names them, from the
// dynamic loaders present (directory listings: far cheaper than
// process.report, which costs ~8 ms). glibc's wins: a glibc system may
// have musl's loader installed too.
function linuxLibc() {
  let musl = false;
  for (const dir of ['/lib64', '/lib', '/usr/lib']) {
    let names;
    try {
      names = fs.readdirSync(dir);
    } catch (_) {
      continue;
    }
    if (names.some((f) => f.startsWith('ld-linux'))) return 'glibc';
    musl = musl || names.some((f) => f.startsWith('ld-musl-'));
  }
  return musl ? 'musl' : 'glibc';
}

// The package names that can run here, best first. A static (musl) Linux
// binary also runs on glibc, so it is the fallback there.
function candidates(platform, arch, libc) {
  platform = platform || process.platform;
  arch = arch || process.arch;
  if (platform === 'linux') {
    libc = libc || linuxLibc();
    const musl = `${PREFIX}linux-${arch}-musl`;
    return libc === 'musl' ? [musl] : [`${PREFIX}linux-${arch}-gnu`, musl];
  }
  return [`${PREFIX}${platform}-${arch}`];
}

// The binary's path, or null with `tried` filled in.
function binaryPath(tried) {
  if (process.env.WM_BINARY) return process.env.WM_BINARY;
  const exe = process.platform === 'win32' ? 'wm.exe' : 'wm';
  for (const name of candidates()) {
    let manifest;
    try {
      manifest = require.resolve(`${name}/package.json`);
    } catch (_) {
      if (tried) tried.push(name);
      continue;
    }
    const bin = path.join(path.dirname(manifest), 'bin', exe);
    if (fs.existsSync(bin)) return bin;
    if (tried) tried.push(`${name} (installed, but ${bin} is missing)`);
  }
  return null;
}

module.exports = { binaryPath, candidates, linuxLibc, version: pkg.version, name: pkg.name };
