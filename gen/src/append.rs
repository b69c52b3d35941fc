//! The driver: a [`Generator`] on a thread of its own makes the batches while the calling
//! thread appends them to the [`Store`] through its public API ([`Store::append`]), so the two
//! overlap. Each batch is one durable append.

use std::sync::mpsc;

use travaux_core::DomainError;
use travaux_store::{Store, StoreError};

use crate::{Batch, Generator, Spec, Summary};

/// Generate a history into `store`, which must hold no event yet (otherwise nothing is written
/// and an error says so). `progress` is told how many events are durable after each append.
/// An error after the first append leaves the events appended so far in the store.
pub fn generate(
    store: &Store,
    spec: &Spec,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, StoreError> {
    let (head, _) = store.head();
    if head > 0 {
        return Err(StoreError::Domain(DomainError::Invalid(format!(
            "the store at {} already holds {head} events; a history is generated only into a new, empty store",
            store.location()
        ))));
    }
    let mut generator = Generator::new(spec)?;
    let (generator, outcome) = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Result<Batch, StoreError>>(4);
        let producer = scope.spawn(move || {
            loop {
                match generator.next_batch() {
                    Ok(Some(batch)) => {
                        if tx.send(Ok(batch)).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
            generator
        });
        let mut outcome = Ok(());
        for batch in rx {
            let appended = batch.and_then(|b| store.append(b.stream, b.expected, b.events));
            match appended {
                Ok(_) => progress(store.head().0),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        (producer.join().expect("the generator thread"), outcome)
    });
    outcome?;
    let (head, hash) = store.head();
    let summary = generator.summary(hash);
    if head != summary.events {
        return Err(StoreError::Corrupt(format!(
            "the generator made {} events but the log holds {head}",
            summary.events
        )));
    }
    Ok(summary)
}
