//! `envmint run ENV [--only KEY...] [--override] -- COMMAND [ARGS...]`: COMMAND with the
//! environment's values added to its environment.
//!
//! Which keys: every key of the file by default, as `dotenv run`, `docker --env-file` and the
//! dotenv loaders the app would otherwise use take them. `run` replaces such a loader, and the
//! app's file holds its non-secret settings too (`APP_ENV`, ports, URLs); managed keys only
//! would start the app without them. `--only` narrows it. (`export`, which copies values to
//! other systems, takes managed keys by default instead.)
//!
//! The values go from the store (decrypted in memory when sealed) into the `execve`
//! environment: never a file, never an argument. On Unix envmint then *is* COMMAND (exec), so
//! signals, the terminal, the process id and the exit status are COMMAND's own.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};
use envmint::dotenv::interpolate::{self, Outside};
use envmint::error::Location;
use envmint::export::{self, Entry, Keys, SelectError};
use envmint::{Exit, store};

use crate::cli::RunArgs;
use crate::context::{Context, SECRET_VARIABLES};
use crate::output::say;
use crate::resolve::Global;
use crate::target::Target;

/// Runs `envmint run`: returns only when COMMAND could not be started.
pub fn run(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    global: &Global,
    args: RunArgs,
) -> Result<Exit> {
    let target = Target::of(ctx, resolved)?;
    let snapshot = store::peek(target.storage()?, &target.options(ctx)?)?;
    if !snapshot.exists() {
        return Err(Error::MissingInput {
            path: target.env.store_path().to_path_buf(),
            what: format!("the file of environment `{}`", target.env.name),
            hint: Some(format!("envmint bootstrap {} creates it", target.env.name)),
        });
    }
    let doc = snapshot.document()?;
    let entries = if args.only.is_empty() {
        export::select(target.manifest, &target.env.name, &doc, Keys::File)
            .map_err(|e| unreadable(&target, e))?
    } else {
        only(&target, &doc, &args.only)?
    };
    // `${VAR}` as the app's own loader would expand it: python-dotenv's `load_dotenv()` lets
    // the variables already set win, `override=True` the file, as `--override` does here.
    let order = if args.override_existing {
        Outside::Loses
    } else {
        Outside::Wins
    };
    // envmint's own secrets are not the app's: `LEAK=${ENVMINT_AGE_KEY}` in a file (a
    // repository's) must not hand the key to COMMAND under another name.
    let outside = |name: &str| {
        if SECRET_VARIABLES.contains(&name) {
            None
        } else {
            ctx.variable(name)
        }
    };
    let expanded = interpolate::expand(&doc, &outside, order);
    if let Some(refused) = expanded.refusal(target.env.store_path(), &doc) {
        return Err(refused.into());
    }
    let entries: Vec<Entry<'_>> = entries
        .iter()
        .map(|e| Entry {
            key: e.key,
            value: expanded.value(e.key, e.value),
        })
        .collect();
    for u in &expanded.undefined {
        if entries.iter().any(|e| e.key == u.key) {
            say!(
                "{}: `{}` refers to {}: replaced by an empty string, as python-dotenv does",
                target.env.name,
                u.key,
                match &u.name {
                    Some(name) => format!("${{{name}}}, which is defined below it in the file"),
                    None => "a variable that is set nowhere".to_string(),
                }
            );
        }
    }
    if let Some(e) = entries.iter().find(|e| e.value.contains('\0')) {
        return Err(Error::data(
            Location::new(target.env.store_path(), doc.line_of_key(e.key)),
            format!(
                "`{}` has a NUL character in its value, which no environment variable can hold",
                e.key
            ),
        )
        .with_hint("leave it out with --only KEY,..., or fix the value (envmint set)"));
    }
    let (program, rest) = command_line(&args.command)?;
    let mut command = Command::new(program);
    command.args(rest);
    // The key that opens every sealed store, and the passphrase, are envmint's, not the
    // app's: COMMAND does not inherit them (its /proc/PID/environ, crash reports and children
    // would). ENVMINT_IDENTITY is only a path, and stays.
    for name in SECRET_VARIABLES {
        command.env_remove(name);
    }
    let mut kept = Vec::new();
    let mut held = Vec::new();
    for e in &entries {
        if export::startup::is_startup_variable(e.key) && !args.allow_var.iter().any(|a| a == e.key)
        {
            held.push(e.key);
        } else if !args.override_existing
            && ctx.variable_names.iter().any(|n| n == OsStr::new(e.key))
        {
            kept.push(e.key);
        } else {
            command.env(e.key, e.value);
        }
    }
    if global.verbose {
        say!(
            "{}: {} added from {}",
            target.env.name,
            crate::output::plural(entries.len() - kept.len() - held.len(), "variable"),
            target.file()
        );
    }
    // Said without -v: a value from the caller's shell (a development one, say) reaching a
    // production command, or a loader variable dropped, must not go unnoticed. Names only.
    if !held.is_empty() {
        say!(
            "{}: held back {} from the file (they make programs load or run code; \
             --allow-var NAME passes one): {}",
            target.env.name,
            crate::output::plural(held.len(), "variable"),
            held.join(", ")
        );
    }
    if !kept.is_empty() {
        say!(
            "{}: kept {} already set (--override replaces them): {}",
            target.env.name,
            crate::output::plural(kept.len(), "variable"),
            kept.join(", ")
        );
    }
    // Only returns on failure; the process is COMMAND's from here on.
    let err = command.exec();
    Ok(exec_failed(program, &err, &entries))
}

/// COMMAND and its arguments. clap requires COMMAND (`required = true`), so it is never
/// empty; if it were, that is a usage error, not a panic.
fn command_line(command: &[OsString]) -> Result<(&OsString, &[OsString])> {
    command
        .split_first()
        .ok_or_else(|| Error::usage("no command given").with_hint("envmint run ENV -- COMMAND"))
}

/// The `--only` keys, in the order given; a key not in the file is an error naming it.
fn only<'d>(
    target: &Target,
    doc: &'d envmint::dotenv::Document,
    keys: &[String],
) -> Result<Vec<Entry<'d>>> {
    let mut entries: Vec<Entry<'d>> = Vec::with_capacity(keys.len());
    for key in keys {
        if entries.iter().any(|e| e.key == key) {
            continue;
        }
        match doc.get(key) {
            Some(value) => {
                // The document's own copy of the key, so the entry borrows from it alone.
                let key = doc
                    .keys()
                    .into_iter()
                    .find(|k| k == key)
                    .unwrap_or_default();
                entries.push(Entry { key, value });
            }
            None if doc.contains_key(key) => {
                return Err(unreadable(
                    target,
                    SelectError::Unreadable {
                        key: key.clone(),
                        line: doc.broken_line(key),
                    },
                ));
            }
            None => {
                // Files may hold keys envmint does not write (`a.b`, `x-y`); anything else is
                // refused before a "not found" could echo a pasted `KEY=secret` (as `get`).
                let readable = |b: u8| b.is_ascii_alphanumeric() || b"_.-".contains(&b);
                if key.is_empty() || !key.bytes().all(readable) {
                    crate::target::check_key(key)?;
                }
                let keys = doc.keys();
                let shown = keys.iter().take(10).copied().collect::<Vec<_>>().join(", ");
                let more = keys.len().saturating_sub(10);
                return Err(Error::MissingInput {
                    path: target.env.store_path().to_path_buf(),
                    what: format!("`{key}` (given to --only)"),
                    hint: Some(if more > 0 {
                        format!("the file has: {shown} and {more} more")
                    } else {
                        format!("the file has: {shown}")
                    }),
                });
            }
        }
    }
    Ok(entries)
}

/// A key on a line envmint cannot read, as an error naming the line.
fn unreadable(target: &Target, err: SelectError) -> Error {
    let (key, line) = match err {
        SelectError::Unreadable { key, line } => (key, line),
        SelectError::Missing { key } => (key, None),
        other => return Error::unworded(Location::new(target.env.store_path(), None), &other),
    };
    Error::data(
        Location::new(target.env.store_path(), line),
        format!("`{key}` is on a line envmint cannot read, so its value is unclear"),
    )
    .with_hint(format!(
        "fix the line so that it reads {key}=value (envmint edit {}), or pick keys with --only",
        target.env.name
    ))
}

/// The kernel's limit on one `KEY=value` string passed to exec (Linux `MAX_ARG_STRLEN`, 32
/// pages, its NUL included).
const MAX_ARG_STRLEN: usize = 32 * 4096;

/// Says why COMMAND could not be started and gives the shell's status for it: 127 when it was
/// not found, 126 when it could not be executed.
fn exec_failed(program: &OsStr, err: &io::Error, entries: &[Entry<'_>]) -> Exit {
    let name = envmint::text::shown(&program.to_string_lossy(), 200);
    let has_slash = program.as_encoded_bytes().contains(&b'/');
    if err.kind() == io::ErrorKind::NotFound && has_slash && Path::new(program).is_file() {
        // The file is there: what exec did not find is its `#!` interpreter (or, for a
        // binary, its loader). Exit 127 as bash gives.
        say!("error: {name}: cannot execute: the interpreter on its #! line was not found");
        say!("hint: check its first line (head -1 {name}), or run it through one (-- sh {name})");
        return Exit::Child(127);
    }
    if err.kind() == io::ErrorKind::NotFound {
        say!("error: {name}: command not found");
        say!("hint: check the name, or give its path; PATH is searched for names without a `/`");
        return Exit::Child(127);
    }
    if err.kind() == io::ErrorKind::ArgumentListTooLong {
        // E2BIG: the values are in the environment, not in the arguments the OS names; say
        // which (by key and size, never a value) so the fix is findable.
        let bytes = |e: &Entry<'_>| e.key.len() + e.value.len() + 2;
        let total: usize = entries.iter().map(bytes).sum();
        match entries.iter().find(|e| bytes(e) > MAX_ARG_STRLEN) {
            Some(e) => say!(
                "error: {name}: cannot execute: `{}` is {} bytes, more than one environment \
                 variable may hold ({MAX_ARG_STRLEN})",
                e.key,
                bytes(e)
            ),
            None => say!(
                "error: {name}: cannot execute: the environment is too large for the system \
                 ({} adding {total} bytes)",
                crate::output::plural(entries.len(), "variable")
            ),
        }
        say!(
            "hint: pass fewer keys with --only KEY,..., or hand large values over as files \
             (envmint export ENV --format docker-secrets -o DIR)"
        );
        return Exit::Child(126);
    }
    if has_slash && Path::new(program).is_dir() {
        say!("error: {name}: is a folder, not a program");
        say!("hint: give the path of a program inside it");
        return Exit::Child(126);
    }
    if err.kind() == io::ErrorKind::PermissionDenied {
        say!("error: {name}: permission denied (not an executable file)");
        say!("hint: chmod +x it, or run it through its interpreter (-- sh {name})");
    } else {
        say!("error: {name}: cannot execute: {err}");
    }
    Exit::Child(126)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_command_clap_would_refuse_is_a_usage_error() {
        let given = [OsString::from("printenv"), OsString::from("A")];
        let (program, rest) = command_line(&given).unwrap();
        assert_eq!(
            (program.as_os_str(), rest.len()),
            (OsStr::new("printenv"), 1)
        );
        let e = command_line(&[]).unwrap_err();
        assert_eq!(
            (e.to_string().as_str(), e.hint()),
            ("no command given", Some("envmint run ENV -- COMMAND"))
        );
        assert_eq!(e.exit(), Exit::Usage);
    }
}
