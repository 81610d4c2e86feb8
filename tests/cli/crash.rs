//! A writer killed at any moment leaves the store as it was before or after
//! its write, never anything else, and no temporary file survives the next
//! write.

use crate::common::Env;
use std::time::Duration;

fn count_tasks(env: &Env) -> usize {
    env.ids(&["tasks", "list"]).len()
}

fn temp_files(env: &Env) -> Vec<String> {
    std::fs::read_dir(env.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn sigkill_at_random_moments_never_corrupts_the_store() {
    let env = Env::new();
    env.seed_plan(1);
    let mut expected = count_tasks(&env);
    // A small deterministic generator: the same kill schedule on every run.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut survived = 0;
    for k in 0..200 {
        let mut child = env
            .spawnable(&["tasks", "create", &format!("--title=GH#1: write {k}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(next() % 12_000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let after = count_tasks(&env);
        assert!(
            after == expected || after == expected + 1,
            "kill {k}: {expected} tasks before, {after} after (exit {status:?})"
        );
        if after == expected + 1 {
            survived += 1;
        }
        expected = after;
    }
    // Some writes finished and some were cut short: the schedule exercised both.
    assert!(
        survived > 0 && survived < 200,
        "{survived} of 200 writes completed"
    );
    // The next successful write removes temporaries of killed writers.
    env.create("GH#1: after the storm", &[]);
    assert_eq!(temp_files(&env), Vec::<String>::new());
    env.ok(&["tasks", "ready"]);
}
