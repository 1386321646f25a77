//! `envmint adopt ENV [KEY...]`: record the age of values a live project already has, and take
//! hand-kept retired values as retired now, so the first `rotate --due` renews only what is
//! due. The decisions are the library's ([`envmint::plan::adopt`]); this reads the store under
//! its lock, writes the records through the store (sealed stores too) and reports.

use crate::cli::AdoptArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::target::Target;
use envmint::error::{ClockBehindError, Location};
use envmint::plan::adopt::{self, Action, AdoptError, Adopted};
use envmint::plan::{bootstrap, clock};
use envmint::time::format_timestamp;
use envmint::{Exit, store};
use serde::Serialize;
use std::collections::HashSet;

pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: AdoptArgs) -> Result<Exit> {
    let target = Target::of(ctx, resolved)?;
    if args.json {
        crate::output::check_stdout()?;
    }
    let now = ctx.now;
    let at = resolved.now(ctx)?;
    if clock::is_ahead(at, now) {
        return Err(Error::usage(format!(
            "--at {}: after the clock ({}): adopt dates values that exist now",
            format_timestamp(at),
            format_timestamp(now)
        ))
        .with_hint("give the time the values were made, or leave --at out for now"));
    }
    for key in &args.keys {
        crate::target::check_key(key)?;
    }
    // A dry run reads without the lock; a run holds it from the read to the write.
    let file = if args.dry_run {
        None
    } else {
        Some(target.open(ctx)?)
    };
    let peeked;
    let snapshot = match &file {
        Some(file) => file.snapshot(),
        None => {
            peeked = store::peek(target.storage()?, &target.options(ctx)?)?;
            &peeked
        }
    };
    if !snapshot.exists() {
        return Err(Error::MissingInput {
            path: target.env.store_path().to_path_buf(),
            what: format!("the store of environment {}", target.env.name),
            hint: Some(format!(
                "there is nothing to adopt yet: `envmint bootstrap {}` makes it",
                target.env.name
            )),
        });
    }
    let mut doc = snapshot.document()?;
    target.warn_lines(&doc);
    // The records it writes must not be dated before the ones there (the clock rule).
    let stamp = clock::check(&doc, now)
        .map_err(|behind| Error::from(ClockBehindError::new(target.env.store_path(), behind)))?
        .stamp;
    let example = crate::target::read_example(&target.env.file, ctx.euid);
    let secrets = || target.manifest.secrets_for(&target.env.name);
    let foreign: HashSet<String> = bootstrap::foreign(&doc, secrets(), example.as_ref())
        .into_iter()
        .map(|f| f.key)
        .collect();
    let adopted = adopt::plan(
        target.manifest,
        target.env,
        &doc,
        &args.keys,
        at,
        stamp,
        &foreign,
    )
    .map_err(|e| match e {
        AdoptError::NotDeclared { key } => Error::usage(format!(
            "{key}: not a secret of environment {}",
            target.env.name
        ))
        .with_hint("name keys declared under [secrets] for this environment (see envmint.toml)"),
        other => Error::unworded(Location::new(target.env.store_path(), None), &other),
    })?;
    adopt::apply(&mut doc, &adopted).map_err(|e| target.edit_error(e))?;
    let written = match &file {
        Some(file) if adopted.iter().any(|a| a.record.is_some()) => target.save(file, &doc)?,
        _ => false,
    };
    drop(file);
    if args.json {
        print_json(&target, &adopted, at, args.dry_run, written)?;
    } else {
        print_summary(&target, &adopted, args.dry_run);
    }
    Ok(Exit::Ok)
}

fn print_summary(target: &Target, adopted: &[Adopted], dry_run: bool) {
    let count = |a: Action| adopted.iter().filter(|x| x.action == a).count();
    let (dated, retired, skipped) = (
        count(Action::Dated),
        count(Action::Retired),
        count(Action::Skipped),
    );
    let state = if adopted.is_empty() {
        "nothing to adopt: every value has a record".to_string()
    } else {
        let mut parts = Vec::new();
        let verb = if dry_run { "would date" } else { "dated" };
        if dated > 0 {
            parts.push(format!("{verb} {dated}"));
        }
        if retired > 0 {
            let verb = if dry_run { "would retire" } else { "retired" };
            parts.push(format!("{verb} {retired}"));
        }
        if skipped > 0 {
            parts.push(format!("skipped {skipped}"));
        }
        parts.join(", ")
    };
    crate::output::say!("{}: {} ({state})", target.env.name, target.file());
    let width = adopted
        .iter()
        .map(|a| a.key.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for a in adopted {
        let detail = match a.action {
            Action::Dated => a.record.clone().unwrap_or_default(),
            Action::Retired => {
                let of = a.previous_of.as_deref().unwrap_or("");
                let what = if a.count > 1 {
                    format!("{} previous values of {of}", a.count)
                } else {
                    format!("previous value of {of}")
                };
                format!("{what}, retired now with its overlap")
            }
            Action::Skipped => a.reason.unwrap_or("").to_string(),
        };
        crate::output::say!("  {:<8} {:<width$}  {detail}", a.action.as_str(), a.key);
    }
}

#[derive(Serialize)]
struct JsonAdopt<'a> {
    dry_run: bool,
    /// The time current values are dated at (`--at`, or now).
    at: String,
    environment: &'a str,
    file: std::borrow::Cow<'a, str>,
    written: bool,
    keys: Vec<JsonKey<'a>>,
}

/// One variable; never a value.
#[derive(Serialize)]
struct JsonKey<'a> {
    key: &'a str,
    /// `dated`, `retired` or `skipped`.
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_of: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    /// The record written above it.
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'a str>,
}

fn print_json(
    target: &Target,
    adopted: &[Adopted],
    at: jiff::Timestamp,
    dry_run: bool,
    written: bool,
) -> Result<()> {
    let report = JsonAdopt {
        dry_run,
        at: format_timestamp(at),
        environment: &target.env.name,
        file: envmint::path::shown(target.env.store_path(), &target.cwd).to_string_lossy(),
        written,
        keys: adopted
            .iter()
            .map(|a| JsonKey {
                key: &a.key,
                action: a.action.as_str(),
                previous_of: a.previous_of.as_deref(),
                count: (a.count > 1).then_some(a.count),
                reason: a.reason,
                record: a.record.as_deref(),
            })
            .collect(),
    };
    let text = serde_json::to_string(&report).map_err(|e| {
        envmint::error::FileError::os("<stdout>", envmint::error::Op::WriteStdout, e.into())
    })?;
    crate::output::print_line(&text)
}
