//! GitHub issue bodies in and out: Markdown task lists become tasks
//! ([`parse`], [`Checklist::ops`]) and an issue's plan becomes a Markdown
//! task list with a Mermaid graph ([`markdown`]).
//!
//! Import rules: each `- [ ] item` / `- [x] item` is a task (checked ones
//! completed). A heading `### Phase 1: Preparation`, or a line starting with
//! bold `**Phase 2:**`, starts a phase; each phase's tasks depend on the tasks
//! of the phase before it (explicit edges; imported tasks get no workflow
//! phase). Items under other headings carry the heading as a label. Items
//! that only repeat the template (empty, `Task 1`, `___` blanks, an unfilled
//! `Field:`) are skipped and reported.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::graph::plan::Plan;
use crate::model::{Status, TaskType, title_without_issue};
use crate::ops::{NewTask, Op};

/// One task-list item to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1-based line of the body.
    pub line: usize,
    pub text: String,
    pub checked: bool,
    /// Index into [`Checklist::phases`].
    pub phase: Option<usize>,
    /// The heading the item stands under (for items outside a phase).
    pub label: Option<String>,
}

/// An item left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// What a body's task lists hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checklist {
    /// Phase names in the order they appear.
    pub phases: Vec<String>,
    pub items: Vec<Item>,
    pub skipped: Vec<Skipped>,
}

/// Text from bytes of any encoding: invalid UTF-8 is replaced, never fatal;
/// a byte-order mark is dropped.
pub fn decode(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    s.strip_prefix('\u{feff}').unwrap_or(&s).to_string()
}

/// Read a body's task lists.
pub fn parse(text: &str) -> Checklist {
    let mut out = Checklist::default();
    let mut fence: Option<&str> = None;
    let mut in_comment = false;
    let mut heading: Option<String> = None;
    let mut bold: Option<String> = None;
    // (phase index, heading level; 7 for a bold line)
    let mut phase: Option<(usize, usize)> = None;
    let mut seen: HashMap<String, usize> = HashMap::new();

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
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if !in_comment {
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
            let text = clean_heading(rest);
            if let Some(name) = phase_name(&text) {
                out.phases.push(name);
                phase = Some((out.phases.len() - 1, level));
            } else {
                if phase.is_some_and(|(_, l)| level <= l) {
                    phase = None;
                }
                heading = (!text.is_empty()).then_some(text);
            }
            bold = None;
            continue;
        }

        if let Some((checked, rest)) = checkbox_of(t) {
            let text = clean_item(rest);
            if let Some(reason) = placeholder(&text) {
                out.skipped.push(Skipped {
                    line: line_no,
                    text,
                    reason,
                });
                continue;
            }
            let key = text.to_lowercase();
            if let Some(first) = seen.get(&key) {
                out.skipped.push(Skipped {
                    line: line_no,
                    text,
                    reason: format!("same as the item on line {first}"),
                });
                continue;
            }
            seen.insert(key, line_no);
            out.items.push(Item {
                line: line_no,
                text,
                checked,
                phase: phase.map(|p| p.0),
                label: if phase.is_some() {
                    None
                } else {
                    bold.clone().or_else(|| heading.clone())
                },
            });
            continue;
        }

        if let Some((inner, rest)) = bold_lead(t) {
            // `**Field:**` labels the items below it; other bold text is prose.
            let field = inner.trim_end().ends_with(':') || rest.trim() == ":";
            let inner = clean_heading(&inner);
            let rest = clean_item(&rest);
            if let Some(name) = phase_name(&inner) {
                let name = if rest.is_empty() || rest.ends_with(':') {
                    name
                } else {
                    format!("{name}: {rest}")
                };
                out.phases.push(name);
                phase = Some((out.phases.len() - 1, 7));
            } else if field
                && (rest.is_empty() || rest == ":")
                && !inner.is_empty()
                && phase.is_none_or(|(_, l)| l < 7)
            {
                bold = Some(inner);
            }
        }
    }
    out
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

/// A heading's words: emphasis removed, leading emoji (or their mojibake)
/// dropped, trailing colon removed.
fn clean_heading(s: &str) -> String {
    let s = clean_item(s);
    let words: Vec<&str> = s
        .split_whitespace()
        .skip_while(|w| !w.chars().any(|c| c.is_ascii_alphanumeric()))
        .collect();
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
    if let Some(rest) = lower.strip_prefix("task")
        && !rest.trim().is_empty()
        && rest.trim().chars().all(|c| c.is_ascii_digit())
    {
        return Some(format!("template placeholder \"{t}\""));
    }
    if matches!(lower.as_str(), "tbd" | "todo" | "n/a" | "..." | "item")
        || !t.chars().any(|c| c.is_alphanumeric())
    {
        return Some(format!("template placeholder \"{t}\""));
    }
    None
}

impl Checklist {
    /// The ops importing the items into `issue`: one `Create` each, kept
    /// when the issue already has a task of that title.
    pub fn ops(&self, issue: u64) -> Vec<Op> {
        let mut ops = Vec::with_capacity(self.items.len());
        // Op positions of each phase's items.
        let mut by_phase: Vec<Vec<usize>> = vec![Vec::new(); self.phases.len()];
        for item in &self.items {
            let after = match item.phase {
                Some(p) => by_phase[..p]
                    .iter()
                    .rev()
                    .find(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let label = match item.phase {
                Some(p) => self.phases.get(p).cloned(),
                None => item.label.clone(),
            };
            if let Some(p) = item.phase {
                by_phase[p].push(ops.len());
            }
            ops.push(Op::Create(NewTask {
                title: format!("GH#{issue}: {}", item.text),
                kind: Some(TaskType::Task),
                issue: Some(issue),
                labels: label.into_iter().collect(),
                if_missing: true,
                after,
                no_infer: true,
                completed: item.checked,
                ..Default::default()
            }));
        }
        ops
    }
}

/// The tasks of `issue` as a Markdown task list grouped by phase (or, for
/// tasks without a phase, by their first label), with a Mermaid graph.
pub fn markdown(plan: &Plan, graph: &Graph, issue: u64) -> Result<String> {
    let mut rows: Vec<usize> = (0..plan.len())
        .filter(|&i| plan.task(i).issue == Some(issue))
        .collect();
    if rows.is_empty() {
        return Err(Error::Usage(format!(
            "issue #{issue} has no tasks; plan it with `wm tasks plan --issue {issue} --template NAME`"
        )));
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
            mermaid_text(title_without_issue(&t.title))
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

/// Text safe inside a Mermaid `["..."]` label.
fn mermaid_text(s: &str) -> String {
    one_line(s)
        .replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_labels_and_placeholders() {
        let body = "## 📋 Migration Plan\n\n### Phase 1: Preparation\n- [x] Audit the schema\n- [ ] Task 1\n\n### Phase 2: Implementation\n- [ ] Shard the table\n- [ ] <!-- -->\n\n## 🧪 Testing Strategy\n- [ ] Load testing with ___x current traffic\n- [x] Performance benchmarking\n```\n- [ ] not an item\n```\n";
        let c = parse(body);
        assert_eq!(
            c.phases,
            vec!["Phase 1: Preparation", "Phase 2: Implementation"]
        );
        let texts: Vec<(&str, bool, Option<usize>, Option<&str>)> = c
            .items
            .iter()
            .map(|i| (i.text.as_str(), i.checked, i.phase, i.label.as_deref()))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("Audit the schema", true, Some(0), None),
                ("Shard the table", false, Some(1), None),
                (
                    "Performance benchmarking",
                    true,
                    None,
                    Some("Testing Strategy")
                ),
            ]
        );
        assert_eq!(c.skipped.len(), 3);
    }

    #[test]
    fn bold_phase_lines_start_phases() {
        let c = parse(
            "- **Phase 1:** Provision Redis\n  - [ ] Create the cluster\n- **Phase 2:**\n  - [ ] Switch reads\n",
        );
        assert_eq!(c.phases, vec!["Phase 1: Provision Redis", "Phase 2"]);
        assert_eq!(c.items[1].phase, Some(1));
        let ops = c.ops(5);
        match &ops[1] {
            Op::Create(s) => {
                assert_eq!(s.after, vec![0]);
                assert_eq!(s.title, "GH#5: Switch reads");
                assert!(s.no_infer);
            }
            other => panic!("{other:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panicking(
            s in "(### Phase [0-9]: x\n|- \\[[ xX]\\] |\\*\\*|<!--|-->|```|__|[a-z#:\n ]|\\PC){0,60}"
        ) {
            let c = parse(&s);
            let ops = c.ops(1);
            proptest::prop_assert_eq!(ops.len(), c.items.len());
        }
    }

    #[test]
    fn broken_encodings_do_not_crash() {
        let bytes = b"## \xf0\x9f Tests\n- [ ] Caf\xe9 check\n";
        let c = parse(&decode(bytes));
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.items[0].label.as_deref(), Some("Tests"));
    }
}
