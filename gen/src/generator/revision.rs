//! The secretariat's revisions: paragraphs reworded, added, moved or removed, articles moved,
//! everything renumbered; agreed paragraphs it touches reopened first.

use std::collections::BTreeSet;

use travaux_core::{
    decide, Agreement, ClauseId, ClauseOp, Command, DomainError, Event, EventId, Hash,
    RecordedEvent, StreamId,
};
use travaux_store::StoreError;
use uuid::Uuid;

use super::{doc, siblings, Generator};
use crate::dice::Dice;
use crate::wording::{clause_text, reword};

impl Generator {
    /// The secretariat issues a revision: some paragraphs reworded, articles kept between 3
    /// and 8 paragraphs, perhaps a paragraph added, moved, an article moved, and everything
    /// renumbered in order. Agreed paragraphs are not reworded, but if the revision moves,
    /// removes or renumbers one, the chair first reopens it. Skipped if it would take more
    /// events than remain.
    pub(super) fn revise(&mut self) -> Result<(), StoreError> {
        let sec = self.secretariat();
        let chair = self.chair();
        let label = Some(format!("Rev.{}", doc(&self.state).revisions));
        let mut ops = self.revision_ops(true);
        let mut tried = self.try_revision(&label, &ops);
        if tried.is_err() {
            ops = self.revision_ops(false);
            if ops.is_empty() {
                return Ok(());
            }
            tried = self.try_revision(&label, &ops);
        }
        let (reopened, parts) = tried?;
        if (reopened.len() + parts) as u64 > self.remaining() {
            return Ok(());
        }
        for clause in reopened {
            self.must(
                chair,
                Command::RecordAgreement {
                    clause,
                    agreement: Agreement::Open,
                },
            )?;
        }
        self.must(
            sec,
            Command::IssueRevision {
                title: None,
                label,
                ops,
            },
        )
    }

    /// Decide a revision as if the agreed clauses it touches had been reopened: those clauses,
    /// and how many events the revision makes.
    fn try_revision(
        &self,
        label: &Option<String>,
        ops: &[ClauseOp],
    ) -> Result<(Vec<ClauseId>, usize), DomainError> {
        let st = doc(&self.state);
        let locked: BTreeSet<ClauseId> = ops
            .iter()
            .map(ClauseOp::clause)
            .filter(|c| st.agreement_of(*c).is_locked())
            .collect();
        let cmd = Command::IssueRevision {
            title: None,
            label: label.clone(),
            ops: ops.to_vec(),
        };
        let events = if locked.is_empty() {
            decide(st, self.secretariat(), &self.registry, cmd)?
        } else {
            let mut reopened = st.clone();
            for c in &locked {
                reopened.process.agreement.remove(c);
            }
            decide(&reopened, self.secretariat(), &self.registry, cmd)?
        };
        Ok((locked.into_iter().collect(), events.len()))
    }

    fn revision_ops(&mut self, restructure: bool) -> Vec<ClauseOp> {
        self.outline.stale = true;
        self.refresh_outline();
        let st = doc(&self.state);
        let d = &mut self.dice;
        let o = &self.outline;
        let mut ops = Vec::new();
        let mut added = BTreeSet::new();
        let mut removed = BTreeSet::new();
        let mut new_paragraph = |d: &mut Dice, ops: &mut Vec<ClauseOp>, article, after| {
            let clause = ClauseId(d.uuid());
            added.insert(clause);
            ops.push(ClauseOp::Add {
                kind: None,
                notes: Vec::new(),
                clause,
                parent: Some(article),
                after,
                label: format!("new {}", clause.short()),
                heading: None,
                text: clause_text(d),
            });
        };
        if restructure {
            for article in &o.articles {
                let kids = &st.clause(*article).expect("live").children;
                if kids.len() < 3 {
                    new_paragraph(d, &mut ops, *article, kids.last().copied());
                } else if kids.len() > 8 {
                    let last = *kids.last().expect("paragraphs");
                    removed.insert(last);
                    ops.push(ClauseOp::Remove { clause: last });
                }
            }
            if d.chance(300) {
                let article = *d.pick(&o.articles);
                let kids: Vec<ClauseId> = st.clause(article).expect("live").children.clone();
                let kids: Vec<ClauseId> =
                    kids.into_iter().filter(|k| !removed.contains(k)).collect();
                if (1..8).contains(&kids.len()) {
                    let after = *d.pick(&kids);
                    new_paragraph(d, &mut ops, article, Some(after));
                }
            }
            if d.chance(500) {
                let clause = *d.pick(&o.paragraphs);
                if !removed.contains(&clause) && siblings(st, clause) >= 4 {
                    let to = if d.chance(600) {
                        st.clause(clause).expect("live").parent.expect("an article")
                    } else {
                        *d.pick(&o.articles)
                    };
                    let kids: Vec<ClauseId> = st
                        .clause(to)
                        .expect("live")
                        .children
                        .iter()
                        .copied()
                        .filter(|k| *k != clause && !removed.contains(k))
                        .collect();
                    let i = d.below(kids.len() + 1);
                    ops.push(ClauseOp::Move {
                        clause,
                        parent: Some(to),
                        after: kids.get(i).copied(),
                    });
                }
            }
            if o.articles.len() >= 3 && d.chance(250) {
                let i = d.below(o.articles.len());
                let j = d.below(o.articles.len());
                if i != j {
                    ops.push(ClauseOp::Move {
                        clause: o.articles[i],
                        parent: None,
                        after: Some(o.articles[j]),
                    });
                }
            }
        }
        // Paragraphs agreed stay as they are; at least one other is reworded.
        let open = |c: &ClauseId| !removed.contains(c) && !st.agreement_of(*c).is_locked();
        let last_open = o.texts.iter().rposition(open);
        let mut reworded = 0;
        for (n, clause) in o.texts.iter().enumerate() {
            let last_chance = reworded == 0 && Some(n) == last_open;
            if !open(clause) || !(last_chance || d.chance(200)) {
                continue;
            }
            let text = reword(d, &st.clause(*clause).expect("live").text);
            ops.push(ClauseOp::Reword {
                kind: None,
                notes: Vec::new(),
                clause: *clause,
                heading: None,
                text,
            });
            reworded += 1;
        }

        // Renumber: the labels the text will have after these operations, in reading order.
        let mut after = st.clone();
        after.evolve(&RecordedEvent {
            seq: st.seq + 1,
            id: EventId(Uuid::nil()),
            stream: StreamId::document(st.id),
            version: st.version + 1,
            recorded_at: self.clock,
            actor: self.people.secretariat.expect("registered"),
            schema: 1,
            prev_hash: Hash::default(),
            hash: Hash::default(),
            event: Event::RevisionIssued {
                title: None,
                revision: st.revisions + 1,
                label: None,
                ops: ops.clone(),
            },
        });
        let mut wanted = Vec::new();
        let (mut pp, mut art) = (0, 0);
        for root in after.roots() {
            let c = after.clause(*root).expect("live");
            if c.heading.is_some() {
                art += 1;
                wanted.push((c.id, format!("Article {art}")));
                for (j, kid) in c.children.iter().enumerate() {
                    wanted.push((*kid, format!("{art}.{}", j + 1)));
                }
            } else {
                pp += 1;
                wanted.push((c.id, format!("PP{pp}")));
            }
        }
        for (clause, label) in wanted {
            if added.contains(&clause) {
                for op in ops.iter_mut() {
                    if let ClauseOp::Add {
                        clause: c,
                        label: l,
                        ..
                    } = op
                    {
                        if *c == clause {
                            *l = label.clone();
                        }
                    }
                }
            } else if after.clause(clause).expect("live").label != label {
                ops.push(ClauseOp::Relabel { clause, label });
            }
        }
        ops
    }
}
