//! The snapshot cache is never trusted over tasks.yaml: any change to the
//! file's bytes is seen at once, whatever its size or time stamp, and a
//! broken or foreign snapshot is ignored.

use crate::common::Env;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

fn cache_files(env: &Env) -> Vec<PathBuf> {
    match std::fs::read_dir(env.path().join(".git/wm")) {
        Ok(d) => d
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "cache"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The same command without the cache.
fn uncached(env: &Env, args: &[&str]) -> String {
    let out = env.cmd(args).env("WM_NO_CACHE", "1").output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Overwrite tasks.yaml keeping its size and modification time.
fn sneaky_write(env: &Env, text: &str) {
    let before = std::fs::metadata(env.store()).unwrap();
    assert_eq!(before.len() as usize, text.len(), "same size on purpose");
    let mtime = before.modified().unwrap();
    std::fs::write(env.store(), text).unwrap();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(env.store())
        .unwrap();
    f.set_modified(mtime).unwrap();
    assert_eq!(
        std::fs::metadata(env.store()).unwrap().modified().unwrap(),
        mtime
    );
}

/// Mark a pending task done in the file itself, same size and time stamp.
fn complete_by_hand(env: &Env, id: &str) {
    let text = env.read();
    let pos = text.find(&format!("- id: {id}")).unwrap();
    let status = pos + text[pos..].find("status: pending").unwrap();
    let mut edited = text.clone();
    edited.replace_range(status..status + "status: pending".len(), "status: done   ");
    sneaky_write(env, &edited);
}

#[test]
fn reads_fill_the_cache_and_agree_with_reading_the_file() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "done", &s.analysis]);
    // A forced completion leaves warnings for the snapshot to carry.
    env.ok(&["tasks", "done", &s.docs, "--force"]);
    let args: [&[&str]; 5] = [
        &["tasks", "list", "--json"],
        &["tasks", "show", &s.docs, "--json"],
        &["tasks", "ready", "--json"],
        &["tasks", "graph", "--format", "json"],
        &["tasks", "blocked"],
    ];
    for a in args {
        let first = env.ok(a);
        assert_eq!(cache_files(&env).len(), 1, "a snapshot in .git/wm");
        let cached = env.ok(a);
        assert_eq!(cached, first, "wm {}", a.join(" "));
        assert_eq!(cached, uncached(&env, a), "wm {}", a.join(" "));
    }
}

#[test]
fn an_edit_with_the_same_size_and_time_stamp_is_seen_at_once() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "list"]);
    assert_eq!(cache_files(&env).len(), 1);
    let text = env.read();
    let edited = text.replace("GH#42: Update configuration", "GH#42: Update CONFIGURATION");
    assert_ne!(edited, text);
    sneaky_write(&env, &edited);
    let doc = env.json(&["tasks", "show", &s.config, "--json"]);
    assert_eq!(doc["task"]["title"], "GH#42: Update CONFIGURATION");

    // A status flipped by hand, same size, same time: `ready` follows it.
    complete_by_hand(&env, &s.analysis);
    assert_eq!(env.ids(&["tasks", "ready"]), vec![s.backup.clone()]);
}

/// A read that hashed a settled store leaves a record of the file's
/// stamp, and the next reads trust the stamp instead of hashing again; an
/// edit in place with the same size and modification time still shows at
/// once (its change time moved), and so does a write by wm.
#[test]
fn reads_trust_a_settled_stamp_and_still_see_a_same_size_edit() {
    let env = Env::new();
    let s = env.seed_plan(42);
    // Settled: the store's change time is behind the clock by more than
    // the resolution the stamp needs.
    std::thread::sleep(Duration::from_millis(50));
    env.ok(&["tasks", "list"]);
    let record = cache_files(&env).pop().unwrap().with_extension("stamp");
    assert!(record.exists(), "no stamp record after a settled read");
    let first = env.json(&["tasks", "show", &s.config, "--json"]);
    assert_eq!(first["task"]["title"], "GH#42: Update configuration");
    let text = env.read();
    sneaky_write(
        &env,
        &text.replace("Update configuration", "Update CONFIGURATION"),
    );
    let doc = env.json(&["tasks", "show", &s.config, "--json"]);
    assert_eq!(doc["task"]["title"], "GH#42: Update CONFIGURATION");
    std::thread::sleep(Duration::from_millis(50));
    env.ok(&["tasks", "list"]);
    complete_by_hand(&env, &s.analysis);
    assert_eq!(env.ids(&["tasks", "ready"]), vec![s.backup.clone()]);
    env.ok(&["tasks", "reopen", &s.analysis]);
    assert!(env.ids(&["tasks", "ready"]).contains(&s.analysis));
}

#[test]
fn checking_out_another_version_is_seen_at_once() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let old = env.read();
    env.ok(&["tasks", "list"]);
    env.ok(&["tasks", "start", &s.analysis]);
    env.ok(&["tasks", "list"]);
    // What `git checkout` of the older file does, with an old time stamp.
    std::fs::write(env.store(), &old).unwrap();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(env.store())
        .unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let doc = env.json(&["tasks", "show", &s.analysis, "--json"]);
    assert_eq!(doc["task"]["status"], "pending");
}

#[test]
fn a_broken_or_foreign_snapshot_is_ignored_and_replaced() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let want = env.ok(&["tasks", "list", "--json"]);
    let cache = cache_files(&env).pop().unwrap();
    let good = std::fs::read(&cache).unwrap();
    for junk in [
        Vec::new(),
        b"garbage".to_vec(),
        good[..good.len() / 2].to_vec(),
        {
            let mut flipped = good.clone();
            let last = flipped.len() - 1;
            flipped[last] ^= 0xff;
            flipped
        },
    ] {
        std::fs::write(&cache, &junk).unwrap();
        assert_eq!(env.ok(&["tasks", "list", "--json"]), want);
    }
    // A snapshot of another store's bytes, put in this one's place.
    let other = Env::new();
    other.seed_plan(7);
    other.ok(&["tasks", "list"]);
    let foreign = cache_files(&other).pop().unwrap();
    std::fs::copy(&foreign, &cache).unwrap();
    assert_eq!(env.ok(&["tasks", "list", "--json"]), want);
    env.ok(&["tasks", "show", &s.epic]);
}

#[test]
fn an_invalid_store_stays_invalid_through_the_cache() {
    let env = Env::new();
    let a = env.create("Alpha", &[]);
    let b = env.create("Beta", &["--depends-on", &a]);
    let text = env.read();
    // Close a cycle by hand.
    let pos = text.find(&format!("- id: {a}")).unwrap();
    let at =
        pos + text[pos..].find("    status: pending\n").unwrap() + "    status: pending\n".len();
    let mut edited = text.clone();
    edited.insert_str(at, &format!("    depends_on:\n      - {b}\n"));
    env.write(&edited);
    for _ in 0..2 {
        env.run(&["tasks", "ready"]).code(5).stderr_has("cycle");
        env.run(&["tasks", "show", &a]).code(0).stdout_has("cycle");
    }
    env.ok(&["tasks", "dep", "rm", &a, "--on", &b]);
    env.ok(&["tasks", "ready"]);
}

#[test]
fn writes_read_the_file_not_a_stale_snapshot() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "list"]);
    // Complete the analysis by hand, same size and time stamp...
    complete_by_hand(&env, &s.analysis);
    // ...so starting the backup is allowed: the rules see the file.
    env.ok(&["tasks", "start", &s.backup]);
    let doc = env.json(&["tasks", "show", &s.analysis, "--json"]);
    assert_eq!(doc["task"]["status"], "completed");
    assert_eq!(
        env.json(&["tasks", "show", &s.backup, "--json"])["task"]["status"],
        "in_progress"
    );
}

/// One flipped bit anywhere in the snapshot (in a title, an id, a count):
/// reads show the file's content and writes never copy the corruption into
/// tasks.yaml. The snapshot's checksum of its own bytes refuses it.
#[test]
fn a_flipped_bit_in_the_snapshot_is_never_shown_or_written() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let list = ["tasks", "list", "--json"];
    env.ok(&list);
    let cache = cache_files(&env).pop().unwrap();
    let len = std::fs::read(&cache).unwrap().len();
    let title = b"Update configuration";
    // Every byte of one title (case flips keep it valid UTF-8), then bits
    // spread over the whole file.
    let mut flips: Vec<(Option<usize>, u8)> = (0..8).map(|k| (Some(k), 0x20)).collect();
    flips.extend((0..12).map(|k| (None, 1u8 << (k % 8))));
    for (n, (in_title, bit)) in flips.into_iter().enumerate() {
        // A fresh snapshot of the file as it is now.
        std::fs::remove_file(&cache).unwrap();
        env.ok(&list);
        let good = std::fs::read(&cache).unwrap();
        let i = match in_title {
            Some(k) => {
                k + good
                    .windows(title.len())
                    .position(|w| w == title)
                    .expect("the title is in the snapshot")
            }
            None => (n.saturating_sub(8) * (len - 1) / 11).min(good.len() - 1),
        };
        let mut bad = good.clone();
        bad[i] ^= bit;
        std::fs::write(&cache, &bad).unwrap();
        assert_eq!(env.ok(&list), uncached(&env, &list), "byte {i}");
        // A write of another task, from the corrupted snapshot.
        std::fs::write(&cache, &bad).unwrap();
        env.ok(&["tasks", "update", &s.docs, "--add-label", &format!("l{n}")]);
        let after = env.read();
        assert!(
            after.contains("title: \"GH#42: Update configuration\"\n"),
            "byte {i}:\n{after}"
        );
        env.ok(&["tasks", "check"]);
    }
}

/// A FIFO at the snapshot's path would block `open` forever; a symlink to
/// /dev/zero would be read without end. Neither is a regular file of
/// plausible size, so neither is read.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_at_the_snapshot_path_is_not_read() {
    let env = Env::new();
    env.seed_plan(42);
    let want = env.ok(&["tasks", "list", "--json"]);
    let cache = cache_files(&env).pop().unwrap();
    std::fs::remove_file(&cache).unwrap();
    let c = std::ffi::CString::new(cache.to_string_lossy().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // The timeout only guards the suite against the hang being tested.
    let guard = Duration::from_secs(20);
    let out = env
        .cmd(&["tasks", "list", "--json"])
        .timeout(guard)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    std::fs::remove_file(&cache).ok();
    let c = std::ffi::CString::new(cache.to_string_lossy().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = env
        .cmd(&["tasks", "create", "--title", "After the FIFO"])
        .timeout(guard)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::remove_file(&cache).ok();
    std::os::unix::fs::symlink("/dev/zero", &cache).unwrap();
    let out = env
        .cmd(&["tasks", "list", "--json"])
        .timeout(guard)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("After the FIFO"));
}

/// The snapshot in .git/wm must be exactly what loading tasks.yaml gives:
/// same tasks, same graph, same problems, keyed by the file's bytes.
fn assert_snapshot_is_the_file(env: &Env, what: &str) {
    let caches = cache_files(env);
    assert_eq!(caches.len(), 1, "{what}: one snapshot");
    let bytes = std::fs::read(env.store()).unwrap();
    let snap = std::fs::read(&caches[0]).unwrap();
    let key = wm::store::snapshot::key(&bytes);
    let s = wm::store::snapshot::decode(snap.clone(), key)
        .unwrap_or_else(|| panic!("{what}: the snapshot is for the bytes written"));
    let loaded = wm::store::load(&env.store()).unwrap();
    // Byte for byte what encoding the file read afresh gives: the tasks a
    // write copied from the snapshot before it (one by one, or runs of
    // them in one piece) are where a fresh encoding puts them.
    let fresh = wm::store::snapshot::encode(
        key,
        loaded.plan().file(),
        loaded.graph(),
        loaded.problems(),
        s.blocks.as_deref(),
    )
    .unwrap();
    assert!(
        fresh == snap,
        "{what}: the snapshot is not a fresh encoding of the file"
    );
    assert_eq!(s.plan.file(), loaded.plan().file(), "{what}: tasks");
    assert_eq!(s.problems.as_slice(), loaded.problems(), "{what}: problems");
    let (a, b) = (s.graph.parts(), loaded.graph().parts());
    assert_eq!(a.0, b.0, "{what}: edges");
    assert_eq!(a.1, b.1, "{what}: dangling");
    assert_eq!(a.2, b.2, "{what}: cycles");
    assert_eq!(a.3, b.3, "{what}: order");
    assert_eq!(a.4, b.4, "{what}: epics");
}

/// Writes leave the snapshot of what they wrote: nothing reads the file
/// in between, yet the snapshot is there and matches it, after creates,
/// status changes (also forced ones, which leave warnings), edits and
/// edge changes.
#[test]
fn a_write_leaves_a_snapshot_of_what_it_wrote() {
    let env = Env::new();
    let s = env.seed_plan(42);
    for c in cache_files(&env) {
        std::fs::remove_file(c).unwrap();
    }
    let steps: [(&str, Vec<&str>); 8] = [
        (
            "create",
            vec![
                "tasks",
                "create",
                "--title",
                "GH#42: Extra work",
                "--issue",
                "42",
            ],
        ),
        (
            "create in a new issue",
            vec!["tasks", "create", "--title", "GH#7: Analyze the DNS zones"],
        ),
        ("start", vec!["tasks", "start", &s.analysis]),
        ("done", vec!["tasks", "done", &s.analysis]),
        ("done --force", vec!["tasks", "done", &s.docs, "--force"]),
        (
            "create depending on a task",
            vec![
                "tasks",
                "create",
                "--title",
                "Follow-up",
                "--depends-on",
                &s.docs,
            ],
        ),
        (
            "update",
            vec![
                "tasks",
                "update",
                &s.config,
                "--title",
                "GH#42: Update the configuration",
            ],
        ),
        ("reopen", vec!["tasks", "reopen", &s.docs]),
    ];
    for (what, args) in steps {
        let before = std::fs::read(env.store()).unwrap();
        env.run(&args).code(0);
        assert_ne!(std::fs::read(env.store()).unwrap(), before, "{what} wrote");
        assert_snapshot_is_the_file(&env, what);
        let list = ["tasks", "list", "--json"];
        assert_eq!(env.ok(&list), uncached(&env, &list), "{what}: list");
    }
}

/// Read-after-write restores the writer's snapshot; a hand edit of the
/// same size and modification time right after the write is still seen,
/// by reads and by the next write.
#[test]
fn a_write_then_a_hand_edit_of_the_same_size_and_mtime_is_noticed() {
    let env = Env::new();
    let s = env.seed_plan(42);
    env.ok(&["tasks", "start", &s.analysis]);
    assert_snapshot_is_the_file(&env, "start");
    let text = env.read();
    let edited = text.replace("GH#42: Update configuration", "GH#42: Update CONFIGURATION");
    assert_ne!(edited, text);
    sneaky_write(&env, &edited);
    let doc = env.json(&["tasks", "show", &s.config, "--json"]);
    assert_eq!(doc["task"]["title"], "GH#42: Update CONFIGURATION");

    // A write right after another, then a hand edit: the next write sees
    // the edit (the backup may start once the analysis is completed).
    env.ok(&[
        "tasks",
        "create",
        "--title",
        "GH#42: More work",
        "--issue",
        "42",
    ]);
    let text = env.read();
    let pos = text.find(&format!("- id: {}", s.analysis)).unwrap();
    let status = pos + text[pos..].find("status: in_progress").unwrap();
    let mut edited = text.clone();
    edited.replace_range(
        status..status + "status: in_progress".len(),
        "status: completed  ",
    );
    sneaky_write(&env, &edited);
    env.ok(&["tasks", "start", &s.backup]);
    let doc = env.json(&["tasks", "show", &s.analysis, "--json"]);
    assert_eq!(doc["task"]["status"], "completed");
    assert_snapshot_is_the_file(&env, "start after a hand edit");
}

/// A snapshot's temporary file belongs to its writer
/// (`.wm-cache.<pid>.<random>.tmp`): the next snapshot write removes those
/// of writers that are gone (killed mid-write), never a live one's.
#[test]
fn only_dead_writers_snapshot_temp_files_are_cleaned() {
    let env = Env::new();
    env.create("GH#1: first", &[]);
    env.ok(&["tasks", "list"]);
    assert_eq!(cache_files(&env).len(), 1, "a snapshot in .git/wm");
    let dir = env.path().join(".git/wm");
    let dead_pid = crate::common::dead_pid();
    let live = dir.join(format!(".wm-cache.{}.aaaaaa.tmp", std::process::id()));
    let dead = dir.join(format!(".wm-cache.{dead_pid}.bbbbbb.tmp"));
    for f in [&live, &dead] {
        std::fs::write(f, "partial snapshot").unwrap();
    }
    env.create("GH#1: a write", &[]);
    assert!(live.exists(), "a live writer's temp file was removed");
    assert!(!dead.exists(), "a dead writer's temp file was kept");
    assert_eq!(cache_files(&env).len(), 1, "one snapshot, no other file");
}

/// The names in `.git/wm/`, sorted, with the store's hash replaced by `H`.
fn wm_dir_names(env: &Env) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.path().join(".git/wm"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .map(|n| match (n.find('-'), n.find('.')) {
            (Some(a), Some(b)) if n.starts_with("tasks-") && a < b => {
                format!("tasks-H{}", &n[b..])
            }
            _ => n,
        })
        .collect();
    names.sort();
    names
}

/// A write fills the spare of the store (and of the snapshot) in
/// `.git/wm/` and swaps the two names, so each spare then holds exactly
/// what the write replaced; nothing else piles up there.
#[test]
fn a_write_swaps_its_new_text_in_and_keeps_the_old_one_as_the_spare() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let spare = |ext: &str| {
        let [cache] = cache_files(&env).try_into().unwrap();
        std::fs::read(cache.with_extension(ext)).unwrap()
    };
    for (n, id) in [&s.analysis, &s.backup].into_iter().enumerate() {
        let store_before = std::fs::read(env.store()).unwrap();
        let [cache] = cache_files(&env).try_into().unwrap();
        let snapshot_before = std::fs::read(&cache).unwrap();
        env.ok(&["tasks", "done", id]);
        assert_ne!(std::fs::read(env.store()).unwrap(), store_before);
        assert_eq!(
            spare("yaml.spare"),
            store_before,
            "write {n}: the old store"
        );
        assert_eq!(
            spare("cache.spare"),
            snapshot_before,
            "write {n}: the old snapshot"
        );
        assert_eq!(
            wm_dir_names(&env),
            ["tasks-H.cache", "tasks-H.cache.spare", "tasks-H.yaml.spare"],
            "write {n}: nothing piles up"
        );
        assert_snapshot_is_the_file(&env, &format!("write {n}"));
    }
    // Reads leave the spares alone.
    let before = spare("yaml.spare");
    env.ok(&["tasks", "list"]);
    assert_eq!(spare("yaml.spare"), before);
}

/// A write's check runs while its text is already going into the spare:
/// a write the check refuses replaces nothing, leaves the snapshot alone,
/// and the next write is whole.
#[test]
fn a_refused_write_replaces_nothing_and_the_next_write_is_whole() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let a = env.create("Alpha", &[]);
    let b = env.create("Beta", &["--depends-on", &a]);
    let store = std::fs::read(env.store()).unwrap();
    let [cache] = cache_files(&env).try_into().unwrap();
    let snapshot = std::fs::read(&cache).unwrap();
    env.run(&["tasks", "dep", "add", &a, "--on", &b])
        .code(3)
        .stderr_has("cycle");
    env.run(&[
        "tasks",
        "create",
        "--title",
        "GH#42: Look again",
        "--issue",
        "42",
        "--phase",
        "analysis",
        "--depends-on",
        &s.docs,
    ])
    .code(3)
    .stderr_has("comes after");
    assert_eq!(std::fs::read(env.store()).unwrap(), store, "the store");
    assert_eq!(std::fs::read(&cache).unwrap(), snapshot, "the snapshot");
    env.ok(&["tasks", "check"]);
    env.ok(&["tasks", "done", &a]);
    env.ok(&[
        "tasks",
        "create",
        "--title",
        "GH#42: Extra",
        "--issue",
        "42",
    ]);
    assert_snapshot_is_the_file(&env, "after the refusals");
    let list = ["tasks", "list", "--json"];
    assert_eq!(env.ok(&list), uncached(&env, &list));
    let text = env.read();
    assert!(
        text.contains("GH#42: Extra") && !text.contains("Look again"),
        "{text}"
    );
}

/// Whether this file system lets a write reuse the spare: an exchange of
/// two names and a write lease (see `src/store/spare.rs`), tried on two
/// files of its own in `dir`.
#[cfg(target_os = "linux")]
fn spares_work_in(dir: &std::path::Path) -> bool {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let (a, b) = (dir.join("probe-a"), dir.join("probe-b"));
    std::fs::write(&a, "a").unwrap();
    std::fs::write(&b, "b").unwrap();
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&a)
        .unwrap();
    let c = |p: &std::path::Path| std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: fcntl on an open descriptor; renameat2 on two C strings.
    let works = unsafe {
        libc::fcntl(f.as_raw_fd(), libc::F_SETLEASE, libc::F_WRLCK) == 0
            && libc::fcntl(f.as_raw_fd(), libc::F_SETLEASE, libc::F_UNLCK) == 0
            && libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                c(&a).as_ptr(),
                libc::AT_FDCWD,
                c(&b).as_ptr(),
                libc::RENAME_EXCHANGE,
            ) == 0
    };
    drop(f);
    std::fs::remove_file(a).unwrap();
    std::fs::remove_file(b).unwrap();
    works
}

/// Where spares work, the store alternates between two files (the spare
/// is reused, not a new file made and the old one freed); elsewhere every
/// write makes a new one. Either way, a program that still has the old
/// store open (a pager, a slow reader) reads the old bytes to the end: the
/// spare is never overwritten while anything has it open.
#[cfg(target_os = "linux")]
#[test]
fn the_spare_is_reused_but_never_while_someone_still_reads_it() {
    use std::io::{Read, Seek};
    use std::os::unix::fs::MetadataExt;
    let env = Env::new();
    let s = env.seed_plan(42);
    let ino = || std::fs::metadata(env.store()).unwrap().ino();
    let reuse = spares_work_in(env.path());

    let first = ino();
    env.ok(&["tasks", "done", &s.analysis]);
    let second = ino();
    env.ok(&["tasks", "done", &s.backup]);
    assert_ne!(first, second);
    assert_eq!(ino() == first, reuse, "the spare is reused where it can be");

    // Someone opens the store and reads it slowly.
    let held_bytes = std::fs::read(env.store()).unwrap();
    let mut held = std::fs::File::open(env.store()).unwrap();
    let held_ino = ino();
    env.ok(&["tasks", "done", &s.implement]); // the held file becomes the spare
    env.ok(&["tasks", "done", &s.config]); // and must not be written now
    env.ok(&["tasks", "done", &s.staging]);
    assert_ne!(ino(), held_ino);
    let mut now = Vec::new();
    held.rewind().unwrap();
    held.read_to_end(&mut now).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&now),
        String::from_utf8_lossy(&held_bytes),
        "the open file still holds what was read"
    );
    for id in [&s.analysis, &s.backup, &s.implement, &s.config, &s.staging] {
        let out = env.ok(&["tasks", "show", id, "--json"]);
        assert!(
            out.contains("\"status\": \"completed\""),
            "{id} done: {out}"
        );
    }
    assert_snapshot_is_the_file(&env, "after writes around an open store");
}

/// From 1 MiB on (`store::helper::BESIDE_FROM`) reads hash tasks.yaml on a
/// helper thread while they restore the snapshot, and writes check and
/// encode on one while they write: the same answers and snapshots as a
/// small store's, a hand edit after a write still seen.
#[test]
fn a_store_of_over_a_mebibyte_reads_and_writes_through_its_helpers() {
    let env = Env::new();
    let s = env.seed_plan(42);
    // Long descriptions make the store big with few tasks (each argument
    // stays under the kernel's 128 KiB limit).
    let long = "word ".repeat(20_000);
    let bulk: Vec<String> = (0..11)
        .map(|i| {
            env.create(
                &format!("GH#42: Bulk {i}"),
                &["--issue=42", "--description", &long],
            )
        })
        .collect();
    assert!(
        std::fs::metadata(env.store()).unwrap().len() >= 1 << 20,
        "the store is big enough for helpers"
    );
    env.ok(&["tasks", "list"]);
    assert_snapshot_is_the_file(&env, "read");
    let reads: [&[&str]; 3] = [
        &["tasks", "ready", "--json"],
        &["tasks", "list", "--json"],
        &["tasks", "show", &s.backup, "--json"],
    ];
    for args in reads {
        assert_eq!(env.ok(args), uncached(&env, args), "{args:?}");
    }
    env.ok(&["tasks", "done", &s.analysis]);
    assert_snapshot_is_the_file(&env, "done");
    let id = env.create("GH#42: After the bulk", &["--issue=42"]);
    assert_snapshot_is_the_file(&env, "create");
    // A write right after a write hashes the text it reads (no reader's
    // stamp vouches for it yet) and the new text from the hasher's state
    // at the last piece before its first change: here in the middle of
    // the store, then near its start.
    env.ok(&["tasks", "update", &bulk[5], "--add-label", "middle"]);
    assert_snapshot_is_the_file(&env, "a change in the middle");
    env.ok(&["tasks", "update", &s.docs, "--add-label", "early"]);
    assert_snapshot_is_the_file(&env, "a change near the start");
    for args in reads {
        assert_eq!(env.ok(args), uncached(&env, args), "{args:?} after writes");
    }
    // `done` in the file is read as `completed`.
    complete_by_hand(&env, &id);
    let doc = env.json(&["tasks", "show", &id, "--json"]);
    assert_eq!(doc["task"]["status"], "completed");

    // A flipped bit anywhere in a big snapshot, whose checksum two threads
    // take a piece each, is refused by a read and by a write: from the
    // first piece to the last, and the checksum itself.
    let cache = cache_files(&env).pop().unwrap();
    let last = bulk.last().unwrap();
    let show: [&str; 4] = ["tasks", "show", last, "--json"];
    for k in 0..=8 {
        env.ok(&["tasks", "list"]);
        let good = std::fs::read(&cache).unwrap();
        assert!(good.len() > 1 << 20, "a big snapshot");
        let i = (k * (good.len() - 1) / 8).max(30);
        let mut bad = good.clone();
        bad[i] ^= 0x20;
        std::fs::write(&cache, &bad).unwrap();
        assert_eq!(
            env.ok(&show),
            uncached(&env, &show),
            "byte {i} of {}",
            good.len()
        );
        std::fs::write(&cache, &bad).unwrap();
        env.ok(&["tasks", "update", last, "--add-label", &format!("f{k}")]);
        assert!(env.read().contains(&format!("- f{k}\n")), "byte {i}");
        assert_eq!(
            env.ok(&show),
            uncached(&env, &show),
            "byte {i}, after a write"
        );
        env.ok(&["tasks", "check"]);
    }
}

/// `check` restores the snapshot as every read does, and its findings,
/// their lines and its exit code are those of parsing the file, whether
/// the store is valid, has warnings (their lines come from the text), has
/// a warning made by hand behind the snapshot's back (same size and time
/// stamp), has a cycle, or no longer parses.
#[test]
fn check_through_the_snapshot_says_what_parsing_says() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let formats: [&[&str]; 3] = [
        &["tasks", "check"],
        &["tasks", "check", "--json"],
        &["tasks", "check", "--format", "github"],
    ];
    let same = |what: &str, code: i32| {
        for a in formats {
            let cached = env.run(a).code(code).stdout();
            let parsed = env.cmd(a).env("WM_NO_CACHE", "1").output().unwrap();
            assert_eq!(
                parsed.status.code(),
                Some(code),
                "{what}: wm {}",
                a.join(" ")
            );
            assert_eq!(
                cached,
                String::from_utf8_lossy(&parsed.stdout),
                "{what}: wm {}",
                a.join(" ")
            );
        }
    };
    for c in cache_files(&env) {
        std::fs::remove_file(c).unwrap();
    }
    same("valid", 0);
    assert_eq!(cache_files(&env).len(), 1, "check leaves a snapshot");
    same("valid, from the snapshot", 0);
    assert!(env.ok(&["tasks", "check"]).contains(": ok (8 tasks)"));

    env.ok(&["tasks", "done", &s.docs, "--force"]);
    same("a forced completion's warning", 0);
    assert!(
        env.ok(&["tasks", "check"])
            .contains("warning[completed-before-dependencies]")
    );

    env.ok(&["tasks", "reopen", &s.docs]);
    same("reopened", 0);
    complete_by_hand(&env, &s.backup);
    same("completed by hand", 0);
    assert!(
        env.ok(&["tasks", "check"])
            .contains(&format!("task {} is completed", s.backup)),
        "the hand edit is seen"
    );

    let text = env.read();
    let pos = text.find(&format!("- id: {}", s.analysis)).unwrap();
    let at =
        pos + text[pos..].find("    status: pending\n").unwrap() + "    status: pending\n".len();
    let mut cyclic = text.clone();
    cyclic.insert_str(at, &format!("    depends_on:\n      - {}\n", s.docs));
    env.write(&cyclic);
    same("a cycle", 5);
    same("a cycle, from the snapshot", 5);

    env.write(&text.replace("tasks:\n", "tasks: [\n"));
    same("a parse error", 5);
}

#[test]
fn tables_through_the_snapshot_show_what_parsing_shows() {
    // A snapshot's texts reach a table as bytes, checked there once: the
    // ids, phases, titles and dependencies it shows must be the file's,
    // escaped and measured as the parsed store's are.
    let env = Env::new();
    let s = env.seed_plan(42);
    let wide = env.create(
        "GH#42: 漢字のタイトル 🚀 wide",
        &["--type=impl", "--issue=42", "--priority=1"],
    );
    let hostile = env.create(
        "tab\there \u{1b}[2J esc, trailing   ",
        &["--type=test", "--phase=docs", "--depends-on", &wide],
    );
    let after = env.create("after the hostile one", &["--depends-on", &hostile]);
    let tables: [&[&str]; 6] = [
        &["tasks", "list"],
        &["tasks", "list", "--width", "50"],
        &["tasks", "list", "--width", "32", "--color", "always"],
        &["tasks", "ready", "--color", "always"],
        &["tasks", "blocked"],
        &["tasks", "list", "--issue", "42", "--sort", "priority"],
    ];
    env.ok(&["tasks", "list"]);
    assert_eq!(cache_files(&env).len(), 1, "a snapshot in .git/wm");
    for a in tables {
        assert_eq!(env.ok(a), uncached(&env, a), "wm {}", a.join(" "));
    }
    let list = env.ok(&["tasks", "list"]);
    let row = |id: &str| {
        list.lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("{id} in\n{list}"))
            .to_string()
    };
    assert!(row(&hostile).contains("tab\\there \\x1b[2J esc, trailing"));
    assert!(!list.contains('\u{1b}'), "no raw escape reaches the table");
    assert!(row(&hostile).ends_with(&wide), "{}", row(&hostile));
    assert!(row(&after).ends_with(&hostile), "{}", row(&after));
    assert!(row(&s.docs).ends_with(&s.staging), "{}", row(&s.docs));
    // Columns line up in display columns: a row of wide characters is as
    // wide on screen as the header.
    let header = list.lines().next().unwrap();
    let deps_at = |line: &str| {
        let cut = line.rfind("  ").unwrap() + 2;
        unicode_width::UnicodeWidthStr::width(&line[..cut])
    };
    assert_eq!(deps_at(&row(&wide)), deps_at(header), "{list}");
}
