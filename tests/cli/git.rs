//! Tasks and commits: link, scan, show, log, branch defaults, the hook and
//! the CI gates, against real repositories built with git2.

use crate::common::Env;

use std::path::Path;

use git2::{Oid, Repository, Signature, Time};

/// A real repository in the test's directory (replacing the `.git` marker).
fn repo_env() -> (Env, Repository) {
    let env = Env::new();
    std::fs::remove_dir(env.path().join(".git")).unwrap();
    let repo = Repository::init(env.path()).unwrap();
    (env, repo)
}

/// Commit a change on HEAD with `msg`; returns the full sha. Dates are
/// fixed (2023-11-14 22:13 UTC plus `n` minutes) so output is stable.
fn commit(repo: &Repository, msg: &str) -> String {
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    commit_with(repo, msg, &parents.iter().collect::<Vec<_>>())
}

/// A commit of `work.txt` with a fixed author and a time stamp a minute
/// after the last: the same sha on every run. (Shared with json_contract.)
pub(crate) fn commit_with(repo: &Repository, msg: &str, parents: &[&git2::Commit]) -> String {
    let n = count(repo) as i64;
    let workdir = repo.workdir().unwrap();
    std::fs::write(workdir.join("work.txt"), format!("{msg}\n{n}\n")).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("work.txt")).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::new(
        "Alice Doe",
        "alice@example.com",
        &Time::new(1_700_000_000 + n * 60, 0),
    )
    .unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, parents)
        .unwrap()
        .to_string()
}

fn count(repo: &Repository) -> usize {
    let Ok(mut walk) = repo.revwalk() else {
        return 0;
    };
    if walk.push_head().is_err() {
        return 0;
    }
    walk.count()
}

fn checkout_new_branch(repo: &Repository, name: &str) {
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    repo.branch(name, &head, false).unwrap();
    repo.set_head(&format!("refs/heads/{name}")).unwrap();
}

/// Rewrite HEAD (like `commit --amend` or a rebase) and then drop the old
/// commit's object, as `git gc` does once nothing references it: the old
/// sha no longer exists in the repository.
fn rewrite_head(repo: &Repository, msg: &str) -> String {
    let old = repo.head().unwrap().peel_to_commit().unwrap();
    let old_sha = old.id().to_string();
    let parents: Vec<git2::Commit> = old.parents().collect();
    // Move the branch back to the parent, then commit the new version.
    let branch = repo.head().unwrap().name().unwrap().to_string();
    repo.reference(&branch, parents[0].id(), true, "rewrite")
        .unwrap();
    let new = commit_with(repo, msg, &parents.iter().collect::<Vec<_>>());
    drop(old);
    let obj = repo
        .path()
        .join("objects")
        .join(&old_sha[..2])
        .join(&old_sha[2..]);
    std::fs::remove_file(obj).unwrap();
    let fresh = Repository::open(repo.path()).unwrap();
    assert!(fresh.find_commit(Oid::from_str(&old_sha).unwrap()).is_err());
    new
}

fn commits_of(env: &Env, id: &str) -> Vec<String> {
    let doc = env.json(&["tasks", "show", id, "--json"]);
    doc["task"]["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn link_records_a_commit_once_and_show_reads_it() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    let sha = commit(&repo, "Survey the network\n\nLong body.");
    env.run(&["tasks", "link", &s.analysis])
        .code(0)
        .stdout_has(&format!(
            "linked {} \"Survey the network\" to {}",
            &sha[..7],
            s.analysis
        ));
    assert_eq!(commits_of(&env, &s.analysis), vec![sha.clone()]);
    let before = env.read();
    // Idempotent: the same commit again changes nothing, by any name.
    env.run(&["tasks", "link", &s.analysis, &sha[..10]])
        .code(0)
        .stderr_has("already linked");
    assert_eq!(env.read(), before);

    let out = env.ok(&["tasks", "show", &s.analysis]);
    assert!(
        out.contains(&format!(
            "{}  2023-11-14 22:13 UTC  Alice Doe  Survey the network",
            &sha[..7]
        )),
        "{out}"
    );
    let doc = env.json(&["tasks", "show", &s.analysis, "--json"]);
    assert_eq!(doc["linked_commits"][0]["found"], true);
    assert_eq!(doc["linked_commits"][0]["author"], "Alice Doe");
    assert_eq!(doc["linked_commits"][0]["date"], "2023-11-14T22:13:20Z");

    env.run(&["tasks", "link", &s.analysis, "no-such-rev"])
        .code(2)
        .stderr_has("names no commit");
}

#[test]
fn outside_a_repository_git_commands_say_so_and_others_work() {
    let env = Env::new(); // a `.git` marker directory, not a repository
    let s = env.seed_plan(42);
    for args in [
        vec!["tasks", "link", s.analysis.as_str()],
        vec!["tasks", "scan"],
        vec!["tasks", "log", "--issue", "42"],
        vec!["tasks", "check", "--commits", "HEAD"],
        vec!["tasks", "hook", "install"],
    ] {
        env.run(&args).code(2).stderr_has("needs a Git repository");
    }
    assert_eq!(env.ids(&["tasks", "list"]).len(), 8);
    env.ok(&["tasks", "start", &s.analysis]);
    env.ok(&["tasks", "show", &s.analysis]);
    // --require-linked reads only the store.
    env.ok(&["tasks", "check", "--require-linked"]);
}

#[test]
fn scan_links_references_and_remembers_where_it_stopped() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    let c1 = commit(&repo, &format!("Inventory hosts for {}", s.analysis));
    let c2 = commit(
        &repo,
        &format!("Snapshot volumes\n\nTask: {}\nTask: zzzzzzzz\n", s.backup),
    );
    let _c3 = commit(
        &repo,
        &format!(
            "Mention {} only by a short prefix; see GH#42",
            &s.config[..4]
        ),
    );
    let doc = env.json(&["tasks", "scan", "--json"]);
    assert_eq!(doc["scanned"], 3);
    let linked: Vec<(String, String)> = doc["linked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["task"].as_str().unwrap().into(),
                l["commit"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        linked,
        [
            (s.analysis.clone(), c1.clone()),
            (s.backup.clone(), c2.clone())
        ]
    );
    assert_eq!(doc["unknown"][0]["reference"], "zzzzzzzz");
    assert_eq!(commits_of(&env, &s.analysis), [c1]);
    assert!(commits_of(&env, &s.config).is_empty());
    let head = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let text = env.read();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1..3], ["version: 1", "scan:"], "{text}");
    // A sha starting with a digit is quoted (it could read as a number).
    assert_eq!(
        lines[3].trim_start_matches("  head: ").trim_matches('"'),
        head
    );

    // Incremental: nothing new, nothing written.
    let before = env.read();
    let doc = env.json(&["tasks", "scan", "--json"]);
    assert_eq!(doc["scanned"], 0);
    assert_eq!(doc["linked"].as_array().unwrap().len(), 0);
    assert_eq!(env.read(), before);

    // One new commit: only it is read.
    let c4 = commit(&repo, &format!("Apply firewall rules ({})", s.implement));
    env.run(&["tasks", "scan"])
        .code(0)
        .stdout_has(&format!("linked   {}  {}", s.implement, &c4[..7]))
        .stderr_has("scanned 1 commit:");

    // An explicit range re-reads old history; links stay single.
    let doc = env.json(&["tasks", "scan", "HEAD", "--json"]);
    assert_eq!(doc["scanned"], 4);
    assert_eq!(doc["linked"].as_array().unwrap().len(), 0);
}

#[test]
fn scan_close_completes_what_the_rules_allow_and_reports_the_rest() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    commit(&repo, &format!("Inventory done\n\nFixes {}", s.analysis));
    let refused = commit(&repo, &format!("Firewall rules\n\nCloses: {}", s.implement));
    let doc = env.json(&["tasks", "scan", "--close", "--json"]);
    assert_eq!(doc["closed"][0]["task"], s.analysis.as_str());
    assert_eq!(doc["refused"][0]["task"], s.implement.as_str());
    assert_eq!(doc["refused"][0]["commit"], refused.as_str());
    assert!(
        doc["refused"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("unfinished dependencies"),
        "{doc}"
    );
    let status = |id: &str| env.json(&["tasks", "show", id, "--json"])["task"]["status"].clone();
    assert_eq!(status(&s.analysis), "completed");
    assert_eq!(status(&s.implement), "pending");
    // Refused, but still linked, and nothing was forced.
    assert_eq!(commits_of(&env, &s.implement), [refused]);
    assert!(!env.read().contains("forced:"));

    // Once the dependencies are done, a later closing commit goes through.
    env.ok(&["tasks", "done", &s.backup]);
    commit(&repo, &format!("Resolves {}", s.implement));
    env.run(&["tasks", "scan", "--close"])
        .code(0)
        .stdout_has(&format!("closed   {}", s.implement));
    assert_eq!(status(&s.implement), "completed");
}

#[test]
fn a_rebased_away_commit_is_shown_missing_and_rescanned_around() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    commit(&repo, "Base");
    let old = commit(&repo, &format!("WIP {}", s.analysis));
    env.ok(&["tasks", "scan"]);
    let new = rewrite_head(&repo, &format!("Inventory hosts {}", s.analysis));
    let out = env.ok(&["tasks", "show", &s.analysis]);
    assert!(out.contains(&format!("{}  MISSING", &old[..7])), "{out}");
    let doc = env.json(&["tasks", "show", &s.analysis, "--json"]);
    assert_eq!(doc["linked_commits"][0]["found"], false);
    assert_eq!(doc["linked_commits"][0]["sha"], old.as_str());
    // The bookmark vanished too: the next scan starts over and says why.
    env.run(&["tasks", "scan"])
        .code(0)
        .stderr_has("no longer in the history")
        .stdout_has(&format!("linked   {}  {}", s.analysis, &new[..7]));
    assert_eq!(commits_of(&env, &s.analysis), [old, new]);
}

#[test]
fn log_lists_an_issues_commits_and_mentions() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    let t43 = env.create("GH#43: Other work", &["--type=impl"]);
    let linked = commit(&repo, &format!("Inventory {}", s.analysis));
    let mention = commit(&repo, "Prepare routers (GH#42)");
    commit(&repo, &format!("Unrelated {t43}, GH#43"));
    commit(&repo, "Bump deps");
    env.ok(&["tasks", "scan"]);
    let gone = commit(&repo, &format!("Snapshot {}", s.backup));
    env.ok(&["tasks", "link", &s.backup]);
    rewrite_head(&repo, "Snapshot volumes");

    let out = env.ok(&["tasks", "log", "--issue", "42"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with(&mention[..7]) && lines[0].ends_with("[GH#42]"),
        "{out}"
    );
    assert!(
        lines[1].starts_with(&linked[..7]) && lines[1].ends_with(&format!("[{}]", s.analysis)),
        "{out}"
    );
    assert_eq!(
        lines[2],
        format!(
            "{}  MISSING (not in this repository)  [{}]",
            &gone[..7],
            s.backup
        )
    );
    let doc = env.json(&["tasks", "log", "--issue", "42", "--json"]);
    assert_eq!(doc["commits"].as_array().unwrap().len(), 3);
    assert_eq!(doc["commits"][0]["mentions_issue"], true);
    assert_eq!(doc["commits"][2]["found"], false);
    env.run(&["tasks", "log"])
        .code(2)
        .stderr_has("pass --issue");
}

#[test]
fn branch_names_give_create_plan_and_log_a_default_issue() {
    let (env, repo) = repo_env();
    env.seed_plan(41);
    commit(&repo, "Base");
    checkout_new_branch(&repo, "feature/GH-42-network-hardening");
    let run = env.run(&[
        "tasks",
        "create",
        "--title",
        "Rotate keys",
        "--type=impl",
        "--phase=impl",
    ]);
    let run = run.code(0).stderr_has(
        "using issue #42 from the branch feature/GH-42-network-hardening (pass --issue to choose another)",
    );
    let id = run.stdout().trim().to_string();
    assert_eq!(
        env.json(&["tasks", "show", &id, "--json"])["task"]["issue"],
        42
    );
    // An explicit --issue or a GH# title wins, silently.
    let run = env
        .run(&["tasks", "create", "--title", "GH#41: More", "--phase=docs"])
        .code(0);
    assert!(!run.stderr().contains("from the branch"));

    // Issue 14: the branch's issue is a default for writes only; `list`,
    // like `ready`, `next` and `claim`, reads every issue.
    let run = env.run(&["tasks", "list", "--format", "ids"]).code(0);
    assert!(
        !run.stderr().contains("from the branch"),
        "{}",
        run.stderr()
    );
    assert_eq!(env.ids(&["tasks", "list"]).len(), 10);
    assert_eq!(env.ids(&["tasks", "list", "--all-issues"]).len(), 10);
    assert_eq!(
        env.ids(&["tasks", "list", "--issue", "42"]),
        vec![id.clone()]
    );
    assert_eq!(env.ids(&["tasks", "list", "--issue", "41"]).len(), 9);
    commit(&repo, &format!("Rotate ({id})"));
    env.ok(&["tasks", "scan"]);
    env.run(&["tasks", "log"])
        .code(0)
        .stdout_has(&format!("[{id}]"));

    // `plan` takes the branch's issue too.
    env.run(&[
        "tasks",
        "plan",
        "--template",
        "infrastructure",
        "--title",
        "Network hardening",
    ])
    .code(0)
    .stderr_has("using issue #42 from the branch");
    assert_eq!(env.ids(&["tasks", "list", "--issue", "42"]).len(), 9);

    // Another branch naming no issue: no default.
    checkout_new_branch(&repo, "main-ish");
    assert_eq!(env.ids(&["tasks", "list"]).len(), 18);
}

fn run_hook(env: &Env, hook: &Path, msg_file: &Path, source: Option<&str>) {
    let bin = Path::new(env!("CARGO_BIN_EXE_wm")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new(hook);
    cmd.arg(msg_file)
        .current_dir(env.path())
        .env("PATH", path)
        .env_remove("WM_TASKS_FILE")
        .env_remove("WM_BIN");
    if let Some(s) = source {
        cmd.arg(s);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "hook failed: {out:?}");
}

#[test]
fn the_hook_adds_a_trailer_for_the_one_task_in_progress() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    commit(&repo, "Base");
    checkout_new_branch(&repo, "feature/GH-42-network-hardening");
    env.run(&["tasks", "hook", "install"])
        .code(0)
        .stderr_has("installed");
    let hook = repo.path().join("hooks").join("prepare-commit-msg");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
            0o111
        );
    }
    // Installing again updates our own hook.
    env.run(&["tasks", "hook", "install"])
        .code(0)
        .stderr_has("updated");

    let msg = env.path().join("MSG");
    // Nothing in progress: untouched.
    std::fs::write(&msg, "Inventory hosts\n").unwrap();
    run_hook(&env, &hook, &msg, Some("message"));
    assert_eq!(std::fs::read_to_string(&msg).unwrap(), "Inventory hosts\n");

    env.ok(&["tasks", "start", &s.analysis]);
    run_hook(&env, &hook, &msg, Some("message"));
    assert_eq!(
        std::fs::read_to_string(&msg).unwrap(),
        format!("Inventory hosts\n\nTask: {}\n", s.analysis)
    );
    // Already there: not added twice.
    run_hook(&env, &hook, &msg, Some("message"));
    assert_eq!(
        std::fs::read_to_string(&msg)
            .unwrap()
            .matches("Task:")
            .count(),
        1
    );
    // Editor template: the trailer goes above git's comments.
    std::fs::write(&msg, "Inventory\n\n# Please enter the commit message.\n").unwrap();
    run_hook(&env, &hook, &msg, None);
    assert_eq!(
        std::fs::read_to_string(&msg).unwrap(),
        format!(
            "Inventory\n\nTask: {}\n\n# Please enter the commit message.\n",
            s.analysis
        )
    );
    // A message naming another task is left alone.
    std::fs::write(&msg, format!("Snapshots\n\nCloses {}\n", s.backup)).unwrap();
    run_hook(&env, &hook, &msg, Some("message"));
    assert!(!std::fs::read_to_string(&msg).unwrap().contains("Task:"));
    // Merge messages are left alone.
    std::fs::write(&msg, "Merge branch 'x'\n").unwrap();
    run_hook(&env, &hook, &msg, Some("merge"));
    assert_eq!(std::fs::read_to_string(&msg).unwrap(), "Merge branch 'x'\n");

    // Two tasks in progress: ambiguous, nothing added.
    env.ok(&["tasks", "update", &s.docs, "--phase", "analysis"]);
    env.ok(&["tasks", "start", &s.docs]);
    std::fs::write(&msg, "Something\n").unwrap();
    run_hook(&env, &hook, &msg, Some("message"));
    assert_eq!(std::fs::read_to_string(&msg).unwrap(), "Something\n");
}

#[test]
fn the_hook_never_replaces_a_foreign_hook() {
    let (env, repo) = repo_env();
    env.seed_plan(42);
    let dir = repo.path().join("hooks");
    std::fs::create_dir_all(&dir).unwrap();
    let hook = dir.join("prepare-commit-msg");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    env.run(&["tasks", "hook", "install"])
        .code(3)
        .stderr_has("was not written by wm; it was left unchanged");
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
}

#[test]
fn check_commits_lists_unreferenced_non_merge_commits() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    let base = commit(&repo, "Base");
    let main_branch = repo.head().unwrap().name().unwrap().to_string();
    checkout_new_branch(&repo, "side");
    let side = commit(&repo, &format!("Side work\n\nTask: {}", s.analysis));
    repo.set_head(&main_branch).unwrap();
    let stray = commit(&repo, "Tweak settings");
    let chore = commit(&repo, "chore: bump versions");
    commit(&repo, "Prepare routers, GH#42");
    commit(&repo, "Plan for GH#99 only");
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let side_c = repo.find_commit(Oid::from_str(&side).unwrap()).unwrap();
    commit_with(&repo, "Merge branch 'side'", &[&head, &side_c]);
    let linked = commit(&repo, "No words here");
    env.ok(&["tasks", "link", &s.backup, &linked]);
    let range = format!("{base}..HEAD");
    let run = env.run(&["tasks", "check", "--commits", &range]).code(3);
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with(&format!("commit {} \"Tweak settings\"", &stray[..7])),
        "{out}"
    );
    assert!(lines[1].contains(&chore[..7]), "{out}");
    assert!(lines[2].contains("Plan for GH#99 only"), "{out}");
    run.stderr_has("check failed: 3 findings");

    let doc: serde_json::Value = serde_json::from_str(
        &env.run(&[
            "tasks",
            "check",
            "--commits",
            &range,
            "--allow",
            "^chore:",
            "--allow",
            "GH#99",
            "--format",
            "json",
        ])
        .code(3)
        .stdout(),
    )
    .unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(doc["findings"][0]["commit"], stray.as_str());
    assert_eq!(doc["findings"][0]["code"], "unreferenced-commit");

    let gh = env
        .run(&[
            "tasks",
            "check",
            "--commits",
            &range,
            "--allow",
            "^(chore|Tweak|Plan)",
            "--format",
            "github",
        ])
        .code(0);
    assert_eq!(gh.stdout(), "");
    let gh = env
        .run(&[
            "tasks",
            "check",
            "--commits",
            &format!("{base}..{stray}"),
            "--format",
            "github",
        ])
        .code(3);
    assert_eq!(
        gh.stdout(),
        format!(
            "::error::commit {} \"Tweak settings\" references no task or issue (add `Task: <id>` or GH#N to its message)\n",
            &stray[..7]
        )
    );
    env.run(&["tasks", "check", "--commits", "nope..HEAD"])
        .code(2)
        .stderr_has("not a revision range");
    env.run(&["tasks", "check", "--commits", "HEAD", "--allow", "("])
        .code(2)
        .stderr_has("not a valid regex");
}

#[test]
fn check_require_linked_points_at_the_tasks_lines() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "done", &s.analysis]);
    env.ok(&["tasks", "done", &s.backup]);
    env.ok(&["tasks", "cancel", &s.implement]);
    commit(&repo, "Snapshots");
    env.ok(&["tasks", "link", &s.backup]);
    // Epic completed without a commit is exempt (forced past its children).
    env.ok(&["tasks", "done", &s.epic, "--force"]);

    let text = env.read();
    let line = text
        .lines()
        .position(|l| l == format!("  - id: {}", s.analysis))
        .unwrap()
        + 1;
    let run = env
        .run(&["tasks", "check", "--require-linked", "--format", "github"])
        .code(3);
    assert_eq!(
        run.stdout(),
        format!(
            "::error file=tasks.yaml,line={line}::completed task {} \"GH#42: Analyze current infrastructure\" has no linked commit (`wm tasks link {} REV`)\n",
            s.analysis, s.analysis
        )
    );
    env.run(&["tasks", "check", "--require-linked"])
        .code(3)
        .stdout_has(&format!("tasks.yaml:{line}: completed task {}", s.analysis));
    let doc: serde_json::Value = serde_json::from_str(
        &env.run(&["tasks", "check", "--require-linked", "--format", "json"])
            .code(3)
            .stdout(),
    )
    .unwrap();
    assert_eq!(doc["findings"][0]["line"], line as u64);
    assert_eq!(doc["findings"][0]["task"], s.analysis.as_str());

    env.ok(&["tasks", "link", &s.analysis]);
    env.run(&["tasks", "check", "--require-linked", "--format", "github"])
        .code(0)
        .stderr_has("check passed");
}

#[test]
fn issue14_hook_uninstall_other_branch_convention_and_done_commit_id() {
    let (env, repo) = repo_env();
    let s = env.seed_plan(41);
    commit(&repo, "Base");
    // `feature/104-invoice`: the other convention of the monorepo.
    checkout_new_branch(&repo, "feature/104-invoice");
    env.run(&[
        "tasks",
        "create",
        "--title",
        "Invoice store",
        "--phase=impl",
    ])
    .code(0)
    .stderr_has("using issue #104 from the branch feature/104-invoice");
    // Reads ignore the branch: every issue is listed.
    assert_eq!(env.ids(&["tasks", "list"]).len(), 9);

    // `done --commit ID` links HEAD to ID.
    env.ok(&["tasks", "done", &s.analysis]);
    let head = commit(&repo, "Backups");
    env.run(&["tasks", "done", "--commit", &s.backup])
        .code(0)
        .stdout_has(&format!("{} completed {head}", s.backup));

    let hook = repo.path().join("hooks").join("prepare-commit-msg");
    env.ok(&["tasks", "hook", "install"]);
    assert!(hook.exists());
    env.run(&["tasks", "hook", "uninstall"])
        .code(0)
        .stderr_has("removed");
    assert!(!hook.exists());
    env.run(&["tasks", "hook", "uninstall"])
        .code(0)
        .stderr_has("no hook");
    // A hook someone else wrote is left alone.
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    env.run(&["tasks", "hook", "uninstall"]).code(3);
    assert!(hook.exists());
}
