//! A structural index of a RON text: where each field, list item and map entry starts, so that
//! semantic diagnostics can point at `file:line:col`. serde throws positions away; this recovers
//! them with a small tolerant scanner that runs only on text ron has already accepted.

/// One value in the text and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanNode {
    /// Byte offset in the text where the value starts.
    pub start: usize,
    /// What kind of value it is, with its parts.
    pub kind: SpanKind,
}

/// The shape of one value in a RON text.
#[derive(Debug, Clone, PartialEq)]
pub enum SpanKind {
    /// `Name(field: value, …)` or `(field: value, …)`: each field's name offset and value.
    Fields(Vec<(String, usize, SpanNode)>),
    /// `[a, b]` (`paren == false`) or a tuple / newtype `Name(a, b)` (`paren == true`).
    Items {
        /// Whether the items are in parentheses (a tuple or newtype) rather than square brackets.
        paren: bool,
        /// The items, in order.
        items: Vec<SpanNode>,
    },
    /// `{ key: value }`.
    Map(Vec<(SpanNode, SpanNode)>),
    /// Anything else: a number, string or bare word, or a value nested too deep to index.
    Scalar,
}

/// A step in a path from the root value: a struct field or a list position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The struct field of this name.
    Field(&'a str),
    /// The list item at this 0-based position.
    Index(usize),
}

/// Deeper than this the scanner stops descending (ron's own limit is far lower).
const MAX_DEPTH: usize = 512;

impl SpanNode {
    /// Indexes `text`. Never panics; on text ron would reject, the tree is partial.
    pub fn index(text: &str) -> SpanNode {
        let mut scanner = Scanner {
            bytes: text.as_bytes(),
            pos: 0,
        };
        scanner.value(0)
    }

    /// The byte offset of the deepest value on `path` that exists. A final field step points at
    /// the field's name, which is where a reader looks for `next: "…"`.
    pub fn locate(&self, path: &[Step<'_>]) -> usize {
        let mut node = self;
        let mut offset = self.start;
        for (i, step) in path.iter().enumerate() {
            node = node.unwrap_newtype();
            let last = i + 1 == path.len();
            match (step, &node.kind) {
                (Step::Field(name), SpanKind::Fields(fields)) => {
                    match fields.iter().find(|(n, _, _)| n == name) {
                        Some((_, name_at, value)) => {
                            offset = if last { *name_at } else { value.start };
                            node = value;
                        }
                        None => return offset,
                    }
                }
                (Step::Index(k), SpanKind::Items { items, .. }) => match items.get(*k) {
                    Some(item) => {
                        offset = item.start;
                        node = item;
                    }
                    None => return offset,
                },
                _ => return offset,
            }
        }
        offset
    }

    /// `Some(x)`, `Choices([…])`: a one-item parenthesised tuple stands for its content.
    fn unwrap_newtype(&self) -> &SpanNode {
        let mut node = self;
        while let SpanKind::Items { paren: true, items } = &node.kind {
            match items.as_slice() {
                [only] => node = only,
                _ => break,
            }
        }
        node
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    while let Some(b) = self.peek() {
                        self.pos += 1;
                        if b == b'\n' {
                            break;
                        }
                    }
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    self.pos += 2;
                    let mut depth = 1usize;
                    while depth > 0 && self.pos < self.bytes.len() {
                        if self.bytes[self.pos..].starts_with(b"/*") {
                            depth += 1;
                            self.pos += 2;
                        } else if self.bytes[self.pos..].starts_with(b"*/") {
                            depth -= 1;
                            self.pos += 2;
                        } else {
                            self.pos += 1;
                        }
                    }
                }
                _ => return,
            }
        }
    }

    fn is_ident_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'#' || b >= 0x80
    }

    fn ident(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(Self::is_ident_byte) {
            self.pos += 1;
        }
        std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("")
    }

    fn skip_string(&mut self) {
        // Opening quote already current.
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    fn skip_raw_string(&mut self) {
        // At `r`: count hashes, then find `"` followed by the same number of hashes.
        self.pos += 1;
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek() != Some(b'"') {
            return;
        }
        self.pos += 1;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'"'
                && self.bytes[self.pos + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&b| b == b'#')
                    .count()
                    == hashes
            {
                self.pos += 1 + hashes;
                return;
            }
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> SpanNode {
        self.skip_trivia();
        let start = self.pos;
        let scalar = SpanNode {
            start,
            kind: SpanKind::Scalar,
        };
        if depth > MAX_DEPTH {
            return scalar;
        }
        match self.peek() {
            Some(b'"') => {
                self.skip_string();
                scalar
            }
            Some(b'r') if matches!(self.bytes.get(self.pos + 1), Some(b'"' | b'#')) => {
                self.skip_raw_string();
                scalar
            }
            Some(b'b') if self.bytes.get(self.pos + 1) == Some(&b'"') => {
                self.pos += 1;
                self.skip_string();
                scalar
            }
            Some(b'\'') => {
                self.pos += 1;
                while let Some(b) = self.peek() {
                    self.pos += 1;
                    match b {
                        b'\\' => self.pos += 1,
                        b'\'' => break,
                        _ => {}
                    }
                }
                scalar
            }
            Some(b'[') => {
                self.pos += 1;
                let items = self.items(b']', depth);
                SpanNode {
                    start,
                    kind: SpanKind::Items {
                        paren: false,
                        items,
                    },
                }
            }
            Some(b'{') => {
                self.pos += 1;
                SpanNode {
                    start,
                    kind: SpanKind::Map(self.map(depth)),
                }
            }
            Some(b'(') => {
                self.pos += 1;
                let mut node = self.struct_body(depth);
                node.start = start;
                node
            }
            Some(b) if Self::is_ident_byte(b) || b == b'-' || b == b'+' || b == b'.' => {
                self.pos += 1;
                while self
                    .peek()
                    .is_some_and(|b| Self::is_ident_byte(b) || b == b'.' || b == b'-' || b == b'+')
                {
                    self.pos += 1;
                }
                self.skip_trivia();
                if self.peek() == Some(b'(') {
                    self.pos += 1;
                    let mut node = self.struct_body(depth);
                    node.start = start;
                    return node;
                }
                scalar
            }
            Some(_) => {
                self.pos += 1;
                scalar
            }
            None => scalar,
        }
    }

    /// After `(`: named fields if the body starts with `ident:`, else tuple items.
    fn struct_body(&mut self, depth: usize) -> SpanNode {
        self.skip_trivia();
        let save = self.pos;
        let named = self
            .peek()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && {
                self.ident();
                self.skip_trivia();
                let is_field =
                    self.peek() == Some(b':') && self.bytes.get(self.pos + 1) != Some(&b':');
                self.pos = save;
                is_field
            };
        if !named {
            let items = self.items(b')', depth);
            return SpanNode {
                start: save,
                kind: SpanKind::Items { paren: true, items },
            };
        }
        let mut fields = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => break,
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let name_at = self.pos;
            let before = self.pos;
            let name = self.ident().to_string();
            self.skip_trivia();
            if self.peek() == Some(b':') {
                self.pos += 1;
            }
            let value = self.value(depth + 1);
            fields.push((name, name_at, value));
            if self.pos == before {
                // No progress on a malformed byte: step over it rather than loop forever.
                self.pos += 1;
            }
        }
        SpanNode {
            start: save,
            kind: SpanKind::Fields(fields),
        }
    }

    fn items(&mut self, close: u8, depth: usize) -> Vec<SpanNode> {
        let mut items = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => break,
                Some(b) if b == close => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                Some(b')' | b']' | b'}') => {
                    // Mismatched closer: leave it for the enclosing level.
                    break;
                }
                _ => {}
            }
            let before = self.pos;
            items.push(self.value(depth + 1));
            if self.pos == before {
                self.pos += 1;
            }
        }
        items
    }

    fn map(&mut self, depth: usize) -> Vec<(SpanNode, SpanNode)> {
        let mut entries = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => break,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                Some(b')' | b']') => break,
                _ => {}
            }
            let before = self.pos;
            let key = self.value(depth + 1);
            self.skip_trivia();
            if self.peek() == Some(b':') {
                self.pos += 1;
            }
            let value = self.value(depth + 1);
            entries.push((key, value));
            if self.pos == before {
                self.pos += 1;
            }
        }
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r##"Scenario(
    // a comment with ( and [ in it
    id: "x",
    nodes: [
        Node(id: "a", turn: Choices([
            Choice(text: "hi (there)", next: "b"),
            Choice(text: r#"raw "quote""#, next: "c"),
        ])),
    ],
    persona: Some((name: "N")),
)"##;

    fn at(path: &[Step<'_>]) -> &'static str {
        let offset = SpanNode::index(TEXT).locate(path);
        &TEXT[offset..]
    }

    #[test]
    fn finds_fields_through_lists_and_newtypes() {
        use Step::*;
        assert!(at(&[Field("id")]).starts_with("id: \"x\""));
        assert!(at(&[Field("nodes"), Index(0)]).starts_with("Node(id: \"a\""));
        let path = [
            Field("nodes"),
            Index(0),
            Field("turn"),
            Index(1),
            Field("next"),
        ];
        assert!(at(&path).starts_with("next: \"c\""));
        assert!(at(&[Field("persona"), Field("name")]).starts_with("name: \"N\""));
    }

    #[test]
    fn missing_paths_fall_back_to_the_deepest_known_place() {
        use Step::*;
        assert!(at(&[Field("nodes"), Index(7), Field("id")]).starts_with("[\n"));
        assert_eq!(SpanNode::index(TEXT).locate(&[Field("nope")]), 0);
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "",
            "(",
            "((((",
            "\"unterminated",
            "r##\"x",
            "a: (: ,)]}",
            "/* open",
        ] {
            let _ = SpanNode::index(text).locate(&[Step::Field("a"), Step::Index(3)]);
        }
    }
}
