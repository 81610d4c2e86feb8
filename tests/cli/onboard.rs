//! `wm tasks onboard`: the agent block, its spelling, and the idempotent
//! `--write` between marker comments.

use crate::common::Env;

const BEGIN: &str = "<!-- wm-tasks:begin";
const END: &str = "<!-- wm-tasks:end -->";

#[test]
fn prints_the_block_spelled_wm_without_the_npm_package() {
    let env = Env::new();
    let out = env.ok(&["tasks", "onboard"]);
    assert!(out.starts_with(BEGIN), "{out}");
    assert!(out.trim_end().ends_with(END), "{out}");
    assert!(out.contains("id=$(wm tasks claim --issue N)"), "{out}");
    assert!(out.contains("wm tasks done \"$id\" --commit"), "{out}");
    assert!(out.contains("--json"), "{out}");
    assert!(!out.contains("pnpm"), "{out}");
    // A few hundred tokens, not thousands.
    let words = out.split_whitespace().count();
    assert!(words < 350, "{words} words");
    // The block works without a store.
    assert!(!env.store().exists());
}

#[test]
fn spells_pnpm_wm_when_the_npm_package_is_installed() {
    // A package.json dependency on <scope>/wm in a pnpm workspace.
    let env = Env::new();
    std::fs::write(
        env.path().join("package.json"),
        r#"{"name":"infra","private":true,"devDependencies":{"@acme/wm":"0.1.0"}}"#,
    )
    .unwrap();
    std::fs::write(env.path().join("pnpm-workspace.yaml"), "packages: []\n").unwrap();
    let out = env.ok(&["tasks", "onboard"]);
    assert!(out.contains("id=$(pnpm wm tasks claim --issue N)"), "{out}");
    assert!(!out.contains("`wm ") && !out.contains("$(wm "), "{out}");

    // From a workspace package below, with only node_modules/.bin/wm there.
    let env = Env::new();
    std::fs::write(
        env.path().join("pnpm-lock.yaml"),
        "lockfileVersion: '9.0'\n",
    )
    .unwrap();
    let pkg = env.path().join("packages/app");
    std::fs::create_dir_all(pkg.join("node_modules/.bin")).unwrap();
    std::fs::write(pkg.join("node_modules/.bin/wm"), "#!/bin/sh\n").unwrap();
    let out = env
        .cmd(&["tasks", "onboard"])
        .current_dir(&pkg)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("`pnpm wm tasks next --json`"), "{out}");

    // npm: `npx wm`; a package.json without the package: plain `wm`.
    let env = Env::new();
    std::fs::write(
        env.path().join("package.json"),
        r#"{"dependencies":{"@acme/wm":"^0.1.0"}}"#,
    )
    .unwrap();
    std::fs::write(env.path().join("package-lock.json"), "{}").unwrap();
    assert!(env.ok(&["tasks", "onboard"]).contains("npx wm tasks claim"));
    let env = Env::new();
    std::fs::write(
        env.path().join("package.json"),
        r#"{"devDependencies":{"wm-other":"1"},"packageManager":"pnpm@10.0.0"}"#,
    )
    .unwrap();
    let out = env.ok(&["tasks", "onboard"]);
    assert!(out.contains("$(wm tasks claim"), "{out}");
}

#[test]
fn command_flag_overrides_the_spelling() {
    let env = Env::new();
    let out = env.ok(&["tasks", "onboard", "--command", "./bin/wm"]);
    assert!(
        out.contains("id=$(./bin/wm tasks claim --issue N)"),
        "{out}"
    );
    env.run(&["tasks", "onboard", "--command", " "]).code(2);
}

#[test]
fn write_is_idempotent_between_markers() {
    let env = Env::new();
    let agents = env.path().join("AGENTS.md");
    std::fs::write(&agents, "# Agents\n\nBe kind.\n").unwrap();

    env.run(&["tasks", "onboard", "--write"])
        .code(0)
        .stderr_has("AGENTS.md");
    let once = std::fs::read_to_string(&agents).unwrap();
    assert!(
        once.starts_with("# Agents\n\nBe kind.\n\n<!-- wm-tasks:begin"),
        "{once}"
    );
    assert_eq!(once.matches(BEGIN).count(), 1);
    assert_eq!(once.matches(END).count(), 1);
    assert_eq!(
        &once["# Agents\n\nBe kind.\n\n".len()..],
        env.ok(&["tasks", "onboard"])
    );

    // Again: the same bytes, and the file is not rewritten.
    let mtime = std::fs::metadata(&agents).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.run(&["tasks", "onboard", "--write"])
        .code(0)
        .stderr_has("up to date");
    assert_eq!(std::fs::read_to_string(&agents).unwrap(), once);
    assert_eq!(
        std::fs::metadata(&agents).unwrap().modified().unwrap(),
        mtime
    );

    // Text after the block stays; the block is replaced in place when the
    // spelling changes (the npm package got installed).
    let edited = format!("{once}\n## Ours\n\nKeep this.\n");
    std::fs::write(&agents, &edited).unwrap();
    std::fs::write(
        env.path().join("package.json"),
        r#"{"devDependencies":{"@wm-tasks/wm":"0.1.0"}}"#,
    )
    .unwrap();
    std::fs::write(env.path().join("pnpm-lock.yaml"), "").unwrap();
    env.ok(&["tasks", "onboard", "--write"]);
    let twice = std::fs::read_to_string(&agents).unwrap();
    assert_eq!(twice.matches(BEGIN).count(), 1, "{twice}");
    assert!(twice.contains("pnpm wm tasks claim"), "{twice}");
    assert!(twice.starts_with("# Agents\n\nBe kind.\n\n<!-- wm-tasks:begin"));
    assert!(
        twice.ends_with("<!-- wm-tasks:end -->\n\n## Ours\n\nKeep this.\n"),
        "{twice}"
    );
}

#[test]
fn write_to_a_named_file_and_from_a_subdirectory() {
    let env = Env::new();
    let sub = env.path().join("deep/er");
    std::fs::create_dir_all(&sub).unwrap();
    // Default: AGENTS.md at the repository root, wherever you are.
    let out = env
        .cmd(&["tasks", "onboard", "--write"])
        .current_dir(&sub)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env.path().join("AGENTS.md").exists());
    assert!(!sub.join("AGENTS.md").exists());
    // A named file is relative to the current directory; a new file holds
    // just the block.
    env.ok(&["tasks", "onboard", "--write", "CLAUDE.md"]);
    assert_eq!(
        std::fs::read_to_string(env.path().join("CLAUDE.md")).unwrap(),
        env.ok(&["tasks", "onboard"])
    );
}

#[test]
fn write_refuses_a_file_with_a_broken_marker_pair() {
    let env = Env::new();
    let agents = env.path().join("AGENTS.md");
    let text = "# A\n<!-- wm-tasks:begin -->\nhalf a block\n";
    std::fs::write(&agents, text).unwrap();
    env.run(&["tasks", "onboard", "--write"])
        .code(2)
        .stderr_has("without `<!-- wm-tasks:end -->`");
    assert_eq!(std::fs::read_to_string(&agents).unwrap(), text);
}

#[test]
fn the_npm_skill_file_is_the_block_spelled_pnpm_wm() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let skill = std::fs::read_to_string(root.join("skills/wm-tasks/SKILL.md")).unwrap();
    let (front, body) = skill
        .strip_prefix("---\n")
        .and_then(|s| s.split_once("\n---\n\n"))
        .expect("SKILL.md starts with YAML front matter");
    assert!(front.contains("name: wm-tasks"), "{front}");
    assert!(front.contains("description: "), "{front}");
    let env = Env::new();
    let block = env.ok(&["tasks", "onboard", "--command", "pnpm wm"]);
    let inner: Vec<&str> = block.lines().skip(1).collect();
    let inner = inner[..inner.len() - 1].join("\n") + "\n";
    assert_eq!(
        body, inner,
        "regenerate skills/wm-tasks/SKILL.md from src/cli/onboard.md"
    );
}
