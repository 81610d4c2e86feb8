//! The canonical YAML writer for `tasks.yaml`.
//!
//! Why a hand-written emitter: the file is a merge surface. We need exactly
//! one layout (same content, same bytes), one block per task, block-style
//! lists (so two edits of one list merge line by line), and no field moved by
//! an unrelated change. A general serializer gives none of these guarantees
//! across versions. Parsing stays with serde-saphyr.

use std::fmt::Write;

use crate::model::{StoreFile, Task, format_time};
use crate::workflow::Workflow;

pub const HEADER: &str =
    "# wm tasks store. Edit with `wm tasks`, or by hand and then run `wm tasks check`.\n";

/// Serialize a store to its canonical text.
pub fn emit(file: &StoreFile) -> String {
    let mut out = String::with_capacity(64 + file.tasks.len() * 320);
    out.push_str(HEADER);
    let _ = writeln!(out, "version: {}", file.version);
    if let Some(scan) = &file.scan {
        let _ = writeln!(out, "scan:\n  head: {}", scalar(&scan.head));
    }
    if let Some(wf) = &file.workflow {
        emit_workflow(&mut out, wf);
    }
    if file.tasks.is_empty() {
        out.push_str("tasks: []\n");
        return out;
    }
    out.push_str("tasks:\n");
    for t in &file.tasks {
        out.push('\n');
        emit_task(&mut out, t);
    }
    out
}

fn emit_workflow(out: &mut String, wf: &Workflow) {
    out.push_str("workflow:\n  phases:\n");
    for p in &wf.phases {
        let _ = writeln!(out, "    - id: {}", scalar(&p.id));
        let _ = writeln!(out, "      name: {}", scalar(&p.name));
        if let Some(g) = &p.group {
            let _ = writeln!(out, "      group: {}", scalar(g));
        }
        list(out, "      ", "depends_on", &p.depends_on);
        list(out, "      ", "keywords", &p.keywords);
    }
}

fn list(out: &mut String, indent: &str, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{key}:");
    for item in items {
        let _ = writeln!(out, "{indent}  - {}", scalar(item));
    }
}

fn emit_task(out: &mut String, t: &Task) {
    let _ = writeln!(out, "  - id: {}", scalar(&t.id));
    let i = "    ";
    let _ = writeln!(out, "{i}title: {}", scalar(&t.title));
    let _ = writeln!(out, "{i}type: {}", t.kind);
    let _ = writeln!(out, "{i}status: {}", t.status);
    if let Some(p) = &t.phase {
        let _ = writeln!(out, "{i}phase: {}", scalar(p));
    }
    if let Some(n) = t.issue {
        let _ = writeln!(out, "{i}issue: {n}");
    }
    if let Some(p) = &t.parent {
        let _ = writeln!(out, "{i}parent: {}", scalar(p));
    }
    list(out, i, "depends_on", &t.depends_on);
    list(out, i, "labels", &t.labels);
    if let Some(a) = &t.assignee {
        let _ = writeln!(out, "{i}assignee: {}", scalar(a));
    }
    if let Some(d) = &t.description {
        let _ = write!(out, "{i}description: ");
        text(out, "      ", d);
    }
    list(out, i, "commits", &t.commits);
    let _ = writeln!(out, "{i}created_at: {}", format_time(&t.created_at));
    let _ = writeln!(out, "{i}updated_at: {}", format_time(&t.updated_at));
    if let Some(c) = &t.closed_at {
        let _ = writeln!(out, "{i}closed_at: {}", format_time(c));
    }
    if !t.forced.is_empty() {
        let _ = writeln!(out, "{i}forced:");
        for f in &t.forced {
            let _ = writeln!(out, "{i}  - at: {}", format_time(&f.at));
            let _ = writeln!(out, "{i}    to: {}", f.to);
            let _ = writeln!(out, "{i}    reason: {}", scalar(&f.reason));
        }
    }
}

/// A multi-line text as a literal block when that is exact, else a scalar.
fn text(out: &mut String, indent: &str, s: &str) {
    if literal_block_ok(s) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        let chomp = match trailing {
            0 => "-",
            1 => "",
            _ => "+",
        };
        let _ = writeln!(out, "|{chomp}");
        for line in s.trim_end_matches('\n').split('\n') {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        for _ in 1..trailing {
            out.push('\n');
        }
    } else {
        let _ = writeln!(out, "{}", scalar(s));
    }
}

/// A literal block (`|`) reproduces `s` exactly only when it has several
/// lines, starts with visible text, and holds nothing that needs escaping.
fn literal_block_ok(s: &str) -> bool {
    let body = s.trim_end_matches('\n');
    body.contains('\n')
        && !body.starts_with([' ', '\t', '\n'])
        && s.chars().all(|c| c == '\n' || !needs_escape(c))
        && !s.contains('\r')
        && !body
            .lines()
            .any(|l| l.starts_with([' ', '\t']) && l.trim().is_empty())
}

/// Characters YAML cannot carry literally in a quoted scalar.
fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f' | '\u{80}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}')
}

/// A scalar string: plain when unambiguous, else double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    if plain_ok(s) {
        return s.to_string();
    }
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xff {
                    let _ = write!(q, "\\x{n:02x}");
                } else {
                    let _ = write!(q, "\\u{n:04x}");
                }
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// Whether `s` can be written as a plain scalar and read back as the same
/// string (not a number, bool or null, no indicator characters).
fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null"
            | "~"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".nan"
            | ".inf"
            | "-.inf"
            | "+.inf"
    ) {
        return false;
    }
    // Anything that starts like a number could be read as one.
    let first = s.chars().next().unwrap_or(' ');
    if first.is_ascii_digit() || matches!(first, '+' | '-' | '.') {
        return false;
    }
    if matches!(
        first,
        '!' | '&'
            | '*'
            | '{'
            | '}'
            | '['
            | ']'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
            | '#'
            | ','
            | '?'
            | ':'
    ) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    s.chars()
        .all(|c| !needs_escape(c) && !matches!(c, '\n' | '\t' | '{' | '}' | '[' | ']' | ',' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_quote_what_needs_it() {
        assert_eq!(scalar("hello world"), "hello world");
        assert_eq!(
            scalar("GH#42: Network hardening"),
            "\"GH#42: Network hardening\""
        );
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("42"), "\"42\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
        assert_eq!(scalar("\u{1b}[2J"), "\"\\x1b[2J\"");
    }
}
