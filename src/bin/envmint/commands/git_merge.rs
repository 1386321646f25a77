//! `envmint git merge BASE OURS THEIRS PATH`: git's merge driver for sealed stores
//! (`merge=envmint` in .gitattributes, `merge.envmint.driver` in the repository's config).
//!
//! The three versions are decrypted in memory and merged per key by [`envmint::merge`]; the
//! result is sealed to the recipients pinned in both branches and written to OURS (git's `%A`,
//! a temporary file git then puts in place) through the atomic writer. When keys conflict, every
//! other key is still merged and written, with our branch's value of each conflicting key (so
//! resolving them and committing keeps what theirs added elsewhere); when the branches are
//! sealed to different recipients, nothing is written. Either way git marks the file
//! conflicted, and the message names keys, never values. No plaintext reaches the disk.

use crate::error::{Error, Result};
use envmint::manifest::{Environment, Manifest, SecretDecl, Source};
use envmint::merge::{self, Reason, Side};
use envmint::seal::{self, Recipient, pin};
use envmint::store::{self, Pin, SealedState, Sealing};
use envmint::{Exit, atomic};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::cli::GitMergeArgs;
use crate::context::Context;
use crate::output::say;

/// The armor line that starts an ASCII-armored age file: the merge keeps our side's form.
const ARMOR: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Runs `envmint git merge`.
pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: GitMergeArgs) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let shown = args.path.display().to_string();
    let manifest = resolved.manifest(ctx)?;
    let env = environment_of(manifest, &cwd.join(&args.path));
    let identities = resolved.identities(ctx)?;
    let version = |file: &Path, side: &str| -> Result<Option<Version>> {
        let raw = atomic::read_regular(file, 2 * seal::MAX_IN_MEMORY, ctx.euid)?
            .ok_or_else(|| Error::reading(file, std::io::ErrorKind::NotFound.into()))?;
        if raw.is_empty() {
            return Ok(None);
        }
        let name = PathBuf::from(format!("{shown} ({side})"));
        let (plain, state) = store::decrypt_sealed(&name, &raw, &identities)?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| {
            Error::data(
                envmint::error::Location::new(&name, None),
                "the decrypted store is not UTF-8 text",
            )
            .with_hint(
                "envmint merges the stores it writes (dotenv text); resolve it by hand: `git \
                 checkout --ours` or `--theirs` the file",
            )
        })?;
        Ok(Some(Version {
            text: Zeroizing::new(text),
            state,
            armored: raw.starts_with(ARMOR),
        }))
    };
    let base = version(&args.base, "base")?;
    let (Some(ours), Some(theirs)) = (
        version(&args.ours, "ours")?,
        version(&args.theirs, "theirs")?,
    ) else {
        say!("error: {shown}: one branch has an empty file; envmint merges two sealed stores");
        say!("hint: resolve it by hand: `git checkout --ours` or `--theirs` the file");
        return Ok(Exit::Problems);
    };
    let recipients = match recipients(&ours.state, &theirs.state, env, ctx.euid) {
        Ok(r) => r,
        Err(Refusal { message, hint }) => {
            say!("error: {shown}: {message}");
            say!("hint: {hint}");
            return Ok(Exit::Problems);
        }
    };
    let decls: Vec<&SecretDecl> = env
        .map(|e| manifest.secrets_for(&e.name).collect())
        .unwrap_or_default();
    let env_name = env.map_or("", |e| e.name.as_str());
    let empty = Zeroizing::new(String::new());
    let base_text = base.as_ref().map_or(&empty, |b| &b.text);
    let parse = envmint::dotenv::Document::parse;
    let theirs_doc = parse(&theirs.text);
    let ours_pending = pending_written_here(ctx, &theirs_doc, &decls, env_name)?;
    let (merged, conflicts) = merge::merge_partial(
        &parse(base_text),
        &parse(&ours.text),
        &theirs_doc,
        &decls,
        env_name,
        &ours_pending,
    );
    let sealing = Sealing {
        recipients,
        armor: ours.armored,
        import: None,
    };
    // On conflicts too the other keys' merge is written (git's contract for `%A`): resolving
    // the named keys and committing must not drop what theirs added elsewhere. When it is our
    // text unchanged, our ciphertext stays byte for byte.
    if conflicts.is_empty() || merged.text.as_str() != ours.text.as_str() {
        let bytes = store::encrypt_sealed(&args.path, &sealing, merged.text.as_bytes())?;
        // The file git named for the driver's result (`%A`): git's choice, not the repository's.
        let within = atomic::Within::anywhere(ctx.euid)
            .relative_to(ctx.cwd_if_known())
            .typed();
        atomic::lock(
            &args.ours,
            &within,
            resolved.lock_timeout(&ctx.lock_timeout)?,
        )?
        .write(&bytes)?;
    }
    if !conflicts.is_empty() {
        report_conflicts(&shown, env, &conflicts, &merged);
        return Ok(Exit::Problems);
    }
    say!(
        "envmint: {shown}: merged per key, sealed to {}{}",
        crate::output::plural(sealing.recipients.len(), "recipient"),
        detail(&merged)
    );
    warn_unrecorded(&shown, env, &merged);
    Ok(Exit::Ok)
}

/// What the merge took, said after its first line: `": 1 key from theirs (A); ..."`, or nothing.
fn detail(merged: &merge::Merged) -> String {
    let mut said = Vec::new();
    if !merged.from_theirs.is_empty() {
        said.push(format!(
            "{} from theirs ({})",
            crate::output::plural(merged.from_theirs.len(), "key"),
            some(merged.from_theirs.iter().map(String::as_str))
        ));
    }
    if !merged.dropped_pending.is_empty() {
        said.push(format!(
            "{} on theirs not taken ({}): a pending value is resumed only on the machine that \
             wrote it",
            crate::output::plural(merged.dropped_pending.len(), "pending value"),
            some(merged.dropped_pending.iter().map(String::as_str))
        ));
    }
    if !merged.rotations.is_empty() {
        let each = merged.rotations.iter().map(|r| {
            let newer = match r.newer {
                Side::Ours => "ours",
                Side::Theirs => "theirs",
            };
            if r.kept_as.is_empty() {
                format!("{}: newer on {newer}", r.key)
            } else {
                format!(
                    "{}: newer on {newer}, older kept as {}",
                    r.key,
                    r.kept_as.join(", ")
                )
            }
        });
        said.push(format!(
            "{} rotated on both, the newer value kept ({})",
            crate::output::plural(merged.rotations.len(), "key"),
            some(each)
        ));
    }
    if said.is_empty() {
        String::new()
    } else {
        format!(": {}", said.join("; "))
    }
}

/// The warning for values theirs changed without a new record.
fn warn_unrecorded(shown: &str, env: Option<&Environment>, merged: &merge::Merged) {
    if !merged.unrecorded.is_empty() {
        say!(
            "warning: {shown}: {} changed on theirs with no new `# envmint:` record ({}): \
             envmint records every value it sets, so it was changed by `envmint edit`, by hand, \
             or forged",
            crate::output::plural(merged.unrecorded.len(), "value"),
            some(merged.unrecorded.iter().map(String::as_str))
        );
        say!(
            "hint: check who changed it and why (git log -p -- {shown}); if it is not yours \
             to trust, set it again: envmint set {} KEY",
            env.map_or("ENV", |e| e.name.as_str())
        );
    }
}

/// One branch's version of the store, decrypted.
struct Version {
    text: Zeroizing<String>,
    state: SealedState,
    armored: bool,
}

/// Why the merge does not write: said as `error:` and `hint:` lines, exit 1 (a conflict to git).
struct Refusal {
    message: String,
    hint: String,
}

/// The sealed environment whose store is at `path`.
fn environment_of<'m>(manifest: &'m Manifest, path: &Path) -> Option<&'m Environment> {
    if matches!(manifest.source(), Source::Builtin) {
        return None;
    }
    let wanted = normalized(path);
    manifest.environments().iter().find(|e| {
        e.sealed
            .as_ref()
            .is_some_and(|s| normalized(&s.path) == wanted)
    })
}

/// `path` with its folder resolved (symlinks, `..`) when it exists: git names the store from the
/// top of the work tree, the manifest from its own folder.
fn normalized(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// The recipients the merge seals to: the set pinned in both branches. Branches pinned to
/// different sets are refused (a `rekey` for a person to do); a branch without a pin is accepted
/// when its header fits the manifest's recipients, which must then be the other side's too.
fn recipients(
    ours: &SealedState,
    theirs: &SealedState,
    env: Option<&Environment>,
    euid: u32,
) -> std::result::Result<Vec<Recipient>, Refusal> {
    let manifest_recipients = || -> std::result::Result<Vec<Recipient>, Refusal> {
        let sealed = env.and_then(|e| e.sealed.as_ref()).ok_or_else(|| Refusal {
            message: "a branch's store has no recipient pin, and no sealed environment of the \
                      manifest names this file"
                .into(),
            hint: "run `envmint rekey ENV` on both branches (it pins the store), then merge".into(),
        })?;
        sealed.all_recipients(euid).map_err(|_| Refusal {
            message: "the manifest's recipients cannot be read".into(),
            hint: "fix the recipients of the environment, then merge again".into(),
        })
    };
    let pinned = |state: &SealedState| -> std::result::Result<Option<Vec<String>>, Refusal> {
        match &state.pin {
            Pin::Pinned(p) => Ok(Some(p.clone())),
            Pin::Unpinned(_) => Ok(None),
            Pin::Bad(line) => Err(Refusal {
                message: format!(
                    "a branch's store has a pin line that is not a recipient (line {line})"
                ),
                hint: "run `envmint rekey ENV` on that branch to pin it again".into(),
            }),
        }
    };
    let chosen = match (pinned(ours)?, pinned(theirs)?) {
        (Some(a), Some(b)) if a == b => a,
        (Some(a), Some(b)) => {
            let (added, removed) = pin::diff(&a, &b);
            return Err(Refusal {
                message: format!(
                    "the branches are sealed to different recipients (theirs adds {}, drops {})",
                    list(&added),
                    list(&removed)
                ),
                hint: "who can read a store changes only by `envmint rekey`: rekey one branch to \
                       the other's recipients, review it, then merge"
                    .into(),
            });
        }
        (a, b) => {
            let from_manifest = manifest_recipients()?;
            let canonical = pin::canonical(&from_manifest);
            for (state, pinned) in [(ours, a), (theirs, b)] {
                let fits = match (&state.pin, pinned) {
                    (_, Some(p)) => p == canonical,
                    (Pin::Unpinned(stanzas), None) => pin::stanzas_match(stanzas, &from_manifest),
                    _ => false,
                };
                if !fits {
                    return Err(Refusal {
                        message: "a branch's store is sealed to other recipients than the \
                                  manifest lists"
                            .into(),
                        hint: "run `envmint rekey ENV --dry-run` on each branch, rekey, then merge"
                            .into(),
                    });
                }
            }
            canonical
        }
    };
    chosen
        .iter()
        .map(|r| Recipient::parse(r))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| Refusal {
            message: "a pinned recipient does not parse".into(),
            hint: "run `envmint rekey ENV` on each branch, then merge".into(),
        })
}

/// The first five of `items`, then how many more: a merge of hundreds of keys stays one line.
fn some<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    let items: Vec<S> = items.collect();
    let mut out: Vec<&str> = items.iter().take(5).map(AsRef::as_ref).collect();
    let more = items.len().saturating_sub(5);
    let tail = format!("and {more} more");
    if more > 0 {
        out.push(&tail);
    }
    out.join(", ")
}

fn list(keys: &[String]) -> String {
    if keys.is_empty() {
        "none".into()
    } else {
        keys.join(", ")
    }
}

/// Says which keys could not be merged, grouped by why; never a value.
fn report_conflicts(
    shown: &str,
    env: Option<&Environment>,
    conflicts: &[merge::Conflict],
    merged: &merge::Merged,
) {
    let keys = |reason: Reason| -> Vec<&str> {
        conflicts
            .iter()
            .filter(|c| c.reason == reason)
            .map(|c| c.key.as_str())
            .collect()
    };
    let both = keys(Reason::BothChanged);
    if !both.is_empty() {
        say!(
            "error: {shown}: both branches gave {} different values; envmint cannot choose",
            both.join(", ")
        );
    }
    for (reason, why) in [
        (
            Reason::Unreadable,
            "a line envmint cannot read on one branch",
        ),
        (
            Reason::KeyringFull,
            "a full keyring: keeping both rotations would push a key out",
        ),
        (
            Reason::NotWritable,
            "a value that cannot be written in place",
        ),
    ] {
        let keys = keys(reason);
        if !keys.is_empty() {
            say!("error: {shown}: {} ({why})", keys.join(", "));
        }
    }
    let taken = detail(merged);
    if !taken.is_empty() {
        say!("envmint: {shown}: every other key merged per key{taken}");
    }
    warn_unrecorded(shown, env, merged);
    let env = env.map_or("ENV", |e| e.name.as_str());
    say!(
        "hint: the file keeps your branch's value of {} and git marks it conflicted; set each \
         with `envmint set {env} KEY` (or `envmint edit {env}`), then `git add {shown}`",
        if conflicts.len() == 1 {
            "that key"
        } else {
            "those keys"
        }
    );
}

/// The pending values (`KEY_PENDING` names) on `theirs` that this machine's envmint wrote: their
/// `mac=` checks out under this user's pending key. In a rebase or cherry-pick the user's own
/// replayed commit is "theirs", and its pending value may already be at the service; any other
/// pending value from the other branch is dropped by the merge.
fn pending_written_here(
    ctx: &Context,
    theirs: &envmint::dotenv::Document,
    decls: &[&SecretDecl],
    environment: &str,
) -> Result<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    let Some(mac_key) = crate::hooks::existing_pending_key(ctx)? else {
        return Ok(found);
    };
    for decl in decls {
        if let Some(p) = envmint::hooks::stage::pending(theirs, &decl.key)
            && p.is_ours(&mac_key, environment, &decl.key)
        {
            found.insert(envmint::manifest::pending_name(&decl.key));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both branches pinned to the same text that is not a recipient. No store reaches this:
    /// a pin is read through `Recipient::parse` and kept in its canonical form, which parses
    /// again; the refusal is the last guard before sealing.
    #[test]
    fn a_pin_that_does_not_parse_again_is_refused_with_rekey() {
        let state = SealedState {
            pin: Pin::Pinned(vec!["age1notarecipient".into()]),
            opened_by: Vec::new(),
        };
        let Err(refusal) = recipients(&state, &state, None, 0) else {
            panic!("sealed to a recipient that does not parse");
        };
        assert_eq!(
            format!("error: x.age: {}\nhint: {}", refusal.message, refusal.hint),
            "error: x.age: a pinned recipient does not parse\n\
             hint: run `envmint rekey ENV` on each branch, then merge"
        );
    }
}
