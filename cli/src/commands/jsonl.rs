//! `travaux export jsonl` and `travaux restore`: the whole record as JSON Lines, and a new
//! store built from it (the format is described in `travaux_store::jsonl`).

use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use travaux_store::jsonl::{self, RestoreError};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::globals::Globals;

/// Arguments of `export jsonl`.
#[derive(Args, Debug)]
pub struct JsonlArgs {
    /// Write to this file instead of the standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `restore`.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The export to restore (from `travaux export jsonl`); `-` reads the standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// A progress bar on the standard error when it is a terminal; nothing otherwise.
fn bar(verb: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{verb} {{bar:40}} {{human_pos}}/{{human_len}} events · {{per_sec}} · {{elapsed}} (eta {{eta}}) {{msg}}"
        ))
        .expect("a valid template"),
    );
    bar
}

/// Run `export jsonl`.
pub fn export(ctx: &mut Ctx<'_>, args: &JsonlArgs) -> CliResult {
    let started = std::time::Instant::now();
    let progress = bar("exporting");
    let checkpoints = ctx.store.checkpoint_lines()?;
    let mut set = |n: u64, of: u64| {
        progress.set_length(of);
        progress.set_position(n);
    };
    let header = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| CliError::refused(format!("cannot write {}: {e}", path.display())))?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            let header = ctx.store.export_jsonl(&mut out, &checkpoints, &mut set)?;
            out.into_inner()
                .map_err(|e| CliError::from(e.into_error()))?
                .sync_all()?;
            header
        }
        None => {
            let mut out = BufWriter::with_capacity(1 << 20, &mut *ctx.out);
            ctx.store.export_jsonl(&mut out, &checkpoints, &mut set)?
        }
    };
    progress.finish_and_clear();
    tracing::info!(events = header.events, elapsed = ?started.elapsed(), "exported");
    if let Some(path) = &args.output {
        if ctx.globals.json {
            return ctx.json(&serde_json::json!({
                "file": path, "events": header.events, "head": header.head,
                "checkpoints": header.checkpoints,
            }));
        }
        ctx.line(format_args!(
            "exported {} events (head hash {}) and {} checkpoints to {}",
            header.events,
            header.head,
            header.checkpoints,
            path.display()
        ))?;
    }
    Ok(())
}

/// Everything read from `inner` is also written to `copy`.
struct Tee<'a, R> {
    inner: R,
    copy: &'a mut dyn Write,
}

impl<R: std::io::Read> std::io::Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// `export jsonl` with `--server`: the server's `GET /v1/export.jsonl`, checked line by line as
/// it arrives (every hash, the chain, the count announced) and written as it is; an answer cut
/// short is an error, and a file written with `-o` is then removed.
pub fn export_from(
    server: &crate::client::Server,
    globals: &Globals,
    args: &JsonlArgs,
    out: &mut dyn Write,
) -> CliResult {
    let body = server.download("/v1/export.jsonl")?;
    let progress = bar("downloading");
    let checked = |copy: &mut dyn Write| {
        let mut input = BufReader::with_capacity(1 << 20, Tee { inner: body, copy });
        jsonl::read_export(&mut input, |_, of, e, _, _| {
            if e.seq % 4096 == 0 {
                progress.set_length(of);
                progress.set_position(e.seq);
            }
            Ok(())
        })
    };
    let read = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| CliError::refused(format!("cannot write {}: {e}", path.display())))?;
            let mut copy = BufWriter::with_capacity(1 << 20, file);
            let read = checked(&mut copy).and_then(|read| {
                let file = copy
                    .into_inner()
                    .map_err(|e| RestoreError::Read(e.into_error()))?;
                file.sync_all().map_err(RestoreError::Read)?;
                Ok(read)
            });
            if read.is_err() {
                let _ = std::fs::remove_file(path);
            }
            read
        }
        None => {
            let mut copy = BufWriter::with_capacity(1 << 20, &mut *out);
            let read = checked(&mut copy);
            copy.flush()?;
            read
        }
    };
    progress.finish_and_clear();
    let read = read.map_err(|e| {
        CliError::damaged(format!("the export from {} is not whole: {e}", server.base))
    })?;
    if let Some(path) = &args.output {
        let h = &read.header;
        if globals.json {
            writeln!(
                out,
                "{}",
                serde_json::json!({
                    "file": path, "events": h.events, "head": h.head,
                    "checkpoints": h.checkpoints,
                })
            )?;
        } else {
            writeln!(
                out,
                "exported {} events (head hash {}) and {} checkpoints to {}",
                h.events,
                h.head,
                h.checkpoints,
                path.display()
            )?;
        }
    }
    Ok(())
}

/// Run `restore`: a new store at `--store` from an export.
pub fn restore(globals: &Globals, args: &RestoreArgs, out: &mut dyn Write) -> CliResult {
    let target = globals.store_location();
    let started = std::time::Instant::now();
    let progress = bar("restoring");
    let mut input: Box<dyn std::io::BufRead> = if args.file.as_os_str() == "-" {
        Box::new(BufReader::with_capacity(1 << 20, std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| CliError::refused(format!("cannot read {}: {e}", args.file.display())))?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let restored = jsonl::restore(&target, &mut *input, |n, of| {
        progress.set_length(of);
        progress.set_position(n);
        if n == of {
            progress.set_message("rebuilding the read models");
        }
    });
    progress.finish_and_clear();
    let restored = restored.map_err(|e| match e {
        RestoreError::Store(e) => CliError::from(e),
        RestoreError::NotEmpty(_) => CliError::refused(e.to_string()),
        RestoreError::Read(_) | RestoreError::Bad { .. } => CliError::damaged(format!(
            "{}: {e}; nothing was restored",
            args.file.display()
        )),
    })?;
    tracing::info!(events = restored.events, elapsed = ?started.elapsed(), "restored");
    if globals.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({
                "store": target.to_string(), "events": restored.events, "head": restored.head,
                "checkpoints": restored.checkpoints,
            })
        )?;
    } else {
        writeln!(
            out,
            "restored {} events (head hash {}) and {} checkpoints into {}",
            restored.events, restored.head, restored.checkpoints, target
        )?;
    }
    Ok(())
}
