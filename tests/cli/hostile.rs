//! Broken and hostile input: a clear error with line and column, a non-zero
//! exit, and the file left byte-for-byte unchanged.

use crate::common::Env;

const TASK: &str = "  - id: aaaa1111\n    title: x\n    type: task\n    status: pending\n    created_at: 2026-01-01T00:00:00Z\n    updated_at: 2026-01-01T00:00:00Z\n";

/// Every command that reads or writes must refuse `bytes` with exit 5 and
/// a message containing `needle`, leaving the file unchanged.
fn refused(bytes: &[u8], needle: &str) {
    let env = Env::new();
    std::fs::write(env.store(), bytes).unwrap();
    for args in [
        vec!["tasks", "list"],
        vec!["tasks", "ready"],
        vec!["tasks", "show", "aaaa"],
        vec!["tasks", "create", "--title=new"],
        vec!["tasks", "start", "aaaa"],
        vec!["tasks", "update", "aaaa", "--title=y"],
        vec!["tasks", "dep", "rm", "aaaa", "--on", "bbbb"],
        vec!["tasks", "delete", "aaaa", "--force"],
    ] {
        let run = env.run(&args);
        assert_eq!(
            run.status(),
            5,
            "wm {} on {needle}: {}",
            args.join(" "),
            run.stderr()
        );
        assert!(
            run.stderr().contains(needle),
            "wm {}: expected {needle:?} in:\n{}",
            args.join(" "),
            run.stderr()
        );
        assert!(run.stdout().is_empty());
        assert_eq!(
            std::fs::read(env.store()).unwrap(),
            bytes,
            "file changed by wm {}",
            args.join(" ")
        );
    }
}

#[test]
fn empty_file() {
    refused(b"", "empty");
    refused(b"\n\n  \n", "empty");
}

#[test]
fn truncated_file() {
    refused(
        b"version: 1\ntasks:\n  - id: aaaa1111\n    title: x\n",
        "missing field `type`",
    );
    refused(
        b"version: 1\ntasks:\n  - id: aaaa1111\n    title: \"unfinished",
        ":4:",
    );
}

#[test]
fn invalid_yaml_has_line_and_column() {
    refused(
        b"version: 1\ntasks:\n  - id: aaaa1111\n    title: ]x\n",
        "tasks.yaml:4:12: misplaced bracket",
    );
}

#[test]
fn tab_indentation() {
    refused(b"version: 1\ntasks:\n\t- id: aaaa1111\n", "tabs");
}

#[test]
fn wrong_types() {
    let text = format!("version: 1\ntasks:\n{TASK}    depends_on: 5\n");
    refused(text.as_bytes(), "`depends_on` must be a list");
    let text = "version: one\ntasks: []\n";
    refused(text.as_bytes(), ":1:");
}

#[test]
fn unknown_fields_suggest_the_nearest_name() {
    let text = format!("version: 1\ntasks:\n{TASK}    dependson:\n      - x\n");
    refused(text.as_bytes(), "did you mean `depends_on`");
    refused(b"versoin: 1\n", "did you mean `version`");
}

#[test]
fn duplicate_keys() {
    let text = format!("version: 1\ntasks:\n{TASK}    title: again\n");
    refused(text.as_bytes(), "`title` appears twice");
}

#[test]
fn duplicate_ids_make_the_graph_invalid() {
    let env = Env::new();
    let text = format!("version: 1\ntasks:\n{TASK}{TASK}");
    env.write(&text);
    env.run(&["tasks", "list"])
        .code(5)
        .stderr_has("duplicate-id");
    env.run(&["tasks", "ready"]).code(5).stderr_has("aaaa1111");
    env.run(&["tasks", "create", "--title=x"]).code(5);
    assert_eq!(env.read(), text);
}

#[test]
fn newer_version() {
    refused(b"version: 2\ntasks: []\n", "version 2");
}

#[test]
fn not_utf8() {
    refused(b"version: 1\ntasks: []\n# caf\xe9\n", "UTF-8");
}

#[test]
fn git_conflict_markers_say_how_to_finish_the_merge() {
    let text = format!(
        "version: 1\ntasks:\n<<<<<<< HEAD\n{TASK}=======\n{}>>>>>>> feature\n",
        TASK.replace("title: x", "title: y")
    );
    refused(text.as_bytes(), "merge is unfinished");
    refused(text.as_bytes(), "tasks.yaml:3:1");
}

#[test]
fn a_100_mb_file_is_refused_before_parsing() {
    let mut bytes = b"version: 1\ntasks: []\n".to_vec();
    bytes.resize(100_000_000, b'#');
    refused(&bytes, "over the");
}

#[test]
fn deep_nesting_fails_fast() {
    let mut text = String::from("version: 1\ntasks: ");
    text.push_str(&"[".repeat(200_000));
    text.push_str(&"]".repeat(200_000));
    refused(text.as_bytes(), "tasks.yaml:2:");
}

#[test]
fn alias_bombs_fail_fast() {
    // Nine-fold expansion over 12 levels: billions of nodes if expanded.
    let mut text = String::from("version: 1\ntasks:\n");
    text.push_str(TASK);
    text.push_str("    labels: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for k in 1..12 {
        let refs = vec![format!("*a{}", k - 1); 9].join(", ");
        text.push_str(&format!("    description{k}: &a{k} [{refs}]\n"));
    }
    let env = Env::new();
    env.write(&text);
    env.run(&["tasks", "list"]).code(5);
    // The same bomb inside a field we do know.
    let mut text = String::from(
        "version: 1\nworkflow:\n  phases:\n    - id: a\n      name: &l0 [x, x, x, x, x, x, x, x, x]\n",
    );
    for k in 1..12 {
        let refs = vec![format!("*l{}", k - 1); 9].join(", ");
        text.push_str(&format!(
            "    - id: b{k}\n      name: x\n      keywords: &l{k} [{refs}]\n"
        ));
    }
    text.push_str("tasks: []\n");
    refused(text.as_bytes(), "tasks.yaml:");
}

#[test]
fn control_characters_in_titles_round_trip() {
    let env = Env::new();
    let title = "bell\u{7} nul-free \u{1b}]0;pwned\u{7} \u{9b}2J\r\nnext";
    let id = env.create(title, &["--description", "multi\nline\n\n  text\n"]);
    let doc = env.json(&["tasks", "show", &id, "--json"]);
    assert_eq!(doc["task"]["title"], title);
    assert_eq!(doc["task"]["description"], "multi\nline\n\n  text\n");
    for args in [vec!["tasks", "list"], vec!["tasks", "show", &id]] {
        let out = env.ok(&args);
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "raw control character in wm {}: {out:?}",
            args.join(" ")
        );
    }
}

/// Input-sized recursion is gone: a 100,000-task dependency cycle and a
/// 30,000-phase workflow chain are refused (exit 5) with a clear, short
/// message, and the tools to repair them still work.
#[test]
fn a_huge_cycle_and_a_long_phase_chain_are_refused_not_overflowed() {
    use std::fmt::Write;
    let env = Env::new();
    let n = 100_000;
    let mut text = String::from("version: 1\ntasks:\n");
    for i in 0..n {
        let _ = write!(
            text,
            "  - id: t{i}\n    title: T{i}\n    type: impl\n    status: pending\n    depends_on:\n      - t{}\n    created_at: 2026-01-01T00:00:00Z\n    updated_at: 2026-01-01T00:00:00Z\n",
            (i + 1) % n
        );
    }
    env.write(&text);
    let err = env.run(&["tasks", "list"]).code(5).stderr();
    assert!(
        err.contains("dependency cycle of 100000 tasks"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(err.len() < 2_000, "the message is {} bytes", err.len());
    let out = env.run(&["tasks", "check"]).code(5).stdout();
    assert!(
        out.contains("error[cycle]"),
        "{}",
        &out[..out.len().min(500)]
    );
    env.run(&["tasks", "dep", "rm", "t5", "--on", "t6"]).code(0);
    env.run(&["tasks", "check"]).code(0);

    let mut text = String::from("version: 1\nworkflow:\n  phases:\n");
    for i in 0..30_000 {
        let _ = write!(text, "    - id: p{i}\n      name: P{i}\n");
        if i > 0 {
            let _ = writeln!(text, "      depends_on:\n        - p{}", i - 1);
        }
    }
    text.push_str("tasks: []\n");
    env.write(&text);
    let out = env.run(&["tasks", "check"]).code(5).stdout();
    assert!(out.contains("at most 1000 are allowed"), "{out}");
    env.run(&["tasks", "list"])
        .code(5)
        .stderr_has("30000 phases");
}
