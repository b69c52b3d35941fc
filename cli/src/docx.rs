//! Word drafts: `import draft.docx` reads the draft through pandoc, as Markdown.
//!
//! pandoc writes GitHub-flavoured Markdown (`gfm`), which keeps what the importer reads: headings,
//! ordered lists (Word's list numbering becomes `1.`, `2.`: numbered clauses), footnotes
//! (`[^1]`), pipe tables, emphasis, and typed numbers as the text typed them. (`commonmark_x`
//! adds an id to every heading and writes `—` as `---`.) Lines are not wrapped, so that a
//! paragraph stays on one line as the draft has it. Through `travaux serve`, the file is sent
//! as it is and converted on the server, by its pandoc.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{CliError, CliResult};

/// The program run, found on `PATH`.
const PANDOC: &str = "pandoc";

/// Whether `path` names a Word draft (`.docx`, in any case).
pub fn is_docx(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"))
}

/// The Markdown of the Word draft `bytes`, read from `path`, through pandoc.
pub fn to_markdown(path: &Path, bytes: &[u8]) -> CliResult<Vec<u8>> {
    let name = path.display();
    let mut child = Command::new(PANDOC)
        .args(["--from", "docx", "--to", "gfm", "--wrap", "none"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                CliError::refused(format!(
                    "{name} is a Word draft, read through pandoc, which is not installed: \
                     install the Debian package `pandoc` (apt-get install pandoc), or save the \
                     draft as Markdown"
                ))
            } else {
                CliError::refused(format!("cannot run pandoc to read {name}: {e}"))
            }
        })?;
    // Write on a thread while pandoc's output is read: a large draft fills both pipes.
    let mut stdin = child.stdin.take().expect("piped");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .map_err(|e| CliError::refused(format!("cannot run pandoc to read {name}: {e}")))?;
    let written = writer.join().expect("the writer does not panic");
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(CliError::refused(format!(
            "{name} does not read as a Word draft (pandoc: {})",
            why.trim()
        )));
    }
    written.map_err(|e| CliError::refused(format!("cannot send {name} to pandoc: {e}")))?;
    tracing::debug!(
        docx = bytes.len(),
        markdown = out.stdout.len(),
        "{name} converted by pandoc"
    );
    let markdown = String::from_utf8(out.stdout)
        .map_err(|_| CliError::refused(format!("pandoc read {name} as text that is not UTF-8")))?;
    Ok(typed_numbers(&markdown).into_bytes())
}

/// Numbers typed at the start of a paragraph, as the draft typed them: pandoc escapes their
/// punctuation (`\(a\) …`, `a\) …`, `IV\. …`) so that no Markdown reader takes them for a
/// list; the importer reads them as typed numbers, written plainly. (Each paragraph is one
/// line: pandoc is asked not to wrap.)
fn typed_numbers(markdown: &str) -> String {
    /// The number or letter of at most six characters `s` starts with (`1`, `1a`, `a`, `iv`,
    /// `IV`), and what follows it.
    fn number(s: &str) -> Option<(&str, &str)> {
        let len = s
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(s.len());
        (1..=6).contains(&len).then(|| s.split_at(len))
    }
    /// Whether a number ends here: at a space or the end of the line.
    fn ends(rest: &str) -> bool {
        rest.is_empty() || rest.starts_with(' ')
    }
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        let indent = &line[..line.len() - body.len()];
        let plain = if let Some(inner) = body.strip_prefix("\\(") {
            number(inner).and_then(|(n, rest)| {
                let rest = rest
                    .strip_prefix("\\)")
                    .or_else(|| rest.strip_prefix(')'))?;
                ends(rest.trim_end_matches('\n')).then(|| format!("{indent}({n}){rest}"))
            })
        } else {
            number(body).and_then(|(n, rest)| {
                let (close, rest) = if let Some(r) = rest.strip_prefix("\\)") {
                    (')', r)
                } else {
                    ('.', rest.strip_prefix("\\.")?)
                };
                ends(rest.trim_end_matches('\n')).then(|| format!("{indent}{n}{close}{rest}"))
            })
        };
        out.push_str(plain.as_deref().unwrap_or(line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_docx_files_are_word_drafts() {
        assert!(is_docx(Path::new("draft.docx")));
        assert!(is_docx(Path::new("dir/Draft.DOCX")));
        assert!(!is_docx(Path::new("draft.md")));
        assert!(!is_docx(Path::new("docx")));
    }

    #[test]
    fn typed_numbers_are_written_plainly_at_the_start_of_a_paragraph() {
        let escaped = "1.1 The first.\n\n\\(1\\) Para one.\n\n\\(a) in recruitment;\n\n\
                       a\\) other;\n\n9a\\. nine.\n\n   \\(iv\\) roman\n\nIV\\. four\n\n\
                       \\(not a number\\) here\n\nA \\(1\\) inside.\n\\(1\\)";
        assert_eq!(
            typed_numbers(escaped),
            "1.1 The first.\n\n(1) Para one.\n\n(a) in recruitment;\n\na) other;\n\n\
             9a. nine.\n\n   (iv) roman\n\nIV. four\n\n\\(not a number\\) here\n\n\
             A \\(1\\) inside.\n(1)"
        );
    }

    /// A Word draft made by pandoc from Markdown, converted back: its ordered lists, footnotes,
    /// tables and emphasis come back as Markdown the importer reads. (Needs pandoc, which
    /// `.ci/run` installs: fails without it.)
    #[test]
    fn pandoc_keeps_lists_footnotes_tables_and_emphasis() {
        let md = "# Code\n\n## Article 1 — Objectives\n\n1. The *first* objective.[^1]\n\
                  2. The **second** objective.\n\n[^1]: A note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let mut pandoc = Command::new(PANDOC)
            .args(["--from", "markdown", "--to", "docx", "--output", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("pandoc is installed (apt-get install pandoc)");
        pandoc
            .stdin
            .take()
            .unwrap()
            .write_all(md.as_bytes())
            .unwrap();
        let docx = pandoc.wait_with_output().unwrap().stdout;
        let back = String::from_utf8(to_markdown(Path::new("d.docx"), &docx).unwrap()).unwrap();
        for kept in [
            "## Article 1 — Objectives",
            "1.  The *first* objective.[^1]",
            "2.  The **second** objective.",
            "[^1]: A note.",
            "| 1   | 2   |",
        ] {
            assert!(back.contains(kept), "{kept:?} is not in:\n{back}");
        }
        let err = to_markdown(Path::new("d.docx"), b"not a zip").unwrap_err();
        assert!(
            err.message.contains("d.docx does not read as a Word draft"),
            "{err}"
        );
    }
}
