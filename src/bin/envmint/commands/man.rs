//! `envmint man [--dir DIR]`: manual pages made from the command-line definitions in `cli.rs`
//! (clap_mangen), so they say what `--help` says. Without `--dir`, envmint(1) on stdout; with
//! it, envmint.1 and one page per command (`envmint-bootstrap.1`, `envmint-git-merge.1`, ...).

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::error::{Error, Result};
use clap::CommandFactory;
use envmint::Exit;
use envmint::error::Op;

use crate::cli::{Cli, ManArgs};
use crate::output::say;

/// Prints envmint(1), or writes every page into `--dir`.
pub fn run(args: ManArgs) -> Result<Exit> {
    let Some(dir) = args.dir else {
        let page = render(&clap_mangen::Man::new(Cli::command()))?;
        crate::output::check_stdout()?;
        crate::output::write_stdout(&page)?;
        return Ok(Exit::Ok);
    };
    let mut pages = Vec::new();
    // The `help` subcommand has no page of its own: `envmint help X` is `envmint X --help`.
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    collect(root, &mut pages)?;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::cant_create(
            &dir,
            "cannot write manual pages into it: it is not a folder",
        )
        .with_hint("give --dir a folder, e.g. --dir ~/.local/share/man/man1"));
    }
    fs::create_dir_all(&dir).map_err(|e| Error::writing(&dir, Op::Create, e))?;
    for (name, page) in &pages {
        write_page(&dir.join(name), page)?;
    }
    say!(
        "wrote {} manual pages to {} (envmint.1 and one per command)",
        pages.len(),
        dir.display()
    );
    Ok(Exit::Ok)
}

/// Renders `cmd`'s page and those of its visible subcommands, as (file name, roff) pairs.
fn collect(cmd: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub.clone(), pages)?;
    }
    let man = clap_mangen::Man::new(cmd);
    pages.push((man.get_filename(), render(&man)?));
    Ok(())
}

/// One page as roff text.
fn render(man: &clap_mangen::Man) -> Result<Vec<u8>> {
    let mut page = Vec::new();
    man.render(&mut page)
        .map_err(|e| Error::writing(Path::new("<memory>"), Op::Write, e))?;
    Ok(page)
}

/// Replaces `path` with `page` in one rename, readable by all (0644) as manual pages are: a
/// reader never sees half a page, and a failure leaves the old page.
fn write_page(path: &Path, page: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".envmint-man.")
        .tempfile_in(dir)
        .map_err(|e| Error::writing(path, Op::Create, e))?;
    temp.write_all(page)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::writing(path, Op::Write, e))?;
    fs::set_permissions(temp.path(), fs::Permissions::from_mode(0o644))
        .map_err(|e| Error::writing(path, Op::SetMode, e))?;
    temp.persist(path)
        .map_err(|e| Error::writing(path, Op::Replace, e.error))?;
    Ok(())
}
