//! The canonical YAML writer for `tasks.yaml`.
//!
//! Why a hand-written emitter: the file is a merge surface. We need exactly
//! one layout (same content, same bytes), one block per task, block-style
//! lists (so two edits of one list merge line by line), and no field moved by
//! an unrelated change. A general serializer gives none of these guarantees
//! across versions. Parsing stays with serde-saphyr.

use std::fmt::Write;

use crate::model::workflow::Workflow;
use crate::model::{StoreFile, Task, format_time};

pub const HEADER: &str =
    "# wm tasks store. Edit with `wm tasks`, or by hand and then run `wm tasks check`.\n";

/// Serialize a store to its canonical text.
pub fn emit(file: &StoreFile) -> String {
    emit_with(file, PARALLEL_MIN_TASKS)
}

/// Stores with at least this many tasks write their blocks on several
/// threads.
const PARALLEL_MIN_TASKS: usize = 2_000;

/// [`emit`], writing the task blocks on several threads when there are at
/// least `parallel_min` tasks. Every block is written by the same function
/// and the blocks are joined in order, so the bytes are the same either way
/// (tests compare the two).
pub fn emit_with(file: &StoreFile, parallel_min: usize) -> String {
    let mut out = String::with_capacity(64 + file.tasks.len() * 440);
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
    let blocks = |tasks: &[Task]| {
        let mut s = String::with_capacity(tasks.len() * 440);
        for t in tasks {
            s.push('\n');
            emit_task(&mut s, t);
        }
        s
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    if file.tasks.len() < parallel_min || threads == 1 {
        out.push_str(&blocks(&file.tasks));
        return out;
    }
    let per = file.tasks.len().div_ceil(threads);
    let parts: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = file
            .tasks
            .chunks(per)
            .map(|chunk| (chunk, scope.spawn(move || blocks(chunk))))
            .collect();
        // A chunk whose thread failed is written again here: never skipped.
        handles
            .into_iter()
            .map(|(chunk, h)| h.join().unwrap_or_else(|_| blocks(chunk)))
            .collect()
    });
    for p in parts {
        out.push_str(&p);
    }
    out
}

fn emit_workflow(out: &mut String, wf: &Workflow) {
    // Destructured without `..`, as tasks are: a new field does not compile
    // until it is written.
    let Workflow {
        name,
        description,
        aliases,
        recognise,
        evidence,
        phases,
    } = wf;
    out.push_str("workflow:\n");
    if let Some(n) = name {
        let _ = writeln!(out, "  name: {}", scalar(n));
    }
    if let Some(d) = description {
        let _ = writeln!(out, "  description: {}", scalar(d));
    }
    list(out, "  ", "aliases", aliases);
    list(out, "  ", "recognise", recognise);
    if *evidence {
        out.push_str("  evidence: true\n");
    }
    out.push_str("  phases:\n");
    for p in phases {
        let crate::model::workflow::Phase {
            id,
            name,
            group,
            depends_on,
            keywords,
            patterns,
            types,
            order,
            repeat,
            absorb,
        } = p;
        let _ = writeln!(out, "    - id: {}", scalar(id));
        let _ = writeln!(out, "      name: {}", scalar(name));
        if let Some(g) = group {
            let _ = writeln!(out, "      group: {}", scalar(g));
        }
        list(out, "      ", "depends_on", depends_on);
        list(out, "      ", "keywords", keywords);
        list(out, "      ", "patterns", patterns);
        let types: Vec<String> = types.iter().map(|t| t.as_str().to_string()).collect();
        list(out, "      ", "types", &types);
        match order {
            crate::model::workflow::Order::Parallel => {}
            crate::model::workflow::Order::Roles => out.push_str("      order: roles\n"),
            crate::model::workflow::Order::Chain => out.push_str("      order: chain\n"),
        }
        match repeat {
            crate::model::workflow::Repeat::Once => {}
            crate::model::workflow::Repeat::Sequential => {
                out.push_str("      repeat: sequential\n")
            }
            crate::model::workflow::Repeat::Parallel => out.push_str("      repeat: parallel\n"),
        }
        if !absorb {
            out.push_str("      absorb: false\n");
        }
    }
}

fn list(out: &mut String, indent: &str, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(indent);
    out.push_str(key);
    out.push_str(":\n");
    for item in items {
        out.push_str(indent);
        out.push_str("  - ");
        push_scalar(out, item);
        out.push('\n');
    }
}

/// `    key: value` with `value` as a scalar. Written with plain pushes, not
/// `format!`: this runs for every field of every task on every save.
fn field(out: &mut String, key: &str, value: &str) {
    out.push_str("    ");
    out.push_str(key);
    out.push_str(": ");
    push_scalar(out, value);
    out.push('\n');
}

/// `    key: <raw>` for values that never need quoting (enums, times).
fn raw_field(out: &mut String, key: &str, value: &str) {
    out.push_str("    ");
    out.push_str(key);
    out.push_str(": ");
    out.push_str(value);
    out.push('\n');
}

fn time_field(out: &mut String, key: &str, t: &chrono::DateTime<chrono::Utc>) {
    out.push_str("    ");
    out.push_str(key);
    out.push_str(": ");
    push_time(out, t);
    out.push('\n');
}

/// RFC 3339 UTC, exactly as [`format_time`] writes it, without allocating.
fn push_time(out: &mut String, t: &chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) {
        out.push_str(&format_time(t));
        return;
    }
    let two = |out: &mut String, n: u32| {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    };
    let y = year as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push('-');
    two(out, t.month());
    out.push('-');
    two(out, t.day());
    out.push('T');
    two(out, t.hour());
    out.push(':');
    two(out, t.minute());
    out.push(':');
    // A leap second shows as :60, as chrono writes it.
    let nanos = t.nanosecond();
    two(out, t.second() + nanos / 1_000_000_000);
    let nanos = nanos % 1_000_000_000;
    if nanos != 0 {
        let (value, digits) = if nanos.is_multiple_of(1_000_000) {
            (nanos / 1_000_000, 3)
        } else if nanos.is_multiple_of(1_000) {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        let _ = write!(out, ".{value:0digits$}");
    }
    out.push('Z');
}

fn emit_task(out: &mut String, t: &Task) {
    // Destructured without `..`: a field added to `Task` does not compile
    // until the canonical writer handles it (and so never silently drops it).
    let Task {
        id,
        title,
        kind,
        status,
        priority,
        phase,
        role,
        workflow,
        issue,
        parent,
        depends_on,
        labels,
        assignee,
        description,
        estimate,
        commits,
        created_at,
        updated_at,
        closed_at,
        reason,
        forced,
        notes,
    } = t;
    out.push_str("  - id: ");
    push_scalar(out, id);
    out.push('\n');
    field(out, "title", title);
    raw_field(out, "type", kind.as_str());
    raw_field(out, "status", status.as_str());
    if let Some(p) = priority {
        let _ = writeln!(out, "    priority: {p}");
    }
    if let Some(p) = phase {
        field(out, "phase", p);
    }
    if let Some(r) = role {
        raw_field(out, "role", r.as_str());
    }
    if let Some(w) = workflow {
        field(out, "workflow", w);
    }
    if let Some(n) = issue {
        let _ = writeln!(out, "    issue: {n}");
    }
    if let Some(p) = parent {
        field(out, "parent", p);
    }
    let i = "    ";
    list(out, i, "depends_on", depends_on);
    list(out, i, "labels", labels);
    if let Some(a) = assignee {
        field(out, "assignee", a);
    }
    if let Some(d) = description {
        out.push_str("    description: ");
        text(out, "      ", d);
    }
    if let Some(e) = estimate {
        field(out, "estimate", e);
    }
    list(out, i, "commits", commits);
    time_field(out, "created_at", created_at);
    time_field(out, "updated_at", updated_at);
    if let Some(c) = closed_at {
        time_field(out, "closed_at", c);
    }
    if let Some(r) = reason {
        // A scalar, never a literal block: the reason is often the last
        // field, where a block would take the blank line after it.
        field(out, "reason", r);
    }
    if !forced.is_empty() {
        out.push_str("    forced:\n");
        for f in forced {
            out.push_str("      - at: ");
            push_time(out, &f.at);
            out.push_str("\n        to: ");
            out.push_str(f.to.as_str());
            out.push_str("\n        reason: ");
            push_scalar(out, &f.reason);
            out.push('\n');
        }
    }
    if !notes.is_empty() {
        out.push_str("    notes:\n");
        for n in notes {
            out.push_str("      - at: ");
            push_time(out, &n.at);
            out.push_str("\n        text: ");
            push_scalar(out, &n.text);
            out.push('\n');
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
    let mut out = String::with_capacity(s.len() + 2);
    push_scalar(&mut out, s);
    out
}

/// A byte that stands for itself inside double quotes: printable ASCII
/// other than `"` and `\`.
fn ordinary(c: u8) -> bool {
    (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\'
}

/// Append `s` as a scalar (see [`scalar`]).
fn push_scalar(q: &mut String, s: &str) {
    if plain_ok(s) {
        q.push_str(s);
        return;
    }
    q.push('"');
    if s.bytes().all(ordinary) {
        q.push_str(s);
        q.push('"');
        return;
    }
    // Copy runs of ordinary characters as slices; escape the rest.
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\t' => Some("\\t"),
            '\r' => Some("\\r"),
            c if needs_escape(c) => Some(""),
            _ => None,
        };
        let Some(esc) = esc else { continue };
        q.push_str(&s[start..i]);
        start = i + c.len_utf8();
        if esc.is_empty() {
            let n = c as u32;
            if n <= 0xff {
                let _ = write!(q, "\\x{n:02x}");
            } else {
                let _ = write!(q, "\\u{n:04x}");
            }
        } else {
            q.push_str(esc);
        }
    }
    q.push_str(&s[start..]);
    q.push('"');
}

/// Whether `s` can be written as a plain scalar and read back as the same
/// string (not a number, bool or null, no indicator characters). One pass
/// over the bytes: this runs for every scalar of every load.
fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    const RESERVED: [&str; 14] = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf",
        "+.inf",
    ];
    if s.len() <= 5 && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Anything that starts like a number could be read as one; indicators
    // start other kinds of nodes.
    if first.is_ascii_digit()
        || b"+-.!&*{}[]|>'\"%@`#,?: \t".contains(&first)
        || matches!(last, b' ' | b'\t' | b':')
    {
        return false;
    }
    // Bytes that never appear in a plain scalar we write.
    const fn forbidden() -> [bool; 256] {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 0x20 {
            t[c] = true;
            c += 1;
        }
        t[0x7f] = true;
        t[b'{' as usize] = true;
        t[b'}' as usize] = true;
        t[b'[' as usize] = true;
        t[b']' as usize] = true;
        t[b',' as usize] = true;
        t[b'\\' as usize] = true;
        t
    }
    static FORBIDDEN: [bool; 256] = forbidden();
    let mut prev = 0u8;
    for &c in b {
        if FORBIDDEN[c as usize] || (c == b' ' && prev == b':') || (c == b'#' && prev == b' ') {
            return false;
        }
        prev = c;
    }
    let ascii = b.is_ascii();
    // Non-ASCII text: no escapable characters, and no Unicode whitespace at
    // the ends (YAML would trim it).
    ascii || (s.trim() == s && !s.chars().any(needs_escape))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_format_time_writes_them() {
        use chrono::TimeZone;
        for (secs, nanos) in [
            (0, 0),
            (1_700_000_000, 123_000_000),
            (1_700_000_000, 123_456_000),
            (1_700_000_000, 123_456_789),
            (1_700_000_000, 5_000),
            (253_402_300_799, 999_999_999),
            (-62_135_596_800, 1),
        ] {
            let t = chrono::Utc.timestamp_opt(secs, nanos).unwrap();
            let mut out = String::new();
            push_time(&mut out, &t);
            assert_eq!(out, format_time(&t));
        }
    }

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

/// A fast reader for exactly the canonical layout [`emit`] writes.
///
/// Why: a general YAML parser reads about 20 MB/s, so a 10,000-task store
/// took 200 ms to load; this line reader takes a few. It is purely an
/// optimisation: it returns `None` on anything it does not fully
/// understand (comments after values, flow style, anchors, a custom
/// workflow, an unknown or repeated key, an unusual scalar), and the caller
/// then uses the full parser, which gives the proper error or result. When
/// it returns `Some`, the result is what the full parser would produce; a
/// differential property test checks that on valid and mutated files.
pub fn parse_canonical(text: &str) -> Option<StoreFile> {
    parse_canonical_with(text, PARALLEL_MIN_BYTES)
}

/// Stores at least this large parse their task blocks on several threads.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// [`parse_canonical`], splitting the task list across threads when the
/// text is at least `parallel_min` bytes long. Public so tests can check
/// that both paths agree on small inputs.
pub fn parse_canonical_with(text: &str, parallel_min: usize) -> Option<StoreFile> {
    if text.len() >= parallel_min
        && let Some(at) = text.find("\ntasks:\n")
    {
        let (head, body) = (&text[..at + 1], &text[at + "\ntasks:\n".len()..]);
        let mut file = parse_canonical_with(head, usize::MAX)?;
        if !file.tasks.is_empty() || head.lines().any(|l| l.starts_with("tasks:")) {
            return None;
        }
        file.tasks = parse_tasks_parallel(body)?;
        return Some(file);
    }
    let mut lines = text.split('\n').peekable();
    let mut version = None;
    let mut scan = None;
    let mut workflow: Option<Workflow> = None;
    let mut tasks: Option<Vec<Task>> = None;
    while let Some(line) = lines.next() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(v) = line.strip_prefix("version: ") {
            if version.is_some() || !v.bytes().all(|b| b.is_ascii_digit()) || v.len() > 9 {
                return None;
            }
            version = Some(v.parse().ok()?);
        } else if line == "scan:" {
            let head = lines.next()?.strip_prefix("  head: ")?;
            if scan.is_some() {
                return None;
            }
            scan = Some(crate::model::ScanState {
                head: read_scalar(head)?,
            });
        } else if line == "workflow:" {
            // The workflow block is small: it is read by the full parser on
            // its own, so a store with a workflow stays on the fast path
            // for its (many) tasks. Its text alone must parse; anything
            // unusual (an alias to an anchor elsewhere) sends the whole
            // file to the full parser.
            if workflow.is_some() {
                return None;
            }
            let mut block = String::from("workflow:\n");
            while let Some(l) = lines.peek() {
                if !l.is_empty() && !l.starts_with(' ') && !l.starts_with('#') {
                    break;
                }
                block.push_str(l);
                block.push('\n');
                lines.next();
            }
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Block {
                workflow: Workflow,
            }
            workflow = Some(serde_saphyr::from_str::<Block>(&block).ok()?.workflow);
        } else if line == "tasks: []" {
            if tasks.is_some() {
                return None;
            }
            tasks = Some(Vec::new());
        } else if line == "tasks:" {
            if tasks.is_some() {
                return None;
            }
            // `tasks:` with no items is null to YAML: leave it to the parser.
            let list = parse_tasks(&mut lines)?;
            if list.is_empty() {
                return None;
            }
            tasks = Some(list);
        } else {
            return None;
        }
    }
    Some(StoreFile {
        version: version?,
        scan,
        workflow,
        tasks: tasks.unwrap_or_default(),
    })
}

/// The task blocks after `tasks:`, cut at task boundaries into one chunk
/// per thread. Any chunk that is not wholly task blocks (a top-level key
/// after the list, say) sends the whole file to the slower paths.
fn parse_tasks_parallel(body: &str) -> Option<Vec<Task>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let mut cuts = vec![0];
    for k in 1..threads {
        let target = body.len() * k / threads;
        let from = (*cuts.last()?).max(target);
        match body.get(from..).and_then(|rest| rest.find("\n  - id: ")) {
            Some(off) => cuts.push(from + off + 1),
            None => break,
        }
    }
    cuts.push(body.len());
    cuts.dedup();
    let chunks: Vec<&str> = cuts.windows(2).map(|w| &body[w[0]..w[1]]).collect();
    let parse = |chunk: &str| -> Option<Vec<Task>> {
        let mut lines = chunk.split('\n').peekable();
        let tasks = parse_tasks(&mut lines)?;
        // Everything must have been task blocks or blank lines.
        if lines.next().is_some() {
            return None;
        }
        Some(tasks)
    };
    let parts: Vec<Option<Vec<Task>>> = if chunks.len() == 1 {
        vec![parse(chunks[0])]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|c| scope.spawn(move || parse(c)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        })
    };
    let mut tasks = Vec::new();
    for p in parts {
        tasks.extend(p?);
    }
    // `tasks:` with no items is null to YAML: leave it to the parser.
    if tasks.is_empty() { None } else { Some(tasks) }
}

type Lines<'a> = std::iter::Peekable<std::str::Split<'a, char>>;

fn parse_tasks(lines: &mut Lines) -> Option<Vec<Task>> {
    let mut tasks = Vec::new();
    loop {
        match lines.peek() {
            None => return Some(tasks),
            Some(&"") => {
                lines.next();
            }
            Some(l) if l.starts_with("  - id: ") => {
                let first = lines.next()?;
                tasks.push(parse_task(first, lines)?);
            }
            // Anything at top level ends the list (the caller validates it).
            Some(l) if !l.starts_with(' ') => return Some(tasks),
            Some(_) => return None,
        }
    }
}

/// The fields of one task as raw pieces, before typing.
#[derive(Default)]
struct RawTask {
    title: Option<String>,
    kind: Option<crate::model::TaskType>,
    status: Option<crate::model::Status>,
    priority: Option<u64>,
    phase: Option<String>,
    role: Option<crate::model::Role>,
    workflow: Option<String>,
    issue: Option<u64>,
    parent: Option<String>,
    depends_on: Option<Vec<String>>,
    labels: Option<Vec<String>>,
    assignee: Option<String>,
    description: Option<String>,
    estimate: Option<String>,
    commits: Option<Vec<String>>,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
    reason: Option<String>,
    forced: Option<Vec<crate::model::Forced>>,
    notes: Option<Vec<crate::model::Note>>,
}

/// Set a field once; a repeated key means "not canonical".
fn once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(v);
    Some(())
}

fn parse_task(first: &str, lines: &mut Lines) -> Option<Task> {
    let id = read_scalar(first.strip_prefix("  - id: ")?)?;
    let mut r = RawTask::default();
    while let Some(line) = lines.peek() {
        let Some(rest) = line.strip_prefix("    ") else {
            break;
        };
        if rest.starts_with(' ') {
            return None;
        }
        let line = lines.next()?;
        let rest = &line[4..];
        let (key, value) = match rest.split_once(':') {
            Some((k, v)) => (k, v),
            None => return None,
        };
        let value = match value.strip_prefix(' ') {
            Some(v) => v,
            None if value.is_empty() => "",
            None => return None,
        };
        match key {
            "title" => once(&mut r.title, read_scalar(value)?)?,
            "type" => once(&mut r.kind, read_enum(value)?)?,
            "status" => once(&mut r.status, read_enum(value)?)?,
            "priority" => once(&mut r.priority, read_u64(value)?)?,
            "phase" => once(&mut r.phase, read_scalar(value)?)?,
            "role" => once(&mut r.role, read_enum(value)?)?,
            "workflow" => once(&mut r.workflow, read_scalar(value)?)?,
            "issue" => once(&mut r.issue, read_u64(value)?)?,
            "parent" => once(&mut r.parent, read_scalar(value)?)?,
            "assignee" => once(&mut r.assignee, read_scalar(value)?)?,
            "estimate" => once(&mut r.estimate, read_scalar(value)?)?,
            "created_at" => once(&mut r.created_at, read_time(value)?)?,
            "updated_at" => once(&mut r.updated_at, read_time(value)?)?,
            "closed_at" => once(&mut r.closed_at, read_time(value)?)?,
            "depends_on" | "labels" | "commits" if value.is_empty() => {
                let items = read_list(lines)?;
                let slot = match key {
                    "depends_on" => &mut r.depends_on,
                    "labels" => &mut r.labels,
                    _ => &mut r.commits,
                };
                once(slot, items)?
            }
            "description" => {
                let d = match value {
                    "|" | "|-" | "|+" => read_block(value, lines)?,
                    v => read_scalar(v)?,
                };
                once(&mut r.description, d)?
            }
            "reason" => once(&mut r.reason, read_scalar(value)?)?,
            "forced" if value.is_empty() => once(&mut r.forced, read_forced(lines)?)?,
            "notes" if value.is_empty() => once(&mut r.notes, read_notes(lines)?)?,
            _ => return None,
        }
    }
    Some(Task {
        id,
        title: r.title?,
        kind: r.kind?,
        status: r.status?,
        priority: match r.priority {
            Some(p) => Some(u8::try_from(p).ok()?),
            None => None,
        },
        phase: r.phase,
        role: r.role,
        workflow: r.workflow,
        issue: r.issue,
        parent: r.parent,
        depends_on: r.depends_on.unwrap_or_default(),
        labels: r.labels.unwrap_or_default(),
        assignee: r.assignee,
        description: r.description,
        estimate: r.estimate,
        commits: r.commits.unwrap_or_default(),
        created_at: r.created_at?,
        updated_at: r.updated_at?,
        closed_at: r.closed_at,
        reason: r.reason,
        forced: r.forced.unwrap_or_default(),
        notes: r.notes.unwrap_or_default(),
    })
}

fn read_list(lines: &mut Lines) -> Option<Vec<String>> {
    let mut items = Vec::new();
    while let Some(line) = lines.peek() {
        let Some(v) = line.strip_prefix("      - ") else {
            break;
        };
        items.push(read_scalar(v)?);
        lines.next();
    }
    // An empty block list is `null` to YAML, not `[]`: leave it to the parser.
    if items.is_empty() { None } else { Some(items) }
}

fn read_forced(lines: &mut Lines) -> Option<Vec<crate::model::Forced>> {
    let mut out = Vec::new();
    while let Some(line) = lines.peek() {
        let Some(at) = line.strip_prefix("      - at: ") else {
            break;
        };
        let at = read_time(at)?;
        lines.next();
        let to = read_enum(lines.next()?.strip_prefix("        to: ")?)?;
        let reason = read_scalar(lines.next()?.strip_prefix("        reason: ")?)?;
        out.push(crate::model::Forced { at, to, reason });
    }
    if out.is_empty() { None } else { Some(out) }
}

fn read_notes(lines: &mut Lines) -> Option<Vec<crate::model::Note>> {
    let mut out = Vec::new();
    while let Some(line) = lines.peek() {
        let Some(at) = line.strip_prefix("      - at: ") else {
            break;
        };
        let at = read_time(at)?;
        lines.next();
        let text = read_scalar(lines.next()?.strip_prefix("        text: ")?)?;
        out.push(crate::model::Note { at, text });
    }
    if out.is_empty() { None } else { Some(out) }
}

/// A literal block scalar indented by six spaces, as [`text`] writes it.
fn read_block(header: &str, lines: &mut Lines) -> Option<String> {
    let mut body: Vec<&str> = Vec::new();
    let mut trailing_empty = 0usize;
    while let Some(line) = lines.peek() {
        if line.is_empty() {
            trailing_empty += 1;
            lines.next();
            continue;
        }
        let Some(content) = line.strip_prefix("      ") else {
            break;
        };
        if content.trim().is_empty() || (body.is_empty() && content.starts_with([' ', '\t'])) {
            return None;
        }
        body.extend(std::iter::repeat_n("", trailing_empty));
        trailing_empty = 0;
        body.push(content);
        lines.next();
    }
    if body.is_empty() {
        return None;
    }
    // Blank lines after the block belong to it only with `|+`; and the
    // blank line that separates tasks is one of them if this is the last
    // field: such files are rare, leave them to the full parser.
    if trailing_empty > 0 && header != "|+" {
        return None;
    }
    let mut s = body.join("\n");
    match header {
        "|-" => {}
        "|" => s.push('\n'),
        _ => {
            s.push('\n');
            for _ in 0..trailing_empty {
                s.push('\n');
            }
        }
    }
    Some(s)
}

fn read_u64(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Leading zeros may mean octal to some YAML readers.
    if v.len() > 1 && v.starts_with('0') {
        return None;
    }
    v.parse().ok()
}

fn read_time(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    fast_time(v).or_else(|| {
        if v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-:.+".contains(&b))
        {
            v.parse().ok()
        } else {
            None
        }
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z`, the form [`format_time`] writes, without
/// the general parser's cost.
fn fast_time(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let b = v.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let nanos = match &b[19..] {
        [b'Z'] => 0,
        [b'.', frac @ .., b'Z'] if !frac.is_empty() && frac.len() <= 9 => {
            let mut n = num(20..20 + frac.len())?;
            for _ in frac.len()..9 {
                n *= 10;
            }
            n
        }
        _ => return None,
    };
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo, d)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(h, mi, sec, nanos)?;
    Some(chrono::DateTime::from_naive_utc_and_offset(
        date.and_time(time),
        chrono::Utc,
    ))
}

fn read_enum<T: std::str::FromStr>(v: &str) -> Option<T> {
    // Only the exact spellings serde accepts (names and aliases).
    match v {
        "epic" | "impl" | "verify" | "test" | "task" | "feature" | "review" | "research"
        | "pending" | "todo" | "in_progress" | "in-progress" | "completed" | "done"
        | "cancelled" => v.parse().ok(),
        _ => None,
    }
}

/// A scalar as [`scalar`] writes it: plain (when [`plain_ok`]) or
/// double-quoted with our escapes.
fn read_scalar(v: &str) -> Option<String> {
    if let Some(inner) = v.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        // Most quoted scalars are printable ASCII with nothing escaped.
        if inner.bytes().all(ordinary) {
            return Some(inner.to_string());
        }
        if !inner.contains(['\\', '"']) {
            return if inner.chars().any(needs_escape) {
                None
            } else {
                Some(inner.to_string())
            };
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return None,
                '\\' => match chars.next()? {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'x' => {
                        let h: String = chars.by_ref().take(2).collect();
                        out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
                    }
                    'u' => {
                        let h: String = chars.by_ref().take(4).collect();
                        if h.len() != 4 {
                            return None;
                        }
                        out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
                    }
                    _ => return None,
                },
                c if needs_escape(c) => return None,
                c => out.push(c),
            }
        }
        Some(out)
    } else if plain_ok(v) {
        Some(v.to_string())
    } else {
        None
    }
}
