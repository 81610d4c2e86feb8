//! `wm`: a task-graph engine for planning and tracking engineering work.
//!
//! A `tasks.yaml` file holds epics and tasks tied to GitHub issues. The tasks
//! form a dependency DAG whose edges are the explicit `depends_on` lists plus
//! edges derived from each issue's workflow: a small DAG of phases, kept as
//! data (`workflows/*.yaml`), into which every task is placed (phase and
//! role) when it is created.
//!
//! # Architecture
//!
//! One library crate organised by concept, and a binary (`src/main.rs`)
//! whose `cli` module is the command line. The library never prints, exits
//! or reads environment variables; clap's types are not part of its API.
//!
//! ```text
//! model/      the data of tasks.yaml, no I/O: Task, Status, Role, ids,
//!             estimates; workflow.rs (workflow definitions, the built-ins,
//!             the Catalog of every phase a store knows); problem.rs (what a
//!             check finds: Problem, Code, Severity)
//! algo        graph algorithms on adjacency lists (iterative SCC, cycles)
//! error       the core's one error type: classes (one exit code each),
//!             refusals and wrong requests with a structured Remedy; no
//!             CLI words (problems carry a Fix, ops' notes are Notices:
//!             the CLI words them)
//! graph/      the loaded Plan (id index, prefixes, groups, epics; restored
//!             from a snapshot it is lazy: each task's facts read from the
//!             snapshot when asked for, the task decoded when asked for, a
//!             write decoding only what it changes); the effective DAG (explicit + derived edges, kept
//!             as Lists end to end; derive.rs says why each derived edge
//!             exists; incremental.rs, the graph after a batch of creates
//!             from the one before); query.rs (the one Scope);
//!             analysis (components, waves, critical path, why); schedule
//!             (what to do next)
//! validate    whole-store rules, run by every load and every write
//! ops/        mutations as values, one file per family (create, update,
//!             status, delete, deps); place.rs decides where a new task goes
//!             (title, type, position); applied all-or-nothing (a write
//!             stages them, then checks them while its text is written)
//! store/      locate, lock, load; write.rs: THE write transaction used by
//!             the CLI, the merge driver and library users; yaml/ (emit.rs,
//!             the canonical writer; fast.rs, its fast reader); snapshot.rs (the
//!             checksummed cache, mapped: every task's fixed record of its
//!             facts, one after the other, then the tasks' encodings, each
//!             read when asked for); stamp.rs
//!             (whether a file is unchanged, from its metadata when that is
//!             conclusive); spare.rs (the file a write fills and exchanges
//!             with the store, when nothing has it open); helper.rs (a
//!             write's helper threads, started on another CPU); hash.rs (the
//!             one hash of snapshot keys and checksums); merge.rs (three-way
//!             merge by task);
//!             report.rs (a file's problems located by line)
//! git/        root.rs (the one repository-root finder), libgit2 access,
//!             message and branch rules; gates.rs (CI gates)
//! authoring/  planning templates and issue bodies, turned into ops; export
//!             of a plan with a hidden block import reads back
//! render/     pure text out: tables, ASCII boxes, Mermaid, DOT, job
//!             summaries; json/: the typed JSON contract (one struct per
//!             document, one schema_version)
//! ```
//!
//! A write, whoever makes it: [`store::write`] locks the file, reads it
//! (restoring the snapshot when it matches the bytes read), lets the caller
//! build [`ops::Op`]s from what it read, applies them with [`ops::apply_known`]
//! (each op in `ops/`, then the whole plan re-checked by [`validate`]: a
//! change that adds an error is refused), skips the write if nothing
//! changed, and replaces the file atomically (canonical bytes from
//! `store::yaml`), retrying if another process created the store at the
//! same moment. The CLI's `Ctx::write` is a thin wrapper around it.
//!
//! ```
//! use wm::model::TaskType;
//! use wm::ops::{NewTask, Op};
//! use wm::store::{self, WriteOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join(store::FILE_NAME);
//! let create = |title: &str, kind| {
//!     Op::Create(NewTask {
//!         title: title.into(),
//!         kind: Some(kind),
//!         issue: Some(7),
//!         ..NewTask::default()
//!     })
//! };
//! let opts = WriteOptions { create: true, ..WriteOptions::default() };
//! store::write(&path, &opts, |_| {
//!     Ok::<_, wm::Error>(vec![
//!         create("GH#7: VERIFY baseline works", TaskType::Verify),
//!         create("GH#7: IMPL the store", TaskType::Impl),
//!     ])
//! })?;
//! let loaded = store::load(&path)?;
//! // The implementation waits for the baseline: derived, not written.
//! let work = loaded.plan().task(1);
//! assert_eq!(work.phase.as_deref(), Some("track-1"));
//! assert!(work.depends_on.is_empty());
//! let waits_for: Vec<&str> = loaded.graph().deps(1).iter()
//!     .map(|&(j, _)| loaded.plan().task(j).title.as_str())
//!     .collect();
//! assert_eq!(waits_for, ["GH#7: VERIFY baseline works"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod algo;
pub mod authoring;
pub mod error;
pub mod git;
pub mod graph;
pub mod model;
pub mod ops;
pub mod render;
pub mod store;
pub mod validate;

pub use error::{Error, ErrorClass, Result};
pub use graph::plan::Plan;
pub use graph::{EdgeKind, Graph, State};
pub use model::{Status, StoreFile, Task, TaskType};
