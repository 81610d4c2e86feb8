//! The phase workflow: which phases exist, which come before which, and how a
//! task's title tells its phase.
//!
//! The default is the infrastructure planning template's section 8:
//! `analysis -> backup -> impl -> config -> staging -> {rollback, docs}`.
//! A store may carry its own workflow instead.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use crate::model::title_without_issue;

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
    /// Lower-case title fragments that put a task in this phase.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

/// A set of phases forming a DAG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub phases: Vec<Phase>,
}

fn phase(id: &str, name: &str, group: &str, deps: &[&str], keywords: &[&str]) -> Phase {
    Phase {
        id: id.into(),
        name: name.into(),
        group: Some(group.into()),
        depends_on: deps.iter().map(|s| s.to_string()).collect(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
    }
}

impl Default for Workflow {
    /// The planning template's workflow (seed 002, section 8).
    fn default() -> Self {
        Workflow {
            phases: vec![
                phase(
                    "analysis",
                    "Analysis",
                    "Preparation",
                    &[],
                    &[
                        "analy",
                        "investigat",
                        "assess",
                        "audit",
                        "survey",
                        "current state",
                    ],
                ),
                phase(
                    "backup",
                    "Backup",
                    "Preparation",
                    &["analysis"],
                    &["backup", "back up", "snapshot"],
                ),
                phase(
                    "impl",
                    "Impl",
                    "Implementation",
                    &["backup"],
                    &["implement", "provision", "migrat", "build", "develop"],
                ),
                phase(
                    "config",
                    "Config",
                    "Implementation",
                    &["impl"],
                    &["config", "setting"],
                ),
                phase(
                    "staging",
                    "Staging",
                    "Verification",
                    &["config"],
                    &["staging", "deploy", "verif"],
                ),
                phase(
                    "rollback",
                    "Rollback",
                    "Verification",
                    &["staging"],
                    &["rollback", "roll back", "revert"],
                ),
                phase(
                    "docs",
                    "Docs",
                    "Documentation",
                    &["staging"],
                    &["document", "docs", "readme", "runbook"],
                ),
            ],
        }
    }
}

/// Problems with a workflow definition itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowError {
    Empty,
    DuplicatePhase(String),
    UnknownPhase { phase: String, missing: String },
    Cycle(Vec<String>),
}

impl std::fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkflowError::Empty => write!(f, "the workflow has no phases"),
            WorkflowError::DuplicatePhase(p) => write!(f, "phase `{p}` is defined twice"),
            WorkflowError::UnknownPhase { phase, missing } => {
                write!(f, "phase `{phase}` depends on unknown phase `{missing}`")
            }
            WorkflowError::Cycle(path) => {
                write!(f, "the phases form a cycle: {}", path.join(" -> "))
            }
        }
    }
}

impl Workflow {
    /// Check the workflow is a DAG of uniquely named phases.
    pub fn validate(&self) -> Result<(), WorkflowError> {
        if self.phases.is_empty() {
            return Err(WorkflowError::Empty);
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

    /// The phase a title implies: the workflow keyword found earliest in the
    /// title (after its `GH#N:` prefix); a longer keyword wins a tie.
    pub fn infer_phase(&self, title: &str) -> Option<&str> {
        let text = title_without_issue(title).to_lowercase();
        let mut best: Option<(usize, usize, &str)> = None;
        for p in &self.phases {
            for k in &p.keywords {
                let k = k.to_lowercase();
                if k.is_empty() {
                    continue;
                }
                if let Some(pos) = text.find(&k) {
                    let better = match best {
                        None => true,
                        Some((bp, bl, _)) => pos < bp || (pos == bp && k.len() > bl),
                    };
                    if better {
                        best = Some((pos, k.len(), p.id.as_str()));
                    }
                }
            }
        }
        best.map(|(_, _, id)| id)
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
    /// skipping through absent ones. This is the template's "dependencies
    /// managed via tasks.yaml structure".
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_workflow_is_valid() {
        assert_eq!(Workflow::default().validate(), Ok(()));
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
        ];
        for (title, phase) in cases {
            assert_eq!(wf.infer_phase(title), Some(phase), "{title}");
        }
        assert_eq!(wf.infer_phase("GH#42: Network hardening"), None);
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
}
