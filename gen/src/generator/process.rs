//! The process around the text: stages opened and closed as phases, consultation questions,
//! the ordinary steps of a hearing and of a session, comments and answers, tags.

use chrono::Duration;
use travaux_core::{
    Command, CommentNo, ParticipantId, PhaseKind, PhaseNo, Position, QuestionNo, Window,
};
use travaux_store::StoreError;

use super::{doc, open, Chore, Generator, Stage};
use crate::vocabulary::{COUNTRIES, QUESTIONS, REGIONS, TOPICS};
use crate::wording::comment_text;

impl Generator {
    /// Open the phase of a stage and count its steps. The first hearing is a web-based public
    /// hearing with questions; later ones are public hearings (with questions too), regional
    /// or national consultations (delegations only); a session is a session of the drafting
    /// committee, in which a few brackets will be raised.
    pub(super) fn open_stage(&mut self, stage: Stage) -> Result<(), StoreError> {
        let cycle = self.cycle();
        let share = self.dice.range(35, 65);
        self.left = match stage {
            Stage::Hearing => cycle * share / 100,
            Stage::Session => cycle * (100 - share) / 100,
        };
        self.stage = stage;
        let (who, kind, name) = match stage {
            Stage::Hearing => {
                self.hearings += 1;
                let kind = if self.hearings == 1 {
                    PhaseKind::PublicHearing
                } else {
                    [
                        PhaseKind::PublicHearing,
                        PhaseKind::RegionalConsultation,
                        PhaseKind::NationalConsultation,
                    ][self.dice.weighted(&[55, 30, 15])]
                };
                let name = match kind {
                    PhaseKind::PublicHearing if self.hearings == 1 => {
                        "Web-based public hearing".to_string()
                    }
                    PhaseKind::PublicHearing => match doc(&self.state).revisions {
                        0 | 1 => format!("Public hearing {}", self.hearings),
                        n => format!("Public hearing on Rev.{}", n - 1),
                    },
                    PhaseKind::RegionalConsultation => {
                        format!("Regional consultation, {}", self.dice.phrase(REGIONS))
                    }
                    _ => {
                        let k = self.dice.below(self.people.delegations.len());
                        let country = COUNTRIES
                            .get(k)
                            .map_or_else(|| format!("Delegation {}", k + 1), |c| c.to_string());
                        format!("National consultation, {country}")
                    }
                };
                (self.secretariat(), kind, name)
            }
            Stage::Session => {
                self.sessions += 1;
                self.brackets_due = self.dice.range(1, 4);
                let name = format!("Drafting committee, session {}", self.sessions);
                (self.chair(), PhaseKind::CommitteeSession, name)
            }
        };
        // Planned for about as long as its steps take (165 s each on average).
        let from = self.clock.date_naive();
        let days = (self.left * 165).div_ceil(86_400) as i64;
        let window = Window {
            from: Some(from),
            until: Some(from + Duration::days(days)),
        };
        self.must(
            who,
            Command::OpenPhase {
                kind,
                name,
                window,
                admits: None,
            },
        )?;
        let no = PhaseNo(doc(&self.state).process.phases.len() as u32);
        self.open_phase = Some((no, kind));
        if kind == PhaseKind::PublicHearing {
            for _ in 0..self.dice.range(2, 4) {
                self.agenda.push_front(Chore::Pose);
            }
            self.answers_due = self.dice.range(20, 60);
        }
        Ok(())
    }

    /// The secretariat poses a question of the hearing open now, about a paragraph or two.
    pub(super) fn pose(&mut self) -> Result<(), StoreError> {
        self.refresh_outline();
        let (group, template) = *self.dice.pick(QUESTIONS);
        let topic = self.dice.phrase(TOPICS);
        let mut clauses = vec![*self.dice.pick(&self.outline.texts)];
        if self.dice.chance(400) {
            let other = *self.dice.pick(&self.outline.texts);
            if other != clauses[0] {
                clauses.push(other);
            }
        }
        self.must(
            self.secretariat(),
            Command::PoseQuestion {
                group: Some(format!("Box {}: {group}", self.questions.len() + 1)),
                text: template.replace("{t}", topic),
                clauses,
            },
        )?;
        let no = QuestionNo(doc(&self.state).process.questions.len() as u32);
        self.questions.push(no);
        Ok(())
    }

    /// Close the phase open now: a hearing by the secretariat, a session by the chair.
    pub(super) fn close_phase(&mut self) -> Result<(), StoreError> {
        let Some((no, kind)) = self.open_phase.take() else {
            return Ok(());
        };
        self.questions.clear();
        let who = if kind == PhaseKind::CommitteeSession {
            self.chair()
        } else {
            self.secretariat()
        };
        self.must(who, Command::ClosePhase(no))
    }

    /// A comment in a hearing, or now and then an answer to one of its questions: from the
    /// public, a non-State actor or a delegation in a public hearing; from a delegation (or
    /// the secretariat or the chair) in a consultation.
    pub(super) fn hearing_step(&mut self) -> Result<(), StoreError> {
        let who = if matches!(self.open_phase, Some((_, PhaseKind::PublicHearing))) {
            match self.dice.weighted(&[60, 25, 15]) {
                0 => *self.dice.pick(&self.people.public),
                1 => *self.dice.pick(&self.people.observers),
                _ => *self.dice.pick(&self.people.delegations),
            }
        } else {
            match self.dice.weighted(&[85, 10, 5]) {
                0 => *self.dice.pick(&self.people.delegations),
                1 => self.secretariat(),
                _ => self.chair(),
            }
        };
        // A hearing's answers (a few dozen submissions, however long it is) come at moments
        // spread over it.
        if self.answers_due > 0
            && !self.questions.is_empty()
            && self.dice.below(self.left as usize + 1) < self.answers_due as usize
        {
            self.answers_due -= 1;
            return self.answer(who);
        }
        self.comment(who)
    }

    pub(super) fn session_step(&mut self) -> Result<(), StoreError> {
        // The session's brackets come at moments spread over it, their alternatives soon
        // after them.
        let left = self.left as usize + 1;
        if self.brackets_due > 0 && self.dice.below(left) < self.brackets_due as usize {
            self.brackets_due -= 1;
            if self.bracket()? {
                return Ok(());
            }
        }
        if self.alternatives_due > 0 && self.dice.below(left) < 8 * self.alternatives_due as usize {
            self.alternatives_due -= 1;
            if self.alternative()? {
                return Ok(());
            }
        }
        let open = open(&self.state).count() as u32;
        let any = u32::from(open > 0);
        let weights = [
            if open < 60 { 18 } else { 0 }, // propose
            24 * any,                       // support
            12 * any,                       // oppose
            (10 + open / 2).min(40) * any,  // decide
            2 * any,                        // withdraw
            26,                             // comment
        ];
        let done = match self.dice.weighted(&weights) {
            0 => self.propose()?,
            1 => self.back(true)?,
            2 => self.back(false)?,
            3 => self.decide_one()?,
            4 => self.withdraw()?,
            _ => false,
        };
        if done {
            return Ok(());
        }
        let who = match self.dice.weighted(&[70, 20, 5, 5]) {
            0 => *self.dice.pick(&self.people.delegations),
            1 => *self.dice.pick(&self.people.observers),
            2 => self.chair(),
            _ => self.secretariat(),
        };
        self.comment(who)
    }

    fn comment(&mut self, who: ParticipantId) -> Result<(), StoreError> {
        self.refresh_outline();
        let n = doc(&self.state).comments;
        let reply_to = (n > 0 && self.dice.chance(150))
            .then(|| CommentNo(n - self.dice.below(n.min(30) as usize) as u32));
        let clause = self
            .dice
            .chance(800)
            .then(|| *self.dice.pick(&self.outline.all));
        let position = [Position::Support, Position::Oppose, Position::Neutral]
            [self.dice.weighted(&[30, 30, 40])];
        let text = comment_text(&mut self.dice, position, reply_to.is_some());
        self.must(
            who,
            Command::PostComment {
                clause,
                position,
                text,
                reply_to,
            },
        )
    }

    /// An answer to a question of the hearing open now, half the time about one of the
    /// paragraphs it asks about.
    fn answer(&mut self, who: ParticipantId) -> Result<(), StoreError> {
        let question = *self.dice.pick(&self.questions);
        let st = doc(&self.state);
        let about = &st.process.questions[&question].clauses;
        let clause = if self.dice.chance(500) {
            let c = *self.dice.pick(about);
            st.clause(c).map(|_| c)
        } else {
            None
        };
        let position = [Position::Support, Position::Oppose, Position::Neutral]
            [self.dice.weighted(&[30, 30, 40])];
        let text = comment_text(&mut self.dice, position, false);
        self.must(
            who,
            Command::AnswerQuestion {
                question,
                clause,
                position,
                text,
            },
        )
    }

    pub(super) fn tag(&mut self, who: ParticipantId) -> Result<(), StoreError> {
        let name = format!("gen-{:04}", self.tags.len() + 1);
        let seq = doc(&self.state).seq;
        self.must(
            who,
            Command::SetTag {
                name: name.clone(),
                seq,
            },
        )?;
        self.tags.push(name);
        Ok(())
    }
}
