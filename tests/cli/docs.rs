//! Man pages and shell completion (issue 15): every command has a page
//! that renders without warnings, and the bash completion script, run in
//! a real bash, offers task ids, types and statuses.

use crate::common::Env;

use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn man_pages_exist_for_every_command_and_render_cleanly() {
    let env = Env::new();
    let dir = env.path().join("man1");
    let listed = env.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(listed.lines().count(), names.len(), "{listed}");
    for page in [
        "wm.1",
        "wm-tasks.1",
        "wm-tasks-create.1",
        "wm-tasks-list.1",
        "wm-tasks-graph.1",
        "wm-tasks-dep-add.1",
        "wm-completions.1",
        "wm-man.1",
    ] {
        assert!(names.iter().any(|n| n == page), "{page} missing: {names:?}");
    }
    // One page per command: as many as `wm tasks --help` lists, and more.
    assert!(names.len() >= 35, "{names:?}");
    // A single page on stdout, by command path.
    let create = env.ok(&["man", "tasks", "create"]);
    assert!(create.contains(".TH wm-tasks-create 1"), "{create}");
    assert_eq!(
        create,
        std::fs::read_to_string(dir.join("wm-tasks-create.1")).unwrap()
    );
    env.run(&["man", "tasks", "nope"])
        .code(2)
        .stderr_has("no command `nope`");
    if !have("groff") {
        eprintln!("note: groff not installed; rendering not checked");
        return;
    }
    for n in &names {
        let path = dir.join(n);
        let out = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{n}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{n} warns");
    }
    if have("man") {
        let out = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(dir.join("wm-tasks-create.1"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr), "");
        assert!(String::from_utf8_lossy(&out.stdout).contains("wm tasks create"));
    }
}

/// Run `script` in a real bash with the completion script sourced and
/// `wm` on PATH; returns stdout.
fn bash(env: &Env, script: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin!("wm");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let full = format!(
        "source <(wm completions bash) || exit 9\n\
         complete_words() {{ COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\"; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9; \
         f=$(complete -p wm | sed -E 's/.* -F ([^ ]+) .*/\\1/'); COMPREPLY=(); \"$f\" wm \"${{!#}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"; }}\n\
         {script}\n"
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &full])
        .current_dir(env.path())
        .env("PATH", path)
        .env_remove("WM_TASKS_FILE")
        .env_remove("COMPLETE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bash_completion_offers_ids_types_and_statuses() {
    if !have("bash") {
        eprintln!("note: bash not installed; skipped");
        return;
    }
    let env = Env::new();
    let a = env.create("GH#7: 🚀 Analyze the network", &["--type", "impl"]);
    let b = env.create("Write the runbook", &["--depends-on", &a]);
    // Registered for `wm`.
    let reg = bash(&env, "complete -p wm");
    assert!(
        reg.contains("-F ") && reg.trim_end().ends_with(" wm"),
        "{reg}"
    );
    // `wm tasks show <TAB>`: every id (and the flags).
    let ids = bash(&env, "complete_words wm tasks show ''");
    let mut got: Vec<&str> = ids.lines().filter(|l| !l.starts_with('-')).collect();
    got.sort();
    let mut want = vec![a.as_str(), b.as_str()];
    want.sort();
    assert_eq!(got, want, "{ids}");
    // A prefix narrows it.
    let one = bash(&env, &format!("complete_words wm tasks done {}", &b[..3]));
    assert!(one.lines().any(|l| l == b), "{one}");
    assert!(
        !one.lines().any(|l| l == a) || a.starts_with(&b[..3]),
        "{one}"
    );
    // Option values: --depends-on takes ids too; --type and --status
    // their names.
    let deps = bash(&env, "complete_words wm tasks create --depends-on ''");
    assert!(deps.lines().any(|l| l == a), "{deps}");
    let types = bash(&env, "complete_words wm tasks list --type ''");
    assert!(types.lines().any(|l| l == "verify"), "{types}");
    let statuses = bash(&env, "complete_words wm tasks list --status in");
    assert_eq!(statuses.trim(), "in_progress", "{statuses}");
    // Commands too, as the static script did.
    let cmds = bash(&env, "complete_words wm tasks cl");
    assert!(cmds.lines().any(|l| l == "claim"), "{cmds}");
    // Shells that show descriptions get titles beside ids.
    let fish = env
        .cmd(&["--", "wm", "tasks", "show", ""])
        .env("COMPLETE", "fish")
        .output()
        .unwrap();
    let fish = String::from_utf8(fish.stdout).unwrap();
    assert!(
        fish.contains(&format!("{a}\tGH#7: 🚀 Analyze the network")),
        "{fish}"
    );
}

#[test]
fn typos_get_real_commands_and_misplaced_commands_a_pointer() {
    let env = Env::new();
    let run = env.run(&["tasks", "completions", "bash"]).code(2);
    assert!(
        run.stderr().contains("run `wm completions`"),
        "{}",
        run.stderr()
    );
    env.run(&["tasks", "complete"])
        .code(2)
        .stderr_has("run `wm completions`");
    env.run(&["tasks", "man"])
        .code(2)
        .stderr_has("run `wm man`");
    let lsit = env.run(&["tasks", "lsit"]).code(2);
    assert!(lsit.stderr().contains("'list'"), "{}", lsit.stderr());
    // Nothing close: no odd guess (clap offered `start` for `stats`).
    let stats = env.run(&["tasks", "stats"]).code(2);
    assert!(!stats.stderr().contains("similar"), "{}", stats.stderr());
    let complete = env.run(&["tasks", "complete"]).code(2);
    assert!(
        !complete.stderr().contains("'create'"),
        "{}",
        complete.stderr()
    );
}

#[test]
fn help_puts_global_options_under_their_own_heading() {
    let env = Env::new();
    let help = env.ok(&["tasks", "create", "--help"]);
    let global = help.find("Global options:").expect("heading");
    let own = help.find("--title").unwrap();
    let file = help.find("--file").unwrap();
    assert!(own < global && file > global, "{help}");
    assert!(help.contains("Who works on it"), "{help}");
    let done = env.ok(&["tasks", "done", "--help"]);
    assert!(done.contains("HEAD~1"), "{done}");
}

/// The architecture as the README draws it: no top-level module of the
/// library imports another that imports it back (read from the sources:
/// every `crate::X` outside comments and test modules is an edge).
#[test]
fn no_import_cycle_between_top_level_modules() {
    use std::collections::{BTreeMap, BTreeSet};
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let re = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if matches!(top.as_str(), "cli" | "main" | "lib") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for line in code.lines() {
                let line = line.split("//").next().unwrap_or("");
                for c in re.captures_iter(line) {
                    if c[1] != top {
                        edges
                            .entry(top.clone())
                            .or_default()
                            .insert(c[1].to_string());
                    }
                }
            }
        }
    }
    assert!(edges.len() >= 8, "found {edges:?}");
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(m) = todo.pop() {
            assert_ne!(m, start, "an import cycle through `{start}`: {edges:#?}");
            if seen.insert(m.clone()) {
                todo.extend(edges.get(m).into_iter().flatten());
            }
        }
    }
}
