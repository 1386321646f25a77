//! `envmint init`: cover secret files in .gitignore, then write a built-in preset (`web`, or
//! `--preset NAME`) as envmint.toml unless one is already there.
//!
//! The order matters: `.gitignore` comes first because it is what protects secrets, and an
//! existing `envmint.toml` is kept and reported, not an error. So a run that failed half way (a
//! full disk, a read-only file) is finished by running `init` again: the command converges.

use crate::cli::InitArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::resolve::Global;
use envmint::manifest::{FILE_NAME, preset};
use envmint::path::shown;
use envmint::{Exit, atomic, gitignore};
use std::path::Path;

pub fn run(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    global: &Global,
    args: InitArgs,
) -> Result<Exit> {
    let cwd = ctx.cwd()?.to_path_buf();
    let given = args.manifest.as_deref().unwrap_or(FILE_NAME.as_ref());
    refuse_odd_target(given)?;
    let target = cwd.join(given);
    let dir = target.parent().unwrap_or(&cwd);
    if !dir.is_dir() {
        return Err(Error::cant_create(&target, "its folder does not exist")
            .with_hint("create the folder first, or give --manifest a path in an existing one"));
    }
    // Something that is not a regular file in the manifest's place stops init before the
    // .gitignore beside it is touched (`--manifest /dev/null` must not write /dev/.gitignore).
    atomic::read_regular(&target, envmint::manifest::MAX_MANIFEST_BYTES, ctx.euid)?;
    let timeout = resolved.lock_timeout(&ctx.lock_timeout)?;
    let ignore = dir.join(".gitignore");
    // `.gitignore` (and the manifest's name) may be committed symlinks: they stay in the
    // folder init works in, as every path from a repository does.
    let within = if ctx.allow_outside {
        atomic::Within::anywhere(ctx.euid)
    } else {
        atomic::Within::folder(dir, &[], ctx.euid).typed()
    }
    .relative_to(ctx.cwd_if_known());
    let say_verbose = |line: String| {
        if global.verbose {
            crate::output::say!("envmint: {line}");
        }
    };

    // 1. .gitignore. One lock at a time: both files live in the same directory, whose lock is
    // not reentrant.
    {
        let lock = atomic::lock(&ignore, &within, timeout)?;
        say_verbose(checking(&ignore, lock.target(), &cwd));
        let existing = match lock.read()? {
            Some(bytes) => Some(gitignore_text(bytes.to_vec(), &ignore)?),
            None => None,
        };
        let (updated, added) = gitignore::ensure(existing.as_deref().unwrap_or(""));
        say_verbose(format!(
            "{}: needs {}",
            shown(&ignore, &cwd).display(),
            gitignore::ENTRIES.join(" ")
        ));
        if added.is_empty() {
            crate::output::say!(
                "{} already covers secret files",
                shown(&ignore, &cwd).display()
            );
        } else {
            say_verbose(format!(
                "{}: writing {} bytes ({} missing)",
                shown(lock.target(), &cwd).display(),
                updated.len(),
                added.len()
            ));
            lock.write_public(updated.as_bytes())?;
            crate::output::say!(
                "{} {}: {}",
                if existing.is_none() {
                    "created"
                } else {
                    "updated"
                },
                shown(&ignore, &cwd).display(),
                added.join(" ")
            );
        }
    }

    // 2. envmint.toml, never overwritten.
    let lock = atomic::lock(&target, &within, timeout)?;
    say_verbose(checking(&target, lock.target(), &cwd));
    // Read, not just tested for existence: a directory, a FIFO or an unreadable file in its
    // place is an error, never something to write over or to report as kept.
    if lock.read()?.is_some() {
        crate::output::say!(
            "kept {}: it exists, and init never overwrites it",
            shown(&target, &cwd).display()
        );
        return Ok(Exit::Ok);
    }
    let name = args.preset.as_str();
    let text = preset_text(name)?;
    say_verbose(format!(
        "{}: writing the {name} preset ({} bytes)",
        shown(lock.target(), &cwd).display(),
        text.len()
    ));
    lock.write_public(text.as_bytes())?;
    crate::output::say!(
        "wrote {} (the {name} preset: development, staging, production)",
        shown(&target, &cwd).display()
    );
    Ok(Exit::Ok)
}

/// The built-in preset `name`. clap admits only the names `PRESETS` has (tested), so the
/// lookup cannot miss; if it did, that is a usage error, not a panic.
fn preset_text(name: &str) -> Result<&'static str> {
    preset(name).ok_or_else(|| Error::usage(format!("no preset named {name}")))
}

/// Refuses a `--manifest` that names a folder (`.`, `sub/`, `a/..`) or the `.gitignore` init
/// writes beside it, before anything is written: the lexical parent of `sub/.` is not `sub`.
fn refuse_odd_target(given: &Path) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = given.as_os_str().as_bytes();
    let last = bytes.rsplit(|&b| b == b'/').next().unwrap_or_default();
    if matches!(last, b"" | b"." | b"..") {
        return Err(Error::usage(format!(
            "--manifest {} names a folder, not a file",
            given.display()
        ))
        .with_hint("give the manifest's file name, e.g. --manifest config/envmint.toml"));
    }
    if last == b".gitignore" {
        return Err(Error::usage(
            "--manifest names .gitignore, which init updates beside the manifest",
        )
        .with_hint("give the manifest's file name, e.g. --manifest envmint.toml"));
    }
    Ok(())
}

/// The `-v` line for a file about to be read: `checking .gitignore`, with the file actually
/// read when `path` is a symlink.
fn checking(path: &Path, target: &Path, cwd: &Path) -> String {
    let shown_path = shown(path, cwd);
    if target == path {
        format!("checking {}", shown_path.display())
    } else {
        format!(
            "checking {} (a symlink to {})",
            shown_path.display(),
            shown(target, cwd).display()
        )
    }
}

fn gitignore_text(bytes: Vec<u8>, path: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        Error::data(
            envmint::error::Location::new(path, None),
            "not valid UTF-8; envmint left it untouched",
        )
        .with_hint(format!(
            "add these lines to it by hand: {}",
            gitignore::ENTRIES.join(" ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_clap_would_refuse_is_a_usage_error() {
        assert!(preset_text("web").is_ok());
        let e = preset_text("symfony").unwrap_err();
        assert_eq!(e.to_string(), "no preset named symfony");
        assert_eq!(e.hint(), None);
        assert_eq!(e.exit(), Exit::Usage);
    }
}
