//! The npm package's Node launcher (npm/wm/bin/wm.js) run from the source
//! tree: arguments, stdout, exit codes and signals pass through to the
//! binary; a missing platform package is a clear message and exit 127.
//! Skipped (with a note) when node is absent; .ci/npm-e2e.sh tests the
//! packed packages installed with pnpm.

use crate::common::Env;
use std::path::PathBuf;
use std::process::Command;

fn node() -> Option<()> {
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: node is absent; the launcher tests are skipped");
    }
    ok.then_some(())
}

fn launcher() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("npm/wm/bin/wm.js")
}

fn wm_js(env: &Env, args: &[&str]) -> Command {
    let mut c = Command::new("node");
    c.arg(launcher())
        .args(args)
        .current_dir(env.path())
        .env("WM_BINARY", assert_cmd::cargo::cargo_bin!("wm"))
        .env_remove("WM_TASKS_FILE")
        .env_remove("WM_ASSIGNEE");
    c
}

#[test]
fn output_and_exit_codes_pass_through() {
    if node().is_none() {
        return;
    }
    let env = Env::new();
    let out = wm_js(
        &env,
        &[
            "tasks",
            "create",
            "--title=GH#42: Analyze current infrastructure",
            "--type=impl",
            "--issue=42",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let id = String::from_utf8(out.stdout).unwrap();
    assert!(
        id.trim().len() == 8 && id.ends_with('\n') && id.lines().count() == 1,
        "{id:?}"
    );
    let doc = wm_js(&env, &["tasks", "list", "--issue=42", "--json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&doc.stdout).unwrap();
    assert_eq!(doc["tasks"][0]["id"], id.trim());
    for (args, code) in [
        (&["tasks", "show", "nosuchid"][..], 4),
        (&["tasks", "--bogus"][..], 2),
        (
            &["tasks", "dep", "add", id.trim(), "--on", id.trim()][..],
            3,
        ),
    ] {
        let out = wm_js(&env, args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error"),
            "{args:?}"
        );
    }
}

#[test]
fn no_platform_package_is_a_clear_message_and_exit_127() {
    if node().is_none() {
        return;
    }
    let env = Env::new();
    let out = wm_js(&env, &["tasks", "list"])
        .env_remove("WM_BINARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has no wm binary for this machine"), "{err}");
    assert!(err.contains("@wm-tasks/wm-"), "{err}");
    assert!(err.contains("WM_BINARY"), "{err}");
    assert!(out.stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn a_signal_to_the_launcher_reaches_wm() {
    use std::os::unix::process::ExitStatusExt;
    if node().is_none() {
        return;
    }
    let env = Env::new();
    env.ok(&["tasks", "init"]);
    // Hold the store's lock so the create waits (up to 60 s) for it.
    let held = std::fs::File::open(env.store()).unwrap();
    held.lock().unwrap();
    let mut child = wm_js(
        &env,
        &["tasks", "create", "--title=x", "--lock-timeout", "60"],
    )
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let started = std::time::Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    assert!(
        started.elapsed().as_secs() < 10,
        "the launcher outlived the signal"
    );
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    // wm died too: nothing else waits for the lock, and nothing was created.
    held.unlock().unwrap();
    assert_eq!(
        env.json(&["tasks", "list", "--json"])["tasks"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

/// The npm package's version stays Cargo.toml's (pack.js sets it from
/// Cargo.toml too; this keeps the template honest).
#[test]
fn npm_package_version_is_cargo_version() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let pkg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("npm/wm/package.json")).unwrap())
            .unwrap();
    assert_eq!(pkg["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(pkg["bin"]["wm"], "bin/wm.js");
    assert!(
        pkg.get("dependencies").is_none(),
        "the launcher has no dependencies"
    );
    assert!(pkg.get("scripts").is_none(), "no install scripts");
    let platforms: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("npm/platforms.json")).unwrap())
            .unwrap();
    let suffixes: Vec<&str> = platforms["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["suffix"].as_str().unwrap())
        .collect();
    for s in [
        "linux-x64-gnu",
        "linux-x64-musl",
        "linux-arm64-gnu",
        "linux-arm64-musl",
        "darwin-x64",
        "darwin-arm64",
        "win32-x64",
    ] {
        assert!(suffixes.contains(&s), "no {s} in npm/platforms.json");
    }
}
