//! `envmint export ENV --format FORMAT [-o PATH | --stdout]`: the environment's values written
//! for their reader (see `envmint::export`), to a 0600 file, a folder, or stdout when it is not
//! a terminal.

use std::io::IsTerminal;
use std::path::Path;

use crate::error::{Error, Result};
use envmint::dotenv::interpolate::{self, Outside};
use envmint::error::Location;
use envmint::export::folder::{self, FolderError};
use envmint::export::{self, Format, K8sMeta, Keys, Refusal, SelectError, Why};
use envmint::{Exit, store};

use crate::cli::ExportArgs;
use crate::context::Context;
use crate::output::say;
use crate::resolve::Global;
use crate::target::Target;
use envmint::path::shown;

/// Runs `envmint export`.
pub fn run(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    global: &Global,
    args: ExportArgs,
) -> Result<Exit> {
    let format = args.format.0;
    check_flags(&args, format)?;
    if args.output.is_none() && !args.stdout && std::io::stdout().is_terminal() {
        return Err(
            Error::usage("refusing to print secret values on a terminal").with_hint(
                "pipe or redirect stdout, write a file with -o PATH, or add --stdout to print them",
            ),
        );
    }
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
    let keys = if args.all_keys {
        Keys::ManagedAndOthers
    } else {
        Keys::Managed
    };
    let selected = export::select(target.manifest, &target.env.name, &doc, keys)
        .map_err(|e| select_error(&target, e))?;
    // `${VAR}` expanded as python-dotenv and compose expand it, from the file alone: an export
    // goes elsewhere, and must not carry the values of the shell it was made in.
    let expanded = interpolate::expand(&doc, &|_| None, Outside::Loses);
    if let Some(refused) = expanded.refusal(target.env.store_path(), &doc) {
        return Err(refused.into());
    }
    if let Some(u) = expanded
        .undefined
        .iter()
        .find(|u| selected.iter().any(|e| e.key == u.key))
    {
        let what = match &u.name {
            Some(name) => format!("${{{name}}}, which is defined below it in the file"),
            None => "a variable the file does not define (export reads no variable of your \
                     shell)"
                .to_string(),
        };
        return Err(Error::data(
            Location::new(target.env.store_path(), doc.line_of_key(&u.key)),
            format!(
                "`{}` refers to {what}: its readers would get an empty string there",
                u.key
            ),
        )
        .with_hint(
            "define the variable above it, give a default (${NAME:-value}), or single-quote \
             the value to keep it literal",
        ));
    }
    let entries: Vec<export::Entry<'_>> = selected
        .iter()
        .map(|e| export::Entry {
            key: e.key,
            value: expanded.value(e.key, e.value),
        })
        .collect();
    let default_name = format!("{}-secrets", target.env.name);
    let meta = K8sMeta {
        name: args.name.as_deref().unwrap_or(&default_name),
        default_name: args.name.is_none(),
        namespace: args.namespace.as_deref(),
    };
    let line_of = |key: &str| doc.line_of_key(key);
    let bytes =
        export::render(format, &entries, &meta).map_err(|r| refusal(&target, r, &line_of))?;
    let count = crate::output::plural(entries.len(), "key");
    let Some(output) = args.output.as_deref() else {
        crate::output::check_stdout()?;
        crate::output::write_stdout(&bytes)?;
        if global.verbose {
            say!("{}: {count} exported as {}", target.env.name, format.name());
        }
        return Ok(Exit::Ok);
    };
    // An export is a copy for another reader: over a store it would replace it with a subset
    // in another format.
    crate::target::refuse_kept_files(
        target.manifest,
        None,
        output,
        "an export",
        "write the export somewhere else with -o, or to stdout",
    )?;
    let shown_out = shown(output, &target.cwd).display().to_string();
    let timeout = resolved.lock_timeout(&ctx.lock_timeout)?;
    let within = crate::target::output_bounds(ctx, output, &target.cwd)?;
    if format == Format::DockerSecrets {
        let report = folder::write(
            output,
            &within,
            &entries,
            timeout,
            &mut crate::output::lock_waiter(&target.cwd),
        )
        .map_err(folder_error)?;
        if report.created {
            say!("{}: created {shown_out} (mode 0700)", target.env.name);
        }
        if let Some(old) = report.tightened {
            say!("{}: {shown_out} mode {old:04o} -> 0700", target.env.name);
        }
        say!(
            "{}: {count} exported as docker-secrets into {shown_out} ({} written, {} unchanged)",
            target.env.name,
            report.written,
            report.unchanged
        );
        for key in &report.left {
            say!(
                "{}: left {shown_out}/{key} in place (listed in {} but no longer 0600 and yours: \
                 not removed, taken off the list)",
                target.env.name,
                folder::MARKER
            );
        }
        for key in &report.removed {
            say!(
                "{}: removed {shown_out}/{key} (no longer exported)",
                target.env.name
            );
        }
        crate::output::warn_unignored(&output.join(folder::MARKER), true, &target.cwd);
    } else {
        refuse_special(output)?;
        let locked = envmint::atomic::lock(output, &within, timeout)?;
        check_replaceable(&target, &doc, format, output)?;
        locked.write(&bytes)?;
        say!(
            "{}: {count} exported as {} to {shown_out} (mode 0600)",
            target.env.name,
            format.name()
        );
        crate::output::warn_unignored(output, false, &target.cwd);
    }
    if args.json {
        let summary = JsonExport {
            environment: &target.env.name,
            format: format.name(),
            output: &shown_out,
            keys: entries.iter().map(|e| e.key).collect(),
        };
        let text = serde_json::to_string(&summary).map_err(|e| {
            Error::from(envmint::error::FileError::os(
                "<stdout>",
                envmint::error::Op::WriteStdout,
                e.into(),
            ))
        })?;
        crate::output::print_line(&text)?;
    }
    Ok(Exit::Ok)
}

/// `export -o PATH --json`: what was written where. Key names only, never a value.
#[derive(serde::Serialize)]
struct JsonExport<'a> {
    environment: &'a str,
    format: &'static str,
    output: &'a str,
    keys: Vec<&'a str>,
}

/// Flags that do not fit the format, refused before anything is read.
fn check_flags(args: &ExportArgs, format: Format) -> Result<()> {
    if format != Format::K8s {
        let flag = if args.name.is_some() {
            Some("--name")
        } else if args.namespace.is_some() {
            Some("--namespace")
        } else {
            None
        };
        if let Some(flag) = flag {
            return Err(Error::usage(format!(
                "{flag} applies to --format k8s only, not {}",
                format.name()
            ))
            .with_hint(format!("leave {flag} out, or use --format k8s")));
        }
    }
    // `-o -` means stdout to most tools; here it would write secrets to a file named `-`.
    if args.output.as_deref() == Some(Path::new("-")) {
        return Err(
            Error::usage("-o - would write a file named `-`, not stdout").with_hint(
                "leave -o out to write to stdout (add --stdout for a terminal); -o ./- for \
                 that file",
            ),
        );
    }
    if format == Format::DockerSecrets && args.output.is_none() {
        return Err(Error::usage(
            "--format docker-secrets writes a folder: give it with -o FOLDER",
        )
        .with_hint("e.g. envmint export ENV --format docker-secrets -o secrets/"));
    }
    Ok(())
}

/// The largest file `-o` looks into to tell whether it is an earlier export.
const MAX_EARLIER: u64 = 16 * 1024 * 1024;

/// `-o` replaces only an earlier export of this environment or an empty file (see
/// [`export::earlier`]), as `plan -o` replaces only an earlier plan: `-o README.md`, a slip of
/// the keyboard or a script's wrong variable, must not destroy a file. Checked under the lock.
fn check_replaceable(
    target: &Target,
    doc: &envmint::dotenv::Document,
    format: Format,
    output: &Path,
) -> Result<()> {
    let bytes = match envmint::atomic::read_regular(output, MAX_EARLIER, target.euid) {
        Ok(None) => return Ok(()),
        Ok(Some(bytes)) => Some(bytes),
        Err(envmint::Error::File(e)) => match e.problem {
            // Not a regular file: the writer refuses it in its own words (73).
            envmint::error::FileProblem::NotRegular { .. } => return Ok(()),
            envmint::error::FileProblem::TooLarge { .. }
            | envmint::error::FileProblem::GrewPastLimit { .. } => None,
            _ => return Err(envmint::Error::File(e).into()),
        },
        Err(e) => return Err(e.into()),
    };
    let (managed, previous) = export::managed_keys(target.manifest, &target.env.name);
    let known =
        |key: &str| doc.contains_key(key) || managed.iter().chain(&previous).any(|k| k == key);
    if bytes.is_some_and(|b| export::earlier::is_earlier_export(format, &b, &known)) {
        return Ok(());
    }
    Err(Error::cant_create(
        output,
        format!(
            "it exists and is not an earlier {} export of `{}`; `export -o` replaces only an \
             earlier export or an empty file",
            format.name(),
            target.env.name
        ),
    )
    .with_hint("name a new file, or remove this one first if it is yours to lose"))
}

/// Refuses `-o` naming something that is not a file nor a folder: `/dev/stdout` (a pipe or a
/// terminal behind `/proc/self/fd`), a device, a FIFO. The atomic writer could only fail on
/// it, with words about the link's target (`pipe:[1234]`: "the directory does not exist").
fn refuse_special(output: &Path) -> Result<()> {
    match std::fs::metadata(output) {
        Ok(m) if !m.is_file() && !m.is_dir() => Err(Error::cant_create(
            output,
            "is not a regular file (a terminal, pipe, socket or device): -o writes a new file \
             in its place",
        )
        .with_hint("leave -o out: export writes to stdout when it is not a terminal")),
        _ => Ok(()),
    }
}

/// A key that cannot be selected, as an error naming the file (and line).
fn select_error(target: &Target, err: SelectError) -> Error {
    let path = target.env.store_path();
    let name = &target.env.name;
    match err {
        SelectError::Missing { key } => {
            // Bootstrap generates declared keys, but never an external one: its value is given.
            let external = target
                .manifest
                .secrets_for(name)
                .any(|s| s.key == key && s.external);
            let hint = if external {
                format!(
                    "`{key}` is external (its value comes from elsewhere): envmint set {name} \
                     {key} adds it, from stdin"
                )
            } else {
                format!(
                    "envmint bootstrap {name} adds it (envmint set {name} {key} for a value you \
                     are given)"
                )
            };
            Error::data(
                Location::new(path, None),
                format!("`{key}` is declared for environment `{name}` but is not in the file"),
            )
            .with_hint(hint)
        }
        SelectError::Unreadable { key, line } => Error::data(
            Location::new(path, line),
            format!("`{key}` is on a line envmint cannot read, so its value is unclear"),
        )
        .with_hint(format!(
            "fix the line so that it reads {key}=value (envmint edit {name})"
        )),
        other => Error::unworded(Location::new(path, None), &other),
    }
}

/// A value or key the format's reader cannot carry, as an error naming the key and its line.
/// Never the value, nor where in it the problem is.
fn refusal(target: &Target, r: Refusal, line_of: &dyn Fn(&str) -> Option<usize>) -> Error {
    let format = r.format.name();
    let carry_any = "--format json, shell, k8s or docker-secrets carry any value";
    let (what, hint) = match &r.why {
        Why::BadName {
            name,
            namespace,
            default,
        } => {
            return bad_name(name, *namespace, *default);
        }
        Why::TooLarge { size, limit } => {
            return Error::data(
                Location::new(target.env.store_path(), None),
                format!(
                    "the values take {size} bytes, more than a Kubernetes Secret holds ({limit})"
                ),
            )
            .with_hint("export fewer keys (without --all-keys), or split the environment");
        }
        Why::Unwritable(class) => (
            format!("its value has {class}, which dotenv readers read differently"),
            carry_any.to_string(),
        ),
        Why::LineBreak => (
            "its value has a line break (or ends with a carriage return), and docker --env-file \
             reads one line per variable"
                .to_string(),
            "--format docker-secrets (one file per key), json or k8s carry it".to_string(),
        ),
        Why::Nul => (
            "its value has a NUL character, which no environment variable can hold".to_string(),
            "--format docker-secrets, json or k8s carry it".to_string(),
        ),
        Why::Quoted => (
            "its value starts and ends with the same quote, which docker 28 keeps and newer \
             docker releases strip"
                .to_string(),
            "--format docker-secrets or json carry it as it is".to_string(),
        ),
        Why::LineTooLong { limit } => (
            format!("the line would be longer than docker --env-file reads ({limit} bytes)"),
            "--format docker-secrets carries it".to_string(),
        ),
        Why::KeyNotAName => (
            "the key is not a name a shell accepts ([A-Za-z_][A-Za-z0-9_]*)".to_string(),
            "--format json, k8s or docker-env carry it; without --all-keys only declared keys \
             are exported"
                .to_string(),
        ),
        Why::KeyNotAFileName => (
            "the key cannot be a file name of its own (it starts with a dot, or is longer than \
             255 bytes)"
                .to_string(),
            "rename the key, or use another --format".to_string(),
        ),
        Why::KeyNotASecretKey => (
            "the key is not a valid Kubernetes Secret key (letters, digits, `-`, `_` and `.`, \
             at most 253, not `.`, `..` or starting with `..`)"
                .to_string(),
            "rename the key, or use another --format".to_string(),
        ),
    };
    let key = r.key.as_deref().unwrap_or_default();
    Error::data(
        Location::new(target.env.store_path(), line_of(key)),
        format!("cannot export `{key}` as {format}: {what}"),
    )
    .with_hint(hint)
}

/// An invalid `--name` or `--namespace` (or default name), as a usage error.
fn bad_name(name: &str, namespace: bool, default: bool) -> Error {
    let shown = envmint::text::shown(name, 64);
    if namespace {
        return Error::usage(format!(
            "--namespace `{shown}` is not a valid namespace (a DNS label: lowercase letters, \
             digits and `-`, at most 63, starting and ending with a letter or digit)"
        ))
        .with_hint("e.g. --namespace web");
    }
    let rule = "a DNS subdomain: lowercase letters, digits, `-` and `.`, at most 253, each part \
                starting and ending with a letter or digit";
    if default {
        Error::usage(format!(
            "the default Secret name `{shown}` (from the environment's name) is not valid ({rule})"
        ))
        .with_hint("give one with --name, e.g. --name app-secrets")
    } else {
        Error::usage(format!(
            "--name `{shown}` is not a valid Secret name ({rule})"
        ))
        .with_hint("e.g. --name app-secrets")
    }
}

/// The docker-secrets folder's refusals in words.
fn folder_error(err: FolderError) -> Error {
    let elsewhere = "export into a new folder, or one envmint exported into before";
    match err {
        FolderError::File(e) => e.into(),
        FolderError::NotAFolder { path } => {
            Error::cant_create(path, "is not a folder (docker-secrets writes a folder)")
                .with_hint("give -o a folder, or a path where one can be created")
        }
        FolderError::NotOwned { path, owner, euid } => Error::Refused {
            path,
            reason: format!(
                "belongs to user {owner}, not to you ({euid}): its files could be swapped"
            ),
            hint: Some(elsewhere.to_string()),
        },
        FolderError::NotOurs { path, key } => Error::cant_create(
            path,
            format!(
                "already exists and envmint did not write it: refusing to replace it with `{key}`"
            ),
        )
        .with_hint(format!(
            "move it away, or {elsewhere} (its list is {})",
            folder::MARKER
        )),
        FolderError::Symlink { path, to } => {
            let to = envmint::text::shown(&to.to_string_lossy(), 300);
            Error::cant_create(
                path,
                format!(
                    "is a symlink (to {to}): docker-secrets writes into a folder given by its \
                     own path, never through a link (a repository can hold one that points \
                     anywhere)"
                ),
            )
            .with_hint("if that is where the secrets belong, give the folder itself with -o")
        }
        FolderError::NotAdoptable { path, holds } if holds == folder::MARKER => Error::cant_create(
            path,
            format!(
                "holds a {} that envmint did not write (a checkout's or another user's: \
                     envmint's is yours with mode 0600): refusing to change the folder's mode \
                     and drop secrets among its files",
                folder::MARKER
            ),
        )
        .with_hint("give -o a new or empty folder for the secrets"),
        FolderError::NotAdoptable { path, holds } => {
            let holds = envmint::text::shown(&holds, 100);
            Error::cant_create(
                path,
                format!(
                    "is a folder envmint did not export into (it holds `{holds}` and no {}): \
                     refusing to change its mode and drop secrets among its files",
                    folder::MARKER
                ),
            )
            .with_hint("export into a new or empty folder, e.g. -o secrets/")
        }
        FolderError::NotRegular { path, key } => Error::cant_create(
            path,
            format!("is not a regular file (a link or a folder): refusing to write `{key}` there"),
        )
        .with_hint("remove it, or export into another folder"),
        other => Error::unworded(Location::default(), &other),
    }
}
