//! `wm`: a task-graph engine for planning and tracking infrastructure work.
//!
//! A `tasks.yaml` file holds epics and tasks tied to GitHub issues. The tasks
//! form a dependency DAG whose edges are the explicit `depends_on` lists plus
//! edges derived from the workflow's phases (by default the planning
//! template's `analysis -> backup -> impl -> config -> staging ->
//! {rollback, docs}`).
//!
//! # Architecture
//!
//! ```text
//! model     serde types of the file (Task, Status, TaskType, StoreFile); no I/O
//! workflow  the phase DAG, keyword inference of phases
//! plan      a loaded store: id index, prefix resolution, groups and epics
//! graph     the effective DAG (explicit + phase edges): cycles, order, ready
//! analysis  questions about the DAG: components, waves, critical path, why
//! check     whole-store validation; every load and every write runs it
//! report    check's problems located by line in the file, parse errors as findings
//! schedule  what to do next: ready tasks by phase, critical path, age
//! ops       mutations as values, applied all-or-nothing: the one write path
//! yaml      the canonical layout: its writer (same content, same bytes) and a
//!           fast reader for it (anything else goes to serde-saphyr)
//! store     locate, lock, load, atomic save
//! cache     a snapshot of a loaded store keyed by a hash of its bytes
//! git       libgit2: repository, revisions, ranges; message/branch rules
//! gates     CI gates: unreferenced commits, completed tasks without commits
//! merge     three-way merge of stores by task id (the git merge driver)
//! render    pure text out: tables, escaping, graph drawings (ASCII,
//!           Mermaid, DOT) of a `render::view::View`, and json/: the typed
//!           JSON contract (one struct per document, one schema_version)
//! template  planning templates (YAML): parse, validate, built-ins, into ops
//! checklist issue bodies: the work in a filled-in form -> ops (options ->
//!           epic labels), plan -> Markdown with a hidden plan block (block)
//! cli       clap commands, one module each; the only layer that prints,
//!           reads the environment or exits
//! ```
//!
//! A write flows: `cli` parses flags -> `store::lock` finds, locks and loads
//! -> `ops::apply` mutates the plan and re-checks it -> `Locked::commit`
//! writes the canonical file atomically and unlocks -> `cli` prints.
//! Nothing below `cli` prints, exits or reads environment variables.

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
