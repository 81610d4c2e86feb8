//! GitHub issue bodies in and out: the work in a body becomes tasks
//! ([`parse`], [`Checklist::ops`]) and an issue's plan becomes a Markdown
//! task list with a Mermaid graph and a hidden plan block ([`markdown`]).
//!
//! Import reads a body the way a person reads a filled-in form: by its
//! structure. Every list item is classed as
//!
//! - **work**: items of sections that plan work (an implementation plan or
//!   checklist, a migration plan, `Phase N` headings or bold `**Phase N:**`
//!   lines, execution order, rollout/rollback steps, follow-up tasks), and a
//!   bare task list with no heading above it; plain bullets and numbered
//!   steps count there too. Each section or phase is a group; groups follow
//!   each other in the body's order;
//! - **option**: pick-one/pick-many lists (type, component, environment,
//!   labels, priority, roadmap phase, rollout strategy, goals, ...), and the
//!   items of other sections that do not start with a verb. Ticked options
//!   are facts about the issue, kept as labels (`section:option`) on the
//!   issue's epic; unticked ones are dropped;
//! - **skipped**: the author's self-checks (`I have ...`), review sign-offs
//!   (`Design review completed`), and unfilled template placeholders
//!   (`Task 1`, empty `**Phase 1:**`, `___` blanks, `[PLACEHOLDER]`).
//!
//! A body written by `export` carries a hidden `<!-- wm:plan v1 ... -->`
//! block ([`super::block`]); when present it is imported instead, exactly.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::workflow::{Repeat, Slot};
use crate::model::{Status, TaskType, title_without_issue};
use crate::ops::{Changes, NewTask, Op, place};

/// What an item of a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Work,
    Option,
    Skipped,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Work => "work",
            Class::Option => "option",
            Class::Skipped => "skipped",
        }
    }
}

/// One list item of the body, classed, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line of the body.
    pub line: usize,
    pub text: String,
    pub checked: bool,
    pub class: Class,
    /// The section (bold field or heading) the item stands under.
    pub section: String,
    pub reason: String,
}

/// One work item to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1-based line of the body.
    pub line: usize,
    pub text: String,
    pub checked: bool,
    /// Index into [`Checklist::phases`]: the group (phase or work section).
    pub phase: Option<usize>,
    /// The section the item stands under.
    pub label: Option<String>,
}

/// An item left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// One option of a pick list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub line: usize,
    pub section: String,
    pub text: String,
    pub checked: bool,
    /// The label a ticked option becomes.
    pub label: String,
}

/// Sections whose class the user decides (`--as-work`, `--as-options`),
/// by name, case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub work: Vec<String>,
    pub options: Vec<String>,
}

/// What a body holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checklist {
    /// Group names (phases and work sections) in the order they appear.
    pub phases: Vec<String>,
    /// Whether each group is a `Phase N` (else a work section).
    pub numbered: Vec<bool>,
    pub items: Vec<Item>,
    pub options: Vec<Choice>,
    pub skipped: Vec<Skipped>,
    /// Every classed item in body order (for `--dry-run`).
    pub entries: Vec<Entry>,
    /// The body's first `# Heading`, if any.
    pub title: Option<String>,
    /// The lines of a `<!-- wm:plan ... -->` block (line number, text).
    pub block: Option<Vec<(usize, String)>>,
}

impl Checklist {
    /// The labels of the ticked options, in body order, without repeats.
    pub fn labels(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.options.iter().filter(|c| c.checked) {
            if !c.label.is_empty() && !out.contains(&c.label) {
                out.push(c.label.clone());
            }
        }
        out
    }
}

/// Text from bytes of any encoding: invalid UTF-8 is replaced, never fatal;
/// a byte-order mark is dropped.
pub fn decode(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    s.strip_prefix('\u{feff}').unwrap_or(&s).to_string()
}

/// How a section's name classes its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Work,
    Options,
}

/// Section names (whole words) of pick lists: facts about the issue.
const OPTION_WORDS: &[&str] = &[
    "type",
    "types",
    "kind",
    "category",
    "component",
    "components",
    "affected",
    "environment",
    "environments",
    "label",
    "labels",
    "priority",
    "priorities",
    "severity",
    "roadmap",
    "strategy",
    "rollout plan",
    "goal",
    "goals",
    "objective",
    "objectives",
    "expertise",
    "skills",
    "problem",
    "challenge",
    "metrics",
    "alerting",
    "compliance",
    "measures",
    "dependencies",
    "required",
    "requirements",
    "risk",
    "risks",
    "platform",
    "platforms",
    "impact",
    "scope",
    "area",
    "areas",
];

/// Section names (whole words) that plan work.
const WORK_WORDS: &[&str] = &[
    "plan",
    "phases",
    "checklist",
    "tasks",
    "task list",
    "task breakdown",
    "todo",
    "todos",
    "to do",
    "to-do",
    "action items",
    "steps",
    "next steps",
    "work items",
    "deliverables",
    "milestones",
    "execution order",
    "execution",
    "rollout steps",
    "rollback steps",
    "rollback procedure",
    "follow-up",
    "follow up",
    "followup",
    "verification",
];

/// First words that make an item of an unclassed section work.
const VERBS: &[&str] = &[
    "add",
    "analyse",
    "analyze",
    "archive",
    "audit",
    "backfill",
    "benchmark",
    "build",
    "choose",
    "clean",
    "configure",
    "create",
    "decide",
    "delete",
    "deploy",
    "disable",
    "document",
    "draft",
    "drop",
    "enable",
    "extract",
    "fix",
    "implement",
    "install",
    "integrate",
    "introduce",
    "investigate",
    "measure",
    "merge",
    "migrate",
    "monitor",
    "move",
    "prepare",
    "provision",
    "refactor",
    "remove",
    "rename",
    "replace",
    "roll",
    "rotate",
    "route",
    "run",
    "schedule",
    "set",
    "shard",
    "split",
    "switch",
    "test",
    "update",
    "upgrade",
    "verify",
    "write",
];

/// Whether `name` contains one of `words` as whole words.
fn names(name: &str, words: &[&str]) -> bool {
    let lower = name.to_lowercase();
    words.iter().any(|w| {
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|r| r.find(w)) {
            let at = from + pos;
            let end = at + w.len();
            let before = lower[..at].chars().next_back();
            let after = lower[end..].chars().next();
            if before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric())
            {
                return true;
            }
            from = end;
        }
        false
    })
}

fn kind_of(name: &str) -> Option<Kind> {
    if names(name, OPTION_WORDS) {
        Some(Kind::Options)
    } else if names(name, WORK_WORDS) {
        Some(Kind::Work)
    } else {
        None
    }
}

/// Whether an item starts with a verb of work (`Add`, `Migrate`, ...).
fn starts_with_verb(text: &str) -> bool {
    let first: String = text
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    VERBS.contains(&first.as_str())
}

/// The author's self-check or a review sign-off, if the item is one.
fn not_work(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    if lower.starts_with("i ") || lower.starts_with("i'") || lower.starts_with("i\u{2019}") {
        return Some("the author's self-check, not work".into());
    }
    let signed = [
        "completed",
        "complete",
        "done",
        "approved",
        "passed",
        "signed off",
    ]
    .iter()
    .any(|w| lower.trim_end_matches('.').ends_with(w));
    if (lower.contains("review") && signed)
        || lower.contains("sign-off")
        || lower.contains("signoff")
        || lower.starts_with("approved by")
        || lower.starts_with("lgtm")
    {
        return Some("a review sign-off, not work".into());
    }
    None
}

/// `Phase 2: Rollout` -> `Rollout`; other text is returned as is.
pub fn without_phase_number(name: &str) -> &str {
    let Some(rest) = name
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("phase"))
        .map(|_| name[5..].trim_start())
    else {
        return name;
    };
    let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return name;
    }
    rest[digits..]
        .trim_start_matches([':', '-', '.', ')', ' ', '\u{2013}'])
        .trim()
}

/// A label's spelling: lower case, words joined by `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(40).collect();
    out.trim_end_matches('-').to_string()
}

/// The label a ticked option of `section` becomes: `section:option`, or for
/// a `Labels` list the label it names (its code span or first words).
fn option_label(section: &str, raw: &str, text: &str) -> String {
    let key = if let Some(code) = raw
        .split('`')
        .nth(1)
        .filter(|c| raw.matches('`').count() >= 2 && !c.trim().is_empty())
    {
        code.trim().to_string()
    } else if let Some((bold, _)) = bold_lead(raw) {
        bold
    } else {
        text.split(" - ")
            .next()
            .unwrap_or(text)
            .split(" (")
            .next()
            .unwrap_or(text)
            .to_string()
    };
    let key = slug(&key);
    let sec = slug(section);
    if sec.is_empty() || sec == "labels" || sec == "label" {
        key
    } else if key.is_empty() {
        String::new()
    } else {
        format!("{sec}:{key}")
    }
}

/// The reading state of [`parse`].
struct Reader<'o> {
    out: Checklist,
    overrides: &'o Overrides,
    /// Headings above the current line: (level, name).
    heads: Vec<(usize, String)>,
    /// The bold `**Field:**` label the lines below stand under.
    field: Option<String>,
    /// Whether the section asked a question (a pick list follows).
    asks: bool,
    /// The open phase: (group, level; 7 for a bold line or bullet).
    phase: Option<(usize, usize)>,
    /// The open phase's text (`**Phase 1:** text`) and whether any item
    /// followed it.
    lead: Option<(usize, String)>,
    lead_used: bool,
    /// The open work-section group: (name, group).
    section_group: Option<(String, usize)>,
    seen: HashMap<String, usize>,
}

impl Reader<'_> {
    /// The section's display name.
    fn section(&self) -> String {
        if let Some((g, _)) = self.phase {
            return self.out.phases.get(g).cloned().unwrap_or_default();
        }
        self.field
            .clone()
            .or_else(|| self.heads.last().map(|h| h.1.clone()))
            .unwrap_or_default()
    }

    /// How the current section classes its items, and why (None: decide
    /// per item).
    fn context(&self) -> (Option<Kind>, String) {
        let names: Vec<&str> = self
            .field
            .iter()
            .map(String::as_str)
            .chain(self.heads.iter().rev().map(|h| h.1.as_str()))
            .collect();
        for n in &names {
            if self
                .overrides
                .work
                .iter()
                .any(|o| o.eq_ignore_ascii_case(n))
            {
                return (
                    Some(Kind::Work),
                    format!("section \"{n}\" is work (--as-work)"),
                );
            }
            if self
                .overrides
                .options
                .iter()
                .any(|o| o.eq_ignore_ascii_case(n))
            {
                return (
                    Some(Kind::Options),
                    format!("section \"{n}\" is options (--as-options)"),
                );
            }
        }
        if let Some((g, _)) = self.phase {
            let name = self.out.phases.get(g).cloned().unwrap_or_default();
            return (Some(Kind::Work), format!("in \"{name}\""));
        }
        for n in &names {
            match kind_of(n) {
                Some(Kind::Work) => {
                    return (Some(Kind::Work), format!("\"{n}\" plans work"));
                }
                Some(Kind::Options) => {
                    return (Some(Kind::Options), format!("\"{n}\" is a pick list"));
                }
                None => {}
            }
        }
        if self.asks {
            return (
                Some(Kind::Options),
                format!("\"{}\" asks a question: a pick list", self.section()),
            );
        }
        if names.is_empty() {
            return (Some(Kind::Work), "a task list".into());
        }
        (None, String::new())
    }

    fn record(&mut self, line: usize, text: &str, checked: bool, class: Class, reason: String) {
        let section = self.section();
        if class == Class::Skipped {
            self.out.skipped.push(Skipped {
                line,
                text: text.to_string(),
                reason: reason.clone(),
            });
        }
        self.out.entries.push(Entry {
            line,
            text: text.to_string(),
            checked,
            class,
            section,
            reason,
        });
    }

    /// A work item (after the placeholder and duplicate checks).
    fn work(&mut self, line: usize, text: String, checked: bool, why: String) {
        if self.phase.is_some() {
            self.lead_used = true;
        }
        if let Some(reason) = placeholder(&text) {
            self.record(line, &text, checked, Class::Skipped, reason);
            return;
        }
        if let Some(reason) = not_work(&text) {
            self.record(line, &text, checked, Class::Skipped, reason);
            return;
        }
        let key = text.to_lowercase();
        if let Some(first) = self.seen.get(&key) {
            let reason = format!("same as the item on line {first}");
            self.record(line, &text, checked, Class::Skipped, reason);
            return;
        }
        self.seen.insert(key, line);
        let group = match self.phase {
            Some((g, _)) => g,
            None => {
                let name = self.section();
                match &self.section_group {
                    Some((n, g)) if *n == name => *g,
                    _ => {
                        self.out.phases.push(name.clone());
                        self.out.numbered.push(false);
                        let g = self.out.phases.len() - 1;
                        self.section_group = Some((name, g));
                        g
                    }
                }
            }
        };
        let label = self
            .out
            .phases
            .get(group)
            .filter(|n| !n.is_empty())
            .cloned();
        self.record(line, &text, checked, Class::Work, why);
        self.out.items.push(Item {
            line,
            text,
            checked,
            phase: Some(group),
            label,
        });
    }

    fn option(&mut self, line: usize, raw: &str, text: String, checked: bool, why: String) {
        if let Some(reason) = placeholder(&text) {
            self.record(line, &text, checked, Class::Skipped, reason);
            return;
        }
        if let Some(reason) = not_work(&text) {
            self.record(line, &text, checked, Class::Skipped, reason);
            return;
        }
        let section = self.section();
        let label = option_label(&section, raw, &text);
        let reason = if checked && !label.is_empty() {
            format!("{why}; ticked: label {label}")
        } else if checked {
            format!("{why}; ticked")
        } else {
            format!("{why}; not ticked")
        };
        self.record(line, &text, checked, Class::Option, reason);
        self.out.options.push(Choice {
            line,
            section,
            text,
            checked,
            label,
        });
    }

    /// Start a phase group.
    fn open_phase(&mut self, name: String, level: usize, lead: Option<(usize, String)>) {
        self.close_phase();
        self.out.phases.push(name);
        self.out.numbered.push(true);
        self.phase = Some((self.out.phases.len() - 1, level));
        self.lead = lead;
        self.lead_used = false;
        self.section_group = None;
    }

    /// End the open phase: a `**Phase 1:** text` line with no items below
    /// is itself the phase's work; an empty one is an unfilled placeholder.
    fn close_phase(&mut self) {
        if self.phase.is_none() {
            return;
        }
        if let Some((line, text)) = self.lead.take()
            && !self.lead_used
        {
            if text.is_empty() {
                let name = self.section();
                self.record(
                    line,
                    &name,
                    false,
                    Class::Skipped,
                    format!("unfilled phase \"{name}\""),
                );
            } else {
                self.work(line, text, false, "the phase's own text".into());
            }
        }
        self.phase = None;
        self.lead = None;
    }
}

/// Read a body with no overrides.
pub fn parse(text: &str) -> Checklist {
    parse_with(text, &Overrides::default())
}

/// Read a body: its work, its options and what it skips.
pub fn parse_with(text: &str, overrides: &Overrides) -> Checklist {
    let mut r = Reader {
        out: Checklist::default(),
        overrides,
        heads: Vec::new(),
        field: None,
        asks: false,
        phase: None,
        lead: None,
        lead_used: false,
        section_group: None,
        seen: HashMap::new(),
    };
    let mut fence: Option<&str> = None;
    let mut in_comment = false;
    let mut block: Option<Vec<(usize, String)>> = None;

    // YAML front matter (an issue template's header) holds no tasks.
    let front = if text.lines().next().map(str::trim_end) == Some("---") {
        text.lines()
            .skip(1)
            .position(|l| l.trim_end() == "---")
            .map_or(0, |k| k + 2)
    } else {
        0
    };
    for (n, raw) in text.lines().enumerate().skip(front) {
        let line_no = n + 1;
        let trimmed = raw.trim();
        if let Some(b) = block.as_mut() {
            if trimmed == "-->" {
                if r.out.block.is_none() {
                    r.out.block = block.take();
                }
                block = None;
            } else {
                b.push((line_no, raw.to_string()));
            }
            continue;
        }
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if !in_comment {
            if trimmed.starts_with(super::block::OPEN) {
                block = Some(vec![(line_no, raw.to_string())]);
                continue;
            }
            if trimmed.starts_with("```") {
                fence = Some("```");
                continue;
            }
            if trimmed.starts_with("~~~") {
                fence = Some("~~~");
                continue;
            }
        }
        let line = strip_comments(raw, &mut in_comment);
        let t = line.trim();
        if t.is_empty() {
            continue;
        }

        if let Some((level, rest)) = heading_of(t) {
            let name = clean_heading(rest);
            if level == 1 && r.out.title.is_none() && !name.is_empty() {
                r.out.title = Some(name.clone());
            }
            r.field = None;
            r.asks = false;
            if phase_name(&name).is_some() {
                r.close_phase();
                r.heads.retain(|h| h.0 < level);
                r.open_phase(name, level, None);
                continue;
            }
            if r.phase.is_some_and(|(_, l)| level <= l) {
                r.close_phase();
            }
            r.heads.retain(|h| h.0 < level);
            if !name.is_empty() {
                r.heads.push((level, name));
            }
            r.section_group = None;
            continue;
        }

        if let Some((checked, rest)) = checkbox_of(t) {
            let text = clean_item(rest);
            let (kind, why) = r.context();
            match kind {
                Some(Kind::Work) => r.work(line_no, text, checked, why),
                Some(Kind::Options) => r.option(line_no, rest, text, checked, why),
                None if starts_with_verb(&text) => r.work(
                    line_no,
                    text,
                    checked,
                    format!("starts with a verb under \"{}\"", r.section()),
                ),
                None => {
                    let why = format!("a list under \"{}\"", r.section());
                    r.option(line_no, rest, text, checked, why)
                }
            }
            continue;
        }

        let bullet = bullet_of(t);
        let body = bullet.unwrap_or(t);
        if let Some((inner, rest)) = bold_lead(body) {
            let field = inner.trim_end().ends_with(':') || rest.trim_start().starts_with(':');
            let inner_clean = clean_heading(&inner);
            let rest_clean = clean_item(rest.trim_start().trim_start_matches(':'));
            if let Some(name) = phase_name(&inner_clean) {
                let name = if rest_clean.is_empty() || rest_clean.ends_with(':') {
                    name
                } else {
                    format!("{name}: {rest_clean}")
                };
                let lead = rest_clean.trim_end_matches(':').trim().to_string();
                r.open_phase(name, 7, Some((line_no, lead)));
                continue;
            }
            if field && rest_clean.is_empty() && !inner_clean.is_empty() {
                if r.phase.is_some_and(|(_, l)| l == 7) {
                    r.close_phase();
                }
                r.field = Some(inner_clean);
                r.asks = false;
                r.section_group = None;
                continue;
            }
            if field {
                // `**Field:** value`: a fact, not work.
                if r.context().0 == Some(Kind::Work) {
                    let reason = format!("a filled field \"{inner_clean}\", not work");
                    r.record(line_no, &clean_item(body), false, Class::Skipped, reason);
                }
                continue;
            }
            if inner_clean.ends_with('?') || inner.trim_end().ends_with('?') {
                r.asks = true;
                continue;
            }
        }
        if let Some(item) = bullet {
            let text = clean_item(item);
            if let Some(name) = phase_name(&clean_heading(item)) {
                let lead = without_phase_number(&name).to_string();
                r.open_phase(name, 7, Some((line_no, lead)));
                continue;
            }
            if r.context().0 == Some(Kind::Work) {
                let why = r.context().1;
                r.work(line_no, text, false, why);
            }
            continue;
        }
        if t.ends_with('?') {
            r.asks = true;
        }
    }
    r.close_phase();
    let mut out = r.out;
    // A phase's own line is judged when the phase ends: back in body order.
    out.skipped.sort_by_key(|s| s.line);
    out.entries.sort_by_key(|e| e.line);
    if let Some(b) = block
        && out.block.is_none()
    {
        // Not closed: read what there is; the block's parser says what is
        // missing.
        out.block = Some(b);
    }
    out
}

/// A plain bullet or numbered item: `- text`, `* text`, `1. text`.
fn bullet_of(t: &str) -> Option<&str> {
    if let Some(r) = t.strip_prefix(['-', '*', '+'])
        && r.starts_with([' ', '\t'])
    {
        return Some(r.trim());
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let r = t[digits..].strip_prefix(['.', ')'])?;
    r.starts_with([' ', '\t']).then(|| r.trim())
}

/// What import makes of a body: the ops, and what it decided on the way.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    pub ops: Vec<Op>,
    /// The workflow phase each group landed in (None: the body's order).
    pub landed: Vec<Option<String>>,
    pub notes: Vec<String>,
}

impl Checklist {
    /// The ops importing the work into `issue` of `plan`: one `Create` per
    /// item (kept when the issue already has a task of that title). Phases
    /// whose name clearly names a phase of the issue's workflow land in it
    /// (the workflow orders them); the other groups keep the body's order
    /// (each group's tasks depend on the tasks of the group before). Ticked
    /// options become labels of the issue's epic (created, titled `title`,
    /// else the body's `# Heading`, when the issue has none).
    pub fn ops(&self, plan: &Plan, issue: u64, title: Option<&str>) -> Planned {
        let mut out = Planned {
            landed: self.land(plan, issue),
            ..Planned::default()
        };
        let labels = self.labels();
        if !labels.is_empty() && !self.items.is_empty() {
            match plan.issue_epic(issue) {
                Some(e) => {
                    let epic = plan.task(e);
                    let missing: Vec<String> = labels
                        .iter()
                        .filter(|l| !epic.labels.contains(l))
                        .cloned()
                        .collect();
                    if !missing.is_empty() {
                        out.notes.push(format!(
                            "labels for the ticked options on the epic {}: {}",
                            epic.id,
                            missing.join(", ")
                        ));
                        out.ops.push(Op::Update {
                            id: epic.id.clone(),
                            changes: Changes {
                                add_labels: missing,
                                ..Changes::default()
                            },
                        });
                    }
                }
                None => {
                    let name = title
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .or_else(|| self.title.clone())
                        .unwrap_or_else(|| format!("Issue #{issue}"));
                    out.notes.push(format!(
                        "labels for the ticked options on a new epic: {}",
                        labels.join(", ")
                    ));
                    out.ops.push(Op::Create(NewTask {
                        title: format!("GH#{issue}: {}", title_without_issue(&name)),
                        kind: Some(TaskType::Epic),
                        issue: Some(issue),
                        labels,
                        if_missing: true,
                        ..NewTask::default()
                    }));
                }
            }
        }
        // Op positions of each group's items.
        let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); self.phases.len()];
        for item in &self.items {
            let g = item.phase.filter(|&g| g < self.phases.len());
            let landed = g.and_then(|g| out.landed.get(g).cloned().flatten());
            // The nearest earlier group with items.
            let prev = g.and_then(|g| (0..g).rev().find(|&p| !by_group[p].is_empty()));
            let after = match (prev, &landed) {
                // Both in the workflow: it orders them.
                (Some(p), Some(_)) if out.landed.get(p).is_some_and(Option::is_some) => Vec::new(),
                (Some(p), _) => by_group[p].clone(),
                (None, _) => Vec::new(),
            };
            if let Some(g) = g {
                by_group[g].push(out.ops.len());
            }
            out.ops.push(Op::Create(NewTask {
                title: format!("GH#{issue}: {}", item.text),
                kind: Some(TaskType::Task),
                issue: Some(issue),
                labels: if landed.is_some() {
                    Vec::new()
                } else {
                    item.label.clone().into_iter().collect()
                },
                if_missing: true,
                after,
                no_infer: landed.is_none(),
                phase: landed,
                completed: item.checked,
                ..NewTask::default()
            }));
        }
        out
    }

    /// The workflow phase each group lands in: a `Phase N` group whose name
    /// names exactly one phase of the issue's workflow, in an order the
    /// workflow agrees with.
    fn land(&self, plan: &Plan, issue: u64) -> Vec<Option<String>> {
        let mut landed = vec![None; self.phases.len()];
        let titles: Vec<&str> = self
            .phases
            .iter()
            .map(|p| without_phase_number(p))
            .chain(self.items.iter().map(|i| i.text.as_str()))
            .collect();
        let Some(w) = place::workflow_of_issue(plan, issue, titles) else {
            return landed;
        };
        let catalog = plan.catalog();
        let phases: Vec<usize> = (0..catalog.len())
            .filter(|&i| catalog.workflow_of(i) == w)
            .collect();
        let mut last: Option<Slot> = None;
        for (g, name) in self.phases.iter().enumerate() {
            if !self.numbered.get(g).copied().unwrap_or(false)
                || !self.items.iter().any(|i| i.phase == Some(g))
            {
                continue;
            }
            let bare = without_phase_number(name);
            let once: Vec<usize> = phases
                .iter()
                .copied()
                .filter(|&p| {
                    let ph = catalog.phase(p);
                    ph.repeat == Repeat::Once
                        && !bare.is_empty()
                        && (ph.id.eq_ignore_ascii_case(bare)
                            || ph.name.eq_ignore_ascii_case(bare)
                            || ph.matches(bare).is_some())
                })
                .collect();
            let slot = if once.len() == 1 {
                Some(Slot {
                    phase: once[0],
                    instance: 0,
                })
            } else if once.is_empty() {
                let numbered: Vec<Slot> = phases
                    .iter()
                    .filter(|&&p| catalog.phase(p).repeat == Repeat::Sequential)
                    .filter_map(|&p| {
                        let n = catalog.phase(p).matches(name)?.instance?;
                        (n > 0).then_some(Slot {
                            phase: p,
                            instance: n,
                        })
                    })
                    .collect();
                (numbered.len() == 1).then(|| numbered[0])
            } else {
                None
            };
            let Some(slot) = slot else { continue };
            if last.is_some_and(|l| !catalog.precedes(l, slot)) {
                continue;
            }
            last = Some(slot);
            landed[g] = Some(catalog.stored(slot));
        }
        landed
    }
}

/// Remove `<!-- ... -->`, also across lines.
fn strip_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        } else {
            match rest.find("<!--") {
                Some(start) => {
                    out.push_str(&rest[..start]);
                    rest = &rest[start + 4..];
                    *in_comment = true;
                }
                None => {
                    out.push_str(rest);
                    return out;
                }
            }
        }
    }
}

/// `## Title` -> (2, "Title").
fn heading_of(t: &str) -> Option<(usize, &str)> {
    let level = t.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

/// `- [x] text` -> (true, "text"); bullets `-`, `*`, `+` or `1.`.
fn checkbox_of(t: &str) -> Option<(bool, &str)> {
    let rest = if let Some(r) = t.strip_prefix(['-', '*', '+']) {
        r
    } else {
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        t[digits..].strip_prefix(['.', ')'])?
    };
    let rest = rest.strip_prefix([' ', '\t'])?.trim_start();
    let checked = if let Some(r) = rest.strip_prefix("[ ]") {
        (false, r)
    } else if let Some(r) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        (true, r)
    } else {
        return None;
    };
    if !checked.1.is_empty() && !checked.1.starts_with([' ', '\t']) {
        return None;
    }
    Some((checked.0, checked.1.trim()))
}

/// A line (or bullet) starting with `**bold**`: (bold text, the rest).
fn bold_lead(t: &str) -> Option<(String, String)> {
    let t = t
        .strip_prefix(['-', '*', '+'])
        .filter(|r| r.starts_with(' '))
        .map(str::trim_start)
        .unwrap_or(t);
    let inner = t.strip_prefix("**")?;
    let end = inner.find("**")?;
    Some((inner[..end].to_string(), inner[end + 2..].to_string()))
}

/// Drop Markdown emphasis and code marks, squeeze spaces.
fn clean_item(s: &str) -> String {
    let s = s.replace("**", "").replace("~~", "");
    let s = s.replace('`', "");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A heading's words: emphasis removed, leading and trailing emoji (or
/// their mojibake) dropped, trailing colon removed.
fn clean_heading(s: &str) -> String {
    let s = clean_item(s);
    let mut words: Vec<&str> = s
        .split_whitespace()
        .skip_while(|w| !w.chars().any(|c| c.is_ascii_alphanumeric()))
        .collect();
    // Trailing emoji (or their mojibake) too.
    while words
        .last()
        .is_some_and(|w| !w.chars().any(char::is_alphanumeric))
    {
        words.pop();
    }
    words.join(" ").trim_end_matches(':').trim().to_string()
}

/// `Phase 2: Rollout` -> the phase's name; other text -> None.
fn phase_name(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let rest = lower.strip_prefix("phase")?.trim_start();
    let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let after = rest[digits..].trim_start();
    if !(after.is_empty()
        || after.starts_with([':', '-', '.', ')'])
        || after.starts_with('\u{2013}'))
    {
        return None;
    }
    Some(text.trim_end_matches(':').trim().to_string())
}

/// Why an item only repeats the template, if it does.
fn placeholder(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return Some("empty item".into());
    }
    if t.contains("___") {
        return Some(format!("unfilled blank in \"{t}\""));
    }
    if t.ends_with(':') {
        return Some(format!("unfilled field \"{t}\""));
    }
    let lower = t.to_ascii_lowercase();
    for word in ["task", "step", "item", "phase", "risk"] {
        if let Some(rest) = lower.strip_prefix(word)
            && !rest.trim().is_empty()
            && rest.trim().chars().all(|c| c.is_ascii_digit())
        {
            return Some(format!("template placeholder \"{t}\""));
        }
    }
    if t.contains("{{") || bracketed_placeholder(t) {
        return Some(format!("template placeholder \"{t}\""));
    }
    if matches!(lower.as_str(), "tbd" | "todo" | "n/a" | "..." | "item")
        || !t.chars().any(|c| c.is_alphanumeric())
    {
        return Some(format!("template placeholder \"{t}\""));
    }
    None
}

/// `[hours/days/weeks]`, `[SERVICE_1]`: a template's slot left unfilled.
fn bracketed_placeholder(t: &str) -> bool {
    if t.starts_with('[') && t.ends_with(']') && !t.contains("](") {
        return true;
    }
    // An upper-case slot name in brackets anywhere: `[MIN_COVERAGE]`.
    t.split('[').skip(1).any(|part| {
        part.split_once(']').is_some_and(|(inner, _)| {
            inner.len() >= 3
                && inner.chars().any(|c| c.is_ascii_uppercase())
                && inner
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '|')
        })
    })
}

/// The tasks of `issue` as a Markdown task list grouped by phase (or, for
/// tasks without a phase, by their first label), with a Mermaid graph and
/// the hidden plan block that `import` recreates the plan from.
pub fn markdown(plan: &Plan, graph: &Graph, issue: u64) -> Result<String> {
    let mut rows: Vec<usize> = (0..plan.len())
        .filter(|&i| plan.task(i).issue == Some(issue))
        .collect();
    if rows.is_empty() {
        return Err(Error::request(
            format!("issue #{issue} has no tasks"),
            crate::error::Remedy::PlanIssue { issue },
        ));
    }
    rows.sort_by_key(|&i| graph.rank(i));
    let (epics, tasks): (Vec<usize>, Vec<usize>) =
        rows.iter().partition(|&&i| plan.task(i).is_epic());

    let mut out = String::new();
    match epics.first() {
        Some(&e) => {
            let _ = writeln!(out, "## {}", one_line(&plan.task(e).title));
        }
        None => {
            let _ = writeln!(out, "## Plan for #{issue}");
        }
    }

    // Groups in the order their first task appears in the graph order.
    let wf = plan.workflow();
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut phase_no = 0;
    for &i in &tasks {
        let t = plan.task(i);
        let key = match t.phase.as_deref() {
            Some(p) => {
                let name = wf.get(p).map(|ph| ph.name.clone()).unwrap_or(p.to_string());
                format!("\u{0}{name}")
            }
            None => t
                .labels
                .first()
                .cloned()
                .unwrap_or_else(|| "Other tasks".into()),
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    for (key, members) in &groups {
        let title = match key.strip_prefix('\u{0}') {
            Some(name) => {
                phase_no += 1;
                format!("Phase {phase_no}: {name}")
            }
            None => key.clone(),
        };
        let _ = writeln!(out, "\n### {}\n", one_line(&title));
        for &i in members {
            let t = plan.task(i);
            let text = one_line(title_without_issue(&t.title));
            let _ = match t.status {
                Status::Completed => writeln!(out, "- [x] {text}"),
                Status::Cancelled => writeln!(out, "- [x] ~~{text}~~"),
                Status::InProgress | Status::Pending => writeln!(out, "- [ ] {text}"),
            };
        }
    }

    let _ = writeln!(out, "\n### Dependency graph\n\n```mermaid\ngraph TD");
    let node: HashMap<usize, usize> = tasks.iter().enumerate().map(|(n, &i)| (i, n + 1)).collect();
    for &i in &tasks {
        let t = plan.task(i);
        let _ = writeln!(
            out,
            "  t{}[\"{}\"]",
            node[&i],
            crate::render::mermaid::label(one_line(title_without_issue(&t.title)).as_str())
        );
    }
    for &i in &tasks {
        for &(j, _) in graph.deps(i) {
            if let Some(from) = node.get(&j) {
                let _ = writeln!(out, "  t{from} --> t{}", node[&i]);
            }
        }
    }
    for (status, style) in [
        (Status::Completed, "fill:#d4edda,stroke:#28a745"),
        (Status::InProgress, "fill:#fff3cd,stroke:#ffc107"),
        (
            Status::Cancelled,
            "fill:#eeeeee,stroke:#999999,stroke-dasharray:4",
        ),
    ] {
        let members: Vec<String> = tasks
            .iter()
            .filter(|&&i| plan.task(i).status == status)
            .map(|i| format!("t{}", node[i]))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "  classDef {status} {style}");
            let _ = writeln!(out, "  class {} {status}", members.join(","));
        }
    }
    out.push_str("```\n");
    out.push_str(&super::block::write(plan, graph, issue, &rows));
    Ok(out)
}

/// Text on one line, control characters replaced.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(c: &Checklist) -> Vec<(&str, bool, Option<&str>)> {
        c.items
            .iter()
            .map(|i| {
                (
                    i.text.as_str(),
                    i.checked,
                    i.phase.and_then(|g| c.phases.get(g)).map(String::as_str),
                )
            })
            .collect()
    }

    #[test]
    fn phases_options_and_placeholders() {
        let body = "## 📋 Migration Plan\n\n### Phase 1: Preparation\n- [x] Audit the schema\n- [ ] Task 1\n\n### Phase 2: Implementation\n- [ ] Shard the table\n- [ ] <!-- -->\n\n## 🧪 Testing Strategy\n- [ ] Load testing with ___x current traffic\n- [x] Performance benchmarking\n```\n- [ ] not an item\n```\n";
        let c = parse(body);
        assert_eq!(
            work(&c),
            vec![
                ("Audit the schema", true, Some("Phase 1: Preparation")),
                ("Shard the table", false, Some("Phase 2: Implementation")),
            ]
        );
        assert_eq!(
            c.labels(),
            vec!["testing-strategy:performance-benchmarking"]
        );
        assert_eq!(c.skipped.len(), 3);
    }

    #[test]
    fn bold_phase_lines_start_phases() {
        let c = parse(
            "- **Phase 1:** Provision Redis\n  - [ ] Create the cluster\n- **Phase 2:**\n  - [ ] Switch reads\n- **Phase 3:** Remove the old cache\n- **Phase 4:**\n",
        );
        assert_eq!(
            c.phases,
            vec![
                "Phase 1: Provision Redis",
                "Phase 2",
                "Phase 3: Remove the old cache",
                "Phase 4"
            ]
        );
        assert_eq!(
            work(&c),
            vec![
                (
                    "Create the cluster",
                    false,
                    Some("Phase 1: Provision Redis")
                ),
                ("Switch reads", false, Some("Phase 2")),
                (
                    "Remove the old cache",
                    false,
                    Some("Phase 3: Remove the old cache")
                ),
            ]
        );
        assert!(
            c.skipped
                .iter()
                .any(|s| s.reason == "unfilled phase \"Phase 4\"")
        );
        let ops = c.ops(&Plan::empty(), 5, None).ops;
        match &ops[1] {
            Op::Create(s) => {
                assert_eq!(s.after, vec![0]);
                assert_eq!(s.title, "GH#5: Switch reads");
                assert!(s.no_infer);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn self_checks_sign_offs_and_pick_lists_are_not_work() {
        let c = parse(
            "## Task Type\n- [x] Backup & Recovery\n- [ ] Monitoring\n## Labels\n- [x] `database` - Database work\n## Checklist\n- [x] I have identified the need\n## Implementation Checklist\n- [x] Design review completed\n- [ ] Infrastructure provisioned\n## Notes\n- [ ] Add an index\n- [ ] Nice to have\n",
        );
        assert_eq!(
            work(&c),
            vec![
                (
                    "Infrastructure provisioned",
                    false,
                    Some("Implementation Checklist")
                ),
                ("Add an index", false, Some("Notes")),
            ]
        );
        assert_eq!(c.labels(), vec!["task-type:backup-recovery", "database"]);
        let reasons: Vec<&str> = c.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec![
                "the author's self-check, not work",
                "a review sign-off, not work"
            ]
        );
    }

    #[test]
    fn overrides_decide_a_section() {
        let body =
            "## Testing Strategy\n- [ ] Load testing\n## Follow-up Tasks\n- [ ] Tune the cache\n";
        let c = parse_with(
            body,
            &Overrides {
                work: vec!["testing strategy".into()],
                options: vec!["Follow-up Tasks".into()],
            },
        );
        assert_eq!(
            work(&c),
            vec![("Load testing", false, Some("Testing Strategy"))]
        );
        assert_eq!(c.options.len(), 1);
    }

    #[test]
    fn phase_names_map_onto_the_workflow_in_order() {
        let c = parse(
            "### Phase 1: Preparation\n- [ ] Pick a window\n### Phase 2: Implementation\n- [ ] Provision the replica\n### Phase 3: Rollback\n- [ ] Rehearse the failback\n### Phase 4: Analysis\n- [ ] Look back\n",
        );
        let p = c.ops(&Plan::empty(), 7, None);
        assert_eq!(
            p.landed,
            vec![None, Some("impl".into()), Some("rollback".into()), None]
        );
        let specs: Vec<&NewTask> = p
            .ops
            .iter()
            .filter_map(|o| match o {
                Op::Create(s) => Some(s),
                _ => None,
            })
            .collect();
        // Unmapped groups keep the body's order; mapped after mapped is the
        // workflow's to order.
        assert_eq!(specs[1].after, vec![0]);
        assert_eq!(specs[2].after, Vec::<usize>::new());
        assert_eq!(specs[3].after, vec![2]);
        assert_eq!(specs[3].phase, None);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panicking(
            s in "(### Phase [0-9]: x\n|- \\[[ xX]\\] |\\*\\*|<!--|-->|```|__|<!-- wm:plan v1\n|[a-z#:?\n -]|\\PC){0,60}"
        ) {
            let c = parse(&s);
            let ops = c.ops(&Plan::empty(), 1, None).ops;
            proptest::prop_assert!(ops.len() >= c.items.len());
            proptest::prop_assert_eq!(
                c.entries.iter().filter(|e| e.class == Class::Work).count(),
                c.items.len()
            );
        }
    }

    #[test]
    fn broken_encodings_do_not_crash() {
        let bytes = b"## \xf0\x9f Tasks\n- [ ] Caf\xe9 check\n";
        let c = parse(&decode(bytes));
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.items[0].label.as_deref(), Some("Tasks"));
    }
}
