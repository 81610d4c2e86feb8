//! Property tests: the canonical writer round-trips anything, and any
//! sequence of operations keeps the graph's invariants.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use wm::model::workflow::{Phase, Workflow};
use wm::model::{Forced, Note, Role, Status, StoreFile, Task, TaskType};
use wm::ops::{self, Changes, NewTask, Op, Transition};
use wm::store::{self, yaml};
use wm::validate as check;
use wm::{Graph, Plan, State};

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_000_000_000, 0u32..1000)
        .prop_map(|(s, ms)| Utc.timestamp_opt(s, ms * 1_000_000).single().unwrap())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 #:_-]{1,30}",
        any::<String>().prop_filter("non-empty", |s| !s.trim().is_empty()),
        Just("GH#42: Deploy: \"quoted\" # not a comment".to_string()),
        Just("line one\nline two\n\n  indented\n".to_string()),
        Just("\u{1b}[2Jtrailing\n\n\n".to_string()),
        Just("true".to_string()),
        Just("007".to_string()),
        Just("- dash".to_string()),
    ]
}

fn kind() -> impl Strategy<Value = TaskType> {
    proptest::sample::select(TaskType::ALL.to_vec())
}

fn status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

/// Priority, close reason and notes (a strategy of its own: one more
/// level of the big tuple below overflows the test thread's stack).
fn extra() -> BoxedStrategy<(Option<u8>, Option<String>, Vec<Note>)> {
    (
        proptest::option::of(any::<u8>()),
        proptest::option::of(text()),
        proptest::collection::vec(
            (time(), text()).prop_map(|(at, text)| Note { at, text }),
            0..3,
        ),
    )
        .boxed()
}

prop_compose! {
    fn task()(
        id in "[a-z][a-z0-9]{7}",
        title in text(),
        kind in kind(),
        status in status(),
        phase in proptest::option::of(proptest::sample::select(vec!["analysis", "docs", "x y", "step-2", "track-1"])),
        role in proptest::option::of(proptest::sample::select(Role::ALL.to_vec())),
        workflow in proptest::option::of(proptest::sample::select(vec!["gated", "backend", "my flow"])),
        issue in proptest::option::of(0u64..100_000),
        parent in proptest::option::of("[a-z]{8}"),
        depends_on in proptest::collection::vec("[a-z0-9-]{1,10}", 0..3),
        labels in proptest::collection::vec(text(), 0..3),
        assignee in proptest::option::of(text()),
        description in proptest::option::of(text()),
        estimate in proptest::option::of(proptest::sample::select(vec!["2h", "1d4h", "30m", "x"])),
        commits in proptest::collection::vec("[0-9a-f]{40}", 0..2),
        created_at in time(),
        updated_at in time(),
        closed_at in proptest::option::of(time()),
        forced in proptest::collection::vec((time(), status(), text()), 0..2),
        extra in extra(),
    ) -> Task {
        Task {
            id, title, kind, status,
            phase: phase.map(String::from),
            role, workflow: workflow.map(String::from),
            issue, parent, depends_on, labels, assignee, description, commits,
            estimate: estimate.map(String::from),
            created_at, updated_at, closed_at,
            forced: forced.into_iter().map(|(at, to, reason)| Forced { at, to, reason }).collect(),
            priority: extra.0,
            reason: extra.1,
            notes: extra.2,
        }
    }
}

/// What an edit inserts: printable ASCII, or a YAML escape sequence (valid
/// or not), or a non-ASCII character YAML treats specially (NEL, line and
/// paragraph separators, a BOM), so the fast reader is checked against the
/// full parser on escapes and non-ASCII too.
fn edit_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[ -~]{0,3}",
        1 => proptest::sample::select(vec![
            "\\x41", "\\u00e9", "\\U0001F600", "\\N", "\\_", "\\L", "\\P", "\\e",
            "\\z", "\\", "\\\"", "\"\\", "\\x4", "\\x+1", "\\u+04a", "\\x4g", "é", "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}",
            "🚀", "\t", "\r",
        ])
        .prop_map(String::from),
    ]
}

/// A store's `workflow:` block: a built-in (every field the writer
/// emits: patterns, types, orders, repeats, absorb) or a small custom one
/// with names that need quoting.
fn workflow(k: usize) -> Workflow {
    match wm::model::workflow::builtins().get(k) {
        Some(w) => w.clone(),
        None => Workflow {
            name: Some("my: flow".into()),
            description: Some("a \"custom\" one\nwith two lines".into()),
            aliases: vec!["mine".into()],
            recognise: vec!["^x #1".into()],
            evidence: true,
            phases: vec![
                Phase::simple("a", "A", &[]),
                Phase::simple("b-1", "B: b", &["a"]),
            ],
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn save_then_load_is_the_identity(
        tasks in proptest::collection::vec(task(), 0..6),
        wf in proptest::option::of(0usize..4),
    ) {
        let file = StoreFile { tasks, workflow: wf.map(workflow), ..StoreFile::default() };
        let text = yaml::emit(&file);
        let back = store::parse(std::path::Path::new("tasks.yaml"), text.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
        prop_assert_eq!(&back, &file, "text was:\n{}", text);
        // And the text itself is canonical: a second round gives the same bytes.
        prop_assert_eq!(yaml::emit(&back), text.clone());
        // Written on several threads, the bytes are the same.
        prop_assert_eq!(yaml::emit_with(&file, 0), text);
    }

    #[test]
    fn the_fast_reader_agrees_with_the_full_parser(
        tasks in proptest::collection::vec(task(), 0..5),
        wf in proptest::option::of(0usize..4),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..7, edit_text()), 0..4),
    ) {
        let file = StoreFile { tasks, workflow: wf.map(workflow), ..StoreFile::default() };
        let text = yaml::emit(&file);
        let fast = yaml::parse_canonical(&text);
        prop_assert_eq!(fast.as_ref(), Some(&file));
        // The multi-threaded path reads the same.
        let threaded = yaml::parse_canonical_with(&text, 0);
        prop_assert_eq!(threaded.as_ref(), Some(&file));
        // Line-level edits a person or a bad merge might make.
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        for (at, kind, s) in edits {
            if lines.is_empty() { break; }
            let i = at.index(lines.len());
            match kind {
                0 => { lines.remove(i); }
                1 => { let l = lines[i].clone(); lines.insert(i, l); }
                2 => lines[i].insert(0, ' '),
                3 => lines[i].push_str(&s),
                4 => { let j = (i + 1) % lines.len(); lines.swap(i, j); }
                // Inside a quoted scalar, where an escape means something.
                5 if lines[i].ends_with('"') => { let end = lines[i].len() - 1; lines[i].insert_str(end, &s); }
                _ => { let cut = lines[i].len() / 2; if lines[i].is_char_boundary(cut) { lines[i].truncate(cut); } }
            }
        }
        let edited = lines.join("\n") + "\n";
        // Threads or not, the fast reader gives one answer.
        prop_assert_eq!(
            yaml::parse_canonical_with(&edited, 0).filter(|f| f.version == 1),
            yaml::parse_canonical_with(&edited, usize::MAX).filter(|f| f.version == 1)
        );
        // `store::parse` uses the fast reader only for versions it supports.
        if let Some(fast) = yaml::parse_canonical(&edited).filter(|f| f.version == 1) {
            // Whenever the fast path answers, the full parser agrees.
            let full = store::parse_full(std::path::Path::new("t"), &edited)
                .map_err(|e| TestCaseError::fail(format!("fast accepted, full refused: {e}\n{edited}")))?;
            prop_assert_eq!(fast, full, "text:\n{}", edited);
        }
    }

    #[test]
    fn a_forged_snapshot_never_panics_a_reader(
        tasks in proptest::collection::vec(task(), 1..5),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        // Tasks are decoded when asked for, trusting the checksum: a
        // snapshot whose bytes were changed and its checksum recomputed
        // (a forgery, not an accident) must still not crash anything.
        let plan = Plan::new(StoreFile { tasks, ..StoreFile::default() });
        let graph = Graph::build(&plan);
        let problems = check::check(&plan, &graph);
        let mut bytes = wm::store::snapshot::encode(7, plan.file(), &graph, &problems, None)
            .unwrap_or_default();
        let body = bytes.len() - 16;
        // The checksum of every byte before it, the key's as zeros, as a
        // forger would work it out: of a snapshot this small (one piece of
        // 256 KiB at most), the hash of the hash of its bytes.
        prop_assert!(body <= 256 * 1024);
        let seal = |bytes: &mut Vec<u8>| {
            let key_at = wm::store::snapshot::key_at() as usize;
            let mut summed = bytes[..body].to_vec();
            summed[key_at..key_at + 16].fill(0);
            let piece = wm::store::snapshot::key(&summed).to_le_bytes();
            let sum = wm::store::snapshot::key(&piece).to_le_bytes();
            bytes[body..].copy_from_slice(&sum);
        };
        // Sealed as the format does it: what was encoded reads back (else
        // no forgery below would get past the checksum).
        seal(&mut bytes);
        prop_assert!(wm::store::snapshot::decode(bytes.clone(), 7).is_some());
        for (at, b) in flips {
            // Past the magic, the version and the key, which refuse at once.
            let i = 40 + at.index(body - 40);
            bytes[i] = b;
        }
        seal(&mut bytes);
        if let Some(s) = wm::store::snapshot::decode(bytes, 7) {
            let p = &s.plan;
            for i in 0..p.len() {
                let _ = (p.id(i), p.title(i), p.phase(i), p.parent(i), p.depends_on(i), p.facts(i));
                let _ = p.task(i).clone();
            }
            let _ = p.tasks().len();
            let _ = Graph::build(p);
        }
    }

    #[test]
    fn a_snapshot_restores_exactly_what_was_loaded(
        tasks in proptest::collection::vec(task(), 0..6),
        wf in proptest::option::of(0usize..4),
    ) {
        let plan = Plan::new(StoreFile { tasks, workflow: wf.map(workflow), ..StoreFile::default() });
        let graph = Graph::build(&plan);
        let problems = check::check(&plan, &graph);
        let bytes = wm::store::snapshot::encode(7, plan.file(), &graph, &problems, None);
        // Every problem code check can produce must be storable.
        prop_assert!(bytes.is_some(), "not encodable: {:?}", problems);
        let bytes = bytes.unwrap_or_default();
        let back = wm::store::snapshot::decode(bytes.clone(), 7);
        prop_assert!(back.is_some());
        let back = back.unwrap();
        // The restored plan decodes its tasks when asked: one at a time,
        // and each the same as loaded, as are the facts kept at hand...
        prop_assert_eq!(back.plan.len(), plan.len());
        for i in (0..plan.len()).rev() {
            prop_assert_eq!(back.plan.id(i), plan.id(i));
            prop_assert_eq!(back.plan.title(i), plan.title(i));
            prop_assert_eq!(back.plan.phase(i), plan.phase(i));
            prop_assert_eq!(back.plan.parent(i), plan.parent(i));
            prop_assert_eq!(back.plan.depends_on(i), plan.depends_on(i));
            prop_assert_eq!(back.plan.facts(i), plan.facts(i));
            prop_assert_eq!(back.plan.task(i), plan.task(i));
            prop_assert_eq!(back.plan.get(&plan.task(i).id), plan.get(&plan.task(i).id));
        }
        // ...and all at once.
        prop_assert_eq!(back.plan.file(), plan.file());
        prop_assert_eq!(back.graph.parts(), graph.parts());
        prop_assert_eq!(&back.problems, &problems);
        // Another key, or any truncation, is refused.
        prop_assert!(wm::store::snapshot::decode(bytes.clone(), 8).is_none());
        prop_assert!(wm::store::snapshot::decode(bytes[..bytes.len() - 1].to_vec(), 7).is_none());
    }

    #[test]
    fn statuses_never_change_the_errors(
        tasks in proptest::collection::vec(task(), 1..8),
        statuses in proptest::collection::vec(status(), 8),
    ) {
        // The premise of skipping re-validation after status-only writes:
        // error-level problems do not depend on status, assignee, commits
        // or the forced-transition record.
        let plan = Plan::new(StoreFile { tasks: tasks.clone(), ..StoreFile::default() });
        let errors = check::errors(&check::check(&plan, &Graph::build(&plan)));
        let changed: Vec<Task> = tasks
            .into_iter()
            .zip(&statuses)
            .map(|(mut t, s)| {
                t.status = *s;
                t.assignee = Some("someone".into());
                t.commits.push("0".repeat(40));
                t.forced.clear();
                t.reason = Some("closed".into());
                t.notes.push(Note { at: t.created_at, text: "noted".into() });
                t
            })
            .collect();
        let plan = Plan::new(StoreFile { tasks: changed, ..StoreFile::default() });
        let again = check::errors(&check::check(&plan, &Graph::build(&plan)));
        prop_assert_eq!(errors, again);
    }

    #[test]
    fn random_mutations_never_panic_the_loader(
        tasks in proptest::collection::vec(task(), 1..4),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let file = StoreFile { tasks, ..StoreFile::default() };
        let mut bytes = yaml::emit(&file).into_bytes();
        for (at, b) in cuts {
            let i = at.index(bytes.len());
            match b % 3 {
                0 => bytes[i] = b,
                1 => { bytes.remove(i); }
                _ => bytes.truncate(i),
            }
            if bytes.is_empty() { break; }
        }
        // Ok or a clean error: never a panic.
        let _ = store::parse(std::path::Path::new("tasks.yaml"), &bytes);
    }
}

#[derive(Debug, Clone)]
enum Action {
    Create {
        title: usize,
        issue: Option<u64>,
        deps: Vec<usize>,
    },
    AddDep {
        a: usize,
        b: usize,
    },
    RmDep {
        a: usize,
        b: usize,
    },
    Transition {
        a: usize,
        to: u8,
        force: bool,
    },
    SetPhase {
        a: usize,
        phase: Option<usize>,
    },
    Delete {
        a: usize,
        force: bool,
    },
}

const TITLES: [&str; 8] = [
    "Analyze current infrastructure",
    "Create backups/snapshots",
    "Implement infrastructure changes",
    "Update configuration",
    "Deploy and verify on staging",
    "Test rollback procedure",
    "Update documentation",
    "Something else",
];
const PHASES: [&str; 7] = [
    "analysis", "backup", "impl", "config", "staging", "rollback", "docs",
];

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (0..TITLES.len(), proptest::option::of(1u64..4), proptest::collection::vec(0usize..50, 0..3))
            .prop_map(|(title, issue, deps)| Action::Create { title, issue, deps }),
        2 => (0usize..50, 0usize..50).prop_map(|(a, b)| Action::AddDep { a, b }),
        1 => (0usize..50, 0usize..50).prop_map(|(a, b)| Action::RmDep { a, b }),
        2 => (0usize..50, 0u8..4, any::<bool>()).prop_map(|(a, to, force)| Action::Transition { a, to, force }),
        1 => (0usize..50, proptest::option::of(0..PHASES.len())).prop_map(|(a, phase)| Action::SetPhase { a, phase }),
        1 => (0usize..50, any::<bool>()).prop_map(|(a, force)| Action::Delete { a, force }),
    ]
}

fn pick(plan: &Plan, k: usize) -> Option<String> {
    if plan.is_empty() {
        None
    } else {
        Some(plan.task(k % plan.len()).id.clone())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn operations_keep_every_invariant(actions in proptest::collection::vec(action(), 1..40)) {
        let mut plan = Plan::empty();
        let mut clock = 1_700_000_000i64;
        for a in actions {
            clock += 1;
            let now = Utc.timestamp_opt(clock, 0).single().unwrap();
            let op = match a {
                Action::Create { title, issue, deps } => Op::Create(NewTask {
                    title: TITLES[title].to_string(),
                    kind: Some(TaskType::Impl),
                    issue,
                    depends_on: deps.into_iter().filter_map(|d| pick(&plan, d)).collect(),
                    ..NewTask::default()
                }),
                Action::AddDep { a, b } => match (pick(&plan, a), pick(&plan, b)) {
                    (Some(id), Some(on)) => Op::AddDeps { id, on: vec![on] },
                    _ => continue,
                },
                Action::RmDep { a, b } => match (pick(&plan, a), pick(&plan, b)) {
                    (Some(id), Some(on)) => Op::RemoveDeps { id, on: vec![on] },
                    _ => continue,
                },
                Action::Transition { a, to, force } => match pick(&plan, a) {
                    Some(id) => Op::SetStatus {
                        id,
                        to: [Transition::Start, Transition::Done, Transition::Reopen, Transition::Cancel][to as usize],
                        force,
                        assignee: None,
                        reason: (to % 2 == 1).then(|| "why".to_string()),
                        commit: None,
                    },
                    None => continue,
                },
                Action::SetPhase { a, phase } => match pick(&plan, a) {
                    Some(id) => Op::Update {
                        id,
                        changes: Changes { phase: Some(phase.map(|p| PHASES[p].to_string())), ..Changes::default() },
                    },
                    None => continue,
                },
                Action::Delete { a, force } => match pick(&plan, a) {
                    Some(id) => Op::Delete { id, force },
                    None => continue,
                },
            };
            let before = plan.clone();
            match ops::apply(plan, vec![op], now) {
                Ok((p, _)) => plan = p,
                Err(_) => plan = before,
            }
            let graph = Graph::build(&plan);
            let errors = check::errors(&check::check(&plan, &graph));
            prop_assert!(errors.is_empty(), "invariant broken: {:?}", errors);
            prop_assert!(graph.is_acyclic());
            prop_assert!(graph.dangling().is_empty());
            for i in graph.ready(&plan) {
                prop_assert!(graph.deps(i).iter().all(|&(j, _)| plan.task(j).status.is_settled()));
                prop_assert_eq!(graph.state(&plan, i), State::Ready);
            }
            // Dependencies come before dependents in the order.
            for i in 0..plan.len() {
                for &(j, _) in graph.deps(i) {
                    prop_assert!(graph.rank(j) < graph.rank(i));
                }
            }
        }
        // And the result survives a save/load round trip.
        let mut p = plan.clone();
        p.sort_canonical();
        let text = yaml::emit(p.file());
        let back = store::parse(std::path::Path::new("t"), text.as_bytes()).unwrap();
        prop_assert_eq!(&back, p.file());
    }
}

/// One op of the incremental-validation property: creates of every kind
/// (in phases, with explicit dependencies, under an epic), status changes,
/// and now and then an edit that takes the whole-store path.
fn inc_op() -> impl Strategy<Value = (u8, usize, usize, usize, Option<u64>, u8)> {
    (
        0u8..10,
        0usize..50,
        0usize..50,
        0usize..TITLES.len(),
        proptest::option::of(1u64..4),
        0u8..8,
    )
}

fn inc_build(
    plan: &Plan,
    (what, a, b, title, issue, k): (u8, usize, usize, usize, Option<u64>, u8),
) -> Option<Op> {
    let kinds = [
        TaskType::Impl,
        TaskType::Verify,
        TaskType::Test,
        TaskType::Task,
        TaskType::Epic,
    ];
    Some(match what {
        0..=4 => Op::Create(NewTask {
            title: TITLES[title].to_string(),
            kind: Some(kinds[k as usize % kinds.len()]),
            issue,
            phase: (k >= 6 && kinds[k as usize % kinds.len()] != TaskType::Epic)
                .then(|| PHASES[a % PHASES.len()].to_string()),
            depends_on: [pick(plan, a), pick(plan, b)]
                .into_iter()
                .flatten()
                .take(k as usize % 3)
                .collect(),
            parent: (what == 4)
                .then(|| {
                    plan.tasks()
                        .iter()
                        .find(|t| t.is_epic())
                        .map(|t| t.id.clone())
                })
                .flatten(),
            no_infer: k == 5,
            ..NewTask::default()
        }),
        5..=7 => Op::SetStatus {
            id: pick(plan, a)?,
            to: [
                Transition::Start,
                Transition::Done,
                Transition::Reopen,
                Transition::Cancel,
            ][k as usize % 4],
            force: b % 2 == 0,
            assignee: None,
            reason: (b % 3 == 0).then(|| "checked".to_string()),
            commit: None,
        },
        8 => Op::AddDeps {
            id: pick(plan, a)?,
            on: vec![pick(plan, b)?],
        },
        _ => Op::Update {
            id: pick(plan, a)?,
            changes: Changes {
                phase: Some(Some(PHASES[b % PHASES.len()].to_string())),
                ..Changes::default()
            },
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Incremental validation (what writes use) gives the same verdict,
    /// the same graph and the same problems as re-checking the whole
    /// store, on random sequences of op batches.
    #[test]
    fn incremental_validation_agrees_with_the_whole_store_check(
        batches in proptest::collection::vec(proptest::collection::vec(inc_op(), 1..4), 1..30),
    ) {
        let mut plan = Plan::empty();
        let mut clock = 1_700_000_000i64;
        for batch in batches {
            clock += 1;
            let now = Utc.timestamp_opt(clock, 0).single().unwrap();
            let ops: Vec<Op> = batch.into_iter().filter_map(|o| inc_build(&plan, o)).collect();
            if ops.is_empty() {
                continue;
            }
            let graph = Graph::build(&plan);
            let before = check::check(&plan, &graph);
            let fast = ops::apply_tracked(plan.clone(), &before, Some(graph), ops.clone(), now);
            let slow = ops::apply_checking_all(plan.clone(), &before, ops, now);
            match (fast, slow) {
                (Ok(f), Ok(s)) => {
                    // New ids are random: the two runs differ only in them.
                    prop_assert_eq!(f.plan.len(), s.plan.len());
                    prop_assert_eq!(f.outcomes.len(), s.outcomes.len());
                    let g = Graph::build(&f.plan);
                    prop_assert_eq!(f.graph.parts(), g.parts());
                    prop_assert_eq!(&f.problems, &check::check(&f.plan, &g));
                    plan = f.plan;
                }
                (Err(f), Err(s)) => {
                    // Both refuse, for the same rules. (Which cycle a
                    // message names, and the new ids, differ between runs:
                    // ids are random.)
                    let rules = |m: String| -> Vec<&'static str> {
                        ["cycle", "comes after", "must come before", "does not exist", "not an epic"]
                            .into_iter()
                            .filter(|r| m.contains(r))
                            .collect()
                    };
                    prop_assert_eq!(f.class(), s.class());
                    prop_assert_eq!(rules(f.to_string()), rules(s.to_string()));
                }
                (f, s) => prop_assert!(false, "verdicts differ: {:?} vs {:?}", f.map(|a| a.outcomes), s.map(|a| a.outcomes)),
            }
        }
    }
}

/// One step of a random editing session, by position in the store.
#[derive(Debug, Clone)]
enum Step {
    Create(u64, u8),
    Title(usize, u8),
    Label(usize, u8),
    Status(usize, u8),
    Note(usize),
    Dep(usize, usize),
    Delete(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1u64..4, 0u8..8).prop_map(|(i, k)| Step::Create(i, k)),
        2 => (any::<usize>(), 0u8..8).prop_map(|(t, k)| Step::Title(t, k)),
        1 => (any::<usize>(), 0u8..4).prop_map(|(t, k)| Step::Label(t, k)),
        2 => (any::<usize>(), 0u8..4).prop_map(|(t, k)| Step::Status(t, k)),
        1 => any::<usize>().prop_map(Step::Note),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Step::Dep(a, b)),
        1 => any::<usize>().prop_map(Step::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// A write copies the blocks of the tasks it did not change from the
    /// text it read (when its snapshot says where they are): whatever the
    /// edits, the file it leaves is exactly the canonical text of the plan
    /// it computed, and reading that file back without any cache gives
    /// that plan. A block copied for a task that did change would lose the
    /// change silently; this is the check that it never happens.
    #[test]
    fn writes_that_copy_unchanged_blocks_write_exactly_the_new_plan(
        steps in proptest::collection::vec(step(), 1..14),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tasks.yaml");
        let opts = store::WriteOptions {
            create: true,
            snapshot: Some(dir.path().join("snapshot.cache")),
            ..store::WriteOptions::default()
        };
        let mut ids: Vec<String> = Vec::new();
        let mut was_invalid = false;
        for (k, s) in steps.iter().enumerate() {
            let pick = |i: usize| ids.get(i % ids.len().max(1)).cloned();
            let op = match s.clone() {
                Step::Create(issue, t) => Some(Op::Create(NewTask {
                    title: format!("GH#{issue}: step {k} {}", ["plan", "backup", "implement", "configure", "staging", "rollback", "docs", "VERIFY it"][t as usize]),
                    issue: Some(issue),
                    ..NewTask::default()
                })),
                Step::Title(i, t) => pick(i).map(|id| Op::Update {
                    id,
                    changes: Changes { title: Some(format!("renamed {k} {t}")), ..Changes::default() },
                }),
                Step::Label(i, l) => pick(i).map(|id| Op::Update {
                    id,
                    changes: Changes { add_labels: vec![format!("l{l}")], ..Changes::default() },
                }),
                Step::Status(i, t) => pick(i).map(|id| Op::SetStatus {
                    id,
                    to: [Transition::Start, Transition::Done, Transition::Reopen, Transition::Cancel][t as usize],
                    force: true,
                    assignee: None,
                    reason: Some(format!("step {k}")),
                    commit: None,
                }),
                Step::Note(i) => pick(i).map(|id| Op::AddNote { id, text: format!("note {k}") }),
                Step::Dep(a, b) => pick(a).zip(pick(b)).map(|(id, on)| Op::AddDeps { id, on: vec![on] }),
                Step::Delete(i) => pick(i).map(|id| Op::Delete { id, force: true }),
            };
            let Some(op) = op else { continue };
            // Refusals (a cycle, a rule) write nothing; that is fine here.
            let Ok(w) = store::write(&path, &opts, |_| Ok::<_, wm::Error>(vec![op.clone()])) else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap();
            prop_assert_eq!(
                String::from_utf8_lossy(&bytes),
                yaml::emit(w.plan.file()),
                "after step {} {:?}", k, s
            );
            let fresh = store::parse(&path, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&fresh, w.plan.file());
            // The snapshot the write left (tasks it did not change copied
            // from the one it restored, as encoded bytes) is exactly the
            // file's: same tasks, graph and problems as parsing it.
            let snap = std::fs::read(dir.path().join("snapshot.cache")).unwrap_or_default();
            let restored = wm::store::snapshot::decode(snap, wm::store::snapshot::key(&bytes));
            let loaded = store::load(&path).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let invalid = !loaded.errors().is_empty();
            match restored {
                Some(restored) => {
                    prop_assert_eq!(restored.plan.file(), loaded.plan().file());
                    // Its id index (kept in the snapshot, moved with the
                    // tasks when a write re-sorts) finds what a fresh one does.
                    for t in loaded.plan().tasks() {
                        prop_assert_eq!(restored.plan.get(&t.id), loaded.plan().get(&t.id));
                    }
                    prop_assert_eq!(restored.graph.parts(), loaded.graph().parts());
                    prop_assert_eq!(restored.problems.as_slice(), loaded.problems());
                }
                // A write to a store with errors keeps no snapshot (its
                // re-sort could make an old error look new).
                None => prop_assert!(
                    invalid || was_invalid,
                    "after step {} {:?}: no snapshot of the bytes written", k, s
                ),
            }
            was_invalid = invalid;
            ids = w.plan.tasks().iter().map(|t| t.id.clone()).collect();
        }
    }
}
