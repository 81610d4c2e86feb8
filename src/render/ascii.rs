//! Terminal drawings of a [`View`]: layered boxes, or a compact
//! one-line-per-task view when the boxes cannot fit.
//!
//! Layout engines: we evaluated `ascii-dag` and `sapling-renderdag` and use
//! both rather than writing our own. `ascii-dag` does a Sugiyama-style
//! layered layout (longest-path layers, crossing reduction, routed edges
//! that never pass through a box) and draws the planning template's
//! picture for the seed plan, in Unicode or ASCII. It has no notion of a
//! width budget, so we pick the title width ourselves and measure the
//! result. `sapling-renderdag` draws the `git log --graph` style used as
//! the fallback. What we add: status marks, colour, width fitting, the
//! decision to fall back (and why), and a cheap pre-check so huge
//! components never reach the layered layout.

use ascii_dag::{BoxedNode, RenderOptions};
use renderdag::{Ancestor, GraphRowRenderer, Renderer};

use super::view::{View, ViewGroup};
use super::{escape, truncate};
use crate::graph::State;

/// How to draw.
#[derive(Debug, Clone, Copy)]
pub struct AsciiOptions {
    /// Columns available (the drawing never exceeds it in box mode).
    pub width: usize,
    /// ASCII characters only.
    pub plain: bool,
    /// ANSI colour on the status marks.
    pub color: bool,
    /// A component with more layers than this is drawn compactly: past
    /// it, boxes take several screens to show what one line per task
    /// shows on one.
    pub max_layers: usize,
}

impl Default for AsciiOptions {
    fn default() -> Self {
        AsciiOptions {
            width: 100,
            plain: false,
            color: false,
            max_layers: 40,
        }
    }
}

/// The drawing, and for each group drawn compactly, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawing {
    pub text: String,
    /// `(group title, reason)` for every group that fell back.
    pub compact: Vec<(String, String)>,
}

/// The status mark of a state.
pub fn mark(state: Option<State>, plain: bool) -> &'static str {
    match (state, plain) {
        (Some(State::Completed), false) => "✓",
        (Some(State::Completed), true) => "+",
        (Some(State::InProgress), false) => "◐",
        (Some(State::InProgress), true) => ">",
        (Some(State::Ready), false) => "○",
        (Some(State::Ready), true) => "o",
        (Some(State::Blocked | State::OpenEpic), false) => "⊘",
        (Some(State::Blocked | State::OpenEpic), true) => "#",
        (Some(State::Cancelled), false) => "✗",
        (Some(State::Cancelled), true) => "x",
        (None, false) => "·",
        (None, true) => ".",
    }
}

/// The legend line printed under a drawing.
pub fn legend(plain: bool) -> String {
    let m = |s| mark(Some(s), plain);
    format!(
        "{} completed  {} in progress  {} ready  {} blocked  {} cancelled",
        m(State::Completed),
        m(State::InProgress),
        m(State::Ready),
        m(State::Blocked),
        m(State::Cancelled)
    )
}

fn ansi(state: Option<State>) -> &'static str {
    match state {
        Some(State::Completed) => "\x1b[32m",
        Some(State::InProgress) => "\x1b[33m",
        Some(State::Ready) => "\x1b[36m",
        Some(State::Blocked | State::OpenEpic) => "\x1b[31m",
        Some(State::Cancelled) | None => "\x1b[90m",
    }
}

/// Display columns of a line as shown: our ANSI colour sequences take no
/// room (titles are escaped, so every ESC in a drawing is one of ours);
/// wide characters take two, combining marks none.
pub fn visible_width(line: &str) -> usize {
    if !line.contains('\x1b') {
        return super::width(line);
    }
    let mut plain = String::with_capacity(line.len());
    let mut in_esc = false;
    for c in line.chars() {
        if in_esc {
            in_esc = c != 'm';
        } else if c == '\x1b' {
            in_esc = true;
        } else {
            plain.push(c);
        }
    }
    super::width(&plain)
}

/// Layout engines place one character per cell, but a terminal gives an
/// emoji or CJK character two columns and a combining mark none. Before
/// layout, each label is rewritten so that its characters count its
/// display columns: every run of text is split into chunks that each take
/// at least one column, a chunk that is not a single one-column character
/// is replaced by a private-use placeholder, followed by one filler per
/// extra column. After layout the placeholders are put back and the
/// fillers removed, so every line keeps the width the layout gave it.
#[derive(Default)]
struct Cells {
    chunks: Vec<String>,
    index: std::collections::HashMap<String, char>,
}

/// Marks a column taken by the wide chunk before it.
const FILLER: char = '\u{F8FF}';

fn is_private(c: char) -> bool {
    matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

impl Cells {
    /// The placeholder of the `k`th chunk, in the private-use areas.
    fn placeholder(k: usize) -> Option<char> {
        let k = u32::try_from(k).ok()?;
        let c = if k < 0x18FF {
            0xE000 + k
        } else if k < 0x18FF + 0xFFFE {
            0xF0000 + (k - 0x18FF)
        } else {
            0x100000 + (k - 0x18FF - 0xFFFE)
        };
        char::from_u32(c).filter(|&c| is_private(c) && c != FILLER)
    }

    fn chunk(&mut self, text: String, cols: usize, out: &mut String) -> Option<()> {
        let mut it = text.chars();
        if let (Some(c), None) = (it.next(), it.next())
            && cols == 1
            && !is_private(c)
            && unicode_width::UnicodeWidthChar::width(c) == Some(1)
        {
            out.push(c);
            return Some(());
        }
        let p = match self.index.get(&text) {
            Some(&p) => p,
            None => {
                let p = Self::placeholder(self.chunks.len())?;
                self.index.insert(text.clone(), p);
                self.chunks.push(text);
                p
            }
        };
        out.push(p);
        out.extend(std::iter::repeat_n(FILLER, cols.saturating_sub(1)));
        Some(())
    }

    /// `label` with one character per display column, or `None` if the
    /// placeholders ran out.
    fn encode(&mut self, label: &str) -> Option<String> {
        if label.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
            return Some(label.to_string());
        }
        // Columns taken by each prefix, made non-decreasing from the end
        // (a later character may narrow what came before it).
        let ends: Vec<usize> = label
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        let mut cols: Vec<usize> = ends.iter().map(|&e| super::width(&label[..e])).collect();
        for k in (0..cols.len().saturating_sub(1)).rev() {
            cols[k] = cols[k].min(cols[k + 1]);
        }
        let mut parts: Vec<(String, usize)> = Vec::new();
        let mut pending = String::new();
        let mut done = 0;
        for (c, &w) in label.chars().zip(&cols) {
            pending.push(c);
            if w > done {
                parts.push((std::mem::take(&mut pending), w - done));
                done = w;
            }
        }
        match parts.last_mut() {
            Some(last) => last.0.push_str(&pending),
            None => return Some(String::new()),
        }
        let mut out = String::with_capacity(label.len());
        for (text, w) in parts {
            self.chunk(text, w, &mut out)?;
        }
        Some(out)
    }

    fn decode(&self, text: &str) -> String {
        if self.chunks.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c == FILLER {
                continue;
            }
            match self.index_of(c) {
                Some(chunk) => out.push_str(chunk),
                None => out.push(c),
            }
        }
        out
    }

    fn index_of(&self, c: char) -> Option<&str> {
        if !is_private(c) {
            return None;
        }
        let n = c as u32;
        let k = if n >= 0x100000 {
            (n - 0x100000) as usize + 0x18FF + 0xFFFE
        } else if n >= 0xF0000 {
            (n - 0xF0000) as usize + 0x18FF
        } else {
            (n - 0xE000) as usize
        };
        self.chunks.get(k).map(String::as_str)
    }
}

/// Colour a status mark.
fn paint(state: Option<State>, plain: bool) -> String {
    format!("{}{}\x1b[0m", ansi(state), mark(state, plain))
}

/// Colour each box's status mark: the one right after the box side and
/// before the node's (unique) short id, so a title that happens to hold a
/// mark is left alone.
fn colorize_boxes(text: &str, g: &ViewGroup, plain: bool) -> String {
    let side = if plain { '|' } else { '│' };
    let mut out = text.to_string();
    for n in &g.nodes {
        let m = mark(n.state, plain);
        let key = escape(&n.key);
        let from = format!("{side} {m} {key} ");
        let to = format!("{side} {} {key} ", paint(n.state, plain));
        out = out.replacen(&from, &to, 1);
    }
    out
}

/// Draw every group of `view`, one after another. Groups with the same
/// title (the connected components of one issue) share one header; the
/// issue's unconnected tasks are drawn together, after its connected ones.
pub fn draw(view: &View, opts: &AsciiOptions) -> Drawing {
    let mut text = String::new();
    let mut compact = Vec::new();
    let groups: Vec<&ViewGroup> = view.groups.iter().filter(|g| !g.nodes.is_empty()).collect();
    let mut k = 0;
    while k < groups.len() {
        let title = &groups[k].title;
        let mut end = k;
        while end < groups.len() && groups[end].title == *title {
            end += 1;
        }
        let run = &groups[k..end];
        k = end;
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&fit_title(&escape(title), opts.width, opts.plain));
        text.push('\n');
        let (alone, connected): (Vec<&ViewGroup>, Vec<&ViewGroup>) = run
            .iter()
            .partition(|g| g.nodes.len() == 1 && g.edges.is_empty());
        let together = (!alone.is_empty()).then(|| ViewGroup {
            title: title.clone(),
            nodes: alone.iter().flat_map(|g| g.nodes.iter().cloned()).collect(),
            edges: Vec::new(),
        });
        let parts: Vec<(&ViewGroup, bool)> = connected
            .into_iter()
            .map(|g| (g, false))
            .chain(together.as_ref().map(|g| (g, true)))
            .collect();
        for (n, (g, unconnected)) in parts.into_iter().enumerate() {
            if n > 0 {
                text.push('\n');
            }
            draw_group(g, opts, unconnected, &mut text, &mut compact);
        }
    }
    Drawing { text, compact }
}

/// One component (or an issue's unconnected tasks) without its header.
fn draw_group(
    g: &ViewGroup,
    opts: &AsciiOptions,
    unconnected: bool,
    text: &mut String,
    compact: &mut Vec<(String, String)>,
) {
    match draw_boxes(g, opts) {
        Ok(s) if opts.color => text.push_str(&colorize_boxes(&s, g, opts.plain)),
        Ok(s) => text.push_str(&s),
        // Unconnected tasks that do not fit side by side: one a line.
        Err(_) if unconnected => text.push_str(&draw_list(g, opts)),
        Err(reason) => {
            let c = draw_compact(g, opts);
            if c.lines().all(|l| visible_width(l) <= opts.width) {
                text.push_str(&c);
                compact.push((g.title.clone(), reason));
            } else {
                text.push_str(&draw_list(g, opts));
                compact.push((
                    g.title.clone(),
                    format!(
                        "{reason}, and even its graph lines are too wide; listed with dependencies"
                    ),
                ));
            }
        }
    }
}

/// The legend, wrapped to `width` columns.
pub fn legend_fit(plain: bool, width: usize) -> String {
    let m = |s| mark(Some(s), plain);
    let items = [
        format!("{} completed", m(State::Completed)),
        format!("{} in progress", m(State::InProgress)),
        format!("{} ready", m(State::Ready)),
        format!("{} blocked", m(State::Blocked)),
        format!("{} cancelled", m(State::Cancelled)),
    ];
    let mut out = String::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && super::width(&line) + 2 + super::width(&item) > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push_str("  ");
        }
        line.push_str(&item);
    }
    out.push_str(&line);
    out
}

/// Longest-path layer of each node (nodes are in topological order).
fn layers(g: &ViewGroup) -> Vec<usize> {
    let mut layer = vec![0usize; g.nodes.len()];
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        deps[e.to].push(e.from);
    }
    for i in 0..g.nodes.len() {
        layer[i] = deps[i].iter().map(|&d| layer[d] + 1).max().unwrap_or(0);
    }
    layer
}

/// Title widths tried, widest first. Below 16 characters a box no longer
/// says what the task is, and the compact view (full titles) reads better.
const TITLE_WIDTHS: [usize; 4] = [40, 32, 24, 16];
/// The narrowest title a box gets (see [`TITLE_WIDTHS`]).
const MIN_TITLE: usize = 16;

/// Layered boxes, or why they cannot fit.
pub fn draw_boxes(g: &ViewGroup, opts: &AsciiOptions) -> Result<String, String> {
    let layer = layers(g);
    let depth = layer.iter().max().map_or(0, |m| m + 1);
    if depth > opts.max_layers {
        return Err(format!(
            "{depth} tasks deep (more than {} layers)",
            opts.max_layers
        ));
    }
    let mut per_layer = vec![0usize; depth];
    for &l in &layer {
        per_layer[l] += 1;
    }
    let widest = per_layer.iter().copied().max().unwrap_or(0);
    // The narrowest box: side, space, mark, space, key, space, title
    // (up to MIN_TITLE), space, side; boxes stand at least 3 columns apart.
    let box_w = |n: &super::view::ViewNode| {
        super::width(&escape(&n.key)) + super::width(&escape(&n.title)).min(MIN_TITLE) + 7
    };
    let min_box = g.nodes.iter().map(box_w).min().unwrap_or(0);
    let min_need = widest * (min_box + 3);
    if min_need > opts.width {
        return Err(format!(
            "{widest} tasks side by side need more than {} columns",
            opts.width
        ));
    }
    let options = if opts.plain {
        RenderOptions::ascii()
    } else {
        RenderOptions::plain()
    };
    for tw in TITLE_WIDTHS {
        let labels: Vec<String> = g
            .nodes
            .iter()
            .map(|n| {
                let m = mark(n.state, opts.plain);
                let title = escape(&n.title);
                if title.is_empty() {
                    format!("{m} {}", escape(&n.key))
                } else {
                    let t = fit_title(&title, tw, opts.plain);
                    format!("{m} {} {t}", escape(&n.key))
                }
            })
            .collect();
        let mut cells = Cells::default();
        let Some(labels) = labels
            .iter()
            .map(|l| cells.encode(l))
            .collect::<Option<Vec<String>>>()
        else {
            return Err("its titles hold too many distinct characters to lay out".into());
        };
        let mut dag = ascii_dag::Graph::new();
        for (k, l) in labels.iter().enumerate() {
            dag.add_node(k, BoxedNode(l.as_str()));
        }
        for e in &g.edges {
            dag.add_edge(e.from, e.to, None);
        }
        let raw = dag.compute_layout().render_string(&options);
        let text = tidy(&cells.decode(&raw));
        let w = text.lines().map(super::width).max().unwrap_or(0);
        if w <= opts.width {
            return Ok(text);
        }
    }
    Err(format!("the boxes need more than {} columns", opts.width))
}

/// `title` cut to `width` columns; in ASCII only for `plain` (replaced
/// before the cut, so the cut measures what is drawn).
fn fit_title(title: &str, width: usize, plain: bool) -> String {
    if plain {
        ascii_only(&truncate(&ascii_only(title), width))
    } else {
        truncate(title, width)
    }
}

/// Replace non-ASCII characters (in titles, for `--plain`) with `?`, and
/// the truncation mark with `~`.
fn ascii_only(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '…' => '~',
            c if c.is_ascii() => c,
            _ => '?',
        })
        .collect()
}

/// Drop trailing spaces, leading and trailing blank lines, and the common
/// left margin.
fn tidy(raw: &str) -> String {
    let lines: Vec<&str> = raw.lines().map(|l| l.trim_end()).collect();
    let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let last = lines.iter().rposition(|l| !l.is_empty()).unwrap_or(0);
    let body = if lines.is_empty() {
        &lines[..]
    } else {
        &lines[first..=last]
    };
    let margin = body
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take_while(|c| *c == ' ').count())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for l in body {
        out.extend(l.chars().skip(margin));
        out.push('\n');
    }
    out
}

/// One line per node in topological order, `git log --graph` style, with
/// the status mark as the node glyph and edges running down to dependents.
pub fn draw_compact(g: &ViewGroup, opts: &AsciiOptions) -> String {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        next[e.from].push(e.to);
    }
    let builder = GraphRowRenderer::<usize>::new()
        .output()
        .with_min_row_height(0);
    let mut r: Box<dyn Renderer<usize, Output = String>> = if opts.plain {
        Box::new(builder.build_ascii())
    } else {
        Box::new(builder.build_box_drawing())
    };
    let mut out = String::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let parents: Vec<Ancestor<usize>> = next[i].iter().map(|&j| Ancestor::Parent(j)).collect();
        let graph_w = r.width(Some(&i), Some(&parents)) as usize;
        let room = opts
            .width
            .saturating_sub(graph_w + 2 + super::width(&escape(&n.key)) + 1)
            .max(16);
        let title = fit_title(&escape(&n.title), room, opts.plain);
        let row = r.next_row(
            i,
            parents,
            mark(n.state, opts.plain).to_string(),
            format!("{} {title}", escape(&n.key)),
        );
        for (k, l) in row.lines().enumerate() {
            let l = l.trim_end();
            if k == 0 && opts.color {
                let m = mark(n.state, opts.plain);
                out.push_str(&l.replacen(m, &paint(n.state, opts.plain), 1));
            } else {
                out.push_str(l);
            }
            out.push('\n');
        }
    }
    out
}

/// The last resort for a component whose `git log --graph` lines alone are
/// wider than the terminal: one line per task in topological order, with
/// the short ids of its dependencies after `<-`.
pub fn draw_list(g: &ViewGroup, opts: &AsciiOptions) -> String {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        deps[e.to].push(e.from);
    }
    let arrow = if opts.plain { "<-" } else { "←" };
    let mut out = String::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let m = if opts.color {
            paint(n.state, opts.plain)
        } else {
            mark(n.state, opts.plain).to_string()
        };
        let mut line = format!("{m} {}", escape(&n.key));
        let mut after = String::new();
        if !deps[i].is_empty() {
            after.push_str(&format!("  {arrow}"));
            for (k, &d) in deps[i].iter().enumerate() {
                let more = deps[i].len() - k;
                let next = format!(" {}", escape(&g.nodes[d].key));
                // Leave room for the " +N more" that may follow.
                if super::width(&after) + super::width(&next) + 10 > opts.width / 2 && more > 1 {
                    after.push_str(&format!(" +{more} more"));
                    break;
                }
                after.push_str(&next);
            }
        }
        let room = opts
            .width
            .saturating_sub(2 + super::width(&escape(&n.key)) + 1 + super::width(&after));
        let title = fit_title(&escape(&n.title), room, opts.plain);
        if !title.is_empty() {
            line.push(' ');
            line.push_str(&title);
        }
        line.push_str(&after);
        out.push_str(&line);
        out.push('\n');
    }
    out
}
