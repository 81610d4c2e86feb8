//! Writes around foreign writers: a symlinked tasks.yaml, and programs
//! that change the file without wm's lock between its read and its rename.

use crate::common::Env;

use std::cell::Cell;
use std::io::Write;
use std::time::Duration;

use wm::ErrorClass;
use wm::ops::{NewTask, Op};
use wm::store::{self, WriteOptions};

fn new_task(title: &str) -> Op {
    Op::Create(NewTask {
        title: title.into(),
        ..NewTask::default()
    })
}

/// A write through a symlinked tasks.yaml replaces the link's target and
/// keeps the link.
#[cfg(unix)]
#[test]
fn writes_go_through_a_symlinked_store_and_keep_the_link() {
    let env = Env::new();
    std::fs::create_dir(env.path().join("shared")).unwrap();
    let target = env.path().join("shared/tasks.yaml");
    std::fs::write(&target, "version: 1\ntasks: []\n").unwrap();
    std::os::unix::fs::symlink("shared/tasks.yaml", env.store()).unwrap();
    let id = env.create("Through the link", &[]);
    let meta = std::fs::symlink_metadata(env.store()).unwrap();
    assert!(meta.file_type().is_symlink(), "the link is kept");
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains(&id), "the target got the write:\n{text}");
    // A second write, and no temporaries left in either directory.
    env.ok(&["tasks", "start", &id]);
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("in_progress")
    );
    for dir in [env.path().to_path_buf(), env.path().join("shared")] {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".tmp"), "temporary {name} left");
        }
    }
}

/// What `git checkout other -- tasks.yaml` does in the middle of a write:
/// the file changes between wm's read and its rename. The write re-reads
/// and re-applies on top of it: both changes are kept.
#[test]
fn a_foreign_write_between_read_and_rename_is_kept_and_the_write_reapplied() {
    let env = Env::new();
    let path = env.store();
    let upstream = env.create("Upstream 1", &[]);
    let ours_before = env.read();
    env.create("Upstream 2", &[]);
    let theirs = env.read();
    std::fs::write(&path, &ours_before).unwrap();
    let opts = WriteOptions {
        lock_timeout: Duration::from_secs(5),
        ..WriteOptions::default()
    };
    let calls = Cell::new(0);
    let done = store::write(&path, &opts, |_loaded| {
        calls.set(calls.get() + 1);
        if calls.get() == 1 {
            // The foreign writer: no lock, a whole new file.
            let tmp = env.path().join("checkout.tmp-file");
            std::fs::write(&tmp, &theirs).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
        }
        Ok::<_, wm::Error>(vec![new_task("Ours")])
    })
    .unwrap();
    assert!(done.written);
    assert_eq!(calls.get(), 2, "re-read and re-applied once");
    let loaded = store::load(&path).unwrap();
    let titles: Vec<&str> = loaded
        .plan()
        .tasks()
        .iter()
        .map(|t| t.title.as_str())
        .collect();
    assert!(titles.contains(&"Upstream 2"), "{titles:?}");
    assert!(titles.contains(&"Ours"), "{titles:?}");
    assert!(loaded.plan().get(&upstream).is_some());
    // An in-place edit of the same inode is seen too.
    let calls = Cell::new(0);
    store::write(&path, &opts, |_| {
        calls.set(calls.get() + 1);
        if calls.get() == 1 {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace("Upstream 1", "Upstream I")).unwrap();
        }
        Ok::<_, wm::Error>(vec![new_task("Ours again")])
    })
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("Upstream I") && text.contains("Ours again"),
        "{text}"
    );
}

/// The check before the rename trusts the file's metadata when it was
/// last written well before the read (a second hash of a big store is
/// skipped then): a same-size edit in place, without the lock, right
/// after the read, must still be seen and re-applied on.
#[test]
fn a_same_size_edit_in_place_of_a_settled_file_is_seen() {
    let env = Env::new();
    let path = env.store();
    env.create("Upstream 1", &[]);
    // Settled: older than any time stamp resolution the check trusts.
    std::thread::sleep(Duration::from_millis(50));
    let opts = WriteOptions::default();
    let calls = Cell::new(0);
    store::write(&path, &opts, |_| {
        calls.set(calls.get() + 1);
        if calls.get() == 1 {
            let text = std::fs::read_to_string(&path).unwrap();
            let edited = text.replace("Upstream 1", "Upstream I");
            assert_eq!(edited.len(), text.len());
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .write_all(edited.as_bytes())
                .unwrap();
        }
        Ok::<_, wm::Error>(vec![new_task("Ours")])
    })
    .unwrap();
    assert_eq!(calls.get(), 2, "re-read and re-applied once");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("Upstream I") && text.contains("Ours"),
        "{text}"
    );
}

/// A file that changes on every attempt: the write gives up, exit class 6
/// (Locked), naming the cause, and the foreign content stays.
#[test]
fn a_file_that_keeps_changing_is_refused_with_exit_6() {
    let env = Env::new();
    let path = env.store();
    env.create("Alpha", &[]);
    let opts = WriteOptions::default();
    let n = Cell::new(0);
    let err = store::write(&path, &opts, |_| {
        n.set(n.get() + 1);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("Alpha", &format!("Alpha{}", n.get()))).unwrap();
        Ok::<_, wm::Error>(vec![new_task("Never written")])
    })
    .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Locked);
    assert!(
        err.to_string().contains("changed by another program"),
        "{err}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("Never written") && text.contains(&format!("Alpha{}", n.get())));
}

/// A temporary file belongs to its writer (`.tasks.yaml.<pid>.<random>.tmp`):
/// a write removes only those whose writer is gone, never a live one's.
#[test]
fn only_dead_writers_temp_files_are_cleaned() {
    let env = Env::new();
    env.ok(&["tasks", "init"]);
    let live = env
        .path()
        .join(format!(".tasks.yaml.{}.aaaaaa.tmp", std::process::id()));
    let dead_pid = crate::common::dead_pid();
    let dead = env
        .path()
        .join(format!(".tasks.yaml.{dead_pid}.bbbbbb.tmp"));
    let old = env.path().join(".tasks.yaml.Xy9QzW.tmp");
    for f in [&live, &dead, &old] {
        std::fs::write(f, "partial").unwrap();
    }
    env.create("GH#1: a write", &[]);
    assert!(live.exists(), "a live writer's temp file was removed");
    assert!(!dead.exists(), "a dead writer's temp file was kept");
    assert!(!old.exists(), "an ownerless temp file was kept");
}

/// `list` is linear in one task's dependency count. A task with 30,000
/// dependencies makes its DEPS cell about 200,000 columns wide; every other
/// row used to write that many spaces of padding and trim them again, so
/// the table took minutes. Rows carry no padding after their last text.
#[test]
fn list_is_linear_in_one_tasks_dependency_count() {
    const N: usize = 30_000;
    let env = Env::new();
    let mut text = String::from("version: 1\ntasks:\n");
    let stamp = "    created_at: 2026-01-01T00:00:00Z\n    updated_at: 2026-01-01T00:00:00Z\n";
    for i in 0..N {
        text += &format!(
            "  - id: t{i}\n    title: leaf {i}\n    type: task\n    status: pending\n{stamp}"
        );
    }
    text +=
        "  - id: hub\n    title: the hub\n    type: task\n    status: pending\n    depends_on:\n";
    for i in 0..N {
        text += &format!("      - t{i}\n");
    }
    text += stamp;
    env.write(&text);
    // The timeout only guards the suite against the cliff being tested: the
    // quadratic table needed minutes here, the linear one well under one.
    let out = env
        .cmd(&["tasks", "list"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), N + 2, "a header and a row per task");
    let hub = stdout.lines().find(|l| l.contains("the hub")).unwrap();
    assert!(
        hub.ends_with(&format!("t{}", N - 1)),
        "the DEPS cell is whole"
    );
    assert!(
        stdout.lines().all(|l| !l.ends_with(' ')),
        "no trailing padding"
    );
}
