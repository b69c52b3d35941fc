//! Tests of reading drafts: numbering styles, headings, Markdown constructs, warnings.

use super::*;

/// The tree as indented lines: `label [kind] heading | text`.
pub(crate) fn outline(d: &Draft) -> String {
    fn walk(cs: &[DraftClause], depth: usize, out: &mut String) {
        for c in cs {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&c.label);
            if let Some(k) = c.kind {
                out.push_str(&format!(" [{}]", k.name()));
            }
            if let Some(h) = &c.heading {
                out.push_str(&format!(" {h}"));
            }
            if !c.text.is_empty() {
                out.push_str(&format!(" | {}", c.text.replace('\n', "⏎")));
            }
            for n in &c.notes {
                out.push_str(&format!(" {{^{}: {}}}", n.mark, n.text));
            }
            out.push('\n');
            walk(&c.children, depth + 1, out);
        }
    }
    let mut out = String::new();
    walk(&d.clauses, 0, &mut out);
    out
}

#[test]
fn explore() {
    let md = std::fs::read_to_string("/tmp/x.md").unwrap_or_default();
    if md.is_empty() {
        return;
    }
    let d = parse_draft(md.as_bytes()).unwrap();
    eprintln!("title {:?} meta {:?}\n{}", d.title, d.meta, outline(&d));
    for w in &d.warnings {
        eprintln!("warning: {w}");
    }
}
