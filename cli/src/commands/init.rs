//! `travaux init`: create an empty store.

use std::io::Write;

use travaux_store::Store;

use crate::cli::Globals;
use crate::error::CliResult;

/// Create the store, or say that it exists.
pub fn run(globals: &Globals, out: &mut dyn Write) -> CliResult {
    let path = globals.store_path();
    let (_, created) = Store::create(&path)?;
    if globals.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({ "store": path, "created": created })
        )?;
    } else if created {
        writeln!(
            out,
            "initialised an empty travaux store in {}",
            path.display()
        )?;
    } else {
        writeln!(
            out,
            "{} is already a travaux store; nothing changed",
            path.display()
        )?;
    }
    Ok(())
}
