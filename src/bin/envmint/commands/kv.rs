//! What `set`, `get`, `unset` and `edit` share: finding the environment, opening its file under
//! the lock, saving it with the declared mode, and the JSON line of a change.

use super::shown;
use crate::cli::EnvArgs;
use crate::context::Context;
use envmint::dotenv::{Document, EditError};
use envmint::manifest::{Environment, Manifest};
use envmint::{Error, Result, store};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The manifest, the environment named on the command line, and the working directory.
pub struct Target {
    /// The manifest used.
    pub manifest: Manifest,
    /// The environment (a copy, so the manifest can still be asked about its secrets).
    pub env: Environment,
    /// The working directory, for messages.
    pub cwd: PathBuf,
    /// `-i` identity files, for a sealed environment.
    pub identities: Vec<PathBuf>,
}

impl Target {
    /// The environment named by a command's `--manifest`, `-i` and ENV, as [`Target::load`].
    pub fn of(ctx: &Context, args: &EnvArgs) -> Result<Target> {
        Target::load(
            ctx,
            args.manifest.as_deref(),
            &args.environment,
            &args.identities,
        )
    }

    /// Loads the manifest (`--manifest`, else found from the working directory, else the
    /// built-in preset) and finds `name` in it.
    pub fn load(
        ctx: &Context,
        manifest: Option<&Path>,
        name: &str,
        identities: &[PathBuf],
    ) -> Result<Target> {
        let cwd = ctx.cwd()?.to_path_buf();
        let manifest = super::load_manifest(ctx, manifest, &cwd)?;
        let env = manifest.environment(name)?.clone();
        Ok(Target {
            manifest,
            env,
            cwd,
            identities: identities.to_vec(),
        })
    }

    /// The environment's file as the store opens it (its sealed file when it is sealed).
    pub fn storage(&self) -> Result<store::Storage<'_>> {
        store::Storage::of(&self.env)
    }

    /// What the store needs to read it: the identities when it is sealed.
    pub fn options(&self, ctx: &Context) -> Result<store::OpenOptions> {
        super::unseal::store_options(ctx, &[&self.env], &self.identities)
    }

    /// The file as shown in messages (relative to the working directory when inside it).
    pub fn file(&self) -> std::path::Display<'_> {
        shown(self.env.store_path(), &self.cwd).display()
    }

    /// Locks the file's folder (saying so when another process makes it wait) and reads it.
    pub fn open(&self, ctx: &Context) -> Result<store::EnvFile> {
        let mut options = self.options(ctx)?;
        // The timeout before the storage: a bad ENVMINT_LOCK_TIMEOUT is reported first.
        options.timeout = ctx.lock_timeout.get()?;
        let waiting = &mut super::lock_waiter(&self.cwd);
        let mut files = store::open_all(&[self.storage()?], &options, waiting)?;
        let file = files
            .pop()
            .ok_or_else(|| Error::cant_create(self.env.store_path(), "nothing to open"))?;
        super::check_recipients(&self.env, file.snapshot(), &self.cwd)?;
        Ok(file)
    }

    /// Saves `doc` into `file` through the atomic writer with the environment's declared mode,
    /// if its plaintext changed. Returns whether the file was written.
    pub fn save(&self, file: &store::EnvFile, doc: &Document) -> Result<bool> {
        let save = store::Save {
            file,
            doc,
            mode: super::bootstrap::declared_mode(&self.env),
        };
        match store::save_all(std::slice::from_ref(&save)) {
            Ok(written) => Ok(written.first().is_some_and(|w| w.written)),
            Err(e) => Err(e.error),
        }
    }

    /// An edit the document refused, as an error naming the file and line.
    pub fn edit_error(&self, err: EditError) -> Error {
        super::bootstrap::edit_error(self.env.store_path(), err)
    }

    /// Says on stderr what is wrong with lines of the file (never their text).
    pub fn warn_lines(&self, doc: &Document) {
        for w in doc.warnings() {
            super::say!("warning: {}:{}: {}", self.file(), w.line, w.message);
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
                .map(|c| super::rotate::json_change(&self.env.name, c))
                .collect(),
        };
        let text = serde_json::to_string(&line).map_err(|e| {
            Error::from(envmint::error::FileError::os(
                "<stdout>",
                envmint::error::Op::WriteStdout,
                e.into(),
            ))
        })?;
        super::print_line(&text)
    }
}

/// A key that envmint cannot write is refused before anything is read or typed (exit 2); the
/// message does not show a key that may be a pasted `KEY=secret`.
pub fn check_key(key: &str) -> Result<()> {
    if envmint::dotenv::is_valid_key(key) {
        return Ok(());
    }
    let message = crate::report::edit(&EditError::InvalidKey {
        key: key.to_owned(),
    });
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
    retired: Vec<super::rotate::JsonChange<'a>>,
}
