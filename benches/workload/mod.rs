//! The benchmark workload, shared by `examples/gen-store.rs` and the
//! criterion benches: issues planned with the infrastructure template's
//! phases (an epic and seven phase tasks per issue, so 8 tasks an issue);
//! earlier issues are mostly completed, some tasks are in progress; about
//! one task in ten has an explicit dependency on a task of an earlier issue
//! (acyclic by construction); tasks carry labels, assignees, descriptions
//! and linked commits, as real stores do. Deterministic for a seed.
#![allow(dead_code)]

use chrono::{Duration, TimeZone, Utc};
use wm::Plan;
use wm::model::{Status, StoreFile, Task, TaskType};

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

/// A plan of about `tasks` tasks (whole issues of 8), in canonical order.
pub fn generate(tasks: usize, seed: u64) -> Plan {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let issues = (tasks / 8).max(1);
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
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
    plan
}

/// The peers' workload: `tasks` tasks in `tasks / 10` groups (issues),
/// each depending on 0-3 random earlier tasks, every edge explicit, no
/// phases (so no derived edges), a third of the first half completed.
pub fn peers(tasks: usize, seed: u64) -> Plan {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let groups = (tasks / 10).max(1) as u64;
    let mut out: Vec<Task> = Vec::with_capacity(tasks);
    let mut ids = std::collections::HashSet::new();
    for k in 0..tasks {
        let id = loop {
            let id = rng.id();
            if ids.insert(id.clone()) {
                break id;
            }
        };
        let issue = 1000 + rng.below(groups);
        let at = start + Duration::seconds(k as i64 * 30);
        let mut t = Task::new(id, format!("GH#{issue}: Task {k}"), TaskType::Task, at);
        t.issue = Some(issue);
        t.labels = vec![LABELS[rng.below(LABELS.len() as u64) as usize].to_string()];
        for _ in 0..rng.below(4) {
            if k > 0 {
                let dep = out[rng.below(k as u64) as usize].id.clone();
                if !t.depends_on.contains(&dep) {
                    t.depends_on.push(dep);
                }
            }
        }
        out.push(t);
    }
    // Earlier tasks are further along: complete some whose dependencies are.
    let pos: std::collections::HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(k, t)| (t.id.clone(), k))
        .collect();
    for k in 0..tasks / 2 {
        let settled = out[k]
            .depends_on
            .iter()
            .all(|d| pos.get(d).is_some_and(|&j| out[j].status.is_settled()));
        if settled && rng.below(3) > 0 {
            out[k].status = Status::Completed;
            out[k].closed_at = Some(out[k].created_at + Duration::hours(1));
        }
    }
    let mut plan = Plan::new(StoreFile {
        tasks: out,
        ..StoreFile::default()
    });
    plan.sort_canonical();
    plan
}

/// The workload as Taskwarrior sees it: one task per task, the issue as the
/// project, dependencies by uuid, the same statuses, tags and assignees (as
/// a UDA-free tag) so that the compared commands do equivalent work.
pub fn taskwarrior_json(tasks: &[Task]) -> String {
    let uuid = |id: &str| {
        let mut h: u128 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            h = (h ^ u128::from(b)).wrapping_mul(0x0100_0000_0000_0000_0000_0000_013b);
        }
        let x = format!("{h:032x}");
        format!(
            "{}-{}-4{}-8{}-{}",
            &x[0..8],
            &x[8..12],
            &x[13..16],
            &x[17..20],
            &x[20..32]
        )
    };
    let entries: Vec<serde_json::Value> = tasks
        .iter()
        .map(|t| {
            let mut tags: Vec<String> = t.labels.clone();
            if let Some(a) = &t.assignee {
                tags.push(a.clone());
            }
            let status = match t.status {
                Status::Completed => "completed",
                Status::Cancelled => "deleted",
                _ => "pending",
            };
            let mut v = serde_json::json!({
                "uuid": uuid(&t.id),
                "description": t.title,
                "status": status,
                "entry": t.created_at.format("%Y%m%dT%H%M%SZ").to_string(),
                "modified": t.updated_at.format("%Y%m%dT%H%M%SZ").to_string(),
                "project": format!("GH{}", t.issue.unwrap_or_default()),
                "tags": tags,
            });
            if let Some(c) = t.closed_at {
                v["end"] = c.format("%Y%m%dT%H%M%SZ").to_string().into();
            }
            if !t.depends_on.is_empty() {
                v["depends"] = t
                    .depends_on
                    .iter()
                    .map(|d| uuid(d))
                    .collect::<Vec<_>>()
                    .join(",")
                    .into();
            }
            v
        })
        .collect();
    serde_json::Value::Array(entries).to_string()
}
