//! Where a value sits in the text of a schedule file.
//!
//! serde gives values without positions, so validation errors name a value
//! by its path (`threads[1].steps[2].op`) and this module finds the bytes of
//! that value in the source. It reads only text that ron already accepted,
//! so it is a small scanner, not a second parser: it knows strings, comments
//! and brackets, and records the span of every field and element.

use std::ops::Range;

/// One step of a path into the document: a named field or a list index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    /// A field of a struct, such as `order`.
    Field(&'a str),
    /// An element of a list or a tuple, from zero.
    Index(usize),
}

/// A path from the top of the document to one value.
pub type Path<'a> = [Key<'a>];

/// A value of the document with the spans of its parts.
#[derive(Debug, Default)]
struct Node {
    span: Range<usize>,
    fields: Vec<(String, Node)>,
    items: Vec<Node>,
}

/// The byte range of the value at `path`, or of the deepest value of the
/// path that exists (so a missing field still points at its struct).
#[must_use]
pub fn locate(source: &str, path: &Path<'_>) -> Range<usize> {
    let mut scanner = Scanner {
        text: source.as_bytes(),
        at: 0,
    };
    scanner.skip_trivia();
    let root = scanner.value();
    let mut node = &root;
    for key in path {
        match next(node, *key) {
            Some(child) => node = child,
            None => break,
        }
    }
    node.span.clone()
}

/// The child of `node` at `key`, looking through `Some(…)` wrappers.
fn next<'n>(node: &'n Node, key: Key<'_>) -> Option<&'n Node> {
    let found = match key {
        Key::Field(name) => node.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        Key::Index(i) => node.items.get(i),
    };
    found.or_else(|| match node.items.as_slice() {
        [only] if node.fields.is_empty() && matches!(key, Key::Field(_)) => next(only, key),
        _ => None,
    })
}

struct Scanner<'t> {
    text: &'t [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    /// Skips white space and both kinds of comment.
    fn skip_trivia(&mut self) {
        loop {
            let rest = &self.text[self.at.min(self.text.len())..];
            if rest.first().is_some_and(u8::is_ascii_whitespace) {
                self.at += 1;
            } else if rest.starts_with(b"//") {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.at += 1;
                }
            } else if rest.starts_with(b"/*") {
                self.skip_block_comment();
            } else {
                return;
            }
        }
    }

    fn skip_block_comment(&mut self) {
        let mut depth = 0_usize;
        while self.at < self.text.len() {
            let rest = &self.text[self.at..];
            if rest.starts_with(b"/*") {
                depth += 1;
                self.at += 2;
            } else if rest.starts_with(b"*/") {
                depth = depth.saturating_sub(1);
                self.at += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.at += 1;
            }
        }
    }

    /// Reads one value: a literal, a list, or a (named) struct or tuple.
    fn value(&mut self) -> Node {
        let start = self.at;
        let mut node = Node::default();
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b'r') if matches!(self.text.get(self.at + 1), Some(b'"' | b'#')) => {
                self.raw_string();
            }
            Some(b'[') => self.list(&mut node),
            Some(b'(') => self.group(&mut node),
            Some(b'\'') => self.char_literal(),
            Some(_) => {
                self.word();
                self.skip_trivia();
                if self.peek() == Some(b'(') {
                    self.group(&mut node);
                }
            }
            None => {}
        }
        node.span = start..self.at.max(start);
        node
    }

    fn word(&mut self) {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'+' | b'-'))
        {
            self.at += 1;
        }
        // Always make progress, even on a byte we do not know.
        if self.at == start {
            self.at += 1;
        }
    }

    fn string(&mut self) {
        self.at += 1;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                b'\\' => self.at += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    fn char_literal(&mut self) {
        self.at += 1;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                b'\\' => self.at += 1,
                b'\'' => return,
                _ => {}
            }
        }
    }

    fn raw_string(&mut self) {
        self.at += 1;
        let hashes = self.text[self.at..]
            .iter()
            .take_while(|&&c| c == b'#')
            .count();
        self.at += hashes + 1;
        let close: Vec<u8> = std::iter::once(b'"')
            .chain(std::iter::repeat_n(b'#', hashes))
            .collect();
        while self.at < self.text.len() && !self.text[self.at..].starts_with(&close) {
            self.at += 1;
        }
        self.at = (self.at + close.len()).min(self.text.len());
    }

    fn list(&mut self, node: &mut Node) {
        self.at += 1;
        self.items_until(b']', node);
    }

    /// `( … )`: named fields (`name: value`) or positional items.
    fn group(&mut self, node: &mut Node) {
        self.at += 1;
        self.items_until(b')', node);
    }

    fn items_until(&mut self, close: u8, node: &mut Node) {
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return,
                Some(c) if c == close => {
                    self.at += 1;
                    return;
                }
                Some(b',') => self.at += 1,
                Some(_) => self.item(node),
            }
        }
    }

    /// One element of a group: `name: value` becomes a field.
    fn item(&mut self, node: &mut Node) {
        let start = self.at;
        let value = self.value();
        self.skip_trivia();
        if self.peek() == Some(b':') && value.fields.is_empty() && value.items.is_empty() {
            self.at += 1;
            self.skip_trivia();
            let name = String::from_utf8_lossy(&self.text[start..value.span.end]).into_owned();
            node.fields.push((name, self.value()));
        } else {
            node.items.push(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"Schedule( // a comment with "quotes"
    title: "t(",
    threads: [ Thread(id: "A", steps: [Step(id: "A1", op: Acquire("H"))]) ],
    patch: Some(Patch(try_lock: "H")),
    order: ["A1", /* two */ "A2"],
)"#;

    fn text(path: &Path<'_>) -> &'static str {
        &DOC[locate(DOC, path)]
    }

    #[test]
    fn finds_fields_and_elements() {
        assert_eq!(text(&[Key::Field("title")]), r#""t(""#);
        assert_eq!(text(&[Key::Field("order"), Key::Index(1)]), r#""A2""#);
        let op = [
            Key::Field("threads"),
            Key::Index(0),
            Key::Field("steps"),
            Key::Index(0),
            Key::Field("op"),
        ];
        assert_eq!(text(&op), r#"Acquire("H")"#);
    }

    #[test]
    fn looks_through_some() {
        assert_eq!(
            text(&[Key::Field("patch"), Key::Field("try_lock")]),
            r#""H""#
        );
    }

    #[test]
    fn a_missing_key_points_at_the_deepest_value_found() {
        assert_eq!(
            text(&[Key::Field("order"), Key::Index(7)]),
            r#"["A1", /* two */ "A2"]"#
        );
    }

    #[test]
    fn survives_broken_text() {
        for cut in 0..DOC.len() {
            let _ = locate(&DOC[..cut], &[Key::Field("order"), Key::Index(1)]);
        }
    }
}
