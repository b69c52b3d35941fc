//! `travaux completions SHELL` and `travaux man`: the shell completion script and the man pages,
//! made from the same description of the command line as `--help` (`help.rs`), with
//! clap_complete and clap_mangen. Neither opens a store.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use clap_complete::Shell;

use crate::error::{CliError, CliResult};

/// Arguments of `completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish
    pub shell: Shell,
}

/// Arguments of `man`.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write travaux.1 and a page per subcommand (travaux-log.1, travaux-amend-propose.1, …)
    /// into this directory (made if missing) rather than printing travaux.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Print the completion script for a shell.
pub fn completions(args: &CompletionsArgs, out: &mut dyn Write) -> CliResult {
    let mut cmd = crate::help::command();
    clap_complete::generate(args.shell, &mut cmd, "travaux", out);
    Ok(())
}

/// Print travaux.1, or write every page into a directory.
pub fn man(args: &ManArgs, json: bool, out: &mut dyn Write) -> CliResult {
    let mut cmd = crate::help::command();
    cmd.build();
    let Some(dir) = &args.dir else {
        clap_mangen::Man::new(cmd).render(out)?;
        return Ok(());
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::refused(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    write_pages(&cmd, "travaux", dir, &mut written)?;
    if json {
        writeln!(out, "{}", serde_json::json!({ "pages": written }))?;
    } else {
        for page in &written {
            writeln!(out, "{}", page.display())?;
        }
    }
    Ok(())
}

/// Write the page of this command and of each of its subcommands (clap_mangen's own
/// `generate_to`, which names a page by the command's name alone, would let `amend list` and
/// `role list` overwrite each other).
fn write_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> CliResult {
    let page = cmd
        .clone()
        .name(name.to_string())
        .bin_name(name.replace('-', " "));
    let path = dir.join(format!("{name}.1"));
    let mut file = std::fs::File::create(&path)
        .map_err(|e| CliError::refused(format!("cannot write {}: {e}", path.display())))?;
    clap_mangen::Man::new(page).render(&mut file)?;
    written.push(path);
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
