//! A store's problems located in its file: each finding carries the line
//! (and, for parse errors, the column) it is about, for `wm tasks check`'s
//! text and its GitHub annotations.
//!
//! Parse and schema errors (unknown fields, wrong types) become findings
//! instead of failures, so `check` reports them like any other problem.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::store;
use crate::validate::{Code, Problem, Severity};

/// Where each task starts in the file text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskLines {
    /// Every line (1-based) holding `id: X` for a task, in file order per id.
    by_id: HashMap<String, Vec<u64>>,
    /// The line of the top-level `tasks:` key.
    tasks_line: Option<u64>,
    /// The line of the top-level `workflow:` key.
    workflow_line: Option<u64>,
}

/// The value of a `key: value` line, unquoted, without a trailing comment.
fn scalar_value(v: &str) -> String {
    let v = v.trim();
    if let Some(rest) = v.strip_prefix('"') {
        return rest.split('"').next().unwrap_or("").to_string();
    }
    if let Some(rest) = v.strip_prefix('\'') {
        return rest.split('\'').next().unwrap_or("").to_string();
    }
    v.split(" #").next().unwrap_or("").trim().to_string()
}

impl TaskLines {
    /// Scan store text for the line of each task's `id:` key (the
    /// canonical layout writes `  - id: X`; hand-written files may put
    /// `id:` later in the task, which is found too).
    pub fn scan(text: &str) -> TaskLines {
        let mut out = TaskLines::default();
        let mut in_tasks = false;
        for (k, line) in text.lines().enumerate() {
            let n = k as u64 + 1;
            let indent = line.len() - line.trim_start().len();
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            if indent == 0 && !body.starts_with('-') {
                // A top-level key: the tasks section ends at the next one.
                let key = body.split(':').next().unwrap_or("").trim();
                in_tasks = key == "tasks";
                match key {
                    "tasks" => out.tasks_line = Some(n),
                    "workflow" => out.workflow_line = Some(n),
                    _ => {}
                }
                continue;
            }
            if !in_tasks {
                continue;
            }
            let item = body.strip_prefix("- ").unwrap_or(body).trim_start();
            if let Some(v) = item.strip_prefix("id:") {
                let id = scalar_value(v);
                if !id.is_empty() {
                    out.by_id.entry(id).or_default().push(n);
                }
            }
        }
        out
    }

    /// The line where task `id` starts (its first occurrence).
    pub fn line_of(&self, id: &str) -> Option<u64> {
        self.by_id.get(id).and_then(|v| v.first().copied())
    }

    /// Every line holding task `id`, in file order (more than one for a
    /// duplicate id).
    pub fn lines_of(&self, id: &str) -> &[u64] {
        self.by_id.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The line a problem is about: the offending task's (for a duplicate
    /// id, its second occurrence), the `workflow:` key for workflow
    /// problems, else the `tasks:` key, else line 1.
    pub fn problem_line(&self, p: &Problem) -> u64 {
        let fallback = self.tasks_line.unwrap_or(1);
        if p.code == Code::Workflow {
            return self.workflow_line.unwrap_or(fallback);
        }
        let Some(first) = p.tasks.first() else {
            return fallback;
        };
        let lines = self.lines_of(first);
        let line = if p.code == Code::DuplicateId {
            lines.get(1).or(lines.first())
        } else {
            lines.first()
        };
        line.copied().unwrap_or(fallback)
    }
}

/// One problem with where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub problem: Problem,
    /// 1-based line in the store file.
    pub line: u64,
    /// 1-based column, when known (parse errors).
    pub column: Option<u64>,
}

/// The result of validating a store file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Number of tasks, when the file could be parsed.
    pub tasks: Option<usize>,
    /// Errors first, then warnings, each in file order.
    pub findings: Vec<Finding>,
    /// Where each task is in the file (empty when it could not be parsed).
    pub lines: TaskLines,
}

impl Report {
    pub fn count(&self, s: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.problem.severity == s)
            .count()
    }

    /// Make every warning an error (`check --strict`).
    pub fn strict(mut self) -> Report {
        for f in &mut self.findings {
            f.problem.severity = Severity::Error;
        }
        self
    }
}

/// A stable code for a parse error, from its message.
fn parse_code(message: &str) -> Code {
    let m = message.to_ascii_lowercase();
    if m.contains("unknown field") {
        Code::UnknownField
    } else if m.contains("missing field") {
        Code::MissingField
    } else if m.starts_with("wrong type")
        || m.contains("invalid type")
        || m.contains("invalid value")
        || m.contains("unknown variant")
        || m.contains("premature end")
        || m.contains("input contains invalid characters")
    {
        Code::InvalidValue
    } else {
        Code::Parse
    }
}

/// Validate store text read from `path`: parse errors and every problem
/// `check` finds, located by line. I/O errors are still errors.
pub fn validate(path: &Path, bytes: &[u8]) -> Result<Report> {
    let loaded = match store::load_bytes(path, bytes) {
        Ok(l) => l,
        Err(Error::Parse {
            line,
            column,
            message,
            ..
        }) => {
            let code = parse_code(&message);
            return Ok(Report {
                lines: TaskLines::default(),
                tasks: None,
                findings: vec![Finding {
                    problem: Problem {
                        severity: Severity::Error,
                        code,
                        message,
                        tasks: vec![],
                        fix: None,
                    },
                    line: line.max(1),
                    column: (column > 0).then_some(column),
                }],
            });
        }
        Err(e @ Error::NewerVersion { .. }) => {
            let text = String::from_utf8_lossy(bytes);
            let line = text
                .lines()
                .position(|l| l.starts_with("version:"))
                .map_or(1, |k| k as u64 + 1);
            return Ok(Report {
                lines: TaskLines::default(),
                tasks: None,
                findings: vec![Finding {
                    problem: Problem {
                        severity: Severity::Error,
                        code: Code::NewerVersion,
                        message: e.to_string().replace('\n', " "),
                        tasks: vec![],
                        fix: None,
                    },
                    line,
                    column: None,
                }],
            });
        }
        Err(e) => return Err(e),
    };
    let text = String::from_utf8_lossy(bytes);
    let lines = TaskLines::scan(&text);
    let mut findings: Vec<Finding> = loaded
        .problems
        .into_iter()
        .map(|p| Finding {
            line: lines.problem_line(&p),
            column: None,
            problem: p,
        })
        .collect();
    findings.sort_by(|a, b| {
        (a.problem.severity, a.line, a.problem.code).cmp(&(
            b.problem.severity,
            b.line,
            b.problem.code,
        ))
    });
    Ok(Report {
        tasks: Some(loaded.plan.len()),
        findings,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
version: 1
workflow:
  phases:
    - id: a
      name: A
tasks:

  - id: x1
    title: one

  - title: two
    id: \"y2\" # comment
  - id: x1
";

    #[test]
    fn task_lines_skip_the_workflow_and_find_later_ids() {
        let l = TaskLines::scan(TEXT);
        assert_eq!(l.line_of("a"), None);
        assert_eq!(l.lines_of("x1"), &[8, 13]);
        assert_eq!(l.line_of("y2"), Some(12));
        // Quoted ids (ids that start with a digit are quoted) are found.
        let q = TaskLines::scan("version: 1\ntasks:\n\n  - id: \"0abc\"\n");
        assert_eq!(q.line_of("0abc"), Some(4));
        assert_eq!(l.workflow_line, Some(2));
        assert_eq!(l.tasks_line, Some(6));
    }

    #[test]
    fn parse_errors_become_findings_with_line_and_column() {
        let r = validate(
            Path::new("tasks.yaml"),
            b"version: 1\ntasks:\n  - id: a\n    titel: x\n",
        )
        .unwrap();
        assert_eq!(r.findings.len(), 1);
        let f = &r.findings[0];
        assert_eq!(f.problem.code, Code::UnknownField);
        assert_eq!(f.line, 4);
        assert!(f.column.is_some());
    }
}
