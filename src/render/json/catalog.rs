//! The catalogs: `templates --json`, `workflows --json`.

use serde::Serialize;

use super::Document;

/// `templates --json`: the planning templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplatesDoc {
    /// Built-ins and the repository's own, by name.
    pub templates: Vec<TemplateEntry>,
}

/// One planning template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateEntry {
    /// A built-in template.
    pub builtin: bool,
    /// Its description (null when invalid).
    pub description: Option<String>,
    /// Why the file is invalid (null when valid).
    pub error: Option<String>,
    /// The name `plan`/`import` take.
    pub name: String,
    /// A user file with the name of a built-in, which it replaces.
    pub overrides_builtin: bool,
    /// The user file's path as found (null for a built-in).
    pub path: Option<String>,
    /// `built-in`, or the user file's path (relative to the directory
    /// holding `.wm/`), with ` (overrides built-in)` when it does.
    pub source: String,
    /// The number of tasks it creates (null when invalid).
    pub tasks: Option<usize>,
}

/// `workflows --json`: the workflows an issue can follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkflowsDoc<'a> {
    /// All of them (the default first), or the one named.
    pub workflows: Vec<WorkflowView<'a>>,
}

/// One workflow: a small DAG of phases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkflowView<'a> {
    /// Other names it is found by.
    pub aliases: &'a [String],
    /// The store's own workflow (or the default) rather than another built-in.
    pub default: bool,
    /// What it is for.
    pub description: Option<&'a str>,
    /// Its name.
    pub name: &'a str,
    /// The phase DAG in one line, as the text output shows it.
    pub outline: String,
    /// Its phases, in definition order.
    pub phases: Vec<PhaseView<'a>>,
}

/// One phase of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseView<'a> {
    /// Phases that must be finished before this one starts.
    pub depends_on: &'a [String],
    /// The group the phase belongs to (Preparation, Implementation, ...).
    pub group: Option<&'a str>,
    /// The short name used in tasks' `phase:` fields and `--phase`.
    pub id: &'a str,
    /// Title words (or word beginnings, such as `analy`) that put a task
    /// in it, matched case-insensitively at the start of a word.
    pub keywords: &'a [String],
    /// The display name.
    pub name: &'a str,
    /// How the tasks inside it are ordered: `parallel`, `roles` or `chain`.
    pub order: &'static str,
    /// Regular expressions (case-insensitive) that put a task in it.
    pub patterns: &'a [String],
    /// Whether it repeats: `once`, `sequential` or `parallel`.
    pub repeat: &'static str,
    /// Task types that belong here when the title names no phase.
    pub types: Vec<&'static str>,
}

/// The workflows document.
pub fn workflows_doc(workflows: Vec<WorkflowView<'_>>) -> Document<WorkflowsDoc<'_>> {
    Document::new(WorkflowsDoc { workflows })
}
