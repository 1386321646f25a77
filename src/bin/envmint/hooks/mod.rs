//! Hooks in the binary: the allowance (`--allow-hooks`), the environment a hook gets, running
//! one ([`runner`]) and taking credentials through the stages ([`staged`]).
//!
//! The trust rule: a hook is a command the operator's account runs, written in the
//! repository. Hooks run only from a manifest the trust rule accepted (owned by the user or
//! root: `load_manifest`), and only once the user allowed this manifest's hooks on this
//! machine (`--allow-hooks`, which prints every hook first), as `direnv allow` does: the
//! allowance is the digest of every hook ([`envmint::manifest::hooks_digest`]) with the
//! digest of what they run against (each environment's name and resolved store file, the
//! declared secrets that pass a client redirection) and the manifest's resolved path, in
//! `$XDG_CONFIG_HOME/envmint/allow-hooks`. A pull request that adds or changes a hook, an
//! environment or a store makes a new digest, so nothing it wrote runs until someone allows it
//! again; a symlinked manifest runs no hooks.

pub mod runner;
pub mod session;
pub mod staged;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use envmint::dotenv::Document;
use envmint::dotenv::interpolate::{self, Outside};
use envmint::export::{self, Keys};
use envmint::manifest::{Environment, Manifest, Source};
use zeroize::Zeroizing;

use crate::context::Context;
use crate::output::say;
use crate::resolve::Resolved;

/// The allowance file: beside the allow list of `--allow-outside`.
fn allowance_file(ctx: &Context) -> Option<PathBuf> {
    ctx.allow_list
        .as_ref()
        .and_then(|p| p.parent())
        .map(|p| p.join("allow-hooks"))
}

/// The manifest's folder (where hooks run) and its path as allowed.
pub fn manifest_paths(manifest: &Manifest, cwd: &Path) -> (PathBuf, PathBuf) {
    match manifest.source() {
        Source::File(p) => {
            let path = std::fs::canonicalize(p).unwrap_or_else(|_| cwd.join(p));
            let dir = path
                .parent()
                .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
            (dir, path)
        }
        Source::Builtin => (cwd.to_path_buf(), cwd.join("<built-in preset>")),
    }
}

/// Refuses (77) hooks the user has not allowed for this manifest on this machine; with
/// `allow` (`--allow-hooks`), shows every hook and records the allowance, under its lock
/// (waiting as `config` says).
pub fn check_allowed(
    ctx: &Context,
    config: &Resolved,
    manifest: &Manifest,
    cwd: &Path,
    allow: bool,
) -> Result<()> {
    let Some((line, existing)) = allowance(ctx, manifest, cwd)? else {
        return Ok(());
    };
    // A symlinked manifest would run the hooks of the file it points to (allowed there)
    // against the stores of the folder the link is in.
    if let Source::File(p) = manifest.source()
        && std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(Error::Refused {
            path: p.clone(),
            reason: "its hooks run only from a manifest that is not a symlink (a link would run \
                     hooks allowed for the file it points to against other stores)"
                .into(),
            hint: Some("run envmint with --manifest naming the real file".into()),
        });
    }
    if existing.lines().any(|l| l == line) {
        return Ok(());
    }
    let (_, path) = manifest_paths(manifest, cwd);
    let file = allowance_file(ctx);
    if !allow {
        return Err(refuse_listing(
            "this manifest's hooks, not allowed on this machine:",
            &listed(manifest),
            &path,
            "its hooks (commands envmint runs as you) are new or changed since you last \
             allowed them on this machine"
                .into(),
            "again with --allow-hooks",
        ));
    }
    say!("allowing the hooks of {} on this machine:", path.display());
    for (who, stage, text) in listed(manifest) {
        say!("  {who} {stage}: {}", one_line(text));
    }
    let (dir, _) = manifest_paths(manifest, cwd);
    for env in manifest.environments() {
        say!(
            "  against environment {}: {}",
            env.name,
            resolved(&dir.join(env.store_path())).display()
        );
    }
    let Some(file) = file else {
        return Err(no_config_folder("allow-hooks"));
    };
    if let Some(dir) = file.parent() {
        make_private_dir(dir)?;
    }
    let mut text = existing;
    text.push_str(&line);
    text.push('\n');
    // The user's own config folder, from the user's variables: no repository path.
    let within = envmint::atomic::Within::anywhere(ctx.euid)
        .relative_to(ctx.cwd_if_known())
        .typed();
    let wait = config.lock_timeout(&ctx.lock_timeout)?;
    let locked = envmint::atomic::lock(&file, &within, wait)?;
    locked.write(text.as_bytes())?;
    Ok(())
}

/// Refuses (77) a run whose hooks are not allowed on this machine, once it has listed on
/// stderr, under `heading`, every hook it would run (`hooks`: who, stage, text), so what to
/// review is on the screen, not behind another command; `path` and `reason` say what is
/// refused, `again` how to run it once they are reviewed.
pub fn refuse_listing(
    heading: &str,
    hooks: &[(String, &str, &str)],
    path: &Path,
    reason: String,
    again: &str,
) -> Error {
    say!("{heading}");
    for (who, stage, text) in hooks {
        say!("  {who} {stage}: {}", one_line(text));
    }
    Error::Refused {
        path: path.to_path_buf(),
        reason,
        hint: Some(format!("review the hooks listed above, then run {again}")),
    }
}

/// The allowance line of `manifest`'s hooks and the allowance file's text; `None` without hooks.
/// The line holds the digest of every hook, the digest of what they run against
/// ([`scope_digest`]) and the manifest's resolved path.
fn allowance(ctx: &Context, manifest: &Manifest, cwd: &Path) -> Result<Option<(String, String)>> {
    let Some(digest) = envmint::manifest::hooks_digest(manifest) else {
        return Ok(None);
    };
    let (_, path) = manifest_paths(manifest, cwd);
    let scope = scope_digest(manifest, cwd);
    let line = format!("{digest} {scope} {}", path.display());
    let existing = match allowance_file(ctx) {
        Some(f) => read_allowances(&f, ctx.euid)?,
        None => String::new(),
    };
    Ok(Some((line, existing)))
}

/// What allowed hooks run against, as a digest: each environment's name and store file (its
/// symlinks resolved), and the declared secrets that pass a client redirection to hooks
/// ([`envmint::hooks::env::redirects`]). A new environment, another store, or a newly declared
/// `PGHOST` needs a new allowance, as a changed hook does.
fn scope_digest(manifest: &Manifest, cwd: &Path) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    let mut field = |text: &str| {
        h.update((text.len() as u64).to_be_bytes());
        h.update(text.as_bytes());
    };
    let (dir, _) = manifest_paths(manifest, cwd);
    for env in manifest.environments() {
        field("environment");
        field(&env.name);
        field(&resolved(&dir.join(env.store_path())).to_string_lossy());
        for d in manifest.secrets_for(&env.name) {
            if envmint::hooks::env::redirects(&d.key) {
                field("passes");
                field(&d.key);
            }
        }
    }
    hex::encode(h.finalize())
}

/// `path` with its symlinks resolved as far as it exists (a store not made yet: its folder).
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => path.to_path_buf(),
    }
}

/// Whether `manifest`'s hooks (if any) are allowed on this machine, as they are now.
pub fn is_allowed(ctx: &Context, manifest: &Manifest, cwd: &Path) -> Result<bool> {
    Ok(match allowance(ctx, manifest, cwd)? {
        None => true,
        Some((line, existing)) => existing.lines().any(|l| l == line),
    })
}

/// The allowance file's text: a missing one is empty; one that is a symlink, another user's,
/// or writable by others is refused (it decides which commands run as you).
fn read_allowances(path: &Path, euid: u32) -> Result<String> {
    let bytes = crate::private_file::read(path, false, "the hooks allowance file", euid)?;
    Ok(bytes.map_or_else(String::new, |b| String::from_utf8_lossy(&b).into_owned()))
}

/// The per-user key that binds a pending value to this machine's envmint
/// ([`envmint::hooks::stage::pending_mac`]): 32 random bytes in
/// `$XDG_CONFIG_HOME/envmint/pending-key` (beside the allowance), made on first use with mode
/// 0600 through the atomic writer, under its lock (waiting as `config` says); read only when
/// it is yours and private.
pub fn pending_key(ctx: &mut Context, config: &Resolved) -> Result<envmint::secret::KeyedHash> {
    let Some(path) = allowance_file(ctx).map(|f| f.with_file_name("pending-key")) else {
        return Err(no_config_folder("pending-key"));
    };
    if let Some(key) = read_pending_key(&path, ctx.euid)? {
        return Ok(key);
    }
    if let Some(dir) = path.parent() {
        make_private_dir(dir)?;
    }
    // The user's own config folder, from the user's variables: no repository path.
    let within = envmint::atomic::Within::anywhere(ctx.euid)
        .relative_to(ctx.cwd_if_known())
        .typed();
    let wait = config.lock_timeout(&ctx.lock_timeout)?;
    let locked = envmint::atomic::lock(&path, &within, wait)?;
    // Another run may have made it while this one waited for the lock.
    if let Some(key) = read_pending_key(&path, ctx.euid)? {
        return Ok(key);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    rand::Rng::fill_bytes(&mut ctx.rng, &mut key[..]);
    let mut text = Zeroizing::new(hex::encode(&key[..]));
    text.push('\n');
    locked.write(text.as_bytes())?;
    Ok(envmint::secret::KeyedHash::with_key(key))
}

/// The per-user pending key when this user has one ([`pending_key`] without making one): what
/// `envmint git merge` checks a pending value from the other branch against.
pub fn existing_pending_key(ctx: &Context) -> Result<Option<envmint::secret::KeyedHash>> {
    match allowance_file(ctx).map(|f| f.with_file_name("pending-key")) {
        Some(path) => read_pending_key(&path, ctx.euid),
        None => Ok(None),
    }
}

/// The pending key in `path` (64 hex digits), `None` when there is none yet.
fn read_pending_key(path: &Path, euid: u32) -> Result<Option<envmint::secret::KeyedHash>> {
    let Some(bytes) = crate::private_file::read(path, true, "the pending-value key", euid)? else {
        return Ok(None);
    };
    let mut key = Zeroizing::new([0u8; 32]);
    let text = std::str::from_utf8(&bytes).unwrap_or("");
    if hex::decode_to_slice(text.trim(), &mut key[..]).is_err() {
        return Err(Error::Refused {
            path: path.to_path_buf(),
            reason: "the pending-value key is not 64 hex digits".into(),
            hint: Some(
                "remove it (a new one is made; pending values written with the old one must then \
                 be dropped with --abandon)"
                    .into(),
            ),
        });
    }
    Ok(Some(envmint::secret::KeyedHash::with_key(key)))
}

/// Creates `dir` (and its parents) private to the user when missing.
fn make_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::cant_create(dir, e.to_string()))
}

/// The user's envmint config folder is unknown, so `file` in it (the allowance, the
/// pending-value key) can be neither read nor made.
fn no_config_folder(file: &str) -> Error {
    Error::cant_create(
        Path::new("$XDG_CONFIG_HOME/envmint").join(file),
        "neither XDG_CONFIG_HOME nor HOME is an absolute folder",
    )
    .with_hint(
        "set HOME (or XDG_CONFIG_HOME) to an absolute folder of yours, where envmint keeps the \
         hooks allowance and the pending-value key",
    )
}

/// The lock every hook holds: an exclusive `flock` on the manifest, taken for the whole staged
/// run and inherited by each hook's processes. A run killed while a hook runs leaves that hook
/// running (in its own process group); the next run waits for it to end before it runs the
/// same hook again, so two `ALTER ROLE`s of one credential never race. The manifest is the one
/// file every run of these hooks opens, and envmint never replaces it.
pub struct HookLock(std::fs::File);

impl HookLock {
    /// The locked file, for a hook to inherit.
    pub fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.0.as_fd()
    }
}

/// Takes the [`HookLock`] of `manifest`, waiting up to `wait` for an earlier run's hooks.
pub fn hook_lock(manifest: &Manifest, wait: std::time::Duration) -> Result<Option<HookLock>> {
    let Source::File(path) = manifest.source() else {
        return Ok(None);
    };
    let file = std::fs::File::open(path).map_err(|e| Error::reading(path, e))?;
    let start = std::time::Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(HookLock(file))),
            Err(std::fs::TryLockError::WouldBlock) => {}
            // A file system without locks: hooks run unserialised, as before locks.
            Err(std::fs::TryLockError::Error(_)) => return Ok(None),
        }
        if start.elapsed() >= wait {
            return Err(Error::Refused {
                path: path.clone(),
                reason: "a hook of an earlier envmint run is still running (it holds the \
                         manifest's lock)"
                    .into(),
                hint: Some(
                    "wait for it to end (or find it: fuser on the manifest), then run again".into(),
                ),
            });
        }
        if !told && start.elapsed() >= std::time::Duration::from_secs(1) {
            say!("waiting for a hook of an earlier run to end (it holds the manifest's lock)");
            told = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Every hook of `manifest`: who (secret or environment), stage, text.
pub fn listed(manifest: &Manifest) -> Vec<(String, &'static str, &str)> {
    let mut out = Vec::new();
    for d in manifest.secrets() {
        if let Some(h) = &d.hooks {
            for (stage, text) in h.named() {
                out.push((d.key.clone(), stage, text));
            }
        }
    }
    for e in manifest.environments() {
        if let Some(a) = &e.after {
            out.push((format!("environment {}", e.name), "after", a.as_str()));
        }
    }
    out
}

/// A hook's text on one line, for listings, in full: newlines shown as ` ⏎ `, control
/// characters and the invisible ones that can make text read differently from what runs
/// (bidirectional overrides and isolates, zero-width characters, the byte order mark) escaped
/// as `\u{..}`. The user allows what this shows, so none of it is cut or hidden.
pub fn one_line(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        match c {
            '\n' => out.push_str(" ⏎ "),
            c if c.is_control() || is_invisible(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Characters that change how text around them is shown without being seen themselves.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{00AD}'
            | '\u{034F}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{2800}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// The environment a hook gets from `doc`: every key of the file with `${VAR}` expanded from
/// the file's own keys only (unlike `envmint run`: a forged store's `DB_HOST=${CI_TOKEN}.evil`
/// would otherwise carry a secret of the caller's environment to a DNS server), as
/// `envmint run` gives them otherwise (variables that make
/// programs load code, and envmint's own secrets, held back; a value with a NUL left out);
/// variables that point a client elsewhere ([`envmint::hooks::env::redirects`]: `PGHOST`,
/// `REDISCLI_AUTH`, ...) only when `env` declares them under `[secrets]`.
pub fn store_vars(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
) -> Vec<(String, Zeroizing<String>)> {
    let Ok(entries) = export::select(manifest, &env.name, doc, Keys::File) else {
        return Vec::new();
    };
    let outside = |_: &str| None;
    let expanded = interpolate::expand(doc, &outside, Outside::Loses);
    let passed = |key: &str| {
        !envmint::hooks::env::redirects(key)
            || manifest.secrets_for(&env.name).any(|d| d.key == key)
    };
    entries
        .iter()
        .filter(|e| !export::startup::is_startup_variable(e.key) && passed(e.key))
        .map(|e| (e.key, expanded.value(e.key, e.value)))
        .filter(|(k, v)| !v.contains('\0') && !k.starts_with("ENVMINT_"))
        .map(|(k, v)| (k.to_string(), Zeroizing::new(v.to_string())))
        .collect()
}
