//! `envmint git diff FILE`: git's textconv for sealed stores (`diff=envmint`): prints a version
//! of a store as keys and records ([`envmint::review`]), so `git diff` and `git log -p` show
//! which keys were added, removed or changed, never a value.
//!
//! The digest key is 32 random bytes in `GIT_COMMON_DIR/envmint/diff-key` (0600, made on first
//! use through the atomic writer): outside the work tree, so never committed, and the same for
//! every version diffed in this clone. A version that cannot be decrypted here (no identity, a
//! store sealed to others) is shown by its ciphertext's SHA-256 so a change still shows, and the
//! command succeeds: a failing textconv would make git refuse the whole diff.

use crate::error::{Error, Result};
use envmint::secret::KeyedHash;
use envmint::store::{self, Pin};
use envmint::{Exit, atomic, review};
use rand::Rng as _;
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::cli::GitDiffArgs;
use crate::context::Context;
use crate::output::say;

/// Runs `envmint git diff`.
pub fn run(
    ctx: &mut Context,
    resolved: &crate::resolve::Resolved,
    args: GitDiffArgs,
) -> Result<Exit> {
    crate::output::check_stdout()?;
    let raw = atomic::read_regular(&args.file, 2 * envmint::seal::MAX_IN_MEMORY, ctx.euid)?
        .ok_or_else(|| Error::reading(&args.file, std::io::ErrorKind::NotFound.into()))?;
    if raw.is_empty() {
        return Ok(Exit::Ok);
    }
    let opened = resolved
        .identities(ctx)
        .and_then(|ids| Ok(store::decrypt_sealed(&args.file, &raw, &ids)?));
    let text = match opened {
        Ok((plain, state)) => match String::from_utf8(plain.to_vec()) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                let doc = envmint::dotenv::Document::parse(&text);
                let pinned = match state.pin {
                    Pin::Pinned(p) => p,
                    _ => Vec::new(),
                };
                let key = diff_key(ctx, resolved);
                review::render(&doc, &pinned, key.as_ref())
            }
            Err(_) => undecrypted(&raw, "not UTF-8 text once decrypted"),
        },
        Err(e) => {
            let said = crate::report::render(&e);
            undecrypted(&raw, &said.message)
        }
    };
    crate::output::write_stdout(text.as_bytes())?;
    Ok(Exit::Ok)
}

/// What stands for a version that cannot be shown as keys: why, and the ciphertext's digest.
fn undecrypted(raw: &[u8], why: &str) -> String {
    let digest = hex::encode(sha2::Sha256::digest(raw));
    format!("# not decrypted here: {why}\n# ciphertext sha256 {digest}\n")
}

/// The hasher under this clone's diff key, made on first use; `None` (values shown as
/// `<hidden>`) outside a repository or when the key cannot be read or written.
fn diff_key(ctx: &mut Context, resolved: &crate::resolve::Resolved) -> Option<KeyedHash> {
    let dir = git_common_dir(ctx)?.join("envmint");
    let path = dir.join("diff-key");
    if let Err(why) = private_folder(&dir, ctx.euid) {
        say!(
            "warning: {}: {why}; the diff key is not used, values show as <hidden>",
            path.display()
        );
        say!(
            "hint: make it yours and private (chmod 700 {}), or remove it: the next diff makes \
             a new one",
            dir.display()
        );
        return None;
    }
    match read_key(&path, ctx.euid) {
        Ok(Some(key)) => return Some(key),
        Ok(None) => {}
        Err(why) => {
            say!("warning: {why}; not used, values show as <hidden>");
            say!(
                "hint: remove it (rm {}): the next diff makes a new one, yours alone",
                path.display()
            );
            return None;
        }
    }
    let made = {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().mode(0o700).create(&dir)
    };
    if let Err(e) = made
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        let why = crate::report::render(&Error::writing(&dir, envmint::error::Op::Create, e));
        say!("warning: {}; values show as <hidden>", why.message);
        return None;
    }
    // In git's own folder on purpose: a path envmint made from git's answer, not the
    // repository's content, so typed (the `.git` rule lets it through).
    let within = atomic::Within::anywhere(ctx.euid)
        .relative_to(ctx.cwd_if_known())
        .typed();
    let locked = atomic::lock(
        &path,
        &within,
        resolved.lock_timeout(&ctx.lock_timeout).ok()?,
    )
    .ok()?;
    // Another textconv may have made it while this one waited for the lock.
    if let Ok(Some(key)) = read_key(&path, ctx.euid) {
        return Some(key);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    ctx.rng.fill_bytes(&mut key[..]);
    let mut text = Zeroizing::new(hex::encode(&key[..]));
    text.push('\n');
    if let Err(e) = locked.write(text.as_bytes()) {
        let why = crate::report::render(&e.into());
        say!("warning: {}; values show as <hidden>", why.message);
        return None;
    }
    Some(KeyedHash::with_key(key))
}

/// The key in `path`: exactly 64 hex digits and a line feed, in a file checked as the pending
/// key is ([`crate::private_file::read`]: not a symlink, the effective user's, 0600 or
/// stricter; its folder is checked by [`private_folder`]). `Ok(None)` when there is none yet; `Err` says why the file there
/// is not used: a key others can read lets them test guesses of a short value against its
/// digest in any diff, and one others can write, or a link, chooses the digests.
fn read_key(path: &Path, euid: u32) -> std::result::Result<Option<KeyedHash>, String> {
    let bytes = match crate::private_file::read(path, true, "the diff key", euid) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        // The sentence names the file already.
        Err(e) => return Err(crate::report::render(&e).message),
    };
    let text = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let mut key = Zeroizing::new([0u8; 32]);
    if text.len() != 64 || hex::decode_to_slice(text, &mut key[..]).is_err() {
        return Err(format!(
            "{}: not a diff key ({} bytes; one is 64 hex digits and a line feed)",
            path.display(),
            bytes.len()
        ));
    }
    Ok(Some(KeyedHash::with_key(key)))
}

/// Whether the diff key's folder `dir` may hold it (fine when it does not exist yet: it is
/// made 0700): not a symlink, the effective user's, not writable by others (who could swap
/// the key for their own).
fn private_folder(dir: &Path, euid: u32) -> std::result::Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(_) => return Ok(()),
    };
    if meta.file_type().is_symlink() {
        return Err(format!(
            "its folder {} is a symlink: only a folder of your own is trusted",
            dir.display()
        ));
    }
    if meta.uid() != euid || meta.mode() & 0o022 != 0 {
        return Err(format!(
            "its folder {} is another user's, or others may write it (uid {}, mode {:04o}; you \
             are uid {euid})",
            dir.display(),
            meta.uid(),
            meta.mode() & 0o7777
        ));
    }
    Ok(())
}

/// The repository's common git folder (shared by its worktrees), as git itself says.
fn git_common_dir(ctx: &Context) -> Option<PathBuf> {
    let cwd = ctx.cwd().ok()?;
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--path-format=absolute", "--git-common-dir"])
        .current_dir(cwd)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(text.trim_end_matches('\n')))
}
