//! The JSON contract (docs/json.md, the types in `wm::render::json`): every
//! document a command prints with `--json`, snapshotted whole.
//!
//! Each test builds the same fixture (the seed plan of issue 42 with some
//! progress, a loose task, commits in a real repository), runs commands and
//! snapshots their stdout. Before a snapshot, the printed text is checked to
//! be exactly the canonical form of its JSON (pretty, keys sorted, one
//! trailing newline), so the snapshot of the parsed document pins the bytes.
//! Random and time-dependent values are redacted in the parsed document:
//! task ids become `<T1>`.. in creation order (short ids `<T1:short>`),
//! commit shas `<C1>`.. in commit order (abbreviations `<C1:short>`),
//! task times (`created_at`, `updated_at`, `closed_at`, a forced transition's
//! `at`) `[time]`, and the test's directory `[dir]`. Commit dates are fixed
//! by the fixture and shown as they are.

use crate::common::Env;
use crate::git::commit_with;

use git2::{Oid, Repository};
use serde_json::Value;

/// The fixture: the environment, the repository, task ids in creation
/// order and commit shas in commit order.
struct Fx {
    env: Env,
    repo: Repository,
    ids: Vec<String>,
    shas: Vec<String>,
}

// Task ids by creation order (indexes into `Fx::ids`).
const EPIC: usize = 0;
const ANALYSIS: usize = 1;
const BACKUP: usize = 2;
const IMPLEMENT: usize = 3;
const CONFIG: usize = 4;
const STAGING: usize = 5;
const DOCS: usize = 7;
const LOOSE: usize = 8;
const RUNBOOK: usize = 9;

impl Fx {
    fn id(&self, k: usize) -> &str {
        &self.ids[k]
    }

    /// Commit on HEAD with a fixed date; the sha is remembered for
    /// redaction.
    fn commit(&mut self, msg: &str) -> String {
        let parents: Vec<git2::Commit> = self
            .repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let sha = commit_with(&self.repo, msg, &parents.iter().collect::<Vec<_>>());
        self.shas.push(sha.clone());
        sha
    }

    /// Replace HEAD by a commit with `msg` and delete the old commit's
    /// object: a linked sha the repository no longer has.
    fn rewrite_head(&mut self, msg: &str) {
        let old = self.repo.head().unwrap().peel_to_commit().unwrap();
        let old_sha = old.id().to_string();
        let parents: Vec<git2::Commit> = old.parents().collect();
        let branch = self.repo.head().unwrap().name().unwrap().to_string();
        self.repo
            .reference(&branch, parents[0].id(), true, "rewrite")
            .unwrap();
        let new = commit_with(&self.repo, msg, &parents.iter().collect::<Vec<_>>());
        self.shas.push(new);
        drop(old);
        let objects = self.repo.path().join("objects");
        std::fs::remove_file(objects.join(&old_sha[..2]).join(&old_sha[2..])).unwrap();
        let fresh = Repository::open(self.repo.path()).unwrap();
        assert!(fresh.find_commit(Oid::from_str(&old_sha).unwrap()).is_err());
    }

    /// Run `wm`, require exit `code`, check the text is the canonical form
    /// of its JSON, and return the document redacted.
    fn doc(&self, args: &[&str], code: i32) -> Value {
        let out = self.env.run(args).code(code).stdout();
        let mut v: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("wm {}: bad JSON ({e}):\n{out}", args.join(" ")));
        let canonical = format!("{}\n", serde_json::to_string_pretty(&v).unwrap());
        assert_eq!(
            out,
            canonical,
            "wm {}: not printed in the canonical form",
            args.join(" ")
        );
        assert_eq!(v["schema_version"], 1, "wm {}", args.join(" "));
        self.redact(&mut v, None);
        v
    }

    /// Pretty text of a redacted document, for a snapshot.
    fn snap(&self, args: &[&str], code: i32) -> String {
        serde_json::to_string_pretty(&self.doc(args, code)).unwrap()
    }

    fn redact(&self, v: &mut Value, key: Option<&str>) {
        match v {
            Value::String(s) => {
                if matches!(key, Some("created_at" | "updated_at" | "closed_at" | "at")) {
                    *s = "[time]".into();
                } else {
                    *s = self.redact_text(s);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.redact(item, None);
                }
            }
            Value::Object(map) => {
                // A graph node's short id: the prefix of its task's id.
                let task = map
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| self.ids.iter().position(|t| t == id));
                if let (Some(k), Some(Value::String(short))) = (task, map.get_mut("short_id")) {
                    assert!(self.ids[k].starts_with(short.as_str()));
                    *short = format!("<T{}:short>", k + 1);
                }
                for (k, item) in map.iter_mut() {
                    if k != "short_id" || task.is_none() {
                        self.redact(item, Some(k));
                    }
                }
            }
            _ => {}
        }
    }

    fn redact_text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (k, sha) in self.shas.iter().enumerate() {
            out = out.replace(sha.as_str(), &format!("<C{}>", k + 1));
            out = out.replace(&sha[..7], &format!("<C{}:short>", k + 1));
        }
        for (k, id) in self.ids.iter().enumerate() {
            out = out.replace(id.as_str(), &format!("<T{}>", k + 1));
        }
        for dir in [
            self.env.path().to_path_buf(),
            self.env.path().canonicalize().unwrap(),
        ] {
            out = out.replace(&dir.display().to_string(), "[dir]");
        }
        out
    }
}

/// The seed plan of issue 42 (epic and seven tasks), a loose task with an
/// explicit dependency and every optional field, a ready task, estimates;
/// the analysis completed with a commit, the backups in progress, staging
/// forced to completed past its dependencies, the docs linked to a commit
/// the repository lost.
fn fixture() -> Fx {
    let env = Env::new();
    std::fs::remove_dir(env.path().join(".git")).unwrap();
    let repo = Repository::init(env.path()).unwrap();
    let s = env.seed_plan(42);
    let mut ids = vec![s.epic.clone()];
    ids.extend(s.tasks().iter().map(|t| t.to_string()));
    let mut fx = Fx {
        env,
        repo,
        ids,
        shas: Vec::new(),
    };
    let e = &fx.env;
    let implement = fx.id(IMPLEMENT).to_string();
    let loose = e.create(
        "Loose task",
        &[
            "--type=task",
            "--assignee=alice",
            "--description=multi\nline \"quoted\" ünïcode",
            "--label=infra",
            "--label=urgent",
            "--estimate=1w",
            &format!("--depends-on={implement}"),
        ],
    );
    fx.ids.push(loose);
    let runbook = e.create("Write runbook", &["--type=task", "--phase=docs"]);
    fx.ids.push(runbook);
    let e = &fx.env;
    e.ok(&["tasks", "update", fx.id(IMPLEMENT), "--estimate", "3d"]);
    e.ok(&["tasks", "update", fx.id(CONFIG), "--estimate", "2h"]);

    let analysis = fx.id(ANALYSIS).to_string();
    let c1 = fx.commit(&format!("Analyze infra\n\nTask: {analysis}"));
    fx.commit("Unrelated change");
    fx.commit("Mention GH#42 here");
    let e = &fx.env;
    e.ok(&["tasks", "done", &analysis, "--commit", &c1]);
    e.ok(&["tasks", "start", fx.id(BACKUP)]);
    e.ok(&["tasks", "done", fx.id(STAGING), "--force"]);

    let docs = fx.id(DOCS).to_string();
    let draft = fx.commit("GH#42: docs draft");
    fx.env.ok(&["tasks", "link", &docs, &draft]);
    fx.rewrite_head("GH#42: docs draft, reworded");
    fx
}

#[test]
fn task_lists() {
    let fx = fixture();
    for (name, args) in [
        ("list", vec!["tasks", "list", "--json"]),
        ("ready", vec!["tasks", "ready", "--json"]),
        ("blocked", vec!["tasks", "blocked", "--json"]),
        ("order", vec!["tasks", "order", "--json"]),
        (
            "order_issue",
            vec!["tasks", "order", "--issue", "42", "--json"],
        ),
        (
            "list_empty",
            vec!["tasks", "list", "--status", "cancelled", "--json"],
        ),
    ] {
        insta::assert_snapshot!(name, fx.snap(&args, 0));
    }
}

#[test]
fn show() {
    let fx = fixture();
    for (name, k) in [
        ("show_linked", ANALYSIS),
        ("show_forced", STAGING),
        ("show_missing_commit", DOCS),
        ("show_all_fields", LOOSE),
        ("show_epic", EPIC),
    ] {
        insta::assert_snapshot!(name, fx.snap(&["tasks", "show", fx.id(k), "--json"], 0));
    }
}

#[test]
fn next_and_claim() {
    let fx = fixture();
    insta::assert_snapshot!("next", fx.snap(&["tasks", "next", "--json"], 0));
    let nothing = ["tasks", "next", "--type", "review", "--json"];
    insta::assert_snapshot!("next_nothing", fx.snap(&nothing, 4));
    let nothing = [
        "tasks",
        "claim",
        "--type",
        "review",
        "--assignee",
        "ci",
        "--json",
    ];
    insta::assert_snapshot!("claim_nothing", fx.snap(&nothing, 4));
    insta::assert_snapshot!(
        "claim",
        fx.snap(&["tasks", "claim", "--assignee", "ci", "--json"], 0)
    );
}

#[test]
fn graph() {
    let fx = fixture();
    insta::assert_snapshot!("graph", fx.snap(&["tasks", "graph", "--json"], 0));
    insta::assert_snapshot!(
        "graph_by_phase",
        fx.snap(&["tasks", "graph", "--by-phase", "--json"], 0)
    );
}

#[test]
fn waves_critical_path_why() {
    let fx = fixture();
    insta::assert_snapshot!("waves", fx.snap(&["tasks", "waves", "--json"], 0));
    insta::assert_snapshot!(
        "critical_path",
        fx.snap(&["tasks", "critical-path", "--json"], 0)
    );
    insta::assert_snapshot!(
        "critical_path_nothing",
        fx.snap(&["tasks", "critical-path", "--issue", "99", "--json"], 0)
    );
    insta::assert_snapshot!(
        "why_task",
        fx.snap(&["tasks", "why", fx.id(CONFIG), "--json"], 0)
    );
    insta::assert_snapshot!(
        "why_epic",
        fx.snap(&["tasks", "why", fx.id(EPIC), "--json"], 0)
    );
    insta::assert_snapshot!(
        "why_ready",
        fx.snap(&["tasks", "why", fx.id(RUNBOOK), "--json"], 0)
    );
}

#[test]
fn check_report() {
    let fx = fixture();
    insta::assert_snapshot!("check", fx.snap(&["tasks", "check", "--json"], 0));
    insta::assert_snapshot!(
        "check_strict",
        fx.snap(&["tasks", "check", "--strict", "--json"], 5)
    );
    // A dangling dependency (an error) by hand.
    let loose = fx.id(LOOSE);
    let text = fx.env.read();
    let at = text.find(&format!("id: {loose}")).unwrap();
    let dep = at + text[at..].find("    depends_on:\n").unwrap() + "    depends_on:\n".len();
    fx.env.write(&format!(
        "{}      - nope1234\n{}",
        &text[..dep],
        &text[dep..]
    ));
    insta::assert_snapshot!("check_errors", fx.snap(&["tasks", "check", "--json"], 5));
    // The gates need a valid store: its errors, in the check report form.
    insta::assert_snapshot!(
        "gates_invalid_store",
        fx.snap(&["tasks", "check", "--require-linked", "--json"], 5)
    );
    // Unparseable: no task count, the parse error located.
    fx.env.write("version: 1\ntasks:\n  - id: [\n");
    insta::assert_snapshot!(
        "check_unparseable",
        fx.snap(&["tasks", "check", "--json"], 5)
    );
}

#[test]
fn check_gates() {
    let fx = fixture();
    let range = format!("{}..HEAD", fx.shas[0]);
    insta::assert_snapshot!(
        "gates_commits",
        fx.snap(&["tasks", "check", "--commits", &range, "--json"], 3)
    );
    insta::assert_snapshot!(
        "gates_commits_pass",
        fx.snap(
            &[
                "tasks",
                "check",
                "--commits",
                &range,
                "--allow",
                "^(Unrelated|Mention|GH)",
                "--json"
            ],
            0
        )
    );
    insta::assert_snapshot!(
        "gates_require_linked",
        fx.snap(&["tasks", "check", "--require-linked", "--json"], 3)
    );
}

#[test]
fn gate_errors_count_the_findings() {
    let fx = fixture();
    let range = format!("{}..HEAD", fx.shas[0]);
    let doc = fx.doc(
        &[
            "tasks",
            "check",
            "--commits",
            &range,
            "--require-linked",
            "--json",
        ],
        3,
    );
    let findings = doc["findings"].as_array().unwrap().len();
    assert!(findings > 1, "{doc}");
    assert_eq!(doc["errors"], findings, "{doc}");
    assert_eq!(doc["ok"], false);
}

#[test]
fn scan_and_log() {
    let mut fx = fixture();
    let runbook = fx.id(RUNBOOK).to_string();
    let implement = fx.id(IMPLEMENT).to_string();
    fx.commit(&format!("Start runbook {runbook}"));
    fx.commit(&format!("Finish runbook\n\nCloses {runbook}"));
    fx.commit(&format!("Closes {implement} too early\n\nTask: zzzzzzzz"));
    insta::assert_snapshot!(
        "scan_range_close",
        fx.snap(&["tasks", "scan", "HEAD~3..HEAD", "--close", "--json"], 0)
    );
    insta::assert_snapshot!("scan", fx.snap(&["tasks", "scan", "--json"], 0));
    insta::assert_snapshot!("scan_again", fx.snap(&["tasks", "scan", "--json"], 0));
    insta::assert_snapshot!(
        "log",
        fx.snap(&["tasks", "log", "--issue", "42", "--json"], 0)
    );
    insta::assert_snapshot!(
        "log_empty",
        fx.snap(&["tasks", "log", "--issue", "7", "--json"], 0)
    );
}

#[test]
fn templates_and_workflows() {
    let fx = fixture();
    let dir = fx.env.path().join(".wm/templates");
    std::fs::create_dir_all(&dir).unwrap();
    let devops = fx.env.ok(&["tasks", "templates", "show", "devops"]);
    std::fs::write(dir.join("devops.yaml"), devops).unwrap();
    std::fs::write(dir.join("broken.yaml"), "name: broken\nnope: 1\n").unwrap();
    insta::assert_snapshot!("templates", fx.snap(&["tasks", "templates", "--json"], 0));
    insta::assert_snapshot!("workflows", fx.snap(&["tasks", "workflows", "--json"], 0));
    insta::assert_snapshot!(
        "workflows_one",
        fx.snap(&["tasks", "workflows", "full-stack", "--json"], 0)
    );
}
