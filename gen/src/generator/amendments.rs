//! The text negotiated in session: amendments proposed, supported, opposed, withdrawn and
//! decided (by consensus or by vote); words put in brackets, alternatives to them, brackets
//! lifted; paragraphs recorded as agreed.

use travaux_core::{
    Agreement, BracketNo, BracketStatus, Change, ClauseId, Command, Method, Outcome,
};
use travaux_store::StoreError;

use super::{doc, open, siblings, Generator};
use crate::wording::{alternative_text, clause_text, reword, words};

impl Generator {
    /// A delegation proposes an amendment: mostly new wording for a paragraph, a few words
    /// changed; sometimes a new paragraph, a deletion or a move; never a change to an agreed
    /// paragraph. `false` if none fits.
    pub(super) fn propose(&mut self) -> Result<bool, StoreError> {
        self.refresh_outline();
        let who = *self.dice.pick(&self.people.delegations);
        let st = doc(&self.state);
        let change = match self.dice.weighted(&[90, 3, 3, 4]) {
            0 => {
                let clause = *self.dice.pick(&self.outline.texts);
                if st.agreement_of(clause).is_locked() {
                    return Ok(false);
                }
                let text = reword(&mut self.dice, &st.clause(clause).expect("live").text);
                Change::Replace { clause, text }
            }
            1 => {
                let article = *self.dice.pick(&self.outline.articles);
                let kids = &st.clause(article).expect("live").children;
                let Some(after) = kids.get(self.dice.below(kids.len().max(1))).copied() else {
                    return Ok(false);
                };
                let base = &st.clause(after).expect("live").label;
                let Some(label) = ["bis", "ter", "quater", "quinquies", "sexies"]
                    .iter()
                    .map(|s| format!("{base} {s}"))
                    .find(|l| st.resolve_clause(l).is_err())
                else {
                    return Ok(false);
                };
                Change::Insert {
                    clause: ClauseId(self.dice.uuid()),
                    parent: Some(article),
                    after: Some(after),
                    label,
                    text: clause_text(&mut self.dice),
                }
            }
            2 => {
                let clause = *self.dice.pick(&self.outline.paragraphs);
                if siblings(st, clause) < 3 || st.agreement_of(clause).is_locked() {
                    return Ok(false);
                }
                Change::Delete { clause }
            }
            _ => {
                let clause = *self.dice.pick(&self.outline.paragraphs);
                if siblings(st, clause) < 3 || st.agreement_of(clause).is_locked() {
                    return Ok(false);
                }
                let from = st.clause(clause).expect("live").parent;
                let to = if self.dice.chance(700) {
                    from
                } else {
                    Some(*self.dice.pick(&self.outline.articles))
                };
                let kids: Vec<ClauseId> = st
                    .clause(to.expect("an article"))
                    .expect("live")
                    .children
                    .iter()
                    .copied()
                    .filter(|k| *k != clause)
                    .collect();
                let i = self.dice.below(kids.len() + 1);
                let after = if i == kids.len() { None } else { Some(kids[i]) };
                Change::Move {
                    clause,
                    parent: to,
                    after,
                }
            }
        };
        self.put_forward(who, change)
    }

    /// A delegation supports or opposes a recent open amendment it has not taken a side on.
    pub(super) fn back(&mut self, support: bool) -> Result<bool, StoreError> {
        let count = open(&self.state).count();
        let k = self.dice.below(count.min(12));
        let a = open(&self.state).rev().nth(k).expect("open");
        for _ in 0..6 {
            let who = *self.dice.pick(&self.people.delegations);
            if who != a.proposer && !a.supporters.contains(&who) && !a.opposers.contains(&who) {
                let cmd = if support {
                    Command::SupportAmendment(a.no)
                } else {
                    Command::OpposeAmendment(a.no)
                };
                self.must(who, cmd)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The proposer withdraws an open amendment.
    pub(super) fn withdraw(&mut self) -> Result<bool, StoreError> {
        let k = self.dice.below(open(&self.state).count());
        let a = open(&self.state).nth(k).expect("open");
        let (who, no) = (a.proposer, a.no);
        self.must(who, Command::WithdrawAmendment(no))?;
        Ok(true)
    }

    /// A delegation puts words of a paragraph in square brackets: a phrase of 3 to 12 words
    /// between punctuation that occurs once in a paragraph still open, with no brackets yet.
    /// `false` if none of a few paragraphs tried fits.
    pub(super) fn bracket(&mut self) -> Result<bool, StoreError> {
        self.refresh_outline();
        let who = *self.dice.pick(&self.people.delegations);
        let st = doc(&self.state);
        for _ in 0..4 {
            let clause = *self.dice.pick(&self.outline.texts);
            let c = st.clause(clause).expect("live");
            if st.agreement_of(clause).is_locked() || !st.open_brackets_on(c).is_empty() {
                continue;
            }
            let spans: Vec<&str> = c
                .text
                .split([',', ';', '.'])
                .map(str::trim)
                .filter(|s| (3..=12).contains(&words(s)) && c.text.matches(*s).count() == 1)
                .collect();
            if spans.is_empty() {
                continue;
            }
            let span = self.dice.pick(&spans).to_string();
            self.must(who, Command::BracketText { clause, span })?;
            self.alternatives_due += self.dice.range(1, 3);
            return Ok(true);
        }
        Ok(false)
    }

    /// A delegation proposes other words for one of the latest open brackets (three
    /// alternatives at most). `false` if none fits.
    pub(super) fn alternative(&mut self) -> Result<bool, StoreError> {
        let st = doc(&self.state);
        let candidates: Vec<(BracketNo, ClauseId, String)> = st
            .process
            .brackets
            .values()
            .rev()
            .filter(|b| b.status == BracketStatus::Open && st.alternatives(b.no).count() < 3)
            .take(4)
            .map(|b| (b.no, b.clause, b.span.clone()))
            .collect();
        if candidates.is_empty() {
            return Ok(false);
        }
        let (bracket, clause, span) = self.dice.pick(&candidates).clone();
        let who = *self.dice.pick(&self.people.delegations);
        let change = Change::Alternative {
            clause,
            bracket,
            text: alternative_text(&mut self.dice, &span),
        };
        self.put_forward(who, change)
    }

    /// The chair lifts the oldest open bracket that no alternative still open is offered for,
    /// keeping the words as drafted. Nothing if there is none.
    pub(super) fn lift(&mut self) -> Result<(), StoreError> {
        let st = doc(&self.state);
        let Some(bracket) = st
            .process
            .brackets
            .values()
            .find(|b| b.status == BracketStatus::Open && st.alternatives(b.no).next().is_none())
            .map(|b| b.no)
        else {
            return Ok(());
        };
        self.must(
            self.chair(),
            Command::LiftBracket {
                bracket,
                method: Method::Consensus,
            },
        )
    }

    /// The chair records a paragraph with no open bracket and no amendment pending as agreed
    /// ad referendum, or one agreed ad referendum as agreed. Nothing if none of a few tried
    /// fits.
    pub(super) fn agree(&mut self) -> Result<(), StoreError> {
        self.refresh_outline();
        let st = doc(&self.state);
        for _ in 0..4 {
            let clause = *self.dice.pick(&self.outline.texts);
            let agreement = match st.agreement_of(clause) {
                Agreement::Open => Agreement::AgreedAdReferendum,
                Agreement::AgreedAdReferendum => Agreement::Agreed,
                Agreement::Agreed => continue,
            };
            let c = st.clause(clause).expect("live");
            if !st.open_brackets_on(c).is_empty() || st.pending_on(clause).next().is_some() {
                continue;
            }
            return self.must(self.chair(), Command::RecordAgreement { clause, agreement });
        }
        Ok(())
    }

    /// The chair decides an open amendment, mostly the oldest: accepted, accepted as modified,
    /// rejected or deferred, by consensus or by vote. An outcome the text no longer allows
    /// (its clause was removed since, or its bracket lifted, say) becomes a rejection. Accepting
    /// a change to an agreed paragraph reopens it. `false` if the decision would take more
    /// events than remain.
    pub(super) fn decide_one(&mut self) -> Result<bool, StoreError> {
        let chair = self.chair();
        let st = doc(&self.state);
        let count = open(&self.state).count();
        let a = if self.dice.chance(700) {
            open(&self.state).next()
        } else {
            open(&self.state).nth(self.dice.below(count))
        }
        .expect("open");
        let no = a.no;
        let worded = matches!(a.change, Change::Replace { .. } | Change::Insert { .. });
        let mut outcome = match self
            .dice
            .weighted(&[35, if worded { 20 } else { 0 }, 30, 15])
        {
            0 => Outcome::Accepted,
            1 => {
                let proposed = match &a.change {
                    Change::Replace { text, .. } | Change::Insert { text, .. } => text.as_str(),
                    _ => unreachable!("only worded changes are modified"),
                };
                Outcome::AcceptedAsModified {
                    text: reword(&mut self.dice, proposed),
                }
            }
            2 => Outcome::Rejected,
            _ => Outcome::Deferred,
        };
        if let Change::Delete { clause } = a.change {
            if outcome == Outcome::Accepted
                && st.clause(clause).is_some_and(|_| siblings(st, clause) < 3)
            {
                outcome = Outcome::Rejected;
            }
        }
        // Changing an agreed paragraph reopens it in the same decision.
        let reopen = matches!(
            outcome,
            Outcome::Accepted | Outcome::AcceptedAsModified { .. }
        ) && st.agreement_of(a.change.clause()).is_locked();
        let method = if outcome != Outcome::Deferred && self.dice.chance(200) {
            self.vote(matches!(outcome, Outcome::Rejected))
        } else {
            Method::Consensus
        };
        let cmd = Command::RecordDecision {
            reopen,
            amendment: no,
            outcome,
            method,
        };
        let events = match self.decide(chair, cmd) {
            Ok(events) => events,
            Err(_) => self.decide(
                chair,
                Command::RecordDecision {
                    reopen: false,
                    amendment: no,
                    outcome: Outcome::Rejected,
                    method: Method::Consensus,
                },
            )?,
        };
        // A decision that reopens a paragraph, or accepts an alternative (rejecting the others
        // with it), makes several events: not more than remain.
        if events.len() as u64 > self.remaining() {
            return Ok(false);
        }
        self.commit(chair, events);
        Ok(true)
    }

    /// A tally among the delegations present: a majority in favour, or not.
    fn vote(&mut self, against: bool) -> Method {
        let d = self.people.delegations.len() as u64;
        let present = (d * self.dice.range(70, 100) / 100).max(1);
        let majority = present * self.dice.range(51, 85) / 100 + 1;
        let majority = majority.min(present);
        let rest = present - majority;
        let minority = rest * self.dice.range(40, 100) / 100;
        let abstain = rest - minority;
        let (yes, no) = if against {
            (minority, majority)
        } else {
            (majority, minority)
        };
        Method::Vote {
            yes: yes as u32,
            no: no as u32,
            abstain: abstain as u32,
        }
    }
}
