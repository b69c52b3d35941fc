//! Checks of what a command carries: lengths, names, labels, handles.

use crate::error::DomainError;
use crate::event::Note;

/// Longest clause text accepted, in bytes, its notes included: the text of a clause, of an
/// amendment's wording, of an alternative or a bracketed span. Real texts have clauses this
/// long (a definitions section); the store splits what it stores, not what a clause may hold.
pub const MAX_TEXT: usize = 1 << 20;
/// Longest comment or rationale accepted, in bytes.
pub const MAX_COMMENT: usize = 20_000;
/// Longest title, label, name or tag accepted, in bytes.
pub const MAX_NAME: usize = 300;

/// The bytes of a clause's notes: their marks and words.
pub(super) fn notes_len(notes: &[Note]) -> usize {
    notes.iter().map(|n| n.mark.len() + n.text.len()).sum()
}

/// A clause's text and notes together hold at most [`MAX_TEXT`] bytes.
pub(super) fn check_clause_text(text: &str, notes: &[Note]) -> Result<(), DomainError> {
    if notes.is_empty() {
        return check_len("clause text", text, MAX_TEXT);
    }
    let len = text.len() + notes_len(notes);
    if len > MAX_TEXT {
        return Err(DomainError::TooLarge {
            what: "clause text with its notes",
            len,
            max: MAX_TEXT,
        });
    }
    Ok(())
}

pub(super) fn check_len(what: &'static str, s: &str, max: usize) -> Result<(), DomainError> {
    if s.len() > max {
        return Err(DomainError::TooLarge {
            what,
            len: s.len(),
            max,
        });
    }
    Ok(())
}

pub(super) fn check_name(what: &'static str, s: &str) -> Result<(), DomainError> {
    check_len(what, s, MAX_NAME)?;
    if s.trim().is_empty() {
        return Err(DomainError::Invalid(format!("the {what} is empty")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(DomainError::Invalid(format!(
            "the {what} '{}' contains control characters",
            s.escape_debug()
        )));
    }
    Ok(())
}

/// Check a clause's label: a name (not blank, no control characters), with no invisible
/// formatting characters either (zero-width spaces and joiners, direction marks, soft hyphens,
/// byte-order marks), which would make two labels that read alike differ. Any visible
/// character is allowed (`§ 5`, `Art. 3bis`, `(iv)`, `*`, `３.９`); labels are compared once
/// normalized (see [`crate::address::label_key`]).
pub(super) fn check_label(label: &str) -> Result<(), DomainError> {
    check_name("label", label)?;
    let invisible = |c: char| {
        matches!(c,
            '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if let Some(c) = label.chars().find(|c| invisible(*c)) {
        return Err(DomainError::Invalid(format!(
            "the label '{}' contains an invisible character (U+{:04X}); labels hold only characters that show",
            label.escape_debug(),
            c as u32
        )));
    }
    Ok(())
}

/// Check a handle or slug: lowercase letters, digits, `-`, `_` and `.`, starting with a letter
/// or digit.
pub fn check_handle(what: &'static str, s: &str) -> Result<(), DomainError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(DomainError::Invalid(format!(
            "'{s}' is not a valid {what}: use 1 to 64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"
        )))
    }
}
