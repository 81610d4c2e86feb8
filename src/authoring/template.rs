//! Planning templates: YAML documents naming phases and the tasks to create
//! for an issue, turned into one batch of [`Op`]s applied all-or-nothing.
//!
//! Built-in templates are compiled into the binary from `templates/*.yaml`;
//! a repository adds or overrides them with `.wm/templates/NAME.yaml`. The
//! caller (the CLI) finds that directory and passes it in.
//!
//! Phases: a store has one workflow, and phase edges are derived from it.
//! A template's phases are merged into the store's workflow by the same
//! write that creates the tasks ([`Op::AddPhases`]): phases the workflow
//! already has must have the same `depends_on`, new ones are appended. The
//! `infrastructure` template uses exactly the default workflow, so planning
//! with it leaves the store's `workflow:` untouched.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::TaskType;
use crate::model::workflow::{Phase, Workflow};
use crate::ops::{NewTask, Op};

/// Templates compiled into the binary: (name, YAML text).
pub const BUILTINS: [(&str, &str); 5] = [
    (
        "infrastructure",
        include_str!("../../templates/infrastructure.yaml"),
    ),
    (
        "infra-request",
        include_str!("../../templates/infra-request.yaml"),
    ),
    ("devops", include_str!("../../templates/devops.yaml")),
    (
        "architecture",
        include_str!("../../templates/architecture.yaml"),
    ),
    (
        "deployment",
        include_str!("../../templates/deployment.yaml"),
    ),
];

/// Where user templates live, relative to the repository root.
pub const USER_DIR: &str = ".wm/templates";

/// Template files larger than this are refused before parsing.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// The default title pattern of the epic (the seed's epic command).
pub const DEFAULT_EPIC: &str = "GH#{issue}: {title}";

fn default_epic() -> String {
    DEFAULT_EPIC.to_string()
}

/// A planning template as written in YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub name: String,
    pub description: String,
    /// Title pattern of the epic; `{issue}` and `{title}` are replaced.
    #[serde(default = "default_epic")]
    pub epic: String,
    /// The phases the tasks use, merged into the store's workflow.
    pub phases: Vec<Phase>,
    pub tasks: Vec<TemplateTask>,
}

/// One task a template creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateTask {
    /// A key for `depends_on` within the template (not the task's id).
    pub id: String,
    /// Title pattern; `{issue}` and `{title}` are replaced.
    pub title: String,
    #[serde(rename = "type", default = "default_kind")]
    pub kind: TaskType,
    /// One of the template's phases.
    pub phase: String,
    /// Keys of other tasks of this template that must be finished first
    /// (beyond what the phases already order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

fn default_kind() -> TaskType {
    TaskType::Task
}

/// Where a template comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Builtin,
    /// A user file; `overrides` when a built-in has the same name.
    User {
        path: PathBuf,
        overrides: bool,
    },
}

impl Source {
    /// `built-in`, or the file's path (with `overrides built-in`).
    pub fn describe(&self, root: Option<&Path>) -> String {
        match self {
            Source::Builtin => "built-in".into(),
            Source::User { path, overrides } => {
                let shown = root.and_then(|r| path.strip_prefix(r).ok()).unwrap_or(path);
                if *overrides {
                    format!("{} (overrides built-in)", shown.display())
                } else {
                    shown.display().to_string()
                }
            }
        }
    }

    fn origin(&self, name: &str) -> String {
        match self {
            Source::Builtin => format!("built-in template `{name}`"),
            Source::User { path, .. } => path.display().to_string(),
        }
    }
}

/// A template found in the catalog: its text, and the parsed template or
/// why it is invalid.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub source: Source,
    pub text: String,
    pub template: std::result::Result<Template, String>,
}

/// Every template: built-ins, then user templates from `user_dir` (which
/// replace built-ins of the same name), sorted by name.
pub fn catalog(user_dir: Option<&Path>) -> Result<Vec<Entry>> {
    let mut out: Vec<Entry> = BUILTINS
        .iter()
        .map(|(name, text)| Entry {
            name: name.to_string(),
            source: Source::Builtin,
            text: text.to_string(),
            template: parse(&Source::Builtin.origin(name), name, text).map_err(|e| e.to_string()),
        })
        .collect();
    if let Some(dir) = user_dir {
        for (name, path) in user_files(dir)? {
            let text = read_template(&path)?;
            // An empty file is not a template yet: this lets
            // `wm tasks templates show NAME > .wm/templates/NAME.yaml` read
            // the built-in the shell's redirection is about to override.
            if text.trim().is_empty() {
                continue;
            }
            let overrides = out.iter().any(|e| e.name == name);
            let source = Source::User {
                path: path.clone(),
                overrides,
            };
            let template = parse(&source.origin(&name), &name, &text).map_err(|e| e.to_string());
            out.retain(|e| e.name != name);
            out.push(Entry {
                name,
                source,
                text,
                template,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The template called `name` (a user template wins over a built-in).
pub fn find(name: &str, user_dir: Option<&Path>) -> Result<Entry> {
    let all = catalog(user_dir)?;
    let names: Vec<String> = all.iter().map(|e| e.name.clone()).collect();
    all.into_iter().find(|e| e.name == name).ok_or_else(|| {
        Error::request(
            format!(
                "no template named `{name}` (templates: {})",
                names.join(", ")
            ),
            crate::error::Remedy::SeeTemplates,
        )
    })
}

/// The nearest `.wm/templates` directory from `start` upward, stopping at
/// the repository root (a directory holding `.git`).
pub fn find_user_dir(start: &Path) -> Option<PathBuf> {
    crate::git::root::up_to_root(start)
        .map(|d| d.join(USER_DIR))
        .find(|c| c.is_dir())
}

fn user_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        let stem = file
            .strip_suffix(".yaml")
            .or_else(|| file.strip_suffix(".yml"));
        if let Some(stem) = stem
            && !stem.is_empty()
            && !stem.starts_with('.')
            && path.is_file()
        {
            out.push((stem.to_string(), path));
        }
    }
    out.sort();
    Ok(out)
}

fn read_template(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(Error::Usage(format!(
            "{}: the template is larger than {} bytes",
            path.display(),
            MAX_TEMPLATE_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|_| {
        Error::Usage(format!(
            "{}: the template is not valid UTF-8",
            path.display()
        ))
    })
}

/// Parse and validate a template. `origin` names it in messages (a file
/// path, or "built-in template `x`"); `name` is the name it is known by,
/// which its `name:` must match.
pub fn parse(origin: &str, name: &str, text: &str) -> Result<Template> {
    let bad = |msg: String| Error::Usage(format!("{origin}: invalid template: {msg}"));
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 1_000_000,
            max_nodes: 500_000,
            max_depth: 32,
            max_aliases: 100,
            max_anchors: 100,
            max_total_scalar_bytes: MAX_TEMPLATE_BYTES as usize,
        },
        with_snippet: false,
    };
    let t: Template = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!("line {}, column {}: ", l.line(), l.column()))
            .unwrap_or_default();
        let msg = e.to_string();
        let msg = msg.lines().next().unwrap_or("").to_string();
        bad(format!("{at}{msg}"))
    })?;
    validate(&t, name).map_err(bad)?;
    Ok(t)
}

/// The checks a template must pass, as a message naming the problem.
pub fn validate(t: &Template, name: &str) -> std::result::Result<(), String> {
    if t.name != name {
        return Err(format!(
            "its name is `{}` but it is found as `{name}`; make `name:` match the file name",
            t.name
        ));
    }
    if !valid_name(&t.name) {
        return Err(format!(
            "name `{}` is not valid: use letters, digits, `-` and `_`",
            t.name
        ));
    }
    let wf = Workflow {
        name: Some(t.name.clone()),
        description: None,
        aliases: Vec::new(),
        recognise: Vec::new(),
        evidence: false,
        phases: t.phases.clone(),
    };
    wf.validate().map_err(|e| e.to_string())?;
    check_pattern(&t.epic).map_err(|e| format!("epic title `{}`: {e}", t.epic))?;
    if t.tasks.is_empty() {
        return Err("it has no tasks".into());
    }
    let mut keys: HashMap<&str, usize> = HashMap::new();
    let mut titles: HashSet<String> = HashSet::new();
    titles.insert(render(&t.epic, 1, "T"));
    for (i, task) in t.tasks.iter().enumerate() {
        if task.id.trim().is_empty() {
            return Err(format!("task {} has an empty `id`", i + 1));
        }
        if keys.insert(task.id.as_str(), i).is_some() {
            return Err(format!("duplicate task `{}`", task.id));
        }
        check_pattern(&task.title).map_err(|e| format!("task `{}`: {e}", task.id))?;
        if task.title.trim().is_empty() {
            return Err(format!("task `{}` has an empty title", task.id));
        }
        if !titles.insert(render(&task.title, 1, "T")) {
            return Err(format!(
                "duplicate task `{}`: another task (or the epic) has the title `{}`",
                task.id, task.title
            ));
        }
        if task.kind == TaskType::Epic {
            return Err(format!(
                "task `{}` has type epic; the epic comes from `epic:`",
                task.id
            ));
        }
        if wf.get(&task.phase).is_none() {
            return Err(format!(
                "task `{}` names unknown phase `{}` (phases: {})",
                task.id,
                task.phase,
                wf.ids().join(", ")
            ));
        }
    }
    for task in &t.tasks {
        for d in &task.depends_on {
            if !keys.contains_key(d.as_str()) {
                return Err(format!("task `{}` depends on unknown task `{d}`", task.id));
            }
            if d == &task.id {
                return Err(format!("task `{}` depends on itself", task.id));
            }
        }
    }
    if let Some(path) = task_cycle(t, &wf, &keys) {
        return Err(format!(
            "its tasks form a cycle (phases included): {}",
            path.join(" -> ")
        ));
    }
    Ok(())
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A cycle among the template's tasks, counting both explicit edges and the
/// edges their phases imply, as a path of task keys.
fn task_cycle(t: &Template, wf: &Workflow, keys: &HashMap<&str, usize>) -> Option<Vec<String>> {
    let present: HashSet<&str> = t.tasks.iter().map(|x| x.phase.as_str()).collect();
    let n = t.tasks.len();
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, task) in t.tasks.iter().enumerate() {
        for d in &task.depends_on {
            if let Some(&j) = keys.get(d.as_str()) {
                deps[i].push(j);
            }
        }
        for p in wf.nearest_present_predecessors(&task.phase, &|p| present.contains(p)) {
            for (j, other) in t.tasks.iter().enumerate() {
                if other.phase == p {
                    deps[i].push(j);
                }
            }
        }
    }
    crate::algo::cycles(&deps, |i| i)
        .into_iter()
        .next()
        .map(|c| c.iter().map(|&k| t.tasks[k].id.clone()).collect())
}

/// Only `{issue}` and `{title}` may appear in braces.
fn check_pattern(p: &str) -> std::result::Result<(), String> {
    let mut rest = p;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("a `{` is not closed (placeholders: {issue}, {title})".into());
        };
        let key = &after[..close];
        if key != "issue" && key != "title" {
            return Err(format!(
                "unknown placeholder `{{{key}}}` (placeholders: {{issue}}, {{title}})"
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Fill a title pattern (one pass, so a title holding `{issue}` stays as is).
pub fn render(pattern: &str, issue: u64, title: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + title.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        if let Some(r) = after.strip_prefix("{issue}") {
            out.push_str(&issue.to_string());
            rest = r;
        } else if let Some(r) = after.strip_prefix("{title}") {
            out.push_str(title);
            rest = r;
        } else {
            out.push('{');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

impl Template {
    /// Whether any pattern needs a feature title.
    pub fn uses_title(&self) -> bool {
        self.epic.contains("{title}") || self.tasks.iter().any(|t| t.title.contains("{title}"))
    }

    /// The ops that plan `issue` with this template: merge the phases, then
    /// create the epic and each task unless the issue already has a task of
    /// that title. Op 0 merges the phases, op 1 is the epic, then the tasks
    /// follow in [`Template::creation_order`].
    pub fn ops(&self, issue: u64, title: &str) -> Vec<Op> {
        let mut ops = Vec::with_capacity(self.tasks.len() + 2);
        ops.push(Op::AddPhases(self.phases.clone()));
        ops.push(Op::Create(NewTask {
            title: render(&self.epic, issue, title),
            kind: Some(TaskType::Epic),
            issue: Some(issue),
            if_missing: true,
            ..Default::default()
        }));
        let order = self.creation_order();
        // The op creating each task, by the task's key.
        let op_of: HashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(n, &k)| (self.tasks[k].id.as_str(), n + 2))
            .collect();
        for &k in &order {
            let t = &self.tasks[k];
            ops.push(Op::Create(NewTask {
                title: render(&t.title, issue, title),
                kind: Some(t.kind),
                issue: Some(issue),
                phase: Some(t.phase.clone()),
                labels: t.labels.clone(),
                if_missing: true,
                after: t
                    .depends_on
                    .iter()
                    .filter_map(|d| op_of.get(d.as_str()).copied())
                    .collect(),
                ..Default::default()
            }));
        }
        ops
    }

    /// Task positions in file order, moved so that explicit dependencies
    /// come before their dependents (the template is validated acyclic).
    pub fn creation_order(&self) -> Vec<usize> {
        let keys: HashMap<&str, usize> = self
            .tasks
            .iter()
            .enumerate()
            .map(|(k, t)| (t.id.as_str(), k))
            .collect();
        let mut done = vec![false; self.tasks.len()];
        let mut out = Vec::with_capacity(self.tasks.len());
        fn visit(
            t: &Template,
            keys: &HashMap<&str, usize>,
            k: usize,
            done: &mut [bool],
            out: &mut Vec<usize>,
            depth: usize,
        ) {
            if done[k] || depth > t.tasks.len() {
                return;
            }
            done[k] = true;
            for d in &t.tasks[k].depends_on {
                if let Some(&j) = keys.get(d.as_str()) {
                    visit(t, keys, j, done, out, depth + 1);
                }
            }
            out.push(k);
        }
        for k in 0..self.tasks.len() {
            visit(self, &keys, k, &mut done, &mut out, 0);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(tasks: &str) -> String {
        format!(
            "name: t\ndescription: d\nphases:\n  - id: a\n    name: A\n  - id: b\n    name: B\n    depends_on: [a]\ntasks:\n{tasks}"
        )
    }

    #[test]
    fn builtins_are_valid() {
        for (name, text) in BUILTINS {
            let t = parse(name, name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!t.tasks.is_empty());
            assert!(
                t.description.contains("seed"),
                "{name} names its seed in the description"
            );
        }
    }

    #[test]
    fn builtin_phases_can_share_one_store() {
        let mut wf = Workflow::default();
        for (name, text) in BUILTINS {
            let t = parse(name, name, text).unwrap();
            for p in t.phases {
                match wf.get(&p.id) {
                    Some(have) => assert_eq!(have.depends_on, p.depends_on, "{name}: {}", p.id),
                    None => wf.phases.push(p),
                }
            }
        }
        assert_eq!(wf.validate(), Ok(()));
    }

    #[test]
    fn render_is_one_pass() {
        assert_eq!(
            render("GH#{issue}: {title}", 7, "x {issue}"),
            "GH#7: x {issue}"
        );
        assert_eq!(render("a {b} c", 7, "x"), "a {b} c");
    }

    #[test]
    fn invalid_templates_name_the_problem() {
        let cases = [
            (
                "  - id: x\n    title: X\n    phase: zz\n",
                "task `x` names unknown phase `zz`",
            ),
            (
                "  - id: x\n    title: X\n    phase: a\n  - id: x\n    title: Y\n    phase: a\n",
                "duplicate task `x`",
            ),
            (
                "  - id: x\n    title: X\n    phase: a\n  - id: y\n    title: X\n    phase: a\n",
                "duplicate task `y`",
            ),
            (
                "  - id: x\n    title: X\n    phase: a\n    depends_on: [y]\n  - id: y\n    title: Y\n    phase: b\n",
                "cycle",
            ),
            (
                "  - id: x\n    title: X {nope}\n    phase: a\n",
                "unknown placeholder `{nope}`",
            ),
        ];
        for (tasks, want) in cases {
            let err = parse("f.yaml", "t", &minimal(tasks))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("f.yaml: invalid template: "), "{err}");
            assert!(err.contains(want), "{err} lacks {want}");
        }
        let cyclic = "name: t\ndescription: d\nphases:\n  - id: a\n    name: A\n    depends_on: [b]\n  - id: b\n    name: B\n    depends_on: [a]\ntasks:\n  - id: x\n    title: X\n    phase: a\n";
        let err = parse("f.yaml", "t", cyclic).unwrap_err().to_string();
        assert!(err.contains("cycle"), "{err}");
    }

    #[test]
    fn explicit_dependencies_are_created_first() {
        let text = minimal(
            "  - id: x\n    title: X\n    phase: a\n    depends_on: [y]\n  - id: y\n    title: Y\n    phase: a\n",
        );
        let t = parse("f", "t", &text).unwrap();
        assert_eq!(t.creation_order(), vec![1, 0]);
        let ops = t.ops(3, "T");
        match &ops[3] {
            Op::Create(spec) => {
                assert_eq!(spec.title, "X");
                assert_eq!(spec.after, vec![2]);
            }
            other => panic!("{other:?}"),
        }
    }
}
