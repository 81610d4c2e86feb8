//! A small fluent harness for driving the real `wm` binary in a temporary
//! repository. Each test gets its own directory (with a `.git` marker, so it
//! is a repository root) and a clean environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub struct Env {
    pub dir: tempfile::TempDir,
}

/// The ids of the seed plan's epic and seven tasks.
#[derive(Debug, Clone)]
pub struct Seed {
    pub epic: String,
    pub analysis: String,
    pub backup: String,
    pub implement: String,
    pub config: String,
    pub staging: String,
    pub rollback: String,
    pub docs: String,
}

impl Seed {
    pub fn tasks(&self) -> [&str; 7] {
        [
            &self.analysis,
            &self.backup,
            &self.implement,
            &self.config,
            &self.staging,
            &self.rollback,
            &self.docs,
        ]
    }
}

/// The seed template's section 8 titles and types, in order.
pub const SEED_TASKS: [(&str, &str); 7] = [
    ("Analyze current infrastructure", "impl"),
    ("Create backups/snapshots", "impl"),
    ("Implement infrastructure changes", "impl"),
    ("Update configuration", "impl"),
    ("Deploy and verify on staging", "verify"),
    ("Test rollback procedure", "verify"),
    ("Update documentation", "impl"),
];

impl Env {
    /// An empty repository directory (no store yet).
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(".git")).expect(".git marker");
        Env { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn store(&self) -> PathBuf {
        self.path().join("tasks.yaml")
    }

    pub fn read(&self) -> String {
        std::fs::read_to_string(self.store()).expect("read tasks.yaml")
    }

    pub fn write(&self, text: &str) {
        std::fs::write(self.store(), text).expect("write tasks.yaml");
    }

    /// A `wm` command running in this directory with a clean environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("wm").expect("wm binary");
        c.current_dir(self.path());
        for (k, v) in self.clean_env() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.args(args);
        c
    }

    /// The environment every run gets: nothing of the caller's that wm or
    /// libgit2 reads (wm's variables, colour and width, git's config and
    /// repository overrides, the home directory and its config files).
    fn clean_env(&self) -> Vec<(&'static str, Option<std::ffi::OsString>)> {
        let home = self.path().join(".no-home");
        let mut out: Vec<(&'static str, Option<std::ffi::OsString>)> = [
            "WM_TASKS_FILE",
            "WM_ASSIGNEE",
            "WM_NO_CACHE",
            "WM_BINARY",
            "NO_COLOR",
            "CLICOLOR",
            "CLICOLOR_FORCE",
            "COLUMNS",
            "COMPLETE",
            "GITHUB_ACTIONS",
            "GITHUB_STEP_SUMMARY",
            "GITHUB_OUTPUT",
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_CONFIG",
            "GIT_CONFIG_COUNT",
            "GIT_CONFIG_PARAMETERS",
            "XDG_CONFIG_HOME",
        ]
        .into_iter()
        .map(|k| (k, None))
        .collect();
        out.push(("HOME", Some(home.into_os_string())));
        out.push(("GIT_CONFIG_NOSYSTEM", Some("1".into())));
        out.push((
            "GIT_CONFIG_GLOBAL",
            Some(self.path().join(".no-gitconfig").into_os_string()),
        ));
        out
    }

    /// A plain `std::process::Command` for `wm` (to spawn, pipe or kill),
    /// with the same directory and clean environment as [`Env::cmd`].
    pub fn spawnable(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin!("wm"));
        c.current_dir(self.path());
        for (k, v) in self.clean_env() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.args(args);
        c
    }

    /// Run `git` in this directory (with a test identity); require success,
    /// return stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(self.path())
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run and return the raw output, whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Run {
        let before = std::fs::read(self.store()).ok();
        let out = self.cmd(args).output().expect("run wm");
        if out.status.success() {
            self.assert_round_trip(args, before.as_deref());
        }
        Run {
            args: args.join(" "),
            out,
        }
    }

    /// After a successful write (the store's bytes changed), the store must
    /// be in the canonical layout (parse and emit give the same bytes) and
    /// hold no error it did not hold before: every test that writes also
    /// tests the format and the no-new-error rule.
    fn assert_round_trip(&self, args: &[&str], before: Option<&[u8]>) {
        let Ok(after) = std::fs::read(self.store()) else {
            return;
        };
        if before == Some(after.as_slice()) {
            return;
        }
        let path = self.store();
        let file = wm::store::parse(&path, &after).unwrap_or_else(|e| {
            panic!(
                "wm {}: wrote a store that does not parse: {e}",
                args.join(" ")
            )
        });
        let text = String::from_utf8_lossy(&after);
        // A `# yaml-language-server` modeline above the header is kept as is.
        let body = match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("# yaml-language-server:") => rest,
            _ => &text,
        };
        assert_eq!(
            wm::store::yaml::emit(&file),
            body,
            "wm {}: the store it wrote is not in the canonical layout",
            args.join(" ")
        );
        let errors = |bytes: &[u8]| -> Vec<(String, Vec<String>)> {
            wm::store::load_bytes(&path, bytes)
                .map(|l| {
                    l.errors()
                        .into_iter()
                        .map(|p| (p.code.to_string(), p.tasks))
                        .collect()
                })
                .unwrap_or_default()
        };
        let old = before.map(errors).unwrap_or_default();
        for e in errors(&after) {
            assert!(
                old.contains(&e),
                "wm {}: the write added an error {e:?}",
                args.join(" ")
            );
        }
    }

    /// Run, require exit 0, return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.run(args).code(0).stdout()
    }

    /// Run, require exit 0, parse stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let s = self.ok(args);
        serde_json::from_str(&s)
            .unwrap_or_else(|e| panic!("wm {}: bad JSON ({e}):\n{s}", args.join(" ")))
    }

    /// `wm tasks create` with extra flags; returns the new id.
    pub fn create(&self, title: &str, extra: &[&str]) -> String {
        let t = format!("--title={title}");
        let mut args = vec!["tasks", "create", t.as_str()];
        args.extend_from_slice(extra);
        let id = self.ok(&args).trim().to_string();
        assert!(
            !id.is_empty() && !id.contains('\n'),
            "create printed {id:?}"
        );
        id
    }

    /// Create the seed template's epic and seven tasks for `issue`, with its
    /// exact commands.
    pub fn seed_plan(&self, issue: u64) -> Seed {
        let issue_flag = format!("--issue={issue}");
        let epic = self.create(
            &format!("GH#{issue}: Network hardening"),
            &["--type=epic", &issue_flag],
        );
        let ids: Vec<String> = SEED_TASKS
            .iter()
            .map(|(title, kind)| {
                self.create(
                    &format!("GH#{issue}: {title}"),
                    &[&format!("--type={kind}"), &issue_flag],
                )
            })
            .collect();
        Seed {
            epic,
            analysis: ids[0].clone(),
            backup: ids[1].clone(),
            implement: ids[2].clone(),
            config: ids[3].clone(),
            staging: ids[4].clone(),
            rollback: ids[5].clone(),
            docs: ids[6].clone(),
        }
    }

    /// Replace each task's short id with T001.. (creation order), same
    /// width, so snapshots do not depend on random ids.
    pub fn redact_ids(&self, text: &str) -> String {
        let doc = self.json(&["tasks", "graph", "--json"]);
        let mut nodes: Vec<(String, String)> = doc["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_string(),
                    n["short_id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let list = self.json(&["tasks", "list", "--json"]);
        let created: Vec<String> = list["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        nodes.sort_by_key(|(id, _)| created.iter().position(|c| c == id));
        let mut out = text.to_string();
        for (k, (id, short)) in nodes.iter().enumerate() {
            let w = short.chars().count();
            let ph = format!("T{:0w$}", k + 1, w = w - 1);
            out = out.replace(id.as_str(), &format!("T{:0w$}", k + 1, w = id.len() - 1));
            out = out.replace(short.as_str(), &ph);
        }
        out
    }

    /// Ids printed by a `--format ids` command.
    pub fn ids(&self, args: &[&str]) -> Vec<String> {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--format", "ids"]);
        self.ok(&a).lines().map(String::from).collect()
    }
}

/// The result of one run, with fluent assertions that name the command.
pub struct Run {
    pub args: String,
    pub out: Output,
}

impl Run {
    pub fn status(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }

    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.status(),
            expected,
            "wm {} exited {} (expected {expected})\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.status(),
            String::from_utf8_lossy(&self.out.stdout),
            String::from_utf8_lossy(&self.out.stderr)
        );
        self
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr().contains(needle),
            "wm {}: stderr lacks {needle:?}:\n{}",
            self.args,
            self.stderr()
        );
        self
    }

    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(
            self.stdout().contains(needle),
            "wm {}: stdout lacks {needle:?}:\n{}",
            self.args,
            self.stdout()
        );
        self
    }
}

/// Every field of the documented task JSON (README, docs/json.md).
pub fn assert_task_fields(t: &serde_json::Value) {
    for k in [
        "id",
        "title",
        "type",
        "status",
        "state",
        "ready",
        "blocked",
        "phase",
        "issue",
        "parent",
        "epic",
        "depends_on",
        "dependencies",
        "blocked_by",
        "labels",
        "assignee",
        "description",
        "estimate",
        "commits",
        "created_at",
        "updated_at",
        "closed_at",
        "forced",
    ] {
        assert!(t.get(k).is_some(), "task JSON lacks `{k}`: {t}");
    }
}

/// What a command printed on a terminal: stdout as the terminal got it
/// (line ends normalised), and stderr.
pub struct TtyRun {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl Env {
    /// Run `wm` with stdout on a real pseudo-terminal `cols` columns wide
    /// (its controlling terminal), as a person in a terminal would.
    #[cfg(unix)]
    pub fn tty(&self, args: &[&str], cols: u16, envs: &[(&str, &str)]) -> TtyRun {
        use std::io::Read;
        use std::os::fd::{FromRawFd, OwnedFd};
        use std::os::unix::process::CommandExt;
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 50,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: out-pointers to two ints and a valid winsize.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: openpty returned two open descriptors we now own.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut c = self.spawnable(args);
        c.envs(envs.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::from(slave.try_clone().expect("dup")))
            .stderr(std::process::Stdio::piped());
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            c.pre_exec(|| {
                libc::setsid();
                libc::ioctl(1, libc::TIOCSCTTY as _, 0);
                Ok(())
            });
        }
        let child = c.spawn().expect("spawn wm");
        // Close every copy of the slave here (the command holds one), so
        // reading the master ends when the child exits.
        drop(c);
        drop(slave);
        let mut f = std::fs::File::from(master);
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match f.read(&mut chunk) {
                Ok(0) | Err(_) => break, // EIO once the child is gone
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            }
        }
        let out = child.wait_with_output().expect("wait wm");
        TtyRun {
            stdout: String::from_utf8_lossy(&bytes).replace("\r\n", "\n"),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
        }
    }
}

/// The pid of a process that has exited (a finished `true`): a temporary
/// file named by it belongs to a writer that is gone.
pub fn dead_pid() -> u32 {
    let mut c = std::process::Command::new("true")
        .spawn()
        .expect("true runs");
    let pid = c.id();
    c.wait().expect("true exits");
    pid
}
