//! Command-line arguments turned into what a command works on, as ripgrep turns its `LowArgs`
//! into `HiArgs`: [`Request`] is what the arguments ask for (read off the parsed command before
//! it runs), [`Resolved`] the manifest, environments, identities, instant and lock timeout built
//! from it once, in `commands::run`, and handed to the commands that need them. Also the key
//! selection and how a plan file names stores.

use crate::cli::SelectArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::report::rotation::rotation_error;
use envmint::atomic::LockWait;
use envmint::manifest::{Environment, Manifest, Source};
use envmint::path::shown;
use envmint::plan::rotation::{RotationError, Selection};
use envmint::seal::Identity;
use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the command line asks for, read off the parsed command before it runs: the flags
/// [`Resolved`] builds its pieces from. Empty for a command that reads no manifest.
#[derive(Debug, Default)]
pub struct Request {
    /// `--manifest PATH` (else the one found from the working folder, else the preset).
    pub manifest: Option<PathBuf>,
    /// The environments named (none: every declared one; `bootstrap --all` names none).
    pub environments: Vec<String>,
    /// `--at WHEN` (else the clock).
    pub at: Option<String>,
    /// `-i FILE`, the identity files (else `ENVMINT_IDENTITY`, `ENVMINT_AGE_KEY`, the default
    /// file).
    pub identities: Vec<PathBuf>,
}

/// The pieces a command works on, built from a [`Request`] and the [`Context`]: the manifest
/// (loaded and confined), the environments, the identities, the instant and the lock timeout.
///
/// Built once, in `commands::run`, and handed to the commands; each piece is made the first
/// time a command asks for it and kept for every later ask, so a command that asks for it twice
/// (a store's options, then the identities for a plan's sealed parts) loads it once. Made when
/// asked rather than up front, because what a command may not need must not stop it or
/// disturb the user: the identities can ask for a passphrase or start an age plugin, so only a
/// command that opens a sealed file loads them; a bad `ENVMINT_LOCK_TIMEOUT` stops only a
/// command that takes a lock (never `--dry-run`); and each command reports its errors in the
/// order it always did (`status` reads `--at` before the manifest, `rotate` after).
pub struct Resolved {
    /// What the arguments asked for.
    request: Request,
    /// The working folder, as the manifest search and messages use it.
    cwd: OnceCell<PathBuf>,
    /// The manifest, loaded and confined ([`load_manifest`]).
    manifest: OnceCell<Manifest>,
    /// The environments, as indexes into the manifest's, and whether they were named.
    environments: OnceCell<(Vec<usize>, bool)>,
    /// `--at`, else the clock.
    now: OnceCell<jiff::Timestamp>,
    /// The identities, in the documented order.
    identities: OnceCell<Arc<[Identity]>>,
    /// How long to wait for another process's lock.
    lock_timeout: OnceCell<LockWait>,
}

impl Resolved {
    /// Nothing built yet: every piece is made when a command first asks for it.
    pub fn new(request: Request) -> Resolved {
        Resolved {
            request,
            cwd: OnceCell::new(),
            manifest: OnceCell::new(),
            environments: OnceCell::new(),
            now: OnceCell::new(),
            identities: OnceCell::new(),
            lock_timeout: OnceCell::new(),
        }
    }

    /// The working folder, or the error a command that needs it reports.
    pub fn cwd(&self, ctx: &Context) -> Result<&Path> {
        if let Some(cwd) = self.cwd.get() {
            return Ok(cwd);
        }
        let cwd = ctx.cwd()?.to_path_buf();
        Ok(self.cwd.get_or_init(|| cwd))
    }

    /// The manifest (`--manifest`, else the one found from the working folder, else the
    /// built-in preset), its paths confined to its folder or the user's allow list.
    pub fn manifest(&self, ctx: &Context) -> Result<&Manifest> {
        if let Some(manifest) = self.manifest.get() {
            return Ok(manifest);
        }
        let cwd = self.cwd(ctx)?;
        let manifest = load_manifest(ctx, self.request.manifest.as_deref(), cwd)?;
        Ok(self.manifest.get_or_init(|| manifest))
    }

    /// The environments named on the command line (each once, in order), or every declared
    /// one; and whether they were named. An unknown name is refused with the declared ones.
    pub fn environments(&self, ctx: &Context) -> Result<(Vec<&Environment>, bool)> {
        let manifest = self.manifest(ctx)?;
        let (indexes, named) = match self.environments.get() {
            Some(found) => found,
            None => {
                let (envs, named) = environments(manifest, &self.request.environments)?;
                let indexes = envs
                    .iter()
                    .filter_map(|e| {
                        manifest
                            .environments()
                            .iter()
                            .position(|d| d.name == e.name)
                    })
                    .collect();
                self.environments.get_or_init(|| (indexes, named))
            }
        };
        let all = manifest.environments();
        Ok((indexes.iter().map(|&i| &all[i]).collect(), *named))
    }

    /// `--at WHEN`, or the clock read once for the run.
    pub fn now(&self, ctx: &Context) -> Result<jiff::Timestamp> {
        if let Some(now) = self.now.get() {
            return Ok(*now);
        }
        let now = instant(ctx, self.request.at.as_deref())?;
        Ok(*self.now.get_or_init(|| now))
    }

    /// The identities (`-i`, else ENVMINT_IDENTITY, else ENVMINT_AGE_KEY, else the default
    /// file), loaded the first time they are asked for: loading may ask for a passphrase or
    /// start an age plugin, so only a command that opens a sealed file asks.
    pub fn identities(&self, ctx: &Context) -> Result<Arc<[Identity]>> {
        if let Some(identities) = self.identities.get() {
            return Ok(identities.clone());
        }
        let loaded: Arc<[Identity]> =
            crate::identities::identities(ctx, &self.request.identities)?.into();
        Ok(self.identities.get_or_init(|| loaded).clone())
    }

    /// What the store needs to open `envs` (the caller sets the lock timeout): the bounds of
    /// the manifest loaded, and when one of them is sealed and its sealed file exists, the
    /// identities. A sealed store that does not exist yet needs none: bootstrap creates it from
    /// the recipients alone.
    pub fn store_options(
        &self,
        ctx: &Context,
        envs: &[&Environment],
    ) -> Result<envmint::store::OpenOptions> {
        let mut options = envmint::store::OpenOptions::new(ctx.euid);
        options.within = options.within.relative_to(ctx.cwd_if_known());
        if let Some(within) = ctx.bounds.get() {
            options.within = within.clone();
        }
        let needed = envs
            .iter()
            .filter_map(|e| e.sealed.as_ref())
            .find(|s| std::fs::symlink_metadata(&s.path).is_ok());
        if let Some(sealed) = needed {
            options.identities = self
                .identities(ctx)
                .map_err(|e| crate::identities::name_the_file(e, &sealed.path))?;
        }
        Ok(options)
    }

    /// How long to wait for another process's lock (`ENVMINT_LOCK_TIMEOUT`, else the
    /// default): read by the commands that take a lock, never by a dry run.
    /// Takes the context's [`LockTimeout`](crate::context::LockTimeout) rather than the
    /// context, so a command can ask while it holds `&mut` [`Context::rng`].
    pub fn lock_timeout(&self, raw: &crate::context::LockTimeout) -> Result<LockWait> {
        if let Some(wait) = self.lock_timeout.get() {
            return Ok(*wait);
        }
        let wait = raw.get()?;
        Ok(*self.lock_timeout.get_or_init(|| wait))
    }
}

/// The environments named on the command line (each once, in order), or every declared one;
/// and whether they were named.
pub fn environments<'m>(
    manifest: &'m Manifest,
    names: &[String],
) -> Result<(Vec<&'m Environment>, bool)> {
    if names.is_empty() {
        return Ok((manifest.environments().iter().collect(), false));
    }
    let mut envs: Vec<&Environment> = Vec::new();
    for name in names {
        let env = manifest.environment(name)?;
        if !envs.iter().any(|e| e.name == env.name) {
            envs.push(env);
        }
    }
    Ok((envs, true))
}

/// `--at WHEN`, or the clock; `status`, `plan` and `rotate` say the same about a bad one, with
/// the text escaped and cut short (it is whatever a script passed).
pub fn instant(ctx: &Context, at: Option<&str>) -> Result<jiff::Timestamp> {
    let Some(text) = at else {
        return Ok(ctx.now);
    };
    envmint::time::parse_instant(text).map_err(|e| {
        Error::usage(format!("--at {}: {e}", envmint::text::shown(text, 60)))
            .with_hint(e.hint().to_string())
    })
}

/// The selection flags as the library's [`Selection`].
pub fn selection(args: &SelectArgs) -> Selection {
    if args.all {
        Selection::All
    } else if !args.keys.is_empty() {
        Selection::Keys(args.keys.clone())
    } else {
        Selection::Due
    }
}

/// Refuses, before any store is read, a `--key` that a named environment does not declare, or
/// (environments not named) that no environment declares: see
/// [`rotation::Options::skip_undeclared`].
pub fn check_keys_declared(
    manifest: &Manifest,
    envs: &[&Environment],
    named: bool,
    selection: &Selection,
) -> Result<()> {
    let Selection::Keys(keys) = selection else {
        return Ok(());
    };
    let declares =
        |env: &Environment, key: &str| manifest.secrets_for(&env.name).any(|s| s.key == key);
    for key in keys {
        if named {
            if let Some(env) = envs.iter().find(|e| !declares(e, key)) {
                return Err(rotation_error(
                    env,
                    RotationError::NotDeclared {
                        key: key.clone(),
                        environment: env.name.clone(),
                    },
                ));
            }
        } else if !envs.iter().any(|e| declares(e, key)) {
            return Err(Error::usage(format!(
                "--key {}: not a secret of any environment",
                envmint::text::shown(key, 60)
            ))
            .with_hint("name a key declared under [secrets] in envmint.toml"));
        }
    }
    Ok(())
}

/// The folder a plan's store paths are relative to: the manifest's, or the working folder for
/// the built-in preset (whose files are there).
pub fn manifest_dir(manifest: &Manifest, cwd: &Path) -> PathBuf {
    match manifest.source() {
        Source::File(p) => p.parent().unwrap_or(cwd).to_path_buf(),
        Source::Builtin => cwd.to_path_buf(),
    }
}

/// An environment's store as a plan names it: relative to the manifest's folder.
pub fn store_name(env: &Environment, dir: &Path) -> String {
    shown(env.store_path(), dir).to_string_lossy().into_owned()
}

/// Flags every command sees.
pub struct Global {
    /// `-v`.
    pub verbose: bool,
}

/// Loads the manifest (`explicit`, else the one found from `cwd`, else the preset) and checks
/// that its paths stay in its folder unless the user allowed more (`--allow-outside`, the allow
/// list): see [`envmint::manifest::Allow`].
pub fn load_manifest(
    ctx: &Context,
    explicit: Option<&std::path::Path>,
    cwd: &std::path::Path,
) -> Result<envmint::manifest::Manifest> {
    let manifest = envmint::manifest::Manifest::load(explicit, cwd, ctx.home.as_deref(), ctx.euid)?;
    let mut allow = envmint::manifest::Allow {
        everywhere: ctx.allow_outside,
        paths: Vec::new(),
    };
    // The list is read only when a path leads outside: most runs never need it, and a HOME
    // that is not this user's (sudo, setpriv) must not stop them.
    let within = match manifest.confine(cwd, &allow, ctx.euid) {
        Ok(within) => within,
        Err(_) => {
            allow.paths = allow_list(ctx)?;
            manifest.confine(cwd, &allow, ctx.euid)?
        }
    };
    let _ = ctx.bounds.set(within);
    Ok(manifest)
}

/// The folders of the user's allow list (one absolute path per line, `#` comments; `*` allows
/// any path); none when there is no list.
pub fn allow_list(ctx: &Context) -> Result<Vec<PathBuf>> {
    let Some(path) = &ctx.allow_list else {
        return Ok(Vec::new());
    };
    let Some((bytes, meta)) =
        envmint::atomic::read_regular_with_metadata(path, 1024 * 1024, ctx.euid)?
    else {
        return Ok(Vec::new());
    };
    // The list decides where secrets may be written: like git's safe.directory in the user's
    // own config, it counts only when no one else could have written it. The owner and mode
    // are those of the file read (from its descriptor), and its folder's are checked too.
    if let Some(reason) = not_only_yours(&meta, ctx.euid).or_else(|| {
        let folder = path.parent()?;
        let meta = std::fs::metadata(folder).ok()?;
        not_only_yours(&meta, ctx.euid).map(|why| format!("its folder {}: {why}", folder.display()))
    }) {
        return Err(Error::Refused {
            path: path.clone(),
            reason: format!("the allow list is not used: {reason}"),
            hint: Some(format!(
                "the list must be yours and writable by you alone: chown $(id -u) and chmod \
                 go-w it (ls -ld {0} {0}/..)",
                path.display()
            )),
        });
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "*" {
            out.push(PathBuf::from("/"));
            continue;
        }
        let entry = PathBuf::from(line);
        if !entry.is_absolute() {
            return Err(Error::data(
                envmint::error::Location::new(path, Some(i + 1)),
                "not an absolute path (one folder per line, or *)",
            ));
        }
        out.push(entry);
    }
    Ok(out)
}

/// Why a file or folder of the allow list's place could have been written by someone other than
/// the effective user: another owner (root's is accepted for a folder, as `/home` is root's),
/// or write permission for group or others (a sticky folder such as `/tmp` is still refused:
/// another user could have created the list in it).
fn not_only_yours(meta: &std::fs::Metadata, euid: u32) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let owner_ok = meta.uid() == euid || (meta.is_dir() && meta.uid() == 0);
    if !owner_ok {
        return Some(format!(
            "it belongs to uid {}, not to you (uid {euid})",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        let who = match mode & 0o022 {
            0o020 => "its group",
            0o002 => "others",
            _ => "its group and others",
        };
        return Some(format!("{who} may write to it (mode {mode:04o})"));
    }
    None
}

impl Request {
    /// What `command`'s arguments ask for: its `--manifest`, the environments it names, `--at`
    /// and `-i`, for the commands that read them (the rest ask for nothing).
    pub fn of(command: &crate::cli::Command) -> Request {
        use crate::cli::{Command, EnvArgs, GitCommand, RotationArgs};
        let target = |t: &EnvArgs, at: Option<&String>| Request {
            manifest: t.manifest.clone(),
            environments: vec![t.environment.clone()],
            at: at.cloned(),
            identities: t.identities.clone(),
        };
        let rotation = |r: &RotationArgs| Request {
            manifest: r.manifest.clone(),
            environments: r.environments.clone(),
            at: r.at.clone(),
            identities: r.identities.clone(),
        };
        match command {
            Command::Bootstrap(a) => Request {
                manifest: a.manifest.clone(),
                // `--all` names none: every declared environment.
                environments: if a.all {
                    Vec::new()
                } else {
                    a.environments.clone()
                },
                at: None,
                identities: a.identities.clone(),
            },
            Command::Status(a) => Request {
                manifest: a.manifest.clone(),
                environments: a.environments.clone(),
                at: a.at.clone(),
                identities: a.identities.clone(),
            },
            Command::Apply(a) => Request {
                manifest: a.manifest.clone(),
                environments: Vec::new(),
                at: a.at.clone(),
                identities: a.identities.clone(),
            },
            Command::Plan(a) => rotation(&a.rotation),
            Command::Rotate(a) => rotation(&a.rotation),
            Command::Set(a) => target(&a.target, None),
            Command::Get(a) => target(&a.target, None),
            Command::Unset(a) => target(&a.target, None),
            Command::Edit(a) => target(&a.target, None),
            Command::Retire(a) => target(&a.target, None),
            Command::Export(a) => target(&a.target, None),
            Command::Run(a) => target(&a.target, None),
            Command::Adopt(a) => target(&a.target, a.at.as_ref()),
            Command::Audit(a) => Request {
                manifest: a.manifest.clone(),
                environments: a.environments.clone(),
                at: None,
                identities: a.identities.clone(),
            },
            Command::Rekey(a) => Request {
                manifest: a.manifest.clone(),
                environments: if a.all {
                    Vec::new()
                } else {
                    a.environments.clone()
                },
                at: None,
                identities: a.identities.clone(),
            },
            Command::Unseal(a) => Request {
                manifest: a.manifest.clone(),
                identities: a.identities.clone(),
                ..Request::default()
            },
            Command::Git(g) => match &g.command {
                GitCommand::Merge(a) => Request {
                    manifest: a.manifest.clone(),
                    identities: a.identities.clone(),
                    ..Request::default()
                },
                GitCommand::Diff(a) => Request {
                    identities: a.identities.clone(),
                    ..Request::default()
                },
                GitCommand::Setup(a) => Request {
                    manifest: a.manifest.clone(),
                    ..Request::default()
                },
            },
            Command::Seal(a) => Request {
                manifest: a.manifest.clone(),
                ..Request::default()
            },
            Command::Example(a) => Request {
                manifest: a.manifest.clone(),
                ..Request::default()
            },
            // init writes a manifest, it reads none.
            Command::Init(_)
            | Command::Gen(_)
            | Command::Keygen(_)
            | Command::Completions(_)
            | Command::Man(_) => Request::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use envmint::Exit;

    /// A context whose identity is the file `identity` (and no other source).
    fn context(identity: &Path) -> Context {
        let mut ctx = Context::from_process().unwrap();
        ctx.identity = Some(identity.to_path_buf());
        ctx.age_key = None;
        ctx
    }

    /// An age identity file, as `envmint keygen` writes one.
    fn identity_file(dir: &Path) -> PathBuf {
        let path = dir.join("id.txt");
        let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(1);
        let pair = envmint::seal::keygen::generate(&mut rng, jiff::Timestamp::UNIX_EPOCH);
        std::fs::write(&path, secrecy::ExposeSecret::expose_secret(&pair.text)).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        path
    }

    #[test]
    fn identities_are_loaded_once_and_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = identity_file(dir.path());
        let ctx = context(&path);
        let resolved = Resolved::new(Request::default());
        // A store with no sealed file needs none: nothing is read (a missing identity file
        // would be an error).
        std::fs::rename(&path, dir.path().join("away")).unwrap();
        let plain = Environment {
            name: "dev".into(),
            file: dir.path().join(".env"),
            mode: None,
            sealed: None,
            after: None,
            hook_timeout: std::time::Duration::from_secs(1),
        };
        assert!(resolved.store_options(&ctx, &[&plain]).is_ok());
        assert!(resolved.identities.get().is_none());
        // Asked for, they are loaded; asked again, they are not read again.
        std::fs::rename(dir.path().join("away"), &path).unwrap();
        assert_eq!(resolved.identities(&ctx).unwrap().len(), 1);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(resolved.identities(&ctx).unwrap().len(), 1);
        // A fresh one reads the file, which is gone.
        let fresh = Resolved::new(Request::default());
        assert_eq!(fresh.identities(&ctx).unwrap_err().exit(), Exit::NoInput);
    }

    #[test]
    fn a_bad_instant_or_lock_timeout_stops_only_the_command_that_asks() {
        let ctx = Context::from_process().unwrap();
        let resolved = Resolved::new(Request {
            at: Some("soon".into()),
            ..Request::default()
        });
        assert_eq!(resolved.now(&ctx).unwrap_err().exit(), Exit::Usage);
        let clock = Resolved::new(Request::default());
        assert_eq!(clock.now(&ctx).unwrap(), ctx.now);
        let at = Resolved::new(Request {
            at: Some("2030-01-02T03:04:05Z".into()),
            ..Request::default()
        });
        assert_eq!(at.now(&ctx).unwrap().to_string(), "2030-01-02T03:04:05Z");
        assert!(clock.lock_timeout(&ctx.lock_timeout).is_ok());
    }
}
