//! A store's problems located in its file: each finding carries the line
//! (and, for parse errors, the column) it is about, for `wm tasks check`'s
//! text and its GitHub annotations.
//!
//! Parse and schema errors (unknown fields, wrong types) become findings
//! instead of failures, so `check` reports them like any other problem.

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::store;
use crate::validate::{Code, Problem, Severity};

/// Where each task starts in the file text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskLines {
    /// Every line (1-based) holding `id: X` for a task, in file order per id.
    by_id: foldhash::HashMap<String, Vec<u64>>,
    /// The line of the top-level `tasks:` key.
    tasks_line: Option<u64>,
    /// The line of the top-level `workflow:` key.
    workflow_line: Option<u64>,
}

/// The value of a `key: value` line, unquoted, without a trailing comment.
fn scalar_value(v: &str) -> &str {
    let v = v.trim();
    if let Some(rest) = v.strip_prefix('"') {
        return rest.split('"').next().unwrap_or("");
    }
    if let Some(rest) = v.strip_prefix('\'') {
        return rest.split('\'').next().unwrap_or("");
    }
    v.split(" #").next().unwrap_or("").trim()
}

impl TaskLines {
    /// Scan store text for the line of each task's `id:` key (the
    /// canonical layout writes `  - id: X`; hand-written files may put
    /// `id:` later in the task, which is found too).
    pub fn scan(text: impl AsRef<[u8]>) -> TaskLines {
        let mut scanner = LineScanner::default();
        scanner.feed(text.as_ref());
        scanner.finish()
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

/// [`TaskLines::scan`] over text given a piece at a time (as a read
/// hands it over, so the text need not be held whole). Works on bytes: the
/// keys it looks for are ASCII, and a 10,000-task store is 4 MB that need
/// not be checked as UTF-8 first (only ids are decoded).
#[derive(Debug, Default)]
struct LineScanner {
    out: TaskLines,
    /// Only these tasks' lines, when not every task's is wanted: a
    /// 10,000-task store's ids would be a megabyte of map.
    want: Option<foldhash::HashSet<String>>,
    in_tasks: bool,
    /// Lines seen whole so far.
    lines: u64,
    /// The start of a line that the last piece cut.
    carry: Vec<u8>,
    /// Where the tasks' blocks are, when a snapshot of these very bytes
    /// knows: then only the header is scanned line by line.
    blocks: Option<BlockLines>,
}

impl LineScanner {
    fn feed(&mut self, piece: &[u8]) {
        let Some(mut blocks) = self.blocks.take() else {
            self.scan(piece);
            return;
        };
        let at = blocks.pos;
        blocks.pos += piece.len() as u64;
        let head = usize::try_from(blocks.head_end.saturating_sub(at)).unwrap_or(usize::MAX);
        if head > 0 {
            self.scan(&piece[..head.min(piece.len())]);
        }
        if blocks.pos > blocks.head_end {
            if blocks.counted_to < blocks.head_end {
                // Past the header: whole lines so far (it ends with one).
                blocks.counted_to = blocks.head_end;
                blocks.newlines = self.lines;
            }
            blocks.count(piece, at, &mut self.out);
        }
        self.blocks = Some(blocks);
    }

    /// Scan `piece` line by line.
    fn scan(&mut self, mut piece: &[u8]) {
        if !self.carry.is_empty() {
            let Some(end) = memchr::memchr(b'\n', piece) else {
                self.carry.extend_from_slice(piece);
                return;
            };
            self.carry.extend_from_slice(&piece[..end]);
            let line = std::mem::take(&mut self.carry);
            self.line(&line);
            self.carry = line;
            self.carry.clear();
            piece = &piece[end + 1..];
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', piece) {
            self.line(&piece[start..end]);
            start = end + 1;
        }
        self.carry.extend_from_slice(&piece[start..]);
    }

    fn finish(mut self) -> TaskLines {
        if !self.carry.is_empty() {
            let line = std::mem::take(&mut self.carry);
            self.line(&line);
        }
        self.out
    }

    /// One line: most are a task's other fields, told apart by their
    /// first bytes in this small function, which is inlined into the loop
    /// (a call with the frame the rest needs cost as much as the rest).
    #[inline]
    fn line(&mut self, line: &[u8]) {
        self.lines += 1;
        let indent = line
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(line.len());
        let Some(&lead) = line.get(indent) else {
            return;
        };
        match lead {
            b'#' => {}
            b'-' | b'i' if self.in_tasks => self.task_line(&line[indent..]),
            _ if indent == 0 && lead != b'-' => self.top_level(line),
            _ => {}
        }
    }

    /// A line of the tasks section that may hold a task's `id:`.
    #[inline(never)]
    fn task_line(&mut self, body: &[u8]) {
        let item = body.strip_prefix(b"- ").unwrap_or(body).trim_ascii_start();
        let Some(v) = item.strip_prefix(b"id:") else {
            return;
        };
        let v = String::from_utf8_lossy(v);
        let id = scalar_value(&v);
        if id.is_empty() || self.want.as_ref().is_some_and(|w| !w.contains(id)) {
            return;
        }
        let n = self.lines;
        match self.out.by_id.get_mut(id) {
            Some(lines) => lines.push(n),
            None => {
                self.out.by_id.insert(id.to_string(), vec![n]);
            }
        }
    }

    /// A top-level key: the tasks section ends at the next one.
    #[inline(never)]
    fn top_level(&mut self, line: &[u8]) {
        let key = line
            .split(|&b| b == b':')
            .next()
            .unwrap_or(b"")
            .trim_ascii();
        self.in_tasks = key == b"tasks";
        match key {
            b"tasks" => self.out.tasks_line = Some(self.lines),
            b"workflow" => self.out.workflow_line = Some(self.lines),
            _ => {}
        }
    }
}

/// The lines of tasks whose blocks start where a snapshot of the text
/// says (the text is as wm writes it): the header before the first block
/// is scanned line by line (it holds the `tasks:` and `workflow:` keys),
/// and after it only line ends are counted, a piece at a time with
/// memchr's vectorised count. Scanning every line of a 10,000-task store
/// was two thirds of `check`'s time when it had findings to place.
#[derive(Debug, Default)]
struct BlockLines {
    /// Where each wanted task's `- id:` line starts, in order, and its id.
    targets: Vec<(u64, String)>,
    /// The next target.
    next: usize,
    /// Where the header ends: the first block's `- id:` line.
    head_end: u64,
    /// Bytes fed so far.
    pos: u64,
    /// Line ends counted in the text before `counted_to` (from the
    /// header's end on).
    counted_to: u64,
    newlines: u64,
}

impl BlockLines {
    /// For the blocks at `starts` (each at the line end before a task's
    /// first line) of the tasks of `plan`, locating those `want` names
    /// (every one when `None`). None when they cannot be the plan's.
    fn new(
        starts: &[u32],
        plan: &crate::graph::plan::Plan,
        want: Option<&foldhash::HashSet<String>>,
    ) -> Option<BlockLines> {
        if starts.len() != plan.len() {
            return None;
        }
        let head_end = u64::from(*starts.first()?) + 1;
        let mut targets: Vec<(u64, String)> = starts
            .iter()
            .enumerate()
            .filter(|&(i, _)| want.is_none_or(|w| w.contains(plan.id(i))))
            .map(|(i, &s)| (u64::from(s) + 1, plan.id(i).to_string()))
            .collect();
        // Already in order in a sound snapshot.
        targets.sort_by_key(|t| t.0);
        Some(BlockLines {
            targets,
            head_end,
            ..BlockLines::default()
        })
    }

    /// Count the line ends of `piece` (which starts at `at`) past the
    /// header, recording the line of every target in it.
    fn count(&mut self, piece: &[u8], at: u64, out: &mut TaskLines) {
        let end = at + piece.len() as u64;
        let ends_in = |from: u64, to: u64| -> u64 {
            let range = usize::try_from(from.saturating_sub(at)).unwrap_or(usize::MAX)
                ..usize::try_from(to.saturating_sub(at)).unwrap_or(usize::MAX);
            piece
                .get(range)
                .map_or(0, |b| memchr::memchr_iter(b'\n', b).count() as u64)
        };
        while let Some((t, id)) = self.targets.get_mut(self.next) {
            if *t > end {
                break;
            }
            if *t > self.counted_to {
                self.newlines += ends_in(self.counted_to, *t);
                self.counted_to = *t;
            }
            out.by_id
                .entry(std::mem::take(id))
                .or_default()
                .push(self.newlines + 1);
            self.next += 1;
        }
        if end > self.counted_to {
            self.newlines += ends_in(self.counted_to, end);
            self.counted_to = end;
        }
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
    locate(bytes, store::load_bytes(path, bytes))
}

/// [`validate`] for the store at `path`, restoring it from its snapshot
/// in `cache_file` when one matches (see [`store::load_cached`]; `on_miss`
/// runs before a parse). The text is read to locate findings only when
/// there are some, or when `lines` asks for every task's line anyway (the
/// git gates and the job summary place tasks, not only problems): a valid
/// store is checked without reading its text.
pub fn validate_cached(
    path: &Path,
    cache_file: Option<&Path>,
    on_miss: impl FnOnce(),
    lines: bool,
) -> Result<Report> {
    let Some(cache_file) = cache_file else {
        on_miss();
        return validate(path, &store::read(path)?);
    };
    let mut on_miss = Some(on_miss);
    let miss = || {
        if let Some(f) = on_miss.take() {
            f()
        }
    };
    let restored = match store::load_keyed(path, cache_file, miss) {
        Ok(keyed) if keyed.loaded.problems.is_empty() && !lines => {
            return Ok(Report {
                tasks: Some(keyed.loaded.plan.len()),
                findings: Vec::new(),
                lines: TaskLines::default(),
            });
        }
        // Lines to find: in the text, read below.
        Ok(keyed) => Some(keyed),
        // A parse error to report as a finding: from the text too.
        Err(Error::Parse { .. } | Error::NewerVersion { .. }) => None,
        Err(e) => return Err(e),
    };
    // Read the text a piece at a time, locating the tasks' lines and
    // keying the bytes: the plan is the one of exactly those bytes (the
    // one just loaded, unless the file changed meanwhile), and 4 MB of
    // text are neither held nor parsed.
    let mut scanner = LineScanner::default();
    if let Some(keyed) = &restored {
        let plan = &keyed.loaded.plan;
        // Only the tasks the problems name, unless every task's line is
        // asked for.
        let want: Option<foldhash::HashSet<String>> = (!lines).then(|| {
            keyed
                .loaded
                .problems
                .iter()
                .flat_map(|p| p.tasks.iter().cloned())
                .collect()
        });
        scanner.blocks = keyed
            .blocks
            .as_deref()
            .and_then(|starts| BlockLines::new(starts, plan, want.as_ref()));
        scanner.want = want;
    }
    let (key, len) = store::key_visiting_file(path, |p| scanner.feed(p))?;
    let loaded = match restored {
        Some(keyed) if keyed.key == key => Some(keyed.loaded),
        // The file changed since: its problems may be about other tasks.
        Some(_) => None,
        None => store::restore_keyed(path, cache_file, key, len),
    };
    if let Some(loaded) = loaded {
        return Ok(report_of(loaded, scanner.finish()));
    }
    if let Some(f) = on_miss.take() {
        f()
    }
    let bytes = store::read(path)?;
    locate(&bytes, store::load_bytes_cached(path, &bytes, cache_file))
}

/// The report on `bytes` from what loading them gave.
fn locate(bytes: &[u8], loaded: Result<store::Loaded>) -> Result<Report> {
    let loaded = match loaded {
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
    Ok(report_of(loaded, TaskLines::scan(bytes)))
}

/// The report on a loaded store whose tasks are at `lines`.
fn report_of(loaded: store::Loaded, lines: TaskLines) -> Report {
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
    Report {
        tasks: Some(loaded.plan.len()),
        findings,
        lines,
    }
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
        // Windows line ends, and bytes that are not UTF-8 elsewhere.
        let crlf = TaskLines::scan(
            b"version: 1\r\ntasks:\r\n\r\n  - id: x\r\n    title: \xff\r\n  - id: y\r\n",
        );
        assert_eq!(crlf.line_of("x"), Some(4));
        assert_eq!(crlf.line_of("y"), Some(6));
        assert_eq!(crlf.tasks_line, Some(2));
        assert_eq!(l.workflow_line, Some(2));
        assert_eq!(l.tasks_line, Some(6));
    }

    /// Text handed over in pieces (as a read gives it) is scanned as if
    /// whole, wherever the pieces cut the lines; with a wanted set, only
    /// those tasks' lines are kept.
    #[test]
    fn task_lines_from_pieces_are_those_of_the_whole_text() {
        let whole = TaskLines::scan(TEXT);
        for size in 1..TEXT.len() {
            let mut scanner = LineScanner::default();
            for piece in TEXT.as_bytes().chunks(size) {
                scanner.feed(piece);
            }
            assert_eq!(scanner.finish(), whole, "pieces of {size} bytes");
        }
        let mut only = LineScanner {
            want: Some(["y2".to_string()].into_iter().collect()),
            ..LineScanner::default()
        };
        only.feed(TEXT.as_bytes());
        let only = only.finish();
        assert_eq!(only.line_of("y2"), Some(12));
        assert_eq!(only.line_of("x1"), None);
        assert_eq!(only.tasks_line, Some(6));
    }

    /// Where a snapshot places the blocks of text as wm writes it, the
    /// lines counted from there are those a scan of every line finds,
    /// wherever the pieces cut the text, for every task or a wanted few.
    #[test]
    fn task_lines_from_blocks_are_those_of_a_full_scan() {
        let given = "\
version: 1
workflow:
  phases:
    - id: a
      name: A
    - id: b
      name: B
      depends_on: [a]
tasks:
  - id: x1
    title: one
    type: impl
    status: pending
    phase: a
    created_at: 2025-01-01T00:00:00Z
    updated_at: 2025-01-01T00:00:00Z
  - id: y2
    title: two
    type: impl
    status: pending
    phase: b
    depends_on: [x1]
    created_at: 2025-01-01T00:00:01Z
    updated_at: 2025-01-01T00:00:01Z
  - id: x1
    title: the same id again
    type: test
    status: pending
    created_at: 2025-01-01T00:00:02Z
    updated_at: 2025-01-01T00:00:02Z
";
        let file = store::parse(Path::new("tasks.yaml"), given.as_bytes()).unwrap();
        let (text, starts) = store::yaml::emit_blocks(&file);
        let starts = starts.unwrap();
        let plan = crate::graph::plan::Plan::new(file);
        let whole = TaskLines::scan(&text);
        assert_eq!(whole.lines_of("x1").len(), 2, "{text}");
        let wanted: foldhash::HashSet<String> = ["y2".to_string()].into_iter().collect();
        for size in 1..=text.len() {
            for want in [None, Some(&wanted)] {
                let mut scanner = LineScanner {
                    blocks: BlockLines::new(&starts, &plan, want),
                    want: want.cloned(),
                    ..LineScanner::default()
                };
                assert!(scanner.blocks.is_some());
                for piece in text.as_bytes().chunks(size) {
                    scanner.feed(piece);
                }
                let got = scanner.finish();
                assert_eq!(got.tasks_line, whole.tasks_line, "pieces of {size}");
                assert_eq!(got.workflow_line, whole.workflow_line, "pieces of {size}");
                assert_eq!(got.lines_of("y2"), whole.lines_of("y2"), "pieces of {size}");
                let x1: &[u64] = if want.is_none() {
                    whole.lines_of("x1")
                } else {
                    &[]
                };
                assert_eq!(got.lines_of("x1"), x1, "pieces of {size}");
            }
        }
        // Blocks that cannot be the plan's are not used.
        assert!(BlockLines::new(&starts[1..], &plan, None).is_none());
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
