#!/usr/bin/env bash
# An agent loop: claim the next task, work on it, then complete it with the
# commit linked. Run as many copies at once as you like: `wm tasks claim`
# picks and starts a task under the store's lock, so no two copies ever get
# the same task.
#
# Usage: examples/agent-loop.sh WORK_COMMAND [ARGS...]
#
# WORK_COMMAND runs once per task with the task id appended to its
# arguments and the task's `show --json` document in $WM_TASK_JSON
# (docs/json.md).
# It does the work and commits it; exit 0 means done. On failure the task
# is put back (`wm tasks reopen`) and the loop stops.
#
# Several copies need one shared store. Typical setup: one git worktree per
# copy, every copy pointing at the same tasks.yaml:
#
#   git worktree add ../agent-1 && cd ../agent-1
#   WM_TASKS_FILE=/path/to/main/tasks.yaml WM_ASSIGNEE=agent-1 \
#     examples/agent-loop.sh ./do-task.sh
#
# Environment: WM (the wm command, default `wm`; with the npm package
# `pnpm wm`, or the binary itself, skipping Node's start:
# WM=$(node -p 'require("@wm-tasks/wm").binaryPath()')), WM_ASSIGNEE
# (default agent-PID), WM_ISSUE (only claim tasks of this issue), WM_POLL
# (seconds to wait while the remaining work is in progress elsewhere,
# default 10).
#
# It stops (exit 0) only when nothing is left for it: everything is done,
# or the rest is blocked outside its selection; it says which on stderr.
# While other copies hold tasks the rest waits for, it polls quietly.
set -u

# WM may be a command with arguments ("pnpm wm"): split it into words.
read -r -a wm <<<"${WM:-wm}"
export WM_ASSIGNEE=${WM_ASSIGNEE:-agent-$$}
poll=${WM_POLL:-10}
scope=()
[ -n "${WM_ISSUE:-}" ] && scope=(--issue "$WM_ISSUE")

if [ $# -eq 0 ]; then
    echo "usage: $0 WORK_COMMAND [ARGS...]" >&2
    exit 2
fi

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

while true; do
    # claim's stderr is kept aside: "nothing to claim" (exit 4) is the
    # normal state of a poll, not an error to print each time.
    id=$("${wm[@]}" tasks claim "${scope[@]}" --quiet 2>"$errors")
    rc=$?
    if [ $rc -eq 4 ]; then
        # Nothing to claim when we asked. Ask why now (docs/json.md,
        # "Nothing to pick"): the answer may have changed since.
        why=$("${wm[@]}" tasks next "${scope[@]}" --json 2>/dev/null)
        case $? in
            0)
                # A task became ready meanwhile (another copy finished its
                # dependency): claim again.
                continue
                ;;
            4) ;;
            *)
                echo "$WM_ASSIGNEE: wm tasks next failed" >&2
                exit 1
                ;;
        esac
        if grep -Eq '"reason": *"in_progress"' <<<"$why"; then
            # Others are working on what the rest waits for: wait for them.
            sleep "$poll"
            continue
        fi
        # all_done, no_tasks, or blocked outside this selection: say why.
        message=$(sed -n 's/^ *"message": *"\(.*\)",\{0,1\}$/\1/p' <<<"$why")
        echo "$WM_ASSIGNEE: stopping: ${message:-nothing left to claim}" >&2
        exit 0
    elif [ $rc -ne 0 ]; then
        cat "$errors" >&2
        echo "$WM_ASSIGNEE: claim failed (exit $rc)" >&2
        exit $rc
    fi
    echo "$WM_ASSIGNEE: working on $id" >&2
    if WM_TASK_JSON=$("${wm[@]}" tasks show "$id" --json) "$@" "$id"; then
        "${wm[@]}" tasks done "$id" --commit --quiet >/dev/null || exit $?
    else
        echo "$WM_ASSIGNEE: work on $id failed; putting it back" >&2
        "${wm[@]}" tasks reopen "$id" --quiet >/dev/null
        exit 1
    fi
done
