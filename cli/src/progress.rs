//! Progress on a terminal for the commands that walk the whole store (`verify`, `rebuild`,
//! `compact`): a spinner with what is being done and the time it has taken, drawn on stderr
//! only when stderr is a terminal, so nothing of it reaches a pipe or a log file. `rebuild`
//! has a bar, counted in events as the store reads them; `verify` and `compact` are one call to
//! the store each, so a spinner turns around it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner saying what is being done, or nothing when stderr is not a terminal.
pub fn spinner(message: String) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} · {elapsed}").expect("a valid template"),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar of `total` events with what is being done, or nothing when stderr is not a terminal.
pub fn bar(total: u64, message: String) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} {bar:20} {human_pos}/{human_len} · {elapsed} (eta {eta})",
        )
        .expect("a valid template"),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Thousands separated by commas, as the spinner tells counts.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    let head = digits.len() % 3;
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 3 == head % 3 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
