//! `envmint retire ENV KEY [--older-than WHEN]`: remove a secret's retired values explicitly,
//! through the store and the atomic writer (sealed stores in memory). The way an encryption
//! key's keyring shrinks once its data is re-encrypted: time never removes those keys.

use crate::cli::RetireArgs;
use crate::context::Context;
use crate::target::Target;

use crate::error::{Error, Result};
use envmint::Exit;
use envmint::plan::edit::apply_edits;
use envmint::plan::retire;
use envmint::plan::rotation::Action;
use jiff::Timestamp;
use serde::Serialize;

pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: RetireArgs) -> Result<Exit> {
    let target = Target::of(ctx, resolved)?;
    let key = args.key.as_str();
    // A key the manifest no longer declares may still have retired values left in the store
    // (the library finds them by their records); without a store there is nothing to look at.
    let declared = target
        .manifest
        .secrets_for(&target.env.name)
        .any(|d| d.key == key);
    let undeclared = || {
        Error::usage(format!(
            "{}: not a secret of environment {}",
            key.escape_debug(),
            target.env.name
        ))
        .with_hint(
            "name a key declared under [secrets] for this environment (see envmint.toml), or \
             one whose retired values are still in the store",
        )
    };
    let older_than = args
        .older_than
        .as_deref()
        .map(|text| older_than(ctx.now, text))
        .transpose()?;
    if args.json {
        crate::output::check_stdout()?;
    }
    let file = target.open(ctx)?;
    if !file.exists() && !declared {
        return Err(undeclared());
    }
    if !file.exists() {
        return Err(Error::MissingInput {
            path: target.env.store_path().to_path_buf(),
            what: "the environment's store".into(),
            hint: Some(format!("envmint bootstrap {} creates it", target.env.name)),
        });
    }
    let mut doc = file.snapshot().document()?;
    target.warn_lines(&doc);
    let built = retire::build(target.manifest, target.env, &doc, key, older_than, ctx.now)
        .map_err(|e| match e {
            envmint::plan::rotation::RotationError::NotDeclared { .. } => undeclared(),
            e => crate::report::rotation::rotation_error(target.env, e),
        })?;
    apply_edits(&mut doc, &built.edits).map_err(|e| target.edit_error(e))?;
    let written = !args.dry_run && !built.is_empty() && target.save(&file, &doc)?;
    drop(file);

    let removed: usize = built
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Dropped | Action::ExpiredRemoved))
        .map(|c| c.count)
        .sum();
    let kept = envmint::plan::status::evaluate_managed(target.manifest, target.env, &doc, ctx.now)
        .into_iter()
        .find(|r| r.key == key)
        .and_then(|r| r.keyring)
        .map(|k| k.keys);
    if args.json {
        let report = JsonRetire {
            dry_run: args.dry_run,
            environment: &target.env.name,
            file: envmint::path::shown(target.env.store_path(), &target.cwd).to_string_lossy(),
            key,
            written,
            removed,
            keyring: kept,
            changes: built
                .changes
                .iter()
                .map(|c| crate::changes::json_change(&target.env.name, c))
                .collect(),
        };
        let text = serde_json::to_string(&report).map_err(|e| {
            envmint::error::FileError::os("<stdout>", envmint::error::Op::WriteStdout, e.into())
        })?;
        crate::output::print_line(&text)?;
        return Ok(Exit::Ok);
    }
    let verb = if args.dry_run {
        "would retire"
    } else {
        "retired"
    };
    let state = if removed == 0 && !built.is_empty() {
        // Only the current value's `role=encryption` went (see `retire::build`).
        let says = if args.dry_run {
            "would no longer say"
        } else {
            "no longer says"
        };
        format!("no old values of {key}; its record {says} role=encryption")
    } else if removed == 0 {
        format!("nothing to retire for {key}")
    } else {
        let mut s = format!(
            "{verb} {removed} old value{} of {key}",
            if removed == 1 { "" } else { "s" }
        );
        if let Some(n) = kept {
            s.push_str(&format!(
                "; its keyring holds {n} key{}",
                if n == 1 { "" } else { "s" }
            ));
        }
        s
    };
    crate::output::say!("{}: {} ({state})", target.env.name, target.file());
    let width = built
        .changes
        .iter()
        .map(|c| c.key.chars().count())
        .max()
        .unwrap_or(0);
    for c in &built.changes {
        crate::output::say!(
            "  {}",
            crate::changes::change_line(&target.env.name, c, width, args.dry_run)
        );
    }
    Ok(Exit::Ok)
}

/// `--older-than WHEN`: an instant (RFC 3339, or a date for midnight UTC), or a period back
/// from now (`90d`: retired more than 90 days ago).
fn older_than(now: Timestamp, text: &str) -> Result<Timestamp> {
    if let Ok(t) = envmint::time::parse_instant(text) {
        return Ok(t);
    }
    match envmint::time::parse_duration(text) {
        Ok(d) => {
            let back = jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX);
            Ok(now.checked_sub(back).unwrap_or(Timestamp::MIN))
        }
        Err(_) => Err(Error::usage(format!(
            "--older-than {}: neither a time nor a period",
            envmint::text::shown(text, 60)
        ))
        .with_hint("give a date (2027-01-01), an RFC 3339 time, or a period back from now (90d)")),
    }
}

/// `--json`: what was retired. Never a value.
#[derive(Serialize)]
struct JsonRetire<'a> {
    dry_run: bool,
    environment: &'a str,
    file: std::borrow::Cow<'a, str>,
    key: &'a str,
    written: bool,
    /// How many retired values went.
    removed: usize,
    /// For an encryption key: how many keys its keyring holds afterwards.
    keyring: Option<usize>,
    changes: Vec<crate::changes::JsonChange<'a>>,
}
