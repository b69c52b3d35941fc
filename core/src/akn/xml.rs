//! The document as a tree of elements, read with quick-xml: what `read.rs` walks.

use quick_xml::events::Event as Xml;
use quick_xml::Reader;

use crate::import::ImportError;

/// How deep elements may nest.
const MAX_DEPTH: usize = 256;
/// An element of the document: its local name, attributes, what it holds and where it starts.
#[derive(Clone, Debug, Default)]
pub(super) struct Element {
    pub(super) name: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
    pub(super) at: usize,
}

#[derive(Clone, Debug)]
pub(super) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub(super) fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub(super) fn descendant(&self, name: &str) -> Option<&Element> {
        self.elements().find_map(|e| {
            if e.name == name {
                Some(e)
            } else {
                e.descendant(name)
            }
        })
    }
}

/// The text of an element, markup dropped, spaces collapsed.
pub(super) fn plain(e: &Element) -> String {
    fn walk(e: &Element, out: &mut String) {
        for n in &e.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(c) => {
                    out.push(' ');
                    walk(c, out);
                    out.push(' ');
                }
            }
        }
    }
    let mut out = String::new();
    walk(e, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The document as a tree of elements (namespaces dropped: names are local).
pub(super) fn parse_tree(source: &str) -> Result<Element, ImportError> {
    let lines = Lines::new(source);
    let mut reader = Reader::from_str(source);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = vec![Element::default()];
    let fail = |reader: &Reader<&[u8]>, message: String| {
        ImportError::new(lines.at(reader.error_position() as usize), message)
    };
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| fail(&reader, format!("this is not well-formed XML: {e}")))?;
        match event {
            Xml::Start(e) | Xml::Empty(e) if stack.len() > MAX_DEPTH => {
                let _ = e;
                return Err(ImportError::new(
                    lines.at(at),
                    format!("elements nest more than {MAX_DEPTH} deep"),
                ));
            }
            Xml::Start(e) => {
                let el = element(&e, at).map_err(|m| ImportError::new(lines.at(at), m))?;
                stack.push(el);
            }
            Xml::Empty(e) => {
                let el = element(&e, at).map_err(|m| ImportError::new(lines.at(at), m))?;
                push(&mut stack, Node::Element(el));
            }
            Xml::End(_) => {
                let el = stack
                    .pop()
                    .expect("the reader checks that ends match starts");
                push(&mut stack, Node::Element(el));
            }
            Xml::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Xml::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Xml::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(|c| c.to_string())
                } else {
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .map(str::to_string)
                };
                match resolved {
                    Some(s) => push_text(&mut stack, &s),
                    None => {
                        return Err(ImportError::new(
                            lines.at(at),
                            format!("unknown entity &{};", r.xml10_content()),
                        ))
                    }
                }
            }
            Xml::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(ImportError::new(
            lines.at(source.len()),
            "the document ends before its elements are closed",
        ));
    }
    let top = stack.pop().expect("one element left");
    top.children
        .into_iter()
        .find_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .ok_or_else(|| {
            ImportError::new(
                1,
                "this is not XML: it holds no element (an Akoma Ntoso document is <akomaNtoso> …)",
            )
        })
}

fn element(e: &quick_xml::events::BytesStart<'_>, at: usize) -> Result<Element, String> {
    let name = AsRef::<str>::as_ref(&e.local_name()).to_string();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("a bad attribute in <{name}>: {e}"))?;
        let key = AsRef::<str>::as_ref(&a.key.local_name()).to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("a bad attribute value in <{name}>: {e}"))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        at,
    })
}

fn push(stack: &mut [Element], node: Node) {
    stack
        .last_mut()
        .expect("the document node is never popped")
        .children
        .push(node);
}

fn push_text(stack: &mut [Element], text: &str) {
    let top = stack.last_mut().expect("the document node is never popped");
    if let Some(Node::Text(t)) = top.children.last_mut() {
        t.push_str(text);
    } else {
        top.children.push(Node::Text(text.to_string()));
    }
}

/// Lines of the source, for messages.
pub(super) struct Lines(Vec<usize>);

impl Lines {
    pub(super) fn new(source: &str) -> Self {
        Lines(
            source
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The line (from 1) of a byte offset.
    pub(super) fn at(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

pub(super) fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1
}

/// Every descendant named `name`, in order (not looking inside one found).
pub(super) fn all<'e>(e: &'e Element, name: &str) -> Vec<&'e Element> {
    let mut out = Vec::new();
    for c in e.elements() {
        if c.name == name {
            out.push(c);
        } else {
            out.extend(all(c, name));
        }
    }
    out
}
