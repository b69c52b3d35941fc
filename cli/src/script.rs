//! Scripts: travaux command lines, one per line, run against one open store.
//!
//! A line is split with POSIX shell quoting (`shlex`); blank lines and lines starting with
//! `#` are skipped. Each line is a whole `travaux` command line without the word `travaux`.
//! The script stops at the first line that fails; the lines before it stay recorded, as with
//! a shell script run with `set -e`.

use crate::error::{CliError, CliResult};

/// One command line of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Its line number in the file, from 1.
    pub number: usize,
    /// Its words, quoting removed.
    pub words: Vec<String>,
    /// The line as written.
    pub text: String,
}

/// Split a script into command lines.
pub fn parse(name: &str, source: &str) -> CliResult<Vec<Line>> {
    let mut lines = Vec::new();
    for (i, raw) in source.lines().enumerate() {
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let words = shlex::split(text).ok_or_else(|| {
            CliError::refused(format!(
                "{name}:{}: unbalanced quotes or a trailing backslash",
                i + 1
            ))
        })?;
        if words.first().map(String::as_str) == Some("travaux") {
            return Err(CliError::refused(format!(
                "{name}:{}: leave out the word `travaux`: each line is what follows it",
                i + 1
            )));
        }
        lines.push(Line {
            number: i + 1,
            words,
            text: text.to_string(),
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_like_a_shell_and_comments_are_skipped() {
        let lines = parse(
            "s",
            "# a comment\n\n--as brazil comment \"it's fine\" --clause 5.2\n  tag 'WHA63.16'\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].number, 3);
        assert_eq!(
            lines[0].words,
            ["--as", "brazil", "comment", "it's fine", "--clause", "5.2"]
        );
        assert_eq!(lines[1].words, ["tag", "WHA63.16"]);
    }

    #[test]
    fn an_unbalanced_quote_names_the_line() {
        let err = parse("neg.travaux", "tag a\ncomment \"oops\n").unwrap_err();
        assert_eq!(
            err.message,
            "neg.travaux:2: unbalanced quotes or a trailing backslash"
        );
        let err = parse("neg.travaux", "travaux init\n").unwrap_err();
        assert!(err.message.contains("leave out the word `travaux`"));
    }
}
