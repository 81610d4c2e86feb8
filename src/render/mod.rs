//! Pure text out: escaping, tables and the JSON contract. Nothing here
//! prints; callers decide where the text goes.

pub mod ascii;
pub mod dot;
pub mod json;
pub mod mermaid;
pub mod summary;
pub mod table;
pub mod view;

/// Make text safe to show on a terminal: control characters, escape
/// sequences and line breaks are shown as visible escapes (`\n`, `\x1b`),
/// so a title can never move the cursor or restyle the terminal. The stored
/// text is unchanged.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// [`escape`], appended to `out`: a table of 10,000 rows escapes 70,000
/// cells, and a fresh string for each was a tenth of its time.
pub fn escape_into(out: &mut String, s: &str) {
    // Most text is printable ASCII, which needs no escape: copied whole.
    if plain_ascii(s.as_bytes()) {
        out.push_str(s);
    } else {
        escape_chars(out, s);
    }
}

/// [`escape_into`] a character at a time.
fn escape_chars(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                use std::fmt::Write;
                let n = c as u32;
                let _ = if n <= 0xff {
                    write!(out, "\\x{n:02x}")
                } else {
                    write!(out, "\\u{{{n:x}}}")
                };
            }
            c => out.push(c),
        }
    }
}

/// Whether `s` is printable ASCII only (space to `~`): no escapes, and one
/// display column per byte.
fn plain_ascii(s: &[u8]) -> bool {
    // Byte by byte without an early exit, which the compiler vectorises.
    s.iter()
        .fold(true, |ok, &b| ok & (b' '..=b'~').contains(&b))
}

/// Display columns `s` takes on a terminal (East Asian wide characters and
/// emoji count two, combining marks and zero-width joiners none).
pub fn width(s: &str) -> usize {
    if plain_ascii(s.as_bytes()) {
        return s.len();
    }
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `width` display columns, marking the cut with `…`.
/// A wide character that would straddle the limit is left out whole.
pub fn truncate(s: &str, width: usize) -> String {
    if self::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let budget = width - 1;
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    // Per-character widths can undercount a sequence (a variation selector
    // widening the character before it): measure the whole and cut more.
    while self::width(&out) > budget {
        out.pop();
    }
    out.push('…');
    out
}

/// Like [`escape`], but keeps line breaks: for multi-line messages that
/// may quote user text.
pub fn escape_message(s: &str) -> String {
    s.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// A GitHub Actions workflow command (`::error file=F,line=L::message`)
/// that annotates `file` at `line`. Values are escaped as the runner
/// expects, so a message can never end the command early or start another.
pub fn github_annotation(
    level: &str,
    file: &str,
    line: u64,
    column: Option<u64>,
    title: &str,
    message: &str,
) -> String {
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let col = column.map(|c| format!(",col={c}")).unwrap_or_default();
    format!(
        "::{level} file={},line={line}{col},title={}::{}",
        property(file),
        property(title),
        data(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_annotations_escape_their_values() {
        assert_eq!(
            github_annotation("error", "a,b:c.yaml", 7, None, "t", "50% done\n::x"),
            "::error file=a%2Cb%3Ac.yaml,line=7,title=t::50%25 done%0A::x"
        );
        assert_eq!(
            github_annotation("warning", "f", 1, Some(3), "x: y", "m"),
            "::warning file=f,line=1,col=3,title=x%3A y::m"
        );
    }

    proptest::proptest! {
        /// The printable-ASCII shortcuts agree with the general paths.
        #[test]
        fn shortcuts_agree_with_the_general_paths(s in "(\\PC|[\\x00-\\x7f]){0,24}") {
            proptest::prop_assert_eq!(width(&s), unicode_width::UnicodeWidthStr::width(s.as_str()));
            let mut slow = String::new();
            escape_chars(&mut slow, &s);
            proptest::prop_assert_eq!(escape(&s), slow);
        }
    }

    #[test]
    fn escape_neutralises_terminal_sequences() {
        assert_eq!(escape("a\nb"), "a\\nb");
        assert_eq!(escape("\u{1b}[2Jx"), "\\x1b[2Jx");
        assert_eq!(escape("\u{9b}31m"), "\\x9b31m");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        // Columns, not characters: each emoji or CJK character takes two.
        assert_eq!(truncate("🚀🔥ab", 4), "🚀…");
        assert_eq!(truncate("漢字テスト", 5), "漢字…");
        assert_eq!(
            truncate("e\u{301}e\u{301}e\u{301}xyz", 4),
            "e\u{301}e\u{301}e\u{301}…"
        );
        for s in [
            "👨\u{200d}👩\u{200d}👧 family",
            "☺\u{fe0f}☺\u{fe0f}☺\u{fe0f}",
            "ａｂｃｄ",
        ] {
            for w in 0..12 {
                assert!(width(&truncate(s, w)) <= w, "{s:?} at {w}");
            }
        }
    }
}
