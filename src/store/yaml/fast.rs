//! The fast reader for the layout [`super::emit`] writes.

use super::emit::{needs_escape, ordinary, plain_ok};
use crate::model::workflow::Workflow;
use crate::model::{StoreFile, Task};

/// A fast reader for exactly the canonical layout [`super::emit`] writes.
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
                .map(|c| {
                    (
                        c,
                        std::thread::Builder::new().spawn_scoped(scope, move || parse(c)),
                    )
                })
                .collect();
            // A chunk whose thread could not start is read here (no panic
            // when the system refuses a thread).
            handles
                .into_iter()
                .map(|(c, h)| match h {
                    Ok(h) => h.join().ok().flatten(),
                    Err(_) => parse(c),
                })
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
    read_stamped(lines, |at, lines| {
        let to = read_enum(lines.next()?.strip_prefix("        to: ")?)?;
        let reason = read_scalar(lines.next()?.strip_prefix("        reason: ")?)?;
        Some(crate::model::Forced { at, to, reason })
    })
}

fn read_notes(lines: &mut Lines) -> Option<Vec<crate::model::Note>> {
    read_stamped(lines, |at, lines| {
        let text = read_scalar(lines.next()?.strip_prefix("        text: ")?)?;
        Some(crate::model::Note { at, text })
    })
}

/// A block list of records that start with `- at: TIME`; `rest` reads the
/// record's other lines. None for an empty list (YAML's `null`) or any
/// line out of the canonical layout.
fn read_stamped<T>(
    lines: &mut Lines,
    rest: impl Fn(chrono::DateTime<chrono::Utc>, &mut Lines) -> Option<T>,
) -> Option<Vec<T>> {
    let mut out = Vec::new();
    while let Some(line) = lines.peek() {
        let Some(at) = line.strip_prefix("      - at: ") else {
            break;
        };
        let at = read_time(at)?;
        lines.next();
        out.push(rest(at, lines)?);
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
                    'x' => out.push(hex_escape(&mut chars, 2)?),
                    'u' => out.push(hex_escape(&mut chars, 4)?),
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

/// The character of a `\x`/`\u` escape: exactly `digits` hex digits.
/// (`u32::from_str_radix` alone would also take `+1` or a short run, which
/// YAML rejects, and the fast reader must reject what the parser rejects.)
fn hex_escape(chars: &mut std::str::Chars, digits: usize) -> Option<char> {
    let mut n = 0u32;
    for _ in 0..digits {
        n = n * 16 + chars.next()?.to_digit(16)?;
    }
    char::from_u32(n)
}
