//! The JSON contract: one typed document per command that prints `--json`.
//!
//! Every document is a [`Document`]: the [`SCHEMA_VERSION`] (written here
//! and nowhere else) and a body flattened beside it. The bodies live in one
//! file per family:
//!
//! | file | documents |
//! |---|---|
//! | [`tasks`] | TASK, the task list (`list`, `ready`, `blocked`, `order`), one task (`show`) |
//! | [`schedule`] | the picked task and nothing-to-pick (`next`, `claim`) |
//! | [`graph`] | the graph (`graph`) |
//! | [`analysis`] | `waves`, `critical-path`, `why` |
//! | [`check`] | the check report and the CI gates (`check`) |
//! | [`git`] | COMMIT, `scan`, `log` |
//! | [`catalog`] | `templates`, `workflows` |
//!
//! Field names are stable; add fields rather than rename them, and bump
//! [`SCHEMA_VERSION`] on any incompatible change. `docs/json.md` documents
//! every document with a real example; the tests in `tests/json_contract.rs`
//! snapshot each one whole.
//!
//! Keys are printed in alphabetical order whatever the order of the fields
//! here: [`to_string_pretty`] writes a document directly when its objects'
//! keys come out in that order (fields declared alphabetically), and
//! otherwise goes through a `serde_json::Value`, whose maps are sorted
//! (`sorted.rs` says how one is told from the other). Absent values are `null`, never a missing key (except
//! the graph's per-kind node fields, documented on [`graph::Node`]).

// Every document, field and constructor says what it means.
#![deny(missing_docs)]

use serde::Serialize;

pub mod analysis;
pub mod catalog;
pub mod check;
pub mod git;
pub mod graph;
pub mod schedule;
mod sorted;
pub mod tasks;

pub use tasks::{Dependency, ForcedView, TaskView, task_view, tasks_doc, write_tasks_doc};

/// Version of the JSON output contract, at the top of every document.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole JSON document: `schema_version` beside the fields of `body`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document<T> {
    /// The contract's version ([`SCHEMA_VERSION`]); it changes only on an
    /// incompatible change (a field renamed, removed or retyped).
    pub schema_version: u32,
    /// The command's own fields, at the top level of the object.
    #[serde(flatten)]
    pub body: T,
}

impl<T> Document<T> {
    /// `body` under the current [`SCHEMA_VERSION`].
    pub fn new(body: T) -> Document<T> {
        Document {
            schema_version: SCHEMA_VERSION,
            body,
        }
    }
}

/// A document as `wm` prints it: pretty, keys sorted, ending in a newline.
pub fn to_string_pretty<T: Serialize>(doc: &T) -> serde_json::Result<String> {
    // Directly when that gives sorted keys (sorted.rs); else through a
    // Value: its objects are sorted maps, so keys come out in alphabetical
    // order, as they always have (docs/json.md, "Rules").
    let mut s = match sorted::to_string_pretty(doc) {
        Some(s) => s,
        None => serde_json::to_string_pretty(&serde_json::to_value(doc)?)?,
    };
    s.push('\n');
    Ok(s)
}
