//! `envmint set ENV KEY`: one value, read from stdin or a hidden prompt, into the store.

use crate::cli::SetArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::target::{Target, check_key};
use crate::terminal;
use envmint::Exit;
use envmint::dotenv::Document;
use envmint::error::Location;
use envmint::kv::{self, MAX_VALUE_LEN, ValueError};
use envmint::manifest::{MAX_KEY_LEN, Role};
use envmint::plan::bootstrap;
use envmint::plan::edit::apply_edits;
use envmint::plan::rotation;
use std::io::Read;
use zeroize::Zeroizing;

pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: SetArgs) -> Result<Exit> {
    let target = Target::of(ctx, resolved)?;
    let key = args.key.as_str();
    check_key(key)?;
    // The manifest's limit: a longer name is a paste (a token is letters and digits too), and
    // would be echoed back whole in every message.
    if key.len() > MAX_KEY_LEN {
        return Err(Error::usage(format!(
            "a {}-byte key is longer than {MAX_KEY_LEN} bytes (not shown)",
            key.len()
        ))
        .with_hint("the value is never an argument: it is read from stdin"));
    }
    if args.json {
        crate::output::check_stdout()?;
    }
    let value = read_value(key, args.allow_empty)?;

    // The declared key's check, before the lock: --strict refuses without touching the file.
    let decl = target
        .manifest
        .secrets_for(&target.env.name)
        .find(|d| d.key == key);
    // Retired into its list, such a value would read back as two: refused, not warned about.
    if let Some(decl) = decl
        && let Some(envmint::generate::Problem::HoldsSeparator { list }) =
            bootstrap::separator_problem(decl, &value)
    {
        let sep = match &decl.previous {
            envmint::manifest::Previous::List { separator, .. } => separator.as_str(),
            _ => ",",
        };
        return Err(Error::data(
            Location::new("<stdin>", None),
            format!(
                "the value for `{key}` holds `{sep}`, the separator of its previous list \
                 {list}: retired into the list it would read back as two values; nothing written"
            ),
        )
        .with_hint(format!(
            "give {key} a value without `{sep}`, or declare another separator in the manifest"
        )));
    }
    let problem = decl
        .filter(|d| !d.external)
        .and_then(|d| kv::check_declared(key, &value, &d.spec));
    if let (Some(problem), true) = (&problem, args.strict) {
        crate::output::say!(
            "error: {}: the value for {key} fails its declaration: {problem}; nothing written",
            target.file()
        );
        crate::output::say!("hint: leave out --strict to write it anyway");
        return Ok(Exit::Problems);
    }

    let file = target.open(ctx)?;
    let mut doc = if file.exists() {
        file.snapshot().document()?
    } else {
        Document::parse(&bootstrap::header(&target.env.name))
    };
    if file.exists()
        && let Some(line) = bootstrap::not_a_dotenv_file(&doc)
    {
        return Err(Error::data(
            Location::new(target.env.store_path(), Some(line)),
            "not a dotenv file: no line reads KEY=value, so envmint will not write to it",
        )
        .with_hint("check the environment's `file` in the manifest"));
    }
    target.warn_lines(&doc);
    // The value it replaces is retired first, as a rotation would, when the secret keeps its
    // old values: an external one with an overlap (webhook signing secrets roll too), and any
    // encryption key (the data it encrypted needs it), also one whose record says it is one
    // when the manifest no longer does.
    let encryption = rotation::marked_encryption(&doc, key)
        || target
            .manifest
            .secrets_for(&target.env.name)
            .any(|d| d.key == key && d.role == Role::Encryption);
    let retiring = target
        .manifest
        .secrets_for(&target.env.name)
        .find(|d| d.key == key)
        .filter(|d| encryption || (d.external && d.overlap.is_some()))
        .filter(|_| doc.get(key).is_some_and(|v| v != value.as_str()));
    let retired = match retiring {
        Some(decl) => {
            let built = rotation::retire_current(&doc, decl, &target.env.name, ctx.now)
                .map_err(|e| crate::report::rotation::rotation_error(target.env, e))?;
            apply_edits(&mut doc, &built.edits).map_err(|e| target.edit_error(e))?;
            built.changes
        }
        None => Vec::new(),
    };
    let action = kv::set(&mut doc, key, &value).map_err(|e| target.edit_error(e))?;
    // The record says when this value was set, so `status` knows its age. A value set to
    // what it already was is no new value: its record (if any) stays.
    if action != kv::SetAction::Unchanged {
        let record = envmint::plan::record::Record::set(ctx.now)
            .encryption(encryption)
            .to_string();
        doc.set_record(key, &record)
            .map_err(|e| target.edit_error(e))?;
    }
    target.save(&file, &doc)?;
    drop(file);

    if args.json {
        target.print_json(key, action.as_str(), &retired)?;
    } else {
        crate::output::say!(
            "{}: {}: {key} {}",
            target.env.name,
            target.file(),
            action.as_str()
        );
        let width = retired.iter().map(|c| c.key.len()).max().unwrap_or(0);
        for c in &retired {
            crate::output::say!(
                "  {}",
                crate::changes::change_line(&target.env.name, c, width, false)
            );
        }
    }
    if let Some(problem) = problem {
        crate::output::say!(
            "warning: {}: {key}: {problem} (written anyway)",
            target.file()
        );
    }
    Ok(Exit::Ok)
}

/// The value: all of stdin when it is not a terminal, else typed twice at a hidden prompt.
fn read_value(key: &str, allow_empty: bool) -> Result<Zeroizing<String>> {
    let (input, source) = if terminal::stdin_is_terminal() {
        (prompt_twice(key)?, "<terminal>")
    } else {
        (read_stdin()?, "<stdin>")
    };
    kv::value_from_input(input, allow_empty).map_err(|e| {
        let (what, hint) = match e {
            ValueError::Empty => (
                "is empty".to_string(),
                format!(
                    "pipe the value in (printf '%s' \"$VALUE\" | envmint set ENV {key}); \
                     --allow-empty writes `{key}=`"
                ),
            ),
            ValueError::TooLong => (
                format!("is longer than {MAX_VALUE_LEN} bytes"),
                "a value is one line of at most 64 KiB; store a file's path instead".to_string(),
            ),
            ValueError::NotUtf8 => (
                "is not valid UTF-8".to_string(),
                "envmint writes UTF-8 values only".to_string(),
            ),
            // A refusal added later: the library's words, without a hint.
            other => return Error::data(Location::new(source, None), other.to_string()),
        };
        Error::data(
            Location::new(source, None),
            format!("the value for `{key}` {what}; nothing written"),
        )
        .with_hint(hint)
    })
}

/// All of stdin, up to just over [`MAX_VALUE_LEN`] (so a longer value is seen and refused), in
/// one buffer allocated up front: growing it would leave copies of the value behind.
fn read_stdin() -> Result<Zeroizing<Vec<u8>>> {
    if stdin_is_closed() {
        // Read as empty, a closed stdin would let `--allow-empty` wipe the value.
        return Err(Error::MissingInput {
            path: "<stdin>".into(),
            what: "stdin is closed, so the value was".into(),
            hint: Some(
                "pipe the value in, or run set on a terminal to type it; nothing written".into(),
            ),
        });
    }
    let limit = MAX_VALUE_LEN + 3;
    let mut buf = Zeroizing::new(Vec::with_capacity(limit));
    std::io::stdin()
        .lock()
        .take(limit as u64)
        .read_to_end(&mut buf)
        .map_err(|e| Error::reading(std::path::Path::new("<stdin>"), e))?;
    Ok(buf)
}

/// Whether stdin was closed when envmint started (`envmint set ENV KEY <&-`): the Rust runtime
/// then puts `/dev/null`, opened read-write, in its place, where a shell's `</dev/null` opens
/// it read-only (an empty value on purpose).
fn stdin_is_closed() -> bool {
    use std::os::fd::AsFd;
    crate::output::fd_was_closed(std::io::stdin().as_fd())
}

/// The longest line a terminal passes on whole: Linux keeps 4095 bytes of a line being typed
/// (in canonical mode) and silently drops the rest, so a line that long may have been cut.
const MAX_TYPED_LEN: usize = 4094;

/// Asks for the value twice without echo; refuses when the two differ, or when they may have
/// been cut by the terminal (both copies of a long paste are cut alike, so they match).
fn prompt_twice(key: &str) -> Result<Zeroizing<Vec<u8>>> {
    let first = terminal::read_hidden(&format!("Value for {key}: "), MAX_VALUE_LEN)?;
    let second = terminal::read_hidden(&format!("Again, to confirm {key}: "), MAX_VALUE_LEN)?;
    // End of input (Ctrl-D, a closed terminal) without even a line break is not an empty
    // value: with --allow-empty it would wipe the key.
    if first.is_empty() || second.is_empty() {
        return Err(Error::data(
            Location::new("<terminal>", None),
            format!("no value typed for `{key}` (end of input); nothing written"),
        )
        .with_hint("press Enter on an empty line to give an empty value with --allow-empty"));
    }
    // Checked once both were read: refused after the first, a second paste made by habit would
    // land in the shell, echoed and kept in its history.
    let typed = first.strip_suffix(b"\n").unwrap_or(&first);
    if typed.strip_suffix(b"\r").unwrap_or(typed).len() > MAX_TYPED_LEN {
        return Err(Error::data(
            Location::new("<terminal>", None),
            format!(
                "the value typed for `{key}` is longer than {MAX_TYPED_LEN} bytes, where the \
                 terminal may have cut it; nothing written"
            ),
        )
        .with_hint(format!(
            "pipe a long value in on stdin (envmint set ENV {key} < FILE)"
        )));
    }
    if first != second {
        return Err(Error::data(
            Location::new("<terminal>", None),
            format!("the two values typed for `{key}` differ; nothing written"),
        )
        .with_hint("run the command again"));
    }
    Ok(first)
}
