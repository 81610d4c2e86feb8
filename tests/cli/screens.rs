//! Screens at any width and in any script (issue 15): boxes and tables are
//! laid out in display columns, checked by a property test over random
//! Unicode titles and by snapshots of `list` and `graph` at 40, 80 and 120
//! columns, in a pipe and on a real pseudo-terminal.

use crate::common::Env;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use unicode_width::UnicodeWidthStr;
use wm::graph::analysis::Scope;
use wm::render::ascii::{self, AsciiOptions};
use wm::render::{table, truncate, view};
use wm::{Graph, Plan, StoreFile, Task, TaskType};

/// Characters that make display width differ from character count.
fn title_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => Just(' '),
        1 => prop::sample::select(vec!['🚀', '🔥', '☕', '👩', '👨', '🎉', '🇯', '🇵']),
        2 => prop::sample::select(vec!['漢', '字', 'テ', 'ス', 'ト', '한', '글', 'Ａ', '　']),
        1 => prop::sample::select(vec!['\u{301}', '\u{308}', '\u{200d}', '\u{fe0f}', '\u{fe0e}', '\u{20e3}']),
        1 => prop::sample::select(vec!['é', 'ß', 'Ω', 'ж', 'ا', 'ل', '…', '│', '─']),
        1 => any::<char>(),
    ]
}

fn title() -> impl Strategy<Value = String> {
    prop::collection::vec(title_char(), 0..40).prop_map(|v| v.into_iter().collect())
}

fn plan_of(titles: &[String], edges: &[(usize, usize)], issues: &[Option<u64>]) -> (Plan, Graph) {
    let tasks = titles
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let at = Utc.timestamp_opt(1_700_000_000 + k as i64, 0).unwrap();
            let mut task = Task::new(format!("t{k:02}x"), t.clone(), TaskType::Impl, at);
            task.issue = issues[k % issues.len()];
            for &(a, b) in edges {
                if b == k && a < k {
                    task.depends_on.push(format!("t{a:02}x"));
                }
            }
            task.depends_on.sort();
            task.depends_on.dedup();
            task
        })
        .collect();
    let p = Plan::new(StoreFile {
        tasks,
        ..StoreFile::default()
    });
    let g = Graph::build(&p);
    (p, g)
}

/// The display column at which each character of `line` starts.
fn columns(line: &str) -> Vec<(usize, char)> {
    line.char_indices()
        .map(|(b, c)| (line[..b].width(), c))
        .collect()
}

/// Every box (`┌…┐` / `│…│` / `└…┘`, or `+…+` / `|…|` / `+…+` in ASCII)
/// has its corners and sides at the same display columns on its three
/// lines: the right border never sits short or long of the others. (A top
/// line is one whose left corner has a side, a space, a mark, a space and
/// a task's id under it: edge routing such as `┌──┴──┐` has not, nor does
/// a fork of lanes `+-+-+-.` over `| # | |`, where a task's mark sits in
/// its lane.)
fn check_boxes(text: &str, plain: bool) -> Result<usize, String> {
    let (tl, tr, side, bl, br) = if plain {
        ('+', '+', '|', '+', '+')
    } else {
        ('┌', '┐', '│', '└', '┘')
    };
    let lines: Vec<Vec<(usize, char)>> = text.lines().map(columns).collect();
    // Whether `l` holds `want` at display column `col` (a zero-width
    // character shares the column of what follows it).
    let at = |l: &[(usize, char)], col: usize, want: &dyn Fn(char) -> bool| {
        l.iter().any(|&(c, ch)| c == col && want(ch))
    };
    let mut boxes = 0;
    let mut bottoms = std::collections::HashSet::new();
    for (n, l) in lines.iter().enumerate() {
        let mut k = 0;
        while k < l.len() {
            if l[k].1 != tl
                || bottoms.contains(&(n, l[k].0))
                || !lines.get(n + 1).is_some_and(|m| {
                    at(m, l[k].0, &|c| c == side)
                        && at(m, l[k].0 + 1, &|c| c == ' ')
                        && at(m, l[k].0 + 2, &|c| "+>o#x.✓◐○⊘✗·".contains(c))
                        && at(m, l[k].0 + 3, &|c| c == ' ')
                        && at(m, l[k].0 + 4, &|c| c.is_alphanumeric())
                })
            {
                k += 1;
                continue;
            }
            let c0 = l[k].0;
            let dash = if plain { '-' } else { '─' };
            let run = l[k + 1..].iter().take_while(|p| p.1 == dash).count();
            let end = run;
            if run == 0 || l.get(k + 1 + end).map(|p| p.1) != Some(tr) {
                k += 1; // edge routing, not a box
                continue;
            }
            let c1 = l[k + 1 + end].0;
            let mid = lines.get(n + 1).ok_or("box without a middle")?;
            let bot = lines.get(n + 2).ok_or("box without a bottom")?;
            if !at(mid, c0, &|c| c == side) || !at(mid, c1, &|c| c == side) {
                return Err(format!(
                    "line {}: sides not at columns {c0} and {c1}",
                    n + 1
                ));
            }
            if !at(bot, c0, &|c| c == bl) || !at(bot, c1, &|c| c == br) {
                return Err(format!(
                    "line {}: corners not at columns {c0} and {c1}",
                    n + 2
                ));
            }
            bottoms.insert((n + 2, c0));
            boxes += 1;
            k += end + 2;
        }
    }
    Ok(boxes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn drawings_fit_and_boxes_close_whatever_the_script(
        titles in prop::collection::vec(title(), 1..7),
        edges in prop::collection::vec((0usize..7, 0usize..7), 0..8),
        width in 30usize..200,
        plain in any::<bool>(),
        split in any::<bool>(),
    ) {
        let issues: &[Option<u64>] = if split { &[Some(7), None, Some(8)] } else { &[Some(7)] };
        let (p, g) = plan_of(&titles, &edges, issues);
        let opts = AsciiOptions { width, plain, ..AsciiOptions::default() };
        let d = ascii::draw(&view::tasks(&p, &g, &Scope::default()), &opts);
        for line in d.text.lines().chain(ascii::legend_fit(plain, width).lines()) {
            prop_assert!(line.width() <= width, "{} > {width}: {line:?}\n{}", line.width(), d.text);
        }
        let boxes = check_boxes(&d.text, plain).map_err(|e| TestCaseError::fail(format!("{e}\n{}", d.text)))?;
        if d.compact.is_empty() && width >= 120 && titles.len() <= 3 {
            // Room for three boxes side by side: every task is in a box.
            prop_assert_eq!(boxes, titles.len(), "{}", d.text);
        }
        // One header per issue (group title), however many components.
        let titles: std::collections::BTreeSet<String> = view::tasks(&p, &g, &Scope::default())
            .groups
            .iter()
            .map(|g| g.title.clone())
            .collect();
        for t in &titles {
            // Plain drawings mark a cut with `~` instead of `…`.
            let shown = truncate(t, width);
            let shown = if plain { shown.replace('…', "~") } else { shown };
            let n = d.text.lines().filter(|l| *l == shown).count();
            prop_assert_eq!(n, 1, "{:?}:\n{}", t, d.text);
        }
    }

    #[test]
    fn tables_fit_their_width_and_keep_ids_whole(
        titles in prop::collection::vec(title(), 1..7),
        edges in prop::collection::vec((0usize..7, 0usize..7), 0..8),
        width in 20usize..160,
    ) {
        let (p, g) = plan_of(&titles, &edges, &[Some(7), None]);
        let rows: Vec<usize> = (0..p.len()).collect();
        let style = table::Style { color: false, width: Some(width), truncate: true };
        let text = table::tasks(&p, &g, &rows, style);
        for line in text.lines() {
            prop_assert!(line.width() <= width, "{} > {width}: {line:?}\n{text}", line.width());
        }
        for i in 0..p.len() {
            let id = &p.task(i).id;
            prop_assert!(text.lines().any(|l| l.starts_with(&format!(" {id} ")) || l == format!(" {id}")), "{id} cut:\n{text}");
        }
        // Piped (no truncation): the same columns, every title whole.
        let piped = table::tasks(&p, &g, &rows, table::Style { truncate: false, ..style });
        let words = |t: &str| t.lines().next().map(|h| h.split_whitespace().collect::<Vec<_>>().join(" "));
        prop_assert_eq!(words(&piped), words(&text));
        for i in 0..p.len() {
            let t = wm::render::escape(&p.task(i).title);
            prop_assert!(piped.contains(t.trim_end()), "{t:?} cut:\n{piped}");
        }
    }

    #[test]
    fn truncation_never_exceeds_its_width(s in title(), width in 0usize..50) {
        let t = truncate(&s, width);
        prop_assert!(t.width() <= width);
        if s.width() <= width {
            prop_assert_eq!(t, s);
        } else if width > 0 {
            prop_assert!(t.ends_with('…'));
        }
    }
}

// ---------------------------------------------------------------------
// The real binary: `list` and `graph` at 40, 80 and 120 columns, piped
// and on a pseudo-terminal.

/// A store with fixed ids: an epic for issue 15 with emoji and CJK titles,
/// a diamond of dependencies, and two unconnected tasks.
const STORE: &str = r#"version: 1
tasks:
  - id: ep15aaaa
    title: "GH#15: 🚀 Screens for everyone 全角"
    type: epic
    status: pending
    issue: 15
    created_at: 2026-01-01T00:00:00.000Z
    updated_at: 2026-01-01T00:00:00.000Z
  - id: an15bbbb
    title: "GH#15: 🔥 Analyze 現在のインフラ"
    type: impl
    status: done
    phase: analysis
    issue: 15
    parent: ep15aaaa
    created_at: 2026-01-01T00:00:01.000Z
    updated_at: 2026-01-01T00:00:01.000Z
  - id: im15cccc
    title: "GH#15: 実装 the 🧩 layout in display columns"
    type: impl
    status: in_progress
    phase: impl
    issue: 15
    parent: ep15aaaa
    depends_on: [an15bbbb]
    created_at: 2026-01-01T00:00:02.000Z
    updated_at: 2026-01-01T00:00:02.000Z
  - id: tb15dddd
    title: "GH#15: Tables 表 that degrade well 👍"
    type: impl
    status: pending
    phase: impl
    issue: 15
    parent: ep15aaaa
    depends_on: [an15bbbb]
    created_at: 2026-01-01T00:00:03.000Z
    updated_at: 2026-01-01T00:00:03.000Z
  - id: vf15eeee
    title: "GH#15: Verify café ✅ on staging"
    type: verify
    status: pending
    phase: staging
    issue: 15
    parent: ep15aaaa
    depends_on: [im15cccc, tb15dddd]
    created_at: 2026-01-01T00:00:04.000Z
    updated_at: 2026-01-01T00:00:04.000Z
  - id: lo15ffff
    title: "GH#15: 📚 Document the man pages"
    type: task
    status: pending
    issue: 15
    parent: ep15aaaa
    created_at: 2026-01-01T00:00:05.000Z
    updated_at: 2026-01-01T00:00:05.000Z
  - id: lo15gggg
    title: "GH#15: 한국어 completions 🐚"
    type: task
    status: pending
    issue: 15
    parent: ep15aaaa
    created_at: 2026-01-01T00:00:06.000Z
    updated_at: 2026-01-01T00:00:06.000Z
"#;

fn screens_env() -> Env {
    let env = Env::new();
    env.write(STORE);
    env.ok(&["tasks", "check"]);
    env
}

/// Every line within `width` display columns (ANSI colour excluded).
fn assert_fits(text: &str, width: usize) {
    for line in text.lines() {
        let w = ascii::visible_width(line);
        assert!(w <= width, "{w} > {width}: {line:?}\n{text}");
    }
}

#[test]
fn list_and_graph_piped_at_40_80_120() {
    let env = screens_env();
    for width in [40usize, 80, 120] {
        let cols = width.to_string();
        let list = env
            .cmd(&["tasks", "list"])
            .env("COLUMNS", &cols)
            .output()
            .unwrap();
        let list = String::from_utf8(list.stdout).unwrap();
        // Piped: columns drop to fit, titles never cut.
        assert!(
            list.contains("GH#15: 実装 the 🧩 layout in display columns"),
            "{list}"
        );
        insta::assert_snapshot!(format!("list_piped_{width}"), list);
        let graph = env
            .cmd(&["tasks", "graph"])
            .env("COLUMNS", &cols)
            .output()
            .unwrap();
        let graph = String::from_utf8(graph.stdout).unwrap();
        assert_fits(&graph, width);
        assert_eq!(
            graph.lines().filter(|l| l.starts_with("#15")).count(),
            1,
            "{graph}"
        );
        insta::assert_snapshot!(format!("graph_piped_{width}"), graph);
    }
}

#[cfg(unix)]
#[test]
fn list_and_graph_on_a_terminal_at_40_80_120() {
    let env = screens_env();
    for width in [40u16, 80, 120] {
        // No $COLUMNS: the width comes from the terminal itself.
        let list = env.tty(&["tasks", "list", "--color", "never"], width, &[]);
        assert_eq!(list.status, 0, "{}", list.stderr);
        assert_fits(&list.stdout, width.into());
        insta::assert_snapshot!(format!("list_tty_{width}"), list.stdout);
        let graph = env.tty(&["tasks", "graph", "--color", "never"], width, &[]);
        assert_eq!(graph.status, 0, "{}", graph.stderr);
        assert_fits(&graph.stdout, width.into());
        insta::assert_snapshot!(format!("graph_tty_{width}"), graph.stdout);
    }
    // The same layout as the pipe, but titles cut to fit.
    let piped = env
        .cmd(&["tasks", "list"])
        .env("COLUMNS", "40")
        .output()
        .unwrap();
    let tty = env.tty(&["tasks", "list", "--color", "never"], 40, &[]);
    let header = |s: &str| {
        s.lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        header(&String::from_utf8_lossy(&piped.stdout)),
        header(&tty.stdout)
    );
    // Colour by default on a terminal, only complete sequences.
    let color = env.tty(&["tasks", "list"], 120, &[]);
    assert!(
        color.stdout.contains("\x1b[33min_progress\x1b[0m"),
        "{:?}",
        color.stdout
    );
    let no_color = env.tty(&["tasks", "list"], 120, &[("NO_COLOR", "1")]);
    assert!(!no_color.stdout.contains('\x1b'), "{:?}", no_color.stdout);
}

#[test]
fn color_always_beats_no_color_and_emits_no_bare_codes() {
    let env = screens_env();
    for args in [
        &["tasks", "list", "--color", "always"][..],
        &["tasks", "graph", "--color", "always"][..],
    ] {
        let out = env.cmd(args).env("NO_COLOR", "1").output().unwrap();
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.contains("\x1b["), "--color always colours: {s:?}");
        assert!(!s.contains("\x1b[m"), "bare reset: {s:?}");
        // Every colour is closed on the same line.
        for line in s.lines() {
            assert_eq!(line.matches("\x1b[").count() % 2, 0, "unbalanced: {line:?}");
        }
        let never = env.cmd(&args[..2]).output().unwrap();
        assert!(!String::from_utf8_lossy(&never.stdout).contains('\x1b'));
    }
}

#[test]
fn width_flag_cuts_piped_titles_on_request() {
    let env = screens_env();
    let out = env.ok(&["tasks", "list", "--width", "40"]);
    assert_fits(&out, 40);
    assert!(out.contains('…'), "{out}");
    assert!(out.contains(" im15cccc "), "ids stay whole: {out}");
}
