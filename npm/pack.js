#!/usr/bin/env node
'use strict';
// Stage and `npm pack` the main package and the given platform packages.
// Called by pack.sh: node pack.js OUT_DIR SCOPE VERSION BINARY SUFFIX...
// SUFFIX names a platform of platforms.json whose binary is BINARY. The
// main package lists every platform of platforms.json as an optional
// dependency, built here or not.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const [out, scope, version, binary, ...suffixes] = process.argv.slice(2);
if (!out || !scope || !version || !binary || suffixes.length === 0) {
  console.error('usage: node pack.js OUT_DIR SCOPE VERSION BINARY SUFFIX...');
  process.exit(2);
}
if (!/^@[a-z0-9][a-z0-9._-]*$/.test(scope)) {
  console.error(`pack: scope ${JSON.stringify(scope)} is not an npm scope like @acme`);
  process.exit(2);
}
const here = __dirname;
const root = path.dirname(here);
const { platforms } = JSON.parse(fs.readFileSync(path.join(here, 'platforms.json'), 'utf8'));
const main = `${scope}/wm`;
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'wm-npm-'));
fs.mkdirSync(out, { recursive: true });
const outAbs = path.resolve(out);

function copy(from, to, mode) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  if (mode) fs.chmodSync(to, mode);
}

function pack(dir) {
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', outAbs], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim().split('\n').pop();
  console.log(path.join(outAbs, name));
}


// The main package: the launcher, the skill file, every platform optional.
const m = path.join(stage, 'wm');
copy(path.join(here, 'wm/bin/wm.js'), path.join(m, 'bin/wm.js'), 0o755);
copy(path.join(here, 'wm/lib/platform.js'), path.join(m, 'lib/platform.js'));
copy(path.join(here, 'wm/lib/index.js'), path.join(m, 'lib/index.js'));
fs.mkdirSync(m, { recursive: true });
fs.writeFileSync(
  path.join(m, 'README.md'),
  fs.readFileSync(path.join(here, 'wm/README.md'), 'utf8').split('@wm-tasks/').join(`${scope}/`),
);
copy(path.join(root, 'skills/wm-tasks/SKILL.md'), path.join(m, 'skills/wm-tasks/SKILL.md'));
// npm/wm/package.json is the template: name, version and the platform
// packages are set here.
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'wm/package.json'), 'utf8'));
manifest.name = main;
manifest.version = version;
manifest.optionalDependencies = {};
for (const p of platforms) manifest.optionalDependencies[`${main}-${p.suffix}`] = version;
fs.writeFileSync(path.join(m, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
pack(m);

for (const suffix of suffixes) {
  const p = platforms.find((x) => x.suffix === suffix);
  if (!p) {
    console.error(`pack: no platform ${suffix} in platforms.json`);
    process.exit(2);
  }
  const d = path.join(stage, suffix);
  copy(binary, path.join(d, 'bin', p.bin), 0o755);
  const manifest = {
    name: `${main}-${suffix}`,
    version,
    description: `The ${suffix} binary of ${main} (install ${main}, not this).`,
    os: [p.os],
    cpu: [p.cpu],
    files: ['bin'],
    preferUnplugged: true,
  };
  if (p.libc) manifest.libc = [p.libc];
  fs.writeFileSync(path.join(d, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.writeFileSync(path.join(d, 'README.md'), `The ${suffix} binary of [${main}](https://www.npmjs.com/package/${main}).\n`);
  pack(d);
}
fs.rmSync(stage, { recursive: true, force: true });
