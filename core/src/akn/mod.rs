//! Akoma Ntoso 3.0 (OASIS LegalDocML): the text at a point written as an Akoma Ntoso `bill`
//! (`write.rs`), and an Akoma Ntoso document read as a draft (`read.rs`), which `import` then
//! matches and plans as it does a Markdown draft.
//!
//! The mapping, both ways:
//!
//! - a clause is the element of its [`ClauseKind`] (`book` … `point`, `indent`, `hcontainer`),
//!   with its label in `num` and its heading in `heading`; its text is `content` when it holds
//!   no clauses, else `intro` before them; each paragraph of the text is a `p`, emphasis `i`,
//!   strong `b`, code `inline name="code"`, links `a`, a line break `eol`, and a footnote
//!   reference `[^m]` the note itself, an `authorialNote` with `marker="m"`, where the mark is;
//! - the recitals before the first other clause are the `preamble`'s `recitals`;
//! - a block of the text that is not a paragraph (a table, a list kept as text, a quote) is a
//!   `p class="travaux-markdown"` holding its Markdown as it is, so that it reads back the same;
//! - `eId`s follow the Akoma Ntoso naming convention (`art_5__para_1`), `wId`s are the
//!   clauses' stable ids;
//! - the metadata: FRBR identification (work, expression at the point, manifestation), the
//!   lifecycle (an `eventRef` per text change up to the point), and the references to the
//!   participants who made them (`TLCPerson`, `TLCOrganization`) and to the events.
//!
//! Reading also takes what other producers write: any document type (`act`, `bill`, `doc`…),
//! the hierarchy's other elements mapped to the nearest kind (`subpart` a part, `rule` an
//! article…), an unnumbered `list` (as LEOS holds a paragraph's points) read as its points
//! under the clause it is in and its `intro` as that clause's text, notes referenced by `noteRef` from the metadata's `notes`, the title from the
//! preface (`docTitle`, `shortTitle`, `longTitle`) or the work's `FRBRname`. A clause with no
//! `num` is labelled by its kind and place (`Chapter 2`), a recital `PP1`, `PP2`…

mod read;
#[cfg(test)]
pub(crate) mod tests;
mod write;
mod xml;

use crate::event::ClauseKind;
use crate::ids::ParticipantId;
use crate::vocabulary::ParticipantKind;
use crate::vocabulary::Timestamp;

pub use read::read_akn;
pub use write::{write_akn, Jurisdiction, WriteError};

/// The namespace of Akoma Ntoso 3.0.
pub const NAMESPACE: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

/// The class of a `p` that holds a block of Markdown as it is (a table, a quote).
pub(crate) const MARKDOWN_CLASS: &str = "travaux-markdown";

/// The class of a `p` that holds only notes no text references.
pub(crate) const NOTES_CLASS: &str = "travaux-notes";

/// One change to the text, for the document's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifecycleEvent {
    /// Its event number (the first, for a revision stored in several parts).
    pub seq: u64,
    /// When it was recorded.
    pub at: Timestamp,
    /// Who made it: the issuer of a revision, the proposer of an amendment accepted.
    pub by: ParticipantId,
    /// What it was, for people: "revision 2 (EB124/13)", "amendment A3 accepted".
    pub what: String,
}

/// Someone the metadata names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    /// Their id.
    pub id: ParticipantId,
    /// Their handle, which their `eId` is made from.
    pub handle: String,
    /// Their name, shown.
    pub name: String,
    /// What they are: a delegation, an organisation or the secretariat is a `TLCOrganization`,
    /// an expert or a member of the public a `TLCPerson`.
    pub kind: ParticipantKind,
}

/// The Akoma Ntoso element of a kind, and the `eId` prefix the naming convention gives it.
pub(crate) fn element_of(kind: ClauseKind) -> (&'static str, &'static str) {
    match kind {
        ClauseKind::Book => ("book", "book"),
        ClauseKind::Part => ("part", "part"),
        ClauseKind::Title => ("title", "title"),
        ClauseKind::Chapter => ("chapter", "chp"),
        ClauseKind::Section => ("section", "sec"),
        ClauseKind::Subsection => ("subsection", "subsec"),
        ClauseKind::Article => ("article", "art"),
        ClauseKind::Paragraph => ("paragraph", "para"),
        ClauseKind::Point => ("point", "point"),
        ClauseKind::Indent => ("indent", "indent"),
        ClauseKind::Recital => ("recital", "rec"),
        ClauseKind::Hcontainer => ("hcontainer", "hcontainer"),
    }
}

/// The kind of a hierarchical element read, by its local name: Akoma Ntoso's own, then the
/// nearest for the elements Travaux has no kind of. `None` for an element that is not one.
pub(crate) fn kind_of(element: &str) -> Option<ClauseKind> {
    Some(match element {
        "book" | "tome" => ClauseKind::Book,
        "part" | "subpart" => ClauseKind::Part,
        "title" | "subtitle" => ClauseKind::Title,
        "chapter" | "subchapter" => ClauseKind::Chapter,
        "section" => ClauseKind::Section,
        "subsection" | "division" | "subdivision" | "level" => ClauseKind::Subsection,
        "article" | "rule" | "clause" => ClauseKind::Article,
        "paragraph" | "subparagraph" | "subrule" | "subclause" | "alinea" | "proviso" => {
            ClauseKind::Paragraph
        }
        "point" | "list" | "sublist" => ClauseKind::Point,
        "indent" => ClauseKind::Indent,
        "recital" | "citation" => ClauseKind::Recital,
        "hcontainer" | "transitional" => ClauseKind::Hcontainer,
        _ => return None,
    })
}
