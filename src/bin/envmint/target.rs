//! Where a command reads and writes: the environment named on the command line ([`Target`],
//! from the manifest [`crate::resolve`] loaded and confined), the bounds of a path the user
//! typed (`-o`), envmint's own files that an output never replaces, and the files
//! beside a target (`.env.example`, whether git tracks it).

use crate::context::Context;
use crate::error::{Error, Result};
use crate::resolve::Resolved;
use envmint::dotenv::{Document, EditError};
use envmint::manifest::{Environment, Manifest};
use envmint::path::shown;
use envmint::store;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The manifest, the environment named on the command line, and the working directory: what
/// [`Resolved`] built for a command that works on one environment.
pub struct Target<'r> {
    /// The manifest used.
    pub manifest: &'r Manifest,
    /// The environment.
    pub env: &'r Environment,
    /// The working directory, for messages.
    pub cwd: PathBuf,
    /// Where the manifest and environment came from, and the identities for a sealed one.
    resolved: &'r Resolved,
    /// The effective user id ([`Context::euid`]), for the owner rules of what is read.
    pub euid: u32,
}

impl<'r> Target<'r> {
    /// The environment the command line names (`--manifest`, ENV), from `resolved`: the
    /// manifest (`--manifest`, else found from the working directory, else the built-in
    /// preset) and the environment in it.
    pub fn of(ctx: &Context, resolved: &'r Resolved) -> Result<Target<'r>> {
        let cwd = resolved.cwd(ctx)?.to_path_buf();
        let (envs, _) = resolved.environments(ctx)?;
        let env = envs.first().copied().ok_or_else(no_environment)?;
        Ok(Target {
            manifest: resolved.manifest(ctx)?,
            env,
            cwd,
            resolved,
            euid: ctx.euid,
        })
    }

    /// The environment's file as the store opens it (its sealed file when it is sealed).
    pub fn storage(&self) -> Result<store::Storage<'r>> {
        Ok(store::Storage::of(self.env, self.euid)?)
    }

    /// What the store needs to read it: the identities when it is sealed.
    pub fn options(&self, ctx: &Context) -> Result<store::OpenOptions> {
        self.resolved.store_options(ctx, &[self.env])
    }

    /// The file as shown in messages (relative to the working directory when inside it).
    pub fn file(&self) -> std::path::Display<'_> {
        shown(self.env.store_path(), &self.cwd).display()
    }

    /// Locks the file's folder (saying so when another process makes it wait) and reads it.
    pub fn open(&self, ctx: &Context) -> Result<store::EnvFile> {
        let mut options = self.options(ctx)?;
        // The timeout before the storage: a bad ENVMINT_LOCK_TIMEOUT is reported first.
        options.timeout = self.resolved.lock_timeout(&ctx.lock_timeout)?;
        let waiting = &mut crate::output::lock_waiter(&self.cwd);
        let file = store::open_waiting(self.storage()?, &options, waiting)?;
        crate::identities::check_recipients(self.env, file.snapshot(), &self.cwd)?;
        Ok(file)
    }

    /// Saves `doc` into `file` through the atomic writer with the environment's declared mode,
    /// if its plaintext changed. Returns whether the file was written.
    pub fn save(&self, file: &store::EnvFile, doc: &Document) -> Result<bool> {
        let save = store::Save {
            file,
            doc,
            mode: crate::target::declared_mode(self.env),
        };
        match store::save_all(std::slice::from_ref(&save)) {
            Ok(written) => Ok(written.first().is_some_and(|w| w.written)),
            Err(e) => Err(e.error.into()),
        }
    }

    /// An edit the document refused, as an error naming the file and line.
    pub fn edit_error(&self, err: EditError) -> Error {
        crate::report::dotenv::edit_error(self.env.store_path(), err)
    }

    /// Says on stderr what is wrong with lines of the file (never their text).
    pub fn warn_lines(&self, doc: &Document) {
        for w in doc.warnings() {
            crate::output::say!("warning: {}:{}: {}", self.file(), w.line, w.message);
        }
    }

    /// The `--json` line of a change to one key; `retired`: what `set` retired before it
    /// wrote the new value (the old value kept in its `previous` form, ones pushed out).
    pub fn print_json(
        &self,
        key: &str,
        action: &str,
        retired: &[envmint::plan::rotation::Change],
    ) -> Result<()> {
        let line = JsonChange {
            environment: &self.env.name,
            file: shown(self.env.store_path(), &self.cwd).to_string_lossy(),
            key,
            action,
            retired: retired
                .iter()
                .map(|c| crate::changes::json_change(&self.env.name, c))
                .collect(),
        };
        let text = serde_json::to_string(&line).map_err(|e| {
            Error::from(envmint::error::FileError::os(
                "<stdout>",
                envmint::error::Op::WriteStdout,
                e.into(),
            ))
        })?;
        crate::output::print_line(&text)
    }
}

/// A key that envmint cannot write is refused before anything is read or typed (exit 2); the
/// message does not show a key that may be a pasted `KEY=secret`.
pub fn check_key(key: &str) -> Result<()> {
    if envmint::dotenv::is_valid_key(key) {
        return Ok(());
    }
    let message = EditError::InvalidKey {
        key: key.to_owned(),
    }
    .to_string();
    Err(Error::usage(message).with_hint("the value is never an argument: it is read from stdin"))
}

/// `set`/`unset --json`: what happened to one key. Never a value.
#[derive(Serialize)]
struct JsonChange<'a> {
    environment: &'a str,
    file: std::borrow::Cow<'a, str>,
    key: &'a str,
    /// `added`, `replaced`, `unchanged`, `removed` or `absent`.
    action: &'a str,
    /// `set` of a secret that keeps its old values: the changes of that retirement, as
    /// `rotate --json` gives them (absent when there were none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    retired: Vec<crate::changes::JsonChange<'a>>,
}

/// The bounds of a path the user typed (`-o`): the loaded manifest's (the working folder's
/// without one) read as [`envmint::atomic::Within::typed`] reads them, with the user's allow
/// list when the path needs it. The writer checks the path against them, under the lock; any
/// other trouble with the path is left to it, which words it best.
pub fn output_bounds(
    ctx: &Context,
    path: &std::path::Path,
    cwd: &std::path::Path,
) -> Result<envmint::atomic::Within> {
    use envmint::atomic::Within;
    let base = match ctx.bounds.get() {
        Some(within) => within.clone(),
        None if ctx.allow_outside => Within::anywhere(ctx.euid).relative_to(Some(cwd)),
        None => Within::folder(cwd, &[], ctx.euid).relative_to(Some(cwd)),
    }
    .typed();
    match base.check_path(path) {
        Err(envmint::Error::File(e))
            if matches!(e.problem, envmint::error::FileProblem::Outside { .. }) =>
        {
            Ok(base.allowing(&crate::resolve::allow_list(ctx)?))
        }
        _ => Ok(base),
    }
}

/// Refuses (exit 73) an output `target` (`unseal -o`, `export -o`) that is one of envmint's own
/// files: the manifest, a sealed store, a recipients file, or an environment's plaintext file
/// other than `own`'s (unseal writes its own environment's file; an export writes none). Files
/// are compared by device and inode, so a symlink or another spelling of the path is caught too.
/// `who` says who never replaces them ("unseal", "an export"); `hint` where to write instead.
pub fn refuse_kept_files(
    manifest: &envmint::manifest::Manifest,
    own: Option<&envmint::manifest::Environment>,
    target: &std::path::Path,
    who: &str,
    hint: &str,
) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(out) = std::fs::metadata(target) else {
        return Ok(());
    };
    let same = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.dev() == out.dev() && m.ino() == out.ino())
    };
    if let envmint::manifest::Source::File(path) = manifest.source()
        && same(path)
    {
        return Err(Error::cant_create(target, "is the manifest").with_hint(hint));
    }
    for env in manifest.environments() {
        let own_file = own.is_some_and(|o| o.name == env.name);
        let what = match &env.sealed {
            Some(s) if same(&s.path) => "the sealed store",
            Some(s) if s.recipients_file.as_deref().is_some_and(same) => "the recipients file",
            _ if !own_file && same(&env.file) => "the plaintext file",
            _ => continue,
        };
        return Err(Error::cant_create(
            target,
            format!(
                "is {what} of environment `{}`: {who} never replaces envmint's own files",
                env.name
            ),
        )
        .with_hint(hint));
    }
    Ok(())
}

/// The mode rule for an environment's file: the mode its manifest entry declares, else the
/// default (0600, or the old mode if stricter).
pub fn declared_mode(env: &Environment) -> envmint::atomic::Mode {
    env.mode.map_or(
        envmint::atomic::Mode::Private,
        envmint::atomic::Mode::Declared,
    )
}

/// `.env.example` in the folder of `file`.
pub fn example_path(file: &Path) -> PathBuf {
    file.parent()
        .unwrap_or_else(|| Path::new("."))
        .join(".env.example")
}

/// The template beside `file`, parsed; `None` when there is none or it cannot be read as a
/// UTF-8 regular file (it only sharpens the check, so it is never an error).
pub fn read_example(file: &Path, euid: u32) -> Option<Document> {
    let path = example_path(file);
    // An environment whose file is the template itself would find every value copied.
    if path == file || path.file_name() == file.file_name() {
        return None;
    }
    let bytes = envmint::atomic::read_file(&path, euid).ok()??;
    std::str::from_utf8(&bytes).ok().map(Document::parse)
}

/// The refusal when no environment was named. No run reaches it: clap requires ENV of every
/// command that takes a target, and a manifest declares at least one environment.
fn no_environment() -> Error {
    Error::usage("no environment named").with_hint("name one: ENV")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of the refusal no run reaches (see the function).
    #[test]
    fn the_refusal_no_run_reaches_is_worded() {
        let said = crate::report::render(&no_environment());
        assert_eq!(
            (said.message.as_str(), said.hint.as_deref()),
            ("no environment named", Some("name one: ENV"))
        );
    }
}
