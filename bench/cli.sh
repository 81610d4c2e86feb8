#!/usr/bin/env bash
# Whole-command timings of `wm tasks` on generated stores, against
# Taskwarrior on the same workload when `task` is installed.
#
#   bash bench/cli.sh                 # 1,000 / 10,000 / 100,000 tasks
#   SIZES="1000 10000" bash bench/cli.sh
#   TASKWARRIOR=0 bash bench/cli.sh   # skip the comparison
#
# Three stores per size: the template workload, the peers' workload
# (random DAG, explicit edges) and the template store with a `workflow:`
# block. Writes a Markdown table to bench/RESULTS.md (and prints it). Medians of
# hyperfine runs, release build, whole process; peak memory from
# /usr/bin/time. The floor is `cat tasks.yaml > /dev/null` as a process.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000"}
TASKWARRIOR=${TASKWARRIOR:-1}
TW_MAX=${TW_MAX:-10000}   # Taskwarrior imports slowly; compare up to this size
# On the peers' workload Taskwarrior takes seconds a command from 10,000
# tasks on (8 s on 2026-12-02, 20 s on 2026-12-03: its 40 creates alone
# would take an hour): compared up to this size there.
TW_PEERS_MAX=${TW_PEERS_MAX:-1000}
RUNS=${RUNS:-15}
KINDS=${KINDS:-"template peers gated"}
# Taskwarrior takes seconds a command on the peers' workload from 10,000
# tasks on (its dependency handling): fewer runs there.
TW_SLOW_RUNS=${TW_SLOW_RUNS:-3}

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "installing $2 from Debian's packages..." >&2
        (apt-get install -y -qq "$2" >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq "$2" >/dev/null)) || true
    fi
    command -v "$1" >/dev/null 2>&1
}
need hyperfine hyperfine || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
if [ "$TASKWARRIOR" = 1 ]; then need task taskwarrior || TASKWARRIOR=0; fi
[ -x /usr/bin/time ] || need time time || true

TARGET=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --quiet --bin wm --example gen-store
WM=$TARGET/release/wm
GEN=$TARGET/release/examples/gen-store
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# median seconds of one hyperfine measurement, in ms
median_ms() { python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"; }
peak_mb() { /usr/bin/time -f %M "$@" >/dev/null 2>"$WORK/mem" || true; awk '{v=$1} END {printf "%.0f", v/1024}' "$WORK/mem"; }

bench() { # name prepare command  (runs: $BRUNS, else $RUNS)
    local out="$WORK/h.json" runs=${BRUNS:-$RUNS} warm=${BWARM:-2}
    if [ -n "$2" ]; then
        # No shell around the timed command (-N), as for the floor and the
        # reads: the reset runs in a bash of its own. (Tables before
        # 2026-12-02's second session timed writes through hyperfine's
        # shell, whose start added 1.5-2 ms to every write row.)
        hyperfine -N --warmup "$warm" --runs "$runs" --prepare "bash -c '$2'" --export-json "$out" "$3" >/dev/null 2>&1 \
            || hyperfine --warmup "$warm" --runs "$runs" --prepare "$2" --export-json "$out" "$3" >/dev/null 2>&1
    else
        hyperfine -N --warmup "$warm" --runs "$runs" --export-json "$out" "$3" >/dev/null 2>&1 \
            || hyperfine --warmup "$warm" --runs "$runs" --export-json "$out" "$3" >/dev/null
    fi
    median_ms "$out"
}

has_cmd() { "$WM" tasks "$1" --help >/dev/null 2>&1; }

{
echo "| tasks | store | command | wm (ms) | wm without cache (ms) | Taskwarrior (ms) | floor (ms) | wm peak (MB) | Taskwarrior peak (MB) |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
  # template: the planning template's issues (derived phase edges);
  # peers: the comparison workload (random DAG, explicit edges only);
  # gated: the template's store with the built-in `gated` workflow written
  # into its `workflow:` block.
  for kind in $KINDS; do
    dir="$WORK/$n-$kind"; mkdir -p "$dir"
    # A repository, as in real use: wm keeps its snapshot under .git/wm/.
    git init -q "$dir"
    store="$dir/tasks.yaml"; orig="$dir/orig.yaml"
    case $kind in
        template) "$GEN" --tasks "$n" --seed 1 --out "$orig" --taskwarrior "$dir/tw.json" ;;
        peers) "$GEN" --workload peers --tasks "$n" --seed 1 --out "$orig" --taskwarrior "$dir/tw.json" ;;
        gated) "$GEN" --tasks "$n" --seed 1 --workflow gated --out "$orig" ;;
    esac
    cp "$orig" "$store"
    export WM_TASKS_FILE="$store"
    issue=$("$WM" tasks list --format ids --status pending | head -1 | xargs -r "$WM" tasks show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"].get("issue") or 1000)')
    show_id=$("$WM" tasks list --issue "$issue" --format ids | sed -n 2p)
    done_id=$("$WM" tasks list --ready --format ids | head -1)
    "$WM" tasks list > /dev/null   # fill the snapshot, as any first read does
    # Writes are timed in the steady state of real use: the store and the
    # snapshot the previous command left (every write leaves one), so the
    # reset restores both; restoring the store alone made every timed write
    # a cache miss that parsed the whole file. A write also leaves the
    # store and snapshot it replaced as spares for the next write to fill
    # (src/store/spare.rs): copies stand in for them. The reset ends with
    # `sync`, as a write ends with its store on disk.
    cache=$(ls "$dir/.git/wm/"*.cache)
    cp "$orig" "${cache%.cache}.yaml.spare"
    cp "$cache" "$cache.spare"
    cp -r "$dir/.git/wm" "$dir/wm.orig"
    floor=$(bench floor "" "cat $store")

    tw=0
    tw_max=$TW_MAX
    [ "$kind" = peers ] && tw_max=$TW_PEERS_MAX
    if [ "$TASKWARRIOR" = 1 ] && [ "$n" -le "$tw_max" ] && [ -f "$dir/tw.json" ]; then
        tw=1
        export TASKRC="$dir/taskrc" TASKDATA="$dir/twdata"
        mkdir -p "$TASKDATA"
        printf 'data.location=%s\nconfirmation=off\nverbose=nothing\ngc=off\n' "$TASKDATA" > "$TASKRC"
        task import "$dir/tw.json" >/dev/null 2>&1
        cp -r "$TASKDATA" "$dir/twdata.orig"
        uuid_of() { python3 - "$dir/tw.json" "$1" <<'PY'
import json, sys
tasks = json.load(open(sys.argv[1]))
title = sys.argv[2]
print(next(t["uuid"] for t in tasks if t["description"] == title))
PY
        }
        title_of() { "$WM" tasks show "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["title"])'; }
        show_uuid=$(uuid_of "$(title_of "$show_id")")
        done_uuid=$(uuid_of "$(title_of "$done_id")")
    fi

    row() { # label wm-command prepare tw-command
        local m nc mem t twmem=""
        # The previous row's writes (40 of a 43 MB file at 100,000 tasks)
        # are still going to disk: let them land before timing this one.
        sync
        m=$(bench "$1" "$3" "$2")
        nc=$(bench "$1 (no cache)" "$3" "env WM_NO_CACHE=1 $2")
        mem=$(eval "$3" >/dev/null 2>&1; eval "peak_mb $2" 2>/dev/null || echo "")
        if [ "$tw" = 1 ] && [ -n "$4" ]; then
            local twprep=""
            [ -n "$3" ] && twprep="rm -rf $TASKDATA && cp -r $dir/twdata.orig $TASKDATA && sync"
            if [ "$kind" = peers ] && [ "$n" -gt 1000 ]; then
                t=$(BRUNS=$TW_SLOW_RUNS BWARM=0 bench "tw $1" "$twprep" "$4")
            else
                t=$(bench "tw $1" "$twprep" "$4")
            fi
            twmem=$(eval "$twprep" >/dev/null 2>&1; eval "peak_mb $4" 2>/dev/null || echo "")
        else
            t=""
        fi
        echo "| $n | $kind | \`$1\` | $m | $nc | $t | $floor | $mem | $twmem |"
    }
    reset="cp $orig $store && rm -rf $dir/.git/wm && cp -r $dir/wm.orig $dir/.git/wm && sync"
    row "list --issue $issue" "$WM tasks list --issue $issue" "" "task project:GH$issue all"
    # hyperfine sends every command's output to /dev/null.
    row "list (all)" "$WM tasks list" "" "task all"
    row "ready" "$WM tasks ready" "" "task ready"
    row "show ID" "$WM tasks show $show_id" "" "task ${show_uuid:-x} info"
    row "create" "$WM tasks create --title=Benchmark --issue $issue" "$reset" "task add Benchmark project:GH$issue"
    row "done ID" "$WM tasks done $done_id" "$reset" "task ${done_uuid:-x} done"
    # The same read after the writes' reset, so that a write can be set
    # against a read that starts where it does: the store copied back and
    # synced, no reader's stamp to vouch for it. The reset's copying and
    # sync slow whatever runs next: a `list` after a reset that left the
    # store alone took 5.6 ms against 4.0 with none (10,000 tasks,
    # 2026-12-04).
    row "list (all) after the writes' reset" "$WM tasks list" "$reset" ""
    # A planning block: 40 creates in a row, each reading what the last wrote.
    row "40 creates in a row (total)" \
        "bash -c 'for i in \$(seq 40); do $WM tasks create --title=Step\$i --issue $issue >/dev/null; done'" \
        "$reset" \
        "bash -c 'for i in \$(seq 40); do task add Step\$i project:GH$issue >/dev/null; done'"
    row "check" "$WM tasks check" "" ""
    unset WM_TASKS_FILE TASKRC TASKDATA
  done
done
} | tee "$WORK/table.md"

{
    echo "# wm tasks: whole-command timings"
    echo
    echo "Generated by \`bash bench/cli.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr),"
    echo "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')."
    [ "$TASKWARRIOR" = 1 ] && echo "Taskwarrior: $(task --version 2>/dev/null), same generated workload (compared up to $TW_MAX tasks, $TW_PEERS_MAX on the peers' store)."
    echo
    cat "$WORK/table.md"
} > bench/RESULTS.md
echo "wrote bench/RESULTS.md" >&2
