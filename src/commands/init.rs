//! `envmint init`: write the built-in preset as envmint.toml and cover secret files in
//! .gitignore.

use super::{Global, lock_timeout, shown};
use crate::cli::InitArgs;
use envmint::manifest::{FILE_NAME, PRESET};
use envmint::{Error, Exit, Result, atomic, gitignore};

pub fn run(global: &Global, _args: InitArgs) -> Result<Exit> {
    let cwd = super::cwd()?;
    let target = cwd.join(global.manifest.as_deref().unwrap_or(FILE_NAME.as_ref()));
    let timeout = lock_timeout()?;
    let ignore = target.parent().unwrap_or(&cwd).join(".gitignore");
    // Check .gitignore before writing anything, so a failure here leaves no half-done init.
    if let Some(bytes) = atomic::read_file(&ignore)? {
        gitignore_text(bytes.to_vec(), &ignore)?;
    }
    {
        let lock = atomic::lock(&target, timeout)?;
        if lock.read()?.is_some() {
            return Err(Error::cant_create(
                &target,
                "already exists; envmint init never overwrites it",
            )
            .with_hint("edit it, or move it away to start again from the preset"));
        }
        lock.write_public(PRESET.as_bytes())?;
    }
    super::say!(
        "wrote {} (the web preset: development, staging, production)",
        shown(&target, &cwd).display()
    );

    // One lock at a time: both files live in the same directory, whose lock is not reentrant.
    let lock = atomic::lock(&ignore, timeout)?;
    let existing = match lock.read()? {
        Some(bytes) => gitignore_text(bytes.to_vec(), &ignore)?,
        None => String::new(),
    };
    let (updated, added) = gitignore::ensure(&existing);
    if added.is_empty() {
        super::say!(
            "{} already covers secret files",
            shown(&ignore, &cwd).display()
        );
    } else {
        lock.write_public(updated.as_bytes())?;
        super::say!(
            "{} {}: {}",
            if existing.is_empty() {
                "created"
            } else {
                "updated"
            },
            shown(&ignore, &cwd).display(),
            added.join(" ")
        );
    }
    Ok(Exit::Ok)
}

fn gitignore_text(bytes: Vec<u8>, path: &std::path::Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        Error::data(
            envmint::error::Location::new(path, None),
            "not valid UTF-8; envmint left it untouched",
        )
        .with_hint(
            "add these lines to it by hand: .env*.local *.age.key .*.envmint-tmp.* !.env.example",
        )
    })
}
