//! Chat-message markdown, as Chatwoot agents write it, parsed into a small
//! tree that a UI turns into DOM nodes one by one, never through `innerHTML`.
//!
//! Supported: paragraphs (a blank line between them), a single newline as a
//! [`Inline::LineBreak`], `**strong**`/`__strong__`, `*emphasis*`/`_emphasis_`
//! (`_` never inside a word), `` `code` ``, `~~strike~~`, ```` ``` ```` fenced
//! code, `-`/`*`/`+` and `1.` lists, `>` quotes, `[label](url)` links,
//! `<https://…>` and bare `http(s)://` autolinks, and `\` escapes. Nothing
//! else: no headings, tables, images or raw HTML; `<script>` stays text.
//!
//! Safety is structural: every [`Inline::Link`] href passed [`safe_href`], a
//! link whose URL did not is only its label, and the tree nests at most
//! [`MAX_DEPTH`] deep. Parsing takes near-linear time on any input (the emphasis
//! and link rules follow CommonMark's delimiter algorithm, with its bounds).

use crate::validate;

/// How deep [`Inline::Strong`], [`Inline::Emphasis`], [`Inline::Strike`] and
/// [`Inline::Link`] may nest; deeper markers stay literal text, so a renderer
/// that recurses over the tree is safe from hostile input.
pub const MAX_DEPTH: usize = 8;

/// A block of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Lines of text; a blank line ends it.
    Paragraph(Vec<Inline>),
    /// Consecutive list items of one kind; a blank line between two items
    /// does not split the list.
    List {
        /// `None` for a bulleted list, the first item's number otherwise
        /// (for `<ol start>`).
        start: Option<u32>,
        /// Each item's content.
        items: Vec<Vec<Inline>>,
    },
    /// The text between ```` ``` ```` fences, verbatim (the info string after
    /// the opening fence is dropped). An unclosed fence runs to the end.
    Code(String),
    /// Consecutive `>` lines.
    Quote(Vec<Inline>),
}

/// Inline content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Literal text, to be rendered as a text node.
    Text(String),
    /// `**…**` or `__…__`.
    Strong(Vec<Inline>),
    /// `*…*` or `_…_`.
    Emphasis(Vec<Inline>),
    /// `` `…` ``, verbatim.
    Code(String),
    /// `~~…~~`.
    Strike(Vec<Inline>),
    /// A link whose `href` passed [`safe_href`]; it never contains a link.
    Link {
        /// Safe to set as an `href` attribute.
        href: String,
        /// The label.
        children: Vec<Inline>,
    },
    /// A newline inside a paragraph, list item or quote.
    LineBreak,
}

/// Parses a message's text. Never fails: what is not markdown is text.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Blocks::default();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        let Some(fence) = fence_open(trimmed) else {
            blocks.line(trimmed);
            continue;
        };
        blocks.close();
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        let mut code = Vec::new();
        for line in lines.by_ref() {
            if fence_close(line.trim(), fence) {
                break;
            }
            let strip = line.bytes().take(indent).take_while(|b| *b == b' ').count();
            code.push(&line[strip..]);
        }
        blocks.blocks.push(Block::Code(code.join("\n")));
    }
    blocks.close();
    blocks.blocks
}

/// `url` with surrounding white space and control characters removed, if it
/// then passes [`validate::safe_url`]: an absolute `http`, `https`, `mailto`
/// or `tel` URL (scheme in any case) with no white space or control
/// character inside. Anything else (`javascript:`, `data:`, `vbscript:`,
/// relative or protocol-relative `//host` URLs) is `None`.
pub fn safe_href(url: &str) -> Option<String> {
    let url = url.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    validate::safe_url(url).is_ok().then(|| url.to_owned())
}

/// The text a reader sees, for notifications and previews: markers and link
/// URLs dropped, one line per line break, list item and block.
pub fn plain_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        match block {
            Block::Paragraph(inlines) | Block::Quote(inlines) => inline_text(inlines, &mut out),
            Block::Code(code) => out.push_str(code),
            Block::List { items, .. } => {
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push('\n');
                    }
                    inline_text(item, &mut out);
                }
            }
        }
    }
    out
}

fn inline_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(text) | Inline::Code(text) => out.push_str(text),
            Inline::LineBreak => out.push('\n'),
            Inline::Strong(children)
            | Inline::Emphasis(children)
            | Inline::Strike(children)
            | Inline::Link { children, .. } => inline_text(children, out),
        }
    }
}

/// The block being built: its lines, kept raw until it closes.
#[derive(Default)]
enum Open {
    #[default]
    None,
    Paragraph(String),
    Quote(String),
    List {
        start: Option<u32>,
        items: Vec<String>,
        after_blank: bool,
    },
}

#[derive(Default)]
struct Blocks {
    blocks: Vec<Block>,
    open: Open,
}

impl Blocks {
    fn close(&mut self) {
        let block = match std::mem::take(&mut self.open) {
            Open::None => return,
            Open::Paragraph(text) => Block::Paragraph(inlines(&text)),
            Open::Quote(text) => Block::Quote(inlines(&text)),
            Open::List { start, items, .. } => Block::List {
                start,
                items: items.iter().map(|item| inlines(item)).collect(),
            },
        };
        self.blocks.push(block);
    }

    /// Takes one trimmed line outside a fence.
    fn line(&mut self, line: &str) {
        if line.is_empty() {
            match &mut self.open {
                Open::List { after_blank, .. } => *after_blank = true,
                _ => self.close(),
            }
        } else if let Some(rest) = line.strip_prefix('>') {
            if let Open::Quote(quote) = &mut self.open {
                quote.push('\n');
                quote.push_str(rest.trim_start());
            } else {
                self.close();
                self.open = Open::Quote(rest.trim_start().to_owned());
            }
        } else if let Some((start, rest)) = list_item(line)
            // As in CommonMark, "1984. It was…" does not end a paragraph.
            .filter(|(start, _)| {
                !matches!(self.open, Open::Paragraph(_)) || start.is_none_or(|n| n == 1)
            })
        {
            if let Open::List {
                start: open,
                items,
                after_blank,
            } = &mut self.open
                && open.is_some() == start.is_some()
            {
                items.push(rest.to_owned());
                *after_blank = false;
            } else {
                self.close();
                self.open = Open::List {
                    start,
                    items: vec![rest.to_owned()],
                    after_blank: false,
                };
            }
        } else {
            match &mut self.open {
                Open::Paragraph(text) => push_line(text, line),
                Open::List {
                    items,
                    after_blank: false,
                    ..
                } => {
                    if let Some(item) = items.last_mut() {
                        push_line(item, line);
                    }
                }
                _ => {
                    self.close();
                    self.open = Open::Paragraph(line.to_owned());
                }
            }
        }
    }
}

fn push_line(text: &mut String, line: &str) {
    text.push('\n');
    text.push_str(line);
}

/// `- `, `* `, `+ ` or `12. `/`12) `: the number, if any, and the content.
fn list_item(line: &str) -> Option<(Option<u32>, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let (start, rest) = match digits {
        0 => (None, line.strip_prefix(['-', '*', '+'])?),
        1..=9 => (
            Some(line[..digits].parse().ok()?),
            line[digits..].strip_prefix(['.', ')'])?,
        ),
        _ => return None,
    };
    rest.starts_with([' ', '\t'])
        .then(|| (start, rest.trim_start()))
}

/// The length of an opening fence: three or more backticks, then an info
/// string without backticks (so ```` ```code``` ```` on one line is a span).
fn fence_open(line: &str) -> Option<usize> {
    let len = line.bytes().take_while(|b| *b == b'`').count();
    (len >= 3 && !line[len..].contains('`')).then_some(len)
}

fn fence_close(line: &str, len: usize) -> bool {
    line.len() >= len && line.bytes().all(|b| b == b'`')
}

/// A delimiter run of `*`, `_` or `~~`, and what CommonMark's algorithm
/// matched it with.
struct Delim {
    ch: u8,
    len: usize,
    used: usize,
    can_open: bool,
    can_close: bool,
    /// Styles this run opens, innermost first.
    opens: Vec<Wrap>,
    /// Styles this run closes, innermost first.
    closes: Vec<Wrap>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wrap {
    Strong,
    Emphasis,
    Strike,
}

enum Frame {
    Style(Wrap),
    Link(String),
}

enum Tok<'a> {
    Text(&'a str),
    Node(Inline),
    Delim(usize),
    /// A `[`: literal unless a `](url)` closed it, then `Some` of the href
    /// if it is safe.
    Bracket(Option<Option<String>>),
    LinkEnd,
}

/// Parses a block's text: tokens (code spans, links and autolinks resolved
/// left to right), then emphasis, then the tree.
fn inlines(s: &str) -> Vec<Inline> {
    let b = s.as_bytes();
    let mut toks = Vec::new();
    let mut delims = Vec::new();
    let mut brackets = Vec::new();
    let mut no_closer = Vec::new();
    let (mut i, mut text) = (0, 0);
    while let Some(&c) = b.get(i) {
        let start = i;
        let tok = match c {
            b'\\' if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                i += 2;
                Tok::Text(&s[start + 1..i])
            }
            b'\n' => {
                i += 1;
                Tok::Node(Inline::LineBreak)
            }
            b'`' => {
                let end = run_end(b, i);
                if let Some((code, after)) = code_span(s, i, end, &mut no_closer) {
                    i = after;
                    Tok::Node(Inline::Code(code))
                } else {
                    i = end;
                    continue;
                }
            }
            b'*' | b'_' | b'~' => {
                i = run_end(b, i);
                let Some(delim) = delim(s, start, i) else {
                    continue;
                };
                delims.push(delim);
                Tok::Delim(delims.len() - 1)
            }
            b'[' => {
                i += 1;
                Tok::Bracket(None)
            }
            b']' => {
                let link = brackets
                    .pop()
                    .and_then(|open| Some((open, link_dest(s, i + 1)?)));
                let Some((open, (dest, after))) = link else {
                    i += 1;
                    continue;
                };
                if let Some(bracket) = toks.get_mut(open) {
                    *bracket = Tok::Bracket(Some(safe_href(dest)));
                }
                // A link never contains a link: earlier `[`s stay text.
                brackets.clear();
                i = after;
                Tok::LinkEnd
            }
            b'<' => {
                let Some((link, after)) = angle_link(s, i) else {
                    i += 1;
                    continue;
                };
                i = after;
                Tok::Node(link)
            }
            b'h' | b'H' => {
                let (link, after) = bare_link(s, i);
                i = after;
                let Some(link) = link else { continue };
                Tok::Node(link)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        if text < start {
            toks.push(Tok::Text(&s[text..start]));
        }
        if matches!(tok, Tok::Bracket(None)) {
            brackets.push(toks.len());
        }
        toks.push(tok);
        text = i;
    }
    if text < s.len() {
        toks.push(Tok::Text(&s[text..]));
    }
    match_emphasis(&toks, &mut delims);
    build(toks, &delims)
}

fn run_end(b: &[u8], i: usize) -> usize {
    i + b[i..].iter().take_while(|c| **c == b[i]).count()
}

/// A code span opened by the backtick run `start..end`: its content and
/// where it ends. `no_closer` remembers run lengths with no closer left.
fn code_span(
    s: &str,
    start: usize,
    end: usize,
    no_closer: &mut Vec<bool>,
) -> Option<(String, usize)> {
    let len = end - start;
    if no_closer.get(len) == Some(&true) {
        return None;
    }
    let b = s.as_bytes();
    let mut k = end;
    while let Some(offset) = b[k..].iter().position(|c| *c == b'`') {
        let open = k + offset;
        k = run_end(b, open);
        if k - open == len {
            let code = s[end..open].replace('\n', " ");
            let strip = code.len() >= 2
                && code.starts_with(' ')
                && code.ends_with(' ')
                && code.bytes().any(|c| c != b' ');
            return Some((
                if strip {
                    code[1..code.len() - 1].to_owned()
                } else {
                    code
                },
                k,
            ));
        }
    }
    if no_closer.len() <= len {
        no_closer.resize(len + 1, false);
    }
    no_closer[len] = true;
    None
}

/// The run `start..end` as a delimiter, if it can open or close (CommonMark's
/// flanking rules); `~` only in pairs.
fn delim(s: &str, start: usize, end: usize) -> Option<Delim> {
    let ch = s.as_bytes()[start];
    let len = end - start;
    if ch == b'~' && len != 2 {
        return None;
    }
    let prev = s[..start].chars().next_back();
    let next = s[end..].chars().next();
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punct = |c: Option<char>| c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace());
    let left = !space(next) && (!punct(next) || space(prev) || punct(prev));
    let right = !space(prev) && (!punct(prev) || space(next) || punct(next));
    let (can_open, can_close) = if ch == b'_' {
        (
            left && (!right || punct(prev)),
            right && (!left || punct(next)),
        )
    } else {
        (left, right)
    };
    (can_open || can_close).then(|| Delim {
        ch,
        len,
        used: 0,
        can_open,
        can_close,
        opens: Vec::new(),
        closes: Vec::new(),
    })
}

/// After a `]`: `(url)`, the URL without white space, `]`, or unbalanced
/// parentheses. Stopping at `]` keeps every scan short of the next `](`.
fn link_dest(s: &str, i: usize) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'(') {
        return None;
    }
    let skip = |mut k: usize| {
        while matches!(b.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        k
    };
    let start = skip(i + 1);
    let (mut k, mut depth) = (start, 0_u8);
    loop {
        match *b.get(k)? {
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            b'(' if depth < 32 => depth += 1,
            b'(' | b']' => return None,
            c if c.is_ascii_whitespace() || c.is_ascii_control() => break,
            _ => {}
        }
        k += 1;
    }
    let close = skip(k);
    (b.get(close) == Some(&b')')).then_some((&s[start..k], close + 1))
}

/// `<url>` with a safe URL.
fn angle_link(s: &str, i: usize) -> Option<(Inline, usize)> {
    let rest = &s[i + 1..];
    let len = rest.find(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>')?;
    if !rest[len..].starts_with('>') {
        return None;
    }
    let url = &rest[..len];
    Some((link_node(safe_href(url)?, url), i + len + 2))
}

/// A bare `http://` or `https://` URL at `i` (not inside a word), without
/// trailing punctuation or an unbalanced `)`, and where scanning resumes.
fn bare_link(s: &str, i: usize) -> (Option<Inline>, usize) {
    let b = &s.as_bytes()[i..];
    let host = if b.len() > 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        8
    } else if b.len() > 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        7
    } else {
        return (None, i + 1);
    };
    let after_word = s[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    if after_word || !(b[host].is_ascii_alphanumeric() || b[host] >= 0x80) {
        return (None, i + 1);
    }
    let rest = &s[i..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '[' | ']'))
        .unwrap_or(rest.len());
    let mut url = &rest[..end];
    let opened = url.bytes().filter(|c| *c == b'(').count();
    let mut closed = url.bytes().filter(|c| *c == b')').count();
    while let Some(&last) = url.as_bytes().last() {
        match last {
            b'?' | b'!' | b'.' | b',' | b':' | b';' | b'*' | b'_' | b'~' | b'\'' | b'"' => {}
            b')' if closed > opened => closed -= 1,
            _ => break,
        }
        url = &url[..url.len() - 1];
    }
    match safe_href(url) {
        Some(href) => (Some(link_node(href, url)), i + url.len()),
        // Too long: all of it is text, and it is not scanned again.
        None => (None, i + end),
    }
}

fn link_node(href: String, label: &str) -> Inline {
    Inline::Link {
        href,
        children: vec![Inline::Text(label.to_owned())],
    }
}

/// CommonMark's "process emphasis", run once over the tokens: each closer
/// looks down a stack of openers, bounded below per kind of closer
/// (`bottom`) and by the start of the enclosing link, so the whole pass is
/// linear.
fn match_emphasis(toks: &[Tok<'_>], delims: &mut [Delim]) {
    let mut stack: Vec<usize> = Vec::new();
    let mut bottom = [0_usize; 18];
    let mut link: Option<(usize, [usize; 18])> = None;
    for tok in toks {
        let c = match tok {
            Tok::Bracket(Some(_)) => {
                link = Some((stack.len(), bottom));
                continue;
            }
            Tok::LinkEnd => {
                if let Some((len, saved)) = link.take() {
                    stack.truncate(len);
                    bottom = saved;
                }
                continue;
            }
            Tok::Delim(c) => *c,
            _ => continue,
        };
        let Delim {
            ch,
            len,
            can_open,
            can_close,
            ..
        } = delims[c];
        let key = match ch {
            b'*' => 0,
            b'_' => 6,
            _ => 12,
        } + usize::from(can_open) * 3
            + len % 3;
        let floor = link.map_or(0, |(len, _)| len);
        while can_close && delims[c].used < len {
            let found = (bottom[key].max(floor)..stack.len()).rev().find(|&k| {
                let o = &delims[stack[k]];
                // The "rule of 3": `*a**b**c*` is `<em>a<strong>b</strong>c</em>`.
                let multiple_of_3 = (o.can_close || can_open)
                    && (o.len + len).is_multiple_of(3)
                    && !(o.len.is_multiple_of(3) && len.is_multiple_of(3));
                o.ch == ch && o.used < o.len && !multiple_of_3
            });
            let Some(k) = found else {
                bottom[key] = stack.len();
                break;
            };
            let o = stack[k];
            let n = if delims[o].len - delims[o].used >= 2 && len - delims[c].used >= 2 {
                2
            } else {
                1
            };
            let wrap = match (ch, n) {
                (b'~', _) => Wrap::Strike,
                (_, 2) => Wrap::Strong,
                _ => Wrap::Emphasis,
            };
            delims[o].used += n;
            delims[o].opens.push(wrap);
            delims[c].used += n;
            delims[c].closes.push(wrap);
            stack.truncate(k + 1);
            if delims[o].used == delims[o].len {
                stack.pop();
            }
            for b in &mut bottom {
                *b = (*b).min(stack.len());
            }
        }
        if can_open && delims[c].used < len {
            stack.push(c);
        }
    }
}

fn build(toks: Vec<Tok<'_>>, delims: &[Delim]) -> Vec<Inline> {
    let mut tree = Tree::default();
    for tok in toks {
        match tok {
            Tok::Text(text) => tree.text(text),
            Tok::Node(node) => tree.node(node),
            Tok::Bracket(None) => tree.text("["),
            Tok::Bracket(Some(href)) => tree.open_link(href),
            Tok::LinkEnd => tree.close(),
            Tok::Delim(d) => {
                let Some(d) = delims.get(d) else { continue };
                for _ in &d.closes {
                    tree.close();
                }
                tree.text(&char::from(d.ch).to_string().repeat(d.len - d.used));
                for wrap in d.opens.iter().rev() {
                    let marker = match (wrap, d.ch) {
                        (Wrap::Strong, b'*') => "**",
                        (Wrap::Strong, _) => "__",
                        (Wrap::Emphasis, b'*') => "*",
                        (Wrap::Emphasis, _) => "_",
                        (Wrap::Strike, _) => "~~",
                    };
                    tree.open_style(*wrap, marker);
                }
            }
        }
    }
    while !tree.open.is_empty() {
        tree.close();
    }
    tree.root
}

/// What an open event became.
enum Opened {
    Frame,
    /// Too deep: the marker was written as text and is written again on close.
    Literal(&'static str),
    /// An unsafe or too deep link: only its label.
    Label,
}

#[derive(Default)]
struct Tree {
    root: Vec<Inline>,
    frames: Vec<(Frame, Vec<Inline>)>,
    open: Vec<Opened>,
    links: usize,
}

impl Tree {
    fn out(&mut self) -> &mut Vec<Inline> {
        match self.frames.last_mut() {
            Some((_, children)) => children,
            None => &mut self.root,
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let out = self.out();
        if let Some(Inline::Text(last)) = out.last_mut() {
            last.push_str(text);
        } else {
            out.push(Inline::Text(text.to_owned()));
        }
    }

    fn node(&mut self, node: Inline) {
        match node {
            Inline::Text(text) => self.text(&text),
            Inline::Link { children, .. } if self.links > 0 => {
                children.into_iter().for_each(|child| self.node(child));
            }
            node => self.out().push(node),
        }
    }

    /// Opens a link, or only its label when `href` was unsafe.
    fn open_link(&mut self, href: Option<String>) {
        self.links += 1;
        let opened = match href {
            Some(href) if self.frames.len() < MAX_DEPTH => {
                self.frames.push((Frame::Link(href), Vec::new()));
                Opened::Frame
            }
            _ => Opened::Label,
        };
        self.open.push(opened);
    }

    fn open_style(&mut self, wrap: Wrap, marker: &'static str) {
        let opened = if self.frames.len() < MAX_DEPTH {
            self.frames.push((Frame::Style(wrap), Vec::new()));
            Opened::Frame
        } else {
            self.text(marker);
            Opened::Literal(marker)
        };
        self.open.push(opened);
    }

    fn close(&mut self) {
        match self.open.pop() {
            Some(Opened::Frame) => {
                let Some((frame, children)) = self.frames.pop() else {
                    return;
                };
                let node = match frame {
                    Frame::Style(Wrap::Strong) => Inline::Strong(children),
                    Frame::Style(Wrap::Emphasis) => Inline::Emphasis(children),
                    Frame::Style(Wrap::Strike) => Inline::Strike(children),
                    Frame::Link(href) => {
                        self.links -= 1;
                        Inline::Link { href, children }
                    }
                };
                self.out().push(node);
            }
            Some(Opened::Literal(marker)) => self.text(marker),
            Some(Opened::Label) => self.links -= 1,
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{Block, Inline, MAX_DEPTH, parse, plain_text, safe_href};

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    fn link(href: &str, label: &str) -> Inline {
        Inline::Link {
            href: href.to_owned(),
            children: vec![text(label)],
        }
    }

    /// The inlines of a one-paragraph message.
    fn para(s: &str) -> Vec<Inline> {
        match parse(s).as_slice() {
            [Block::Paragraph(inlines)] => inlines.clone(),
            other => panic!("{s:?} is not one paragraph: {other:?}"),
        }
    }

    pub(super) fn depth(inlines: &[Inline]) -> usize {
        inlines
            .iter()
            .map(|inline| match inline {
                Inline::Strong(c)
                | Inline::Emphasis(c)
                | Inline::Strike(c)
                | Inline::Link { children: c, .. } => 1 + depth(c),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn blank_lines_split_paragraphs_and_newlines_break_lines() {
        assert_eq!(
            parse("  Hello\nthere  \n\n\n second "),
            vec![
                Block::Paragraph(vec![text("Hello"), Inline::LineBreak, text("there")]),
                Block::Paragraph(vec![text("second")]),
            ]
        );
        assert_eq!(parse("a\r\nb"), parse("a\nb"));
        assert_eq!(parse(""), vec![]);
        assert_eq!(parse(" \n\t\n"), vec![]);
    }

    #[test]
    fn strong_emphasis_strike_and_code() {
        assert_eq!(
            para("**b** __B__ *e* _E_ ~~s~~ `c`"),
            vec![
                Inline::Strong(vec![text("b")]),
                text(" "),
                Inline::Strong(vec![text("B")]),
                text(" "),
                Inline::Emphasis(vec![text("e")]),
                text(" "),
                Inline::Emphasis(vec![text("E")]),
                text(" "),
                Inline::Strike(vec![text("s")]),
                text(" "),
                Inline::Code("c".to_owned()),
            ]
        );
    }

    #[test]
    fn bold_and_italic_nest() {
        assert_eq!(
            para("***both***"),
            vec![Inline::Emphasis(vec![Inline::Strong(vec![text("both")])])]
        );
        assert_eq!(
            para("**bold _it_ ~~gone~~**"),
            vec![Inline::Strong(vec![
                text("bold "),
                Inline::Emphasis(vec![text("it")]),
                text(" "),
                Inline::Strike(vec![text("gone")]),
            ])]
        );
        assert_eq!(
            para("*a **b** c*"),
            vec![Inline::Emphasis(vec![
                text("a "),
                Inline::Strong(vec![text("b")]),
                text(" c")
            ])]
        );
    }

    #[test]
    fn the_rule_of_3_keeps_strong_inside_emphasis() {
        assert_eq!(
            para("*a**b**c*"),
            vec![Inline::Emphasis(vec![
                text("a"),
                Inline::Strong(vec![text("b")]),
                text("c"),
            ])]
        );
    }

    #[test]
    fn underscores_inside_words_and_unbalanced_markers_are_text() {
        for s in [
            "snake_case_name",
            "**not closed",
            "not opened**",
            "a * b * c",
            "~one tilde~",
            "~~~three~~~",
            "`unclosed",
            "[no link",
            "no link]",
            "[label](",
            "[label](no close",
            "[label] (space)",
            "**",
            "a\\*b\\* c",
        ] {
            let plain = s.replace('\\', "");
            assert_eq!(para(s), vec![text(&plain)], "{s}");
        }
    }

    #[test]
    fn code_spans_keep_their_content_verbatim() {
        assert_eq!(
            para("run `**x** [a](https://a.io) <b>` now"),
            vec![
                text("run "),
                Inline::Code("**x** [a](https://a.io) <b>".to_owned()),
                text(" now")
            ]
        );
        assert_eq!(para("`` a ` b ``"), vec![Inline::Code("a ` b".to_owned())]);
        assert_eq!(
            para("```one line```"),
            vec![Inline::Code("one line".to_owned())]
        );
        // A backtick inside `*…*` ends nothing: the span wins.
        assert_eq!(
            para("*a `*` b*"),
            vec![Inline::Emphasis(vec![
                text("a "),
                Inline::Code("*".to_owned()),
                text(" b")
            ])]
        );
    }

    #[test]
    fn raw_html_is_literal_text() {
        for s in [
            "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>",
            "<b>bold?</b>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "&lt;script&gt;",
        ] {
            assert_eq!(para(s), vec![text(s)], "{s}");
        }
    }

    #[test]
    fn safe_href_accepts_only_http_https_mailto_and_tel() {
        for ok in [
            "https://chatwoot.com/a?b#c",
            "HTTP://x.io",
            "mailto:a@b.co",
            "tel:+4930123",
            "TEL:123",
        ] {
            assert_eq!(safe_href(ok).as_deref(), Some(ok), "{ok}");
        }
        assert_eq!(
            safe_href(" \n\thttps://x.io \u{0} ").as_deref(),
            Some("https://x.io")
        );
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "\n\t javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "//evil.com",
            "/relative",
            "relative/path",
            "#top",
            "https:evil.com",
            "&#106;avascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_href(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_link_to_an_unsafe_url_is_only_its_label() {
        for s in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](  javascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "[x](//evil.com)",
            "[x](/relative)",
            "[x](<javascript:alert(1)>)",
            "[x]()",
        ] {
            assert_eq!(para(s), vec![text("x")], "{s}");
        }
        assert_eq!(
            para("[**x**](javascript:a)"),
            vec![Inline::Strong(vec![text("x")])]
        );
        assert_eq!(
            para("<javascript:alert(1)>"),
            vec![text("<javascript:alert(1)>")]
        );
        // Tabs and newlines inside a URL (`java\tscript:`) end it: no link.
        assert_eq!(
            para("[x](java\tscript:alert(1))"),
            vec![text("[x](java\tscript:alert(1))")]
        );
    }

    #[test]
    fn links_take_a_label_with_formatting_and_balanced_parentheses() {
        assert_eq!(
            para("see [the **docs**](https://en.wikipedia.org/wiki/Rust_(language)) now"),
            vec![
                text("see "),
                Inline::Link {
                    href: "https://en.wikipedia.org/wiki/Rust_(language)".to_owned(),
                    children: vec![text("the "), Inline::Strong(vec![text("docs")])],
                },
                text(" now"),
            ]
        );
        assert_eq!(
            para("[mail](mailto:a@b.co) [call](tel:+49)"),
            vec![
                link("mailto:a@b.co", "mail"),
                text(" "),
                link("tel:+49", "call"),
            ]
        );
        // Emphasis does not cross a link's edge; the link wins.
        assert_eq!(
            para("*a [b*](https://x.io)"),
            vec![text("*a "), link("https://x.io", "b*")]
        );
        // The innermost brackets make the link; a link never contains one.
        assert_eq!(
            para("[a [b](https://x.io) c](https://y.io)"),
            vec![
                text("[a "),
                link("https://x.io", "b"),
                // … and the outer `](…)` is text, with an autolink in it.
                text(" c]("),
                link("https://y.io", "https://y.io"),
                text(")"),
            ]
        );
        assert_eq!(
            para("[https://a.io](https://b.io)"),
            vec![link("https://b.io", "https://a.io")]
        );
    }

    #[test]
    fn autolinks_leave_trailing_punctuation_out() {
        assert_eq!(
            para("Go to https://x.io/a."),
            vec![
                text("Go to "),
                link("https://x.io/a", "https://x.io/a"),
                text(".")
            ]
        );
        assert_eq!(
            para("(see http://x.io/a_(b)), ok?"),
            vec![
                text("(see "),
                link("http://x.io/a_(b)", "http://x.io/a_(b)"),
                text("), ok?"),
            ]
        );
        assert_eq!(
            para("\"https://x.io\"!"),
            vec![
                text("\""),
                link("https://x.io", "https://x.io"),
                text("\"!")
            ]
        );
        assert_eq!(
            para("<https://x.io/a.>"),
            vec![link("https://x.io/a.", "https://x.io/a.")]
        );
        assert_eq!(
            para("**https://x.io**"),
            vec![Inline::Strong(vec![link("https://x.io", "https://x.io")])]
        );
        assert_eq!(
            para("<mailto:a@b.co>"),
            vec![link("mailto:a@b.co", "mailto:a@b.co")]
        );
        for s in [
            "xhttps://x.io",
            "http://",
            "https:// x",
            "http:///x",
            "ftp://x.io",
        ] {
            assert_eq!(para(s), vec![text(s)], "{s}");
        }
    }

    #[test]
    fn lists_bulleted_and_numbered() {
        let items = |s: &[&str]| s.iter().map(|s| vec![text(s)]).collect::<Vec<_>>();
        assert_eq!(
            parse("- a\n* b\n+ c"),
            vec![Block::List {
                start: None,
                items: items(&["a", "b", "c"])
            }]
        );
        assert_eq!(
            parse("3. a\n4) b\n\n5. c"),
            vec![Block::List {
                start: Some(3),
                items: items(&["a", "b", "c"])
            }]
        );
        assert_eq!(
            parse("Options:\n- **one**\n  more\n- two\n\nafter"),
            vec![
                Block::Paragraph(vec![text("Options:")]),
                Block::List {
                    start: None,
                    items: vec![
                        vec![
                            Inline::Strong(vec![text("one")]),
                            Inline::LineBreak,
                            text("more")
                        ],
                        vec![text("two")],
                    ]
                },
                Block::Paragraph(vec![text("after")]),
            ]
        );
        assert_eq!(
            parse("- a\n1. b"),
            vec![
                Block::List {
                    start: None,
                    items: items(&["a"])
                },
                Block::List {
                    start: Some(1),
                    items: items(&["b"])
                }
            ]
        );
        // Not list items: no space, a paragraph going on, too many digits.
        for s in [
            "-1 degrees",
            "*bold*",
            "The year\n1984. It was",
            "1234567890. x",
            "-",
        ] {
            assert!(matches!(parse(s).as_slice(), [Block::Paragraph(_)]), "{s}");
        }
    }

    #[test]
    fn fenced_code_is_verbatim() {
        assert_eq!(
            parse("before\n  ```rust\n  let *a* = [1](x);\n\n<b>\n  ```\nafter"),
            vec![
                Block::Paragraph(vec![text("before")]),
                Block::Code("let *a* = [1](x);\n\n<b>".to_owned()),
                Block::Paragraph(vec![text("after")]),
            ]
        );
        assert_eq!(
            parse("````\n```\n````"),
            vec![Block::Code("```".to_owned())]
        );
        assert_eq!(
            parse("```\nnever closed\n\n- x"),
            vec![Block::Code("never closed\n\n- x".to_owned())]
        );
    }

    #[test]
    fn quotes_take_consecutive_lines() {
        assert_eq!(
            parse("> quoted *text*\n>more\nreply"),
            vec![
                Block::Quote(vec![
                    text("quoted "),
                    Inline::Emphasis(vec![text("text")]),
                    Inline::LineBreak,
                    text("more")
                ]),
                Block::Paragraph(vec![text("reply")]),
            ]
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut s = String::new();
        for n in 0..50 {
            s.push_str(if n % 2 == 0 { "**a " } else { "_a " });
        }
        for n in (0..50).rev() {
            s.push_str(if n % 2 == 0 { "a** " } else { "a_ " });
        }
        let inlines = para(s.trim_end());
        assert_eq!(depth(&inlines), MAX_DEPTH);
        assert_eq!(plain_text(&parse(&s)).matches('a').count(), 100);
        let link = format!(
            "{}[x](https://x.io){}",
            "*a ".repeat(MAX_DEPTH),
            " a*".repeat(MAX_DEPTH)
        );
        assert_eq!(depth(&para(&link)), MAX_DEPTH);
    }

    #[test]
    fn hostile_input_parses_in_linear_time() {
        let n = 100_000;
        let runs: String = (1..450).map(|k| "`".repeat(k) + "a").collect();
        for s in [
            "*[*[".repeat(n / 4),
            "[a](".repeat(n / 4),
            format!("{}{}", "[".repeat(n / 2), "](x".repeat(n / 6)),
            "**_~~".repeat(n / 5),
            "*a _".repeat(n / 4),
            "<a".repeat(n / 2),
            "http://a/".repeat(n / 9),
            format!("http://a{}", ")".repeat(n)),
            format!("{}a", "*".repeat(n)),
            "a*".repeat(n / 2),
            "> *\n- _\n".repeat(n / 8),
            runs,
        ] {
            #[cfg(not(target_arch = "wasm32"))]
            let started = std::time::Instant::now();
            let blocks = parse(&s);
            assert!(!blocks.is_empty());
            #[cfg(not(target_arch = "wasm32"))]
            assert!(
                started.elapsed().as_secs_f64() < 2.0,
                "{:?}… took {:?}",
                &s[..8],
                started.elapsed()
            );
        }
    }

    #[test]
    fn plain_text_drops_markers_and_urls() {
        let blocks = parse("**Hi** [docs](https://x.io)\n\n- one\n- `two`\n\n```\ncode\n```\n> q");
        assert_eq!(plain_text(&blocks), "Hi docs\none\ntwo\ncode\nq");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use proptest::prelude::*;

        use super::super::{Block, Inline, MAX_DEPTH, parse, plain_text, safe_href};
        use super::depth;

        fn check(inlines: &[Inline]) {
            for inline in inlines {
                match inline {
                    Inline::Link { href, children } => {
                        assert_eq!(safe_href(href).as_ref(), Some(href), "unsafe href {href:?}");
                        check(children);
                    }
                    Inline::Strong(c) | Inline::Emphasis(c) | Inline::Strike(c) => check(c),
                    _ => {}
                }
            }
        }

        fn check_blocks(blocks: &[Block]) {
            for block in blocks {
                match block {
                    Block::Paragraph(i) | Block::Quote(i) => {
                        check(i);
                        assert!(depth(i) <= MAX_DEPTH);
                    }
                    Block::List { items, .. } => items.iter().for_each(|i| {
                        check(i);
                        assert!(depth(i) <= MAX_DEPTH);
                    }),
                    Block::Code(_) => {}
                }
            }
        }

        /// Text made of markdown's and attackers' favourite pieces.
        fn soup() -> impl Strategy<Value = String> {
            const PIECES: &[&str] = &[
                "*",
                "**",
                "_",
                "__",
                "~",
                "~~",
                "`",
                "```",
                "[",
                "]",
                "(",
                ")",
                "](",
                "<",
                ">",
                "\\",
                "\n",
                "\n\n",
                " ",
                "\t",
                "> ",
                "- ",
                "1. ",
                "a",
                "é",
                "http://",
                "https://x.io",
                "javascript:alert(1)",
                "JaVaScRiPt:",
                " javascript:",
                "data:text/html,",
                "mailto:a@b.co",
                "tel:1",
                "//evil.com",
                ".",
                ",",
                "<img src=x onerror=alert(1)>",
            ];
            prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|p| p.concat())
        }

        proptest! {
            #[test]
            fn any_text_parses_to_safe_bounded_trees(s in any::<String>()) {
                check_blocks(&parse(&s));
            }

            #[test]
            fn markdown_soup_parses_to_safe_bounded_trees(s in soup()) {
                check_blocks(&parse(&s));
            }

            #[test]
            fn plain_text_loses_no_characters(s in any::<String>(), lines in "([a-zA-Z][a-zA-Z0-9 ,.!?:/()'&%=-]{0,30}\n{0,3}){0,6}") {
                // Without markers, every non-space character survives in order.
                let s: String = s.chars().filter(|c| !"*_~`[]<>\\-+#0123456789".contains(*c)).collect();
                for s in [s, lines] {
                    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().concat();
                    prop_assert_eq!(words(&plain_text(&parse(&s))), words(&s));
                }
            }
        }
    }
}
