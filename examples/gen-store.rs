//! Generate a realistic tasks.yaml for benchmarks, through the library.
//!
//!     cargo run --release --example gen-store -- --tasks 10000 --seed 1 > tasks.yaml
//!     cargo run --release --example gen-store -- --tasks 10000 --out tasks.yaml
//!
//! Issues are planned with the infrastructure template's phases (an epic and
//! seven phase tasks per issue, so 8 tasks an issue); earlier issues are
//! mostly completed, some tasks are in progress; about one task in ten has
//! an explicit dependency on a task of an earlier issue (acyclic by
//! construction); tasks carry labels, assignees, descriptions and linked
//! commits, as real stores do.

use std::io::Write;
use std::path::PathBuf;

use chrono::{Duration, TimeZone, Utc};
use clap::Parser;
use wm::model::{Status, StoreFile, Task, TaskType};
use wm::{Plan, yaml};

#[derive(Parser)]
struct Args {
    /// Number of tasks (rounded down to whole issues of 8).
    #[arg(long, default_value_t = 10_000)]
    tasks: usize,
    /// Seed of the generator: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn id(&mut self) -> String {
        const A: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
        (0..8)
            .map(|k| {
                let r = self.next() as usize;
                if k == 0 {
                    A[10 + r % 22] as char
                } else {
                    A[r % 32] as char
                }
            })
            .collect()
    }
}

const PHASES: [(&str, &str, TaskType); 7] = [
    ("analysis", "Analyze current infrastructure", TaskType::Impl),
    ("backup", "Create backups/snapshots", TaskType::Impl),
    ("impl", "Implement infrastructure changes", TaskType::Impl),
    ("config", "Update configuration", TaskType::Impl),
    ("staging", "Deploy and verify on staging", TaskType::Verify),
    ("rollback", "Test rollback procedure", TaskType::Verify),
    ("docs", "Update documentation", TaskType::Impl),
];
const FEATURES: [&str; 8] = [
    "Network hardening",
    "Postgres 16 upgrade",
    "Move CI to ephemeral runners",
    "Rotate TLS certificates",
    "Terraform state split",
    "Log retention policy",
    "Kubernetes node pool resize",
    "Backup encryption at rest",
];
const PEOPLE: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "frank"];
const LABELS: [&str; 6] = [
    "security",
    "networking",
    "database",
    "ci",
    "observability",
    "cost",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut rng = Rng(args.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let issues = (args.tasks / 8).max(1);
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad start date")?;
    let mut tasks: Vec<Task> = Vec::with_capacity(issues * 8);
    let mut ids = std::collections::HashSet::new();
    for n in 0..issues {
        let issue = 1000 + n as u64;
        let feature = FEATURES[n % FEATURES.len()];
        // Older issues are further along.
        let progress = ((n as f64 / issues as f64) * 9.0) as usize;
        let done_upto = 8usize.saturating_sub(progress).min(8);
        let created = start + Duration::minutes(n as i64 * 7);
        let mut fresh_id = |rng: &mut Rng| loop {
            let id = rng.id();
            if ids.insert(id.clone()) {
                return id;
            }
        };
        let mut epic = Task::new(
            fresh_id(&mut rng),
            format!("GH#{issue}: {feature} ({n})"),
            TaskType::Epic,
            created,
        );
        epic.issue = Some(issue);
        epic.description = Some(format!(
            "Plan for issue #{issue}: {feature}. Scope, risks and rollback are in the issue body."
        ));
        epic.labels = vec![LABELS[n % LABELS.len()].to_string()];
        let first_task = tasks.len() + 1;
        let earlier = tasks.len();
        tasks.push(epic);
        for (k, (phase, title, kind)) in PHASES.iter().enumerate() {
            let at = created + Duration::seconds(k as i64 + 1);
            let mut t = Task::new(
                fresh_id(&mut rng),
                format!("GH#{issue}: {title}"),
                *kind,
                at,
            );
            t.issue = Some(issue);
            t.phase = Some(phase.to_string());
            t.assignee = Some(PEOPLE[rng.below(PEOPLE.len() as u64) as usize].to_string());
            t.labels = vec![LABELS[rng.below(LABELS.len() as u64) as usize].to_string()];
            t.description = Some(format!(
                "{title} for {feature}: follow the runbook, record evidence in the issue."
            ));
            if k < done_upto {
                t.status = Status::Completed;
                t.closed_at = Some(at + Duration::hours(2));
                t.updated_at = at + Duration::hours(2);
                t.commits = vec![format!(
                    "{:016x}{:016x}{:08x}",
                    rng.next(),
                    rng.next(),
                    rng.below(u32::MAX as u64)
                )];
            } else if k == done_upto && rng.below(3) == 0 {
                t.status = Status::InProgress;
                t.updated_at = at + Duration::hours(1);
            }
            // Cross-issue edges only point at earlier issues: acyclic.
            if earlier > 0 && rng.below(10) == 0 {
                let j = rng.below(earlier as u64) as usize;
                if !tasks[j].is_epic() {
                    let dep = tasks[j].id.clone();
                    t.depends_on.push(dep);
                }
            }
            tasks.push(t);
        }
        let _ = first_task;
    }
    // Epics whose tasks are all settled are completed.
    for chunk in tasks.chunks_mut(8) {
        if chunk[1..].iter().all(|t| t.status.is_settled()) {
            chunk[0].status = Status::Completed;
            chunk[0].closed_at = chunk[7].closed_at;
        }
    }
    let mut plan = Plan::new(StoreFile {
        tasks,
        ..StoreFile::default()
    });
    plan.sort_canonical();
    let text = yaml::emit(plan.file());
    match args.out {
        Some(path) => std::fs::write(path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}
