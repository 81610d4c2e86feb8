//! Workflows: small DAGs of phases, as data.
//!
//! A phase says which tasks belong to it (title patterns matched on word
//! boundaries, task types, and otherwise the position a task was created
//! in) and how the tasks inside it are ordered (`order`: all in parallel,
//! by role test -> impl -> verify, or a chain in creation order). A phase can
//! repeat: `step-1`, `step-2`, ... one after the other (`repeat:
//! sequential`), or `track-1`, `track-2`, ... side by side (`repeat:
//! parallel`).
//!
//! The built-in workflows live in `workflows/*.yaml` and are compiled in.
//! The default, for titles that name its phases, is the infrastructure
//! planning template's section 8:
//! `analysis -> backup -> impl -> config -> staging -> {rollback, docs}`.
//! A store may replace it with its own `workflow:` block.
//!
//! Every phase id is unique across the workflows a store knows ([`Catalog`]),
//! so a task's stored phase names its workflow too, and the edges derived
//! from phases never depend on anything but what is stored.

use std::collections::HashSet;
use std::sync::OnceLock;

use foldhash::HashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{TaskType, title_without_issue};

/// How the tasks inside one phase (or one instance of a repeated phase)
/// are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// No order inside the phase.
    #[default]
    Parallel,
    /// By role: tests, then implementation, then the verification, which
    /// alone gates what comes after the phase.
    Roles,
    /// One after the other, in the order they were created.
    Chain,
}

impl Order {
    fn is_parallel(&self) -> bool {
        *self == Order::Parallel
    }
}

/// Whether a phase occurs once or as numbered instances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    /// One instance (stored as the phase id).
    #[default]
    Once,
    /// Instances `ID-1`, `ID-2`, ... each after the one before.
    Sequential,
    /// Instances `ID-1`, `ID-2`, ... side by side.
    Parallel,
}

impl Repeat {
    fn is_once(&self) -> bool {
        *self == Repeat::Once
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// One phase of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Short name used in `phase:` fields and `--phase`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The group the phase belongs to (Preparation, Implementation, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Phases that must be finished before this one starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Title words (or word beginnings, such as `analy`) that put a task in
    /// this phase; matched case-insensitively at the start of a word.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Regular expressions (case-insensitive) that put a task in this
    /// phase; a capture group gives the instance of a repeated phase
    /// (`phase\s*(\d+)` -> `step-2`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
    /// Task types that belong here when the title names no phase, and that
    /// win a tie when the title names several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<TaskType>,
    /// How the tasks inside the phase are ordered.
    #[serde(default, skip_serializing_if = "Order::is_parallel")]
    pub order: Order,
    /// Whether the phase occurs once or as numbered instances.
    #[serde(default, skip_serializing_if = "Repeat::is_once")]
    pub repeat: Repeat,
    /// Whether a task whose title names nothing, created right after a task
    /// of this phase, joins it (false for a baseline: work created after it
    /// is not baseline work).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub absorb: bool,
}

impl Phase {
    /// A plain phase: parallel, once, keywords only.
    pub fn simple(id: &str, name: &str, depends_on: &[&str]) -> Phase {
        Phase {
            id: id.into(),
            name: name.into(),
            group: None,
            depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
            keywords: Vec::new(),
            patterns: Vec::new(),
            types: Vec::new(),
            order: Order::Parallel,
            repeat: Repeat::Once,
            absorb: true,
        }
    }
}

/// A set of phases forming a DAG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    /// The workflow's name (`--workflow NAME`); a store's own workflow may
    /// leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One line on what the workflow is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other names that select it (`frontend-only` for `gated`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Regular expressions on the first task's title (without `GH#N:`) that
    /// make an issue follow this workflow; case-sensitive unless the
    /// pattern says `(?i)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recognise: Vec<String>,
    /// Closing a verify-role task (role `verify`, or type verify in a phase
    /// ordered by roles) needs evidence: a close reason or a linked commit.
    #[serde(default, skip_serializing_if = "is_false")]
    pub evidence: bool,
    pub phases: Vec<Phase>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The built-in workflows, as YAML compiled into the binary.
pub const BUILTINS: [(&str, &str); 3] = [
    (
        "infrastructure",
        include_str!("../../workflows/infrastructure.yaml"),
    ),
    ("gated", include_str!("../../workflows/gated.yaml")),
    ("backend", include_str!("../../workflows/backend.yaml")),
];

/// The same workflows as JSON, made from the YAML by `build.rs` and in
/// the same order: what [`builtins`] parses, since reading JSON costs a
/// command a few microseconds where YAML cost it a few hundred.
const BUILTINS_JSON: [&str; 3] = [
    include_str!(concat!(env!("OUT_DIR"), "/infrastructure.json")),
    include_str!(concat!(env!("OUT_DIR"), "/gated.json")),
    include_str!(concat!(env!("OUT_DIR"), "/backend.json")),
];

/// The name of the default workflow.
pub const DEFAULT: &str = "infrastructure";

/// A workflow may have at most this many phases: enough for any plan, and
/// a bound on the work a hostile store can ask for.
pub const MAX_PHASES: usize = 1_000;

/// The built-in workflows, parsed once per process. A built-in that does
/// not parse (a bug caught by the tests) is left out rather than panicking.
pub fn builtins() -> &'static [Workflow] {
    static CELL: OnceLock<Vec<Workflow>> = OnceLock::new();
    CELL.get_or_init(|| {
        BUILTINS_JSON
            .iter()
            .filter_map(|json| serde_json::from_str::<Workflow>(json).ok())
            .collect()
    })
}

impl Workflow {
    /// The planning template's workflow (seed 002, section 8), shared.
    pub fn builtin_default() -> &'static Workflow {
        static CELL: OnceLock<Workflow> = OnceLock::new();
        CELL.get_or_init(Workflow::default)
    }
}

impl Default for Workflow {
    /// The planning template's workflow (seed 002, section 8).
    fn default() -> Self {
        builtins()
            .iter()
            .find(|w| w.name.as_deref() == Some(DEFAULT))
            .cloned()
            .unwrap_or(Workflow {
                name: Some(DEFAULT.into()),
                description: None,
                aliases: Vec::new(),
                recognise: Vec::new(),
                evidence: false,
                phases: Vec::new(),
            })
    }
}

/// Problems with a workflow definition itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowError {
    Empty,
    TooManyPhases(usize),
    DuplicatePhase(String),
    UnknownPhase { phase: String, missing: String },
    Cycle(Vec<String>),
    BadPattern { phase: String, error: String },
}

impl std::fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkflowError::Empty => write!(f, "the workflow has no phases"),
            WorkflowError::TooManyPhases(n) => write!(
                f,
                "the workflow has {n} phases; at most {MAX_PHASES} are allowed"
            ),
            WorkflowError::DuplicatePhase(p) => write!(f, "phase `{p}` is defined twice"),
            WorkflowError::UnknownPhase { phase, missing } => {
                write!(f, "phase `{phase}` depends on unknown phase `{missing}`")
            }
            WorkflowError::Cycle(path) => {
                let shown = if path.len() > 12 {
                    format!(
                        "{} -> ... ({} more) ... -> {}",
                        path[..8].join(" -> "),
                        path.len() - 10,
                        path[path.len() - 2..].join(" -> ")
                    )
                } else {
                    path.join(" -> ")
                };
                write!(f, "the phases form a cycle: {shown}")
            }
            WorkflowError::BadPattern { phase, error } => {
                write!(
                    f,
                    "phase `{phase}` has a pattern that is not a valid regular expression: {error}"
                )
            }
        }
    }
}

type RegexCache = std::sync::Mutex<HashMap<(String, bool), Option<regex::Regex>>>;

/// Compile a pattern of a workflow (case-insensitive unless it says
/// otherwise), caching compiled patterns for the process: one import or
/// template creates many tasks against the same few patterns.
pub fn regex(pattern: &str, case_insensitive: bool) -> Option<regex::Regex> {
    static CACHE: OnceLock<RegexCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (pattern.to_string(), case_insensitive);
    if let Ok(map) = cache.lock()
        && let Some(r) = map.get(&key)
    {
        return r.clone();
    }
    let built = regex::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(1 << 20)
        .build()
        .ok();
    if let Ok(mut map) = cache.lock() {
        map.insert(key, built.clone());
    }
    built
}

/// Where in a title a phase matched, and the instance it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TitleMatch {
    /// Byte offset of the match in the title (without `GH#N:`).
    pub at: usize,
    /// Length of the match.
    pub len: usize,
    /// The instance number a pattern's capture group gave.
    pub instance: Option<u32>,
}

impl Phase {
    /// The earliest place `text` (a title without `GH#N:`) names this phase.
    pub fn matches(&self, text: &str) -> Option<TitleMatch> {
        let lower = text.to_lowercase();
        let mut best: Option<TitleMatch> = None;
        let mut offer = |m: TitleMatch| {
            let better = match best {
                None => true,
                Some(b) => m.at < b.at || (m.at == b.at && m.len > b.len),
            };
            if better {
                best = Some(m);
            }
        };
        for k in &self.keywords {
            let k = k.to_lowercase();
            if k.is_empty() {
                continue;
            }
            // At the start of a word: `analy` matches "Analyze", not "reanalyze".
            let mut from = 0;
            while let Some(pos) = lower[from..].find(&k) {
                let at = from + pos;
                let starts_word = lower[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
                if starts_word {
                    offer(TitleMatch {
                        at,
                        len: k.len(),
                        instance: None,
                    });
                    break;
                }
                from = at + k.len().max(1);
                if from >= lower.len() {
                    break;
                }
            }
        }
        for p in &self.patterns {
            let Some(re) = regex(p, true) else { continue };
            if let Some(c) = re.captures(text)
                && let Some(m) = c.get(0)
            {
                let instance = c.get(1).and_then(|g| g.as_str().parse::<u32>().ok());
                offer(TitleMatch {
                    at: m.start(),
                    len: m.len(),
                    instance,
                });
            }
        }
        best
    }
}

impl Workflow {
    /// The workflow's name, or `store` for a store's unnamed own workflow.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or("store")
    }

    /// Whether `name` selects this workflow (its name or an alias).
    pub fn answers_to(&self, name: &str) -> bool {
        let n = name.trim().to_ascii_lowercase();
        self.name
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(&n))
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(&n))
    }

    /// Whether a first task titled `title` makes an issue follow this
    /// workflow: a `recognise` pattern matches, or (for a workflow without
    /// any) one of its phases does.
    pub fn recognises(&self, title: &str) -> bool {
        let text = title_without_issue(title);
        if self.recognise.is_empty() {
            return self.phases.iter().any(|p| p.matches(text).is_some());
        }
        self.recognise
            .iter()
            .any(|p| regex(p, false).is_some_and(|re| re.is_match(text)))
    }

    /// Check the workflow is a DAG of uniquely named phases with valid
    /// patterns.
    pub fn validate(&self) -> Result<(), WorkflowError> {
        if self.phases.is_empty() {
            return Err(WorkflowError::Empty);
        }
        if self.phases.len() > MAX_PHASES {
            return Err(WorkflowError::TooManyPhases(self.phases.len()));
        }
        let mut seen = HashSet::new();
        for p in &self.phases {
            if !seen.insert(p.id.as_str()) {
                return Err(WorkflowError::DuplicatePhase(p.id.clone()));
            }
        }
        for p in &self.phases {
            for d in &p.depends_on {
                if !seen.contains(d.as_str()) {
                    return Err(WorkflowError::UnknownPhase {
                        phase: p.id.clone(),
                        missing: d.clone(),
                    });
                }
            }
            for pat in &p.patterns {
                if let Err(e) = regex::RegexBuilder::new(pat).size_limit(1 << 20).build() {
                    return Err(WorkflowError::BadPattern {
                        phase: p.id.clone(),
                        error: e.to_string(),
                    });
                }
            }
        }
        // The one cycle finder (iterative: a hostile chain of phases cannot
        // overflow the stack).
        let idx: HashMap<&str, usize> = self
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let adj: Vec<Vec<usize>> = self
            .phases
            .iter()
            .map(|p| {
                p.depends_on
                    .iter()
                    .filter_map(|d| idx.get(d.as_str()).copied())
                    .collect()
            })
            .collect();
        if let Some(c) = crate::algo::cycles(&adj, |i| i).into_iter().next() {
            return Err(WorkflowError::Cycle(
                c.iter().map(|&k| self.phases[k].id.clone()).collect(),
            ));
        }
        Ok(())
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.id == id)
    }

    pub fn get(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.phases.iter().map(|p| p.id.as_str()).collect()
    }

    /// The phase a title implies (keywords and patterns, not type or
    /// position): the match found earliest in the title (after its `GH#N:`
    /// prefix); a longer match wins a tie.
    pub fn infer_phase(&self, title: &str) -> Option<&str> {
        let text = title_without_issue(title);
        let mut best: Option<(TitleMatch, &str)> = None;
        for p in &self.phases {
            if let Some(m) = p.matches(text) {
                let better = match best {
                    None => true,
                    Some((b, _)) => m.at < b.at || (m.at == b.at && m.len > b.len),
                };
                if better {
                    best = Some((m, p.id.as_str()));
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// Whether phase `a` comes strictly before phase `b` (a path a -> b).
    pub fn precedes(&self, a: &str, b: &str) -> bool {
        if a == b {
            return false;
        }
        let mut stack = vec![b];
        let mut seen = HashSet::new();
        while let Some(cur) = stack.pop() {
            let Some(p) = self.get(cur) else { continue };
            for d in &p.depends_on {
                if d == a {
                    return true;
                }
                if seen.insert(d.as_str()) {
                    stack.push(d);
                }
            }
        }
        false
    }

    /// For phase `p`, the nearest phases before it that are `present`:
    /// walk back along phase dependencies, stopping at each present phase and
    /// skipping through absent ones.
    pub fn nearest_present_predecessors<'a>(
        &'a self,
        p: &str,
        present: &dyn Fn(&str) -> bool,
    ) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack: Vec<&'a str> = match self.get(p) {
            Some(ph) => ph.depends_on.iter().map(|s| s.as_str()).collect(),
            None => return out,
        };
        while let Some(cur) = stack.pop() {
            if !seen.insert(cur) {
                continue;
            }
            if present(cur) {
                out.push(cur);
            } else if let Some(ph) = self.get(cur) {
                stack.extend(ph.depends_on.iter().map(|s| s.as_str()));
            }
        }
        out.sort_by_key(|id| self.position(id));
        out
    }
}

/// A stored phase resolved in a [`Catalog`]: which phase, which instance
/// (0 for a phase that occurs once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    pub phase: usize,
    pub instance: u32,
}

/// Every workflow a store knows, with their phases in one index: the
/// store's own workflow (or the default) first, then the other built-ins
/// whose phase ids do not collide with it.
#[derive(Debug, Clone)]
pub struct Catalog {
    workflows: Vec<Workflow>,
    /// (workflow, phase within it) of each flat phase index.
    flat: Vec<(usize, usize)>,
    by_id: HashMap<String, usize>,
    /// Flat indexes of each phase's `depends_on`.
    preds: Vec<Vec<usize>>,
    /// A topological rank of each phase (its workflow first, then its
    /// position in it): sorts tasks in workflow order.
    rank: Vec<usize>,
}

impl Catalog {
    pub fn new(store: &Workflow) -> Catalog {
        let mut workflows = vec![store.clone()];
        let own: HashSet<&str> = store.phases.iter().map(|p| p.id.as_str()).collect();
        for b in builtins() {
            if b.name == store.name && store.name.is_some() {
                continue;
            }
            if b.phases.iter().any(|p| own.contains(p.id.as_str())) {
                continue;
            }
            workflows.push(b.clone());
        }
        let mut flat = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::default();
        for (w, wf) in workflows.iter().enumerate() {
            for (k, p) in wf.phases.iter().enumerate() {
                if by_id.contains_key(&p.id) {
                    continue;
                }
                by_id.insert(p.id.clone(), flat.len());
                flat.push((w, k));
            }
        }
        let preds = flat
            .iter()
            .map(|&(w, k)| {
                workflows[w].phases[k]
                    .depends_on
                    .iter()
                    .filter_map(|d| by_id.get(d).copied())
                    .collect()
            })
            .collect();
        let rank = (0..flat.len()).collect();
        Catalog {
            workflows,
            flat,
            by_id,
            preds,
            rank,
        }
    }

    pub fn workflows(&self) -> &[Workflow] {
        &self.workflows
    }

    pub fn len(&self) -> usize {
        self.flat.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flat.is_empty()
    }

    /// The phase at a flat index.
    pub fn phase(&self, i: usize) -> &Phase {
        let (w, k) = self.flat[i];
        &self.workflows[w].phases[k]
    }

    /// The workflow (index into [`Catalog::workflows`]) of a flat phase.
    pub fn workflow_of(&self, i: usize) -> usize {
        self.flat[i].0
    }

    /// The flat index of a phase id.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn preds(&self, i: usize) -> &[usize] {
        &self.preds[i]
    }

    pub fn rank(&self, i: usize) -> usize {
        self.rank[i]
    }

    /// The workflow a name (or alias) selects.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.workflows.iter().position(|w| w.answers_to(name))
    }

    /// Resolve a stored phase: a phase id, or `ID-N` for instance N of a
    /// repeated phase.
    pub fn resolve(&self, stored: &str) -> Option<Slot> {
        if let Some(&i) = self.by_id.get(stored) {
            return Some(Slot {
                phase: i,
                instance: 0,
            });
        }
        let (base, n) = stored.rsplit_once('-')?;
        let i = *self.by_id.get(base)?;
        if self.phase(i).repeat == Repeat::Once || n.is_empty() || n.len() > 6 {
            return None;
        }
        if !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
            return None;
        }
        Some(Slot {
            phase: i,
            instance: n.parse().ok()?,
        })
    }

    /// The stored text of a slot (`step-2`, `analysis`).
    pub fn stored(&self, slot: Slot) -> String {
        let id = &self.phase(slot.phase).id;
        if slot.instance == 0 {
            id.clone()
        } else {
            format!("{id}-{}", slot.instance)
        }
    }

    /// The display name of a slot (`Phase 2`, `Analysis`).
    pub fn display(&self, slot: Slot) -> String {
        let name = &self.phase(slot.phase).name;
        if slot.instance == 0 {
            name.clone()
        } else {
            format!("{name} {}", slot.instance)
        }
    }

    /// The nearest phases before `i` (flat indexes) that are `present`,
    /// walking back through absent ones. Iterative.
    pub fn nearest_present_predecessors(
        &self,
        i: usize,
        present: &dyn Fn(usize) -> bool,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.flat.len()];
        let mut stack: Vec<usize> = self.preds[i].clone();
        while let Some(cur) = stack.pop() {
            if std::mem::replace(&mut seen[cur], true) {
                continue;
            }
            if present(cur) {
                out.push(cur);
            } else {
                stack.extend(self.preds[cur].iter().copied());
            }
        }
        out.sort_unstable();
        out
    }

    /// Whether phase `a` comes strictly before phase `b` (flat indexes).
    pub fn phase_precedes(&self, a: usize, b: usize) -> bool {
        if a == b {
            return false;
        }
        let mut seen = vec![false; self.flat.len()];
        let mut stack = vec![b];
        while let Some(cur) = stack.pop() {
            for &d in &self.preds[cur] {
                if d == a {
                    return true;
                }
                if !std::mem::replace(&mut seen[d], true) {
                    stack.push(d);
                }
            }
        }
        false
    }

    /// Whether slot `a` comes strictly before slot `b`: an earlier phase, or
    /// an earlier instance of the same sequentially repeated phase.
    pub fn precedes(&self, a: Slot, b: Slot) -> bool {
        if a.phase == b.phase {
            return self.phase(a.phase).repeat == Repeat::Sequential && a.instance < b.instance;
        }
        self.phase_precedes(a.phase, b.phase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_are_valid() {
        assert_eq!(builtins().len(), BUILTINS.len());
        for w in builtins() {
            assert_eq!(w.validate(), Ok(()), "{}", w.label());
        }
        assert_eq!(Workflow::default().label(), "infrastructure");
    }

    #[test]
    fn the_json_builtins_are_the_yaml_ones() {
        // build.rs made the JSON from the YAML: nothing may be lost or
        // changed on the way, and the order is the same.
        let from_yaml: Vec<Workflow> = BUILTINS
            .iter()
            .map(
                |(name, text)| match serde_saphyr::from_str::<Workflow>(text) {
                    Ok(w) => w,
                    Err(e) => panic!("{name}: {e}"),
                },
            )
            .collect();
        assert_eq!(builtins(), from_yaml.as_slice());
        for ((name, _), w) in BUILTINS.iter().zip(builtins()) {
            assert_eq!(w.name.as_deref(), Some(*name));
        }
    }

    #[test]
    fn seed_titles_infer_their_phases() {
        let wf = Workflow::default();
        let cases = [
            ("GH#42: Analyze current infrastructure", "analysis"),
            ("GH#42: Create backups/snapshots", "backup"),
            ("GH#42: Implement infrastructure changes", "impl"),
            ("GH#42: Update configuration", "config"),
            ("GH#42: Deploy and verify on staging", "staging"),
            ("GH#42: Test rollback procedure", "rollback"),
            ("GH#42: Update documentation", "docs"),
            // Words, not substrings.
            ("GH#42: Write developer documentation", "docs"),
        ];
        for (title, phase) in cases {
            assert_eq!(wf.infer_phase(title), Some(phase), "{title}");
        }
        assert_eq!(wf.infer_phase("GH#42: Network hardening"), None);
        assert_eq!(
            wf.infer_phase("GH#42: Set up alerting for deploy failures"),
            None
        );
    }

    #[test]
    fn precedes_follows_the_phase_dag() {
        let wf = Workflow::default();
        assert!(wf.precedes("analysis", "docs"));
        assert!(wf.precedes("staging", "rollback"));
        assert!(!wf.precedes("docs", "analysis"));
        assert!(!wf.precedes("rollback", "docs"));
        assert!(!wf.precedes("docs", "rollback"));
        assert!(!wf.precedes("impl", "impl"));
    }

    #[test]
    fn nearest_predecessors_skip_empty_phases() {
        let wf = Workflow::default();
        let present = |p: &str| matches!(p, "analysis" | "staging");
        assert_eq!(
            wf.nearest_present_predecessors("docs", &present),
            vec!["staging"]
        );
        assert_eq!(
            wf.nearest_present_predecessors("staging", &present),
            vec!["analysis"]
        );
        assert!(
            wf.nearest_present_predecessors("analysis", &present)
                .is_empty()
        );
    }

    #[test]
    fn cycles_are_reported_with_their_path() {
        let mut wf = Workflow::default();
        wf.phases[0].depends_on.push("config".into());
        match wf.validate() {
            Err(WorkflowError::Cycle(path)) => {
                assert_eq!(path.first(), path.last());
                assert!(path.contains(&"analysis".to_string()));
            }
            other => panic!("expected a cycle, got {other:?}"),
        }
    }

    #[test]
    fn a_long_chain_of_phases_is_refused_not_overflowed() {
        let phases: Vec<Phase> = (0..30_000)
            .map(|i| {
                let prev = format!("p{}", i.max(1) - 1);
                let deps: Vec<&str> = if i == 0 { vec![] } else { vec![prev.as_str()] };
                Phase::simple(&format!("p{i}"), "P", &deps)
            })
            .collect();
        let wf = Workflow {
            name: None,
            description: None,
            aliases: vec![],
            recognise: vec![],
            evidence: false,
            phases,
        };
        assert_eq!(wf.validate(), Err(WorkflowError::TooManyPhases(30_000)));
    }

    #[test]
    fn the_catalog_resolves_repeated_phases() {
        let c = Catalog::new(&Workflow::default());
        let step = c.resolve("step-2").expect("step-2");
        assert_eq!(step.instance, 2);
        assert_eq!(c.stored(step), "step-2");
        assert_eq!(c.resolve("analysis").map(|s| s.instance), Some(0));
        assert_eq!(c.resolve("analysis-2"), None);
        assert_eq!(c.resolve("step-02"), None);
        assert_eq!(c.resolve("step-"), None);
        let s1 = c.resolve("step-1").expect("step-1");
        assert!(c.precedes(s1, step));
        assert!(!c.precedes(step, s1));
        let baseline = c.resolve("baseline").expect("baseline");
        assert!(c.precedes(baseline, s1));
        assert_eq!(c.find("full-stack"), c.find("gated"));
        assert_eq!(c.find("backend-only"), c.find("backend"));
    }
}
