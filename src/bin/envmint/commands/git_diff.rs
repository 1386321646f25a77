//! `envmint git diff FILE`: git's textconv for sealed stores (`diff=envmint`): prints a version
//! of a store as keys and records ([`envmint::review`]), so `git diff` and `git log -p` show
//! which keys were added, removed or changed, never a value.
//!
//! The digest key is 32 random bytes in `GIT_COMMON_DIR/envmint/diff-key` (0600, made on first
//! use through the atomic writer): outside the work tree, so never committed, and the same for
//! every version diffed in this clone. A version that cannot be decrypted here (no identity, a
//! store sealed to others) is shown by its ciphertext's SHA-256 so a change still shows, and the
//! command succeeds: a failing textconv would make git refuse the whole diff.

use envmint::secret::KeyedHash;
use envmint::store::{self, Pin};
use envmint::{Error, Exit, Result, atomic, review};
use rand::Rng as _;
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::cli::GitDiffArgs;
use crate::context::Context;
use crate::output::say;

/// Runs `envmint git diff`.
pub fn run(ctx: &mut Context, args: GitDiffArgs) -> Result<Exit> {
    crate::output::check_stdout()?;
    let raw = atomic::read_regular(&args.file, 2 * envmint::seal::MAX_IN_MEMORY)?
        .ok_or_else(|| Error::reading(&args.file, std::io::ErrorKind::NotFound.into()))?;
    if raw.is_empty() {
        return Ok(Exit::Ok);
    }
    let opened = crate::identities::identities(ctx, &args.identities)
        .and_then(|ids| store::decrypt_sealed(&args.file, &raw, &ids));
    let text = match opened {
        Ok((plain, state)) => match String::from_utf8(plain.to_vec()) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                let doc = envmint::dotenv::Document::parse(&text);
                let pinned = match state.pin {
                    Pin::Pinned(p) => p,
                    _ => Vec::new(),
                };
                let key = diff_key(ctx);
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
fn diff_key(ctx: &mut Context) -> Option<KeyedHash> {
    let dir = git_common_dir(ctx)?.join("envmint");
    let path = dir.join("diff-key");
    if let Some(key) = read_key(&path) {
        return Some(key);
    }
    if let Err(e) = std::fs::create_dir(&dir)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        say!(
            "warning: cannot create {}: values show as <hidden>",
            dir.display()
        );
        return None;
    }
    // In git's own folder on purpose: a path envmint made from git's answer, not the
    // repository's content, so typed (the `.git` rule lets it through).
    let within = atomic::Within::anywhere().typed();
    let locked = atomic::lock(&path, &within, ctx.lock_timeout.get().ok()?).ok()?;
    // Another textconv may have made it while this one waited for the lock.
    if let Some(key) = read_key(&path) {
        return Some(key);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    ctx.rng.fill_bytes(&mut key[..]);
    let mut text = Zeroizing::new(hex::encode(&key[..]));
    text.push('\n');
    if locked.write(text.as_bytes()).is_err() {
        say!(
            "warning: cannot write {}: values show as <hidden>",
            path.display()
        );
        return None;
    }
    Some(KeyedHash::with_key(key))
}

/// The key in `path`: 64 hex digits.
fn read_key(path: &Path) -> Option<KeyedHash> {
    let bytes = atomic::read_regular(path, 1024).ok()??;
    let mut key = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(std::str::from_utf8(&bytes).ok()?.trim(), &mut key[..]).ok()?;
    Some(KeyedHash::with_key(key))
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
