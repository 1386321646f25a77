//! Finding and reading the manifest: where the search stops, whose manifest is trusted, and why
//! a broken `envmint.toml` is an error rather than a reason to use the preset.

use super::{FILE_NAME, MAX_MANIFEST_BYTES, Manifest};
use crate::atomic;
use crate::error::{
    DotenvError, DotenvProblem, Error, FileError, FileProblem, ManifestError, ManifestProblem, Op,
    Result,
};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

impl Manifest {
    /// Loads the manifest: `explicit` if given (it must exist, and is trusted whoever owns it:
    /// the user named it), else the one [`find`] finds from `cwd` (refused with exit 77 when
    /// another user owns it), else the built-in preset rooted at `cwd`.
    ///
    /// `home` is the user's home folder (the binary passes `$HOME`), where the search stops;
    /// `euid` the effective user id (the binary reads it once), which the owner rules compare
    /// with.
    ///
    /// # Errors
    ///
    /// An `envmint.toml` that exists but is not a readable regular file of at most
    /// [`MAX_MANIFEST_BYTES`] is an error, never a fallback to the preset: a directory, FIFO,
    /// device or symlink loop is exit 65, a dangling symlink or a missing `explicit` file exit
    /// 66, an unreadable or untrusted one exit 77. Invalid contents are exit 65 (see
    /// [`Manifest::parse`]).
    pub fn load(
        explicit: Option<&Path>,
        cwd: &Path,
        home: Option<&Path>,
        euid: u32,
    ) -> Result<Manifest> {
        let path = match explicit {
            Some(p) => cwd.join(p),
            None => match find(cwd, home)? {
                None => return Ok(Manifest::builtin(cwd)),
                Some(found) => {
                    check_owner(&found, euid)?;
                    found
                }
            },
        };
        let text = read(&path, euid)?;
        let root = path.parent().unwrap_or(cwd);
        let manifest = Manifest::parse(&text, &path, root)?;
        refuse_manifest_as_file(&manifest, &path)?;
        Ok(manifest)
    }
}

/// Refuses an environment whose file is the manifest under another name (a symlink or a hard
/// link; [`Manifest::parse`] catches the same path): secrets written there would be committed
/// with the manifest.
fn refuse_manifest_as_file(manifest: &Manifest, path: &Path) -> Result<()> {
    let Ok(own) = std::fs::metadata(path) else {
        return Ok(());
    };
    for env in manifest.environments() {
        if std::fs::metadata(&env.file).is_ok_and(|m| m.dev() == own.dev() && m.ino() == own.ino())
        {
            let environment = env.name.clone();
            return Err(DotenvError {
                path: env.file.clone(),
                problem: DotenvProblem::IsTheManifest { environment },
            }
            .into());
        }
    }
    Ok(())
}

/// The nearest `envmint.toml` in `start` or one of its parents, or `None`.
///
/// The search stops after the first folder that holds `.git` (a file or a folder: the
/// repository's root) and after `home`, so a manifest above the project or above the user's
/// own folders is never picked up. Anything named `envmint.toml` counts as found, whatever it
/// is (a dangling symlink too): [`Manifest::load`] then refuses it if it is broken, rather than
/// falling back to the preset.
///
/// # Errors
///
/// When whether `envmint.toml` exists in a folder cannot be told (e.g. permission denied).
pub fn find(start: &Path, home: Option<&Path>) -> Result<Option<PathBuf>> {
    // $HOME may be spelled with a symlink or `..`; the working directory never is. A relative
    // one names no folder of its own (it would be read from the process's folder): no stop.
    let home_real = home
        .filter(|h| h.is_absolute())
        .and_then(|h| std::fs::canonicalize(h).ok());
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        match std::fs::symlink_metadata(&candidate) {
            Ok(_) => return Ok(Some(candidate)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::reading(&candidate, e));
            }
        }
        let at_home = home.is_some_and(|h| h == dir) || home_real.as_deref() == Some(dir);
        if at_home || std::fs::symlink_metadata(dir.join(".git")).is_ok() {
            break;
        }
    }
    Ok(None)
}

/// Refuses a found manifest that a user other than `euid` or root owns (the link or the file
/// it points to), as git refuses a repository with "dubious ownership": another user could
/// have planted it to make envmint write where they choose.
fn check_owner(path: &Path, euid: u32) -> Result<()> {
    let link = std::fs::symlink_metadata(path).map_err(|e| Error::reading(path, e))?;
    let mut owners = vec![(false, link.uid())];
    if link.file_type().is_symlink() {
        // A dangling link or a loop is reported when it is read.
        if let Ok(target) = std::fs::metadata(path) {
            owners.push((true, target.uid()));
        }
    }
    if let Some((through_symlink, owner)) = owners.into_iter().find(|&(_, u)| u != euid && u != 0) {
        let problem = ManifestProblem::Untrusted {
            owner,
            euid,
            through_symlink,
            found: path.to_path_buf(),
        };
        return Err(ManifestError::new(path, None, problem).into());
    }
    Ok(())
}

/// Reads the manifest at `path` as text. It must exist and be a regular file (followed through
/// symlinks) of at most [`MAX_MANIFEST_BYTES`], read without blocking (a FIFO or `/dev/zero`
/// never hangs or fills memory).
fn read(path: &Path, euid: u32) -> Result<String> {
    let missing = |problem| Error::from(ManifestError::new(path, None, problem));
    match std::fs::metadata(path) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(match std::fs::read_link(path) {
                Ok(points_at) => missing(ManifestProblem::DanglingSymlink { points_at }),
                Err(_) => missing(ManifestProblem::NotFound),
            });
        }
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            let loop_ = FileError::new(path, Op::ReadManifest, FileProblem::SymlinkLoop);
            return Err(loop_.into());
        }
        Err(e) => return Err(Error::reading(path, e)),
    }
    let bytes = atomic::read_regular(path, MAX_MANIFEST_BYTES, euid)
        .map_err(|e| match e {
            // The binary's advice for a manifest differs from a dotenv file's.
            Error::File(mut e) if e.op == Op::Read => {
                e.op = Op::ReadManifest;
                Error::File(e)
            }
            other => other,
        })?
        .ok_or_else(|| missing(ManifestProblem::RemovedWhileRead))?;
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let line = crate::text::line_of_offset(&bytes, e.utf8_error().valid_up_to());
        ManifestError::new(path, Some(line), ManifestProblem::NotUtf8).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Exit;
    use std::fs;

    const ENVS: &str = "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n";

    #[test]
    fn find_walks_up_to_the_nearest_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        fs::create_dir_all(&deep).unwrap();
        assert_eq!(find(&deep, None).unwrap(), None);
        fs::write(dir.path().join(FILE_NAME), ENVS).unwrap();
        assert_eq!(find(&deep, None).unwrap(), Some(dir.path().join(FILE_NAME)));
        let m = Manifest::load(None, &deep, None, crate::test_euid()).unwrap();
        assert_eq!(
            m.environment("production").unwrap().file,
            dir.path().join("prod.env")
        );
        let missing = Manifest::load(
            Some(Path::new("nope.toml")),
            &deep,
            None,
            crate::test_euid(),
        )
        .unwrap_err();
        assert_eq!(missing.exit(), Exit::NoInput);
        assert!(
            matches!(
                &missing,
                Error::Manifest(m) if matches!(**m, ManifestError {
                    problem: ManifestProblem::NotFound,
                    ..
                })
            ),
            "{missing:?}"
        );
    }

    #[test]
    fn find_stops_at_the_repository_root_and_at_home() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("repo/a");
        fs::create_dir_all(&deep).unwrap();
        fs::write(dir.path().join(FILE_NAME), ENVS).unwrap();
        assert!(find(&deep, None).unwrap().is_some());
        // `.git` as a file (a worktree or submodule) stops the search too.
        fs::write(dir.path().join("repo/.git"), "gitdir: elsewhere\n").unwrap();
        assert_eq!(find(&deep, None).unwrap(), None);
        // The repository root's own manifest is found.
        fs::write(dir.path().join("repo").join(FILE_NAME), ENVS).unwrap();
        assert_eq!(
            find(&deep, None).unwrap(),
            Some(dir.path().join("repo").join(FILE_NAME))
        );
        fs::remove_file(dir.path().join("repo").join(FILE_NAME)).unwrap();
        fs::remove_file(dir.path().join("repo/.git")).unwrap();
        // Home, spelled with a trailing slash or through `..`, stops it as well.
        let home = dir.path().join("repo");
        assert_eq!(find(&deep, Some(&home)).unwrap(), None);
        let odd = dir.path().join("repo/a/../");
        assert_eq!(find(&deep, Some(&odd)).unwrap(), None);
        assert!(
            find(&deep, Some(Path::new("/nonexistent")))
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn fail_a_manifest_owned_by_another_user() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::write(&path, ENVS).unwrap();
        let me = fs::metadata(&path).unwrap().uid();
        assert!(check_owner(&path, me).is_ok());
        if me != 0 {
            // Owned by me, checked as if running as someone else who is not root.
            let err = check_owner(&path, me + 1).unwrap_err();
            assert_eq!(err.exit(), Exit::NoPerm);
            let expected = ManifestProblem::Untrusted {
                owner: me,
                euid: me + 1,
                through_symlink: false,
                found: path.clone(),
            };
            assert_eq!(
                format!("{err:?}"),
                format!(
                    "{:?}",
                    Error::from(ManifestError::new(&path, None, expected))
                )
            );
        }
        // Root-owned files are trusted by everyone.
        assert!(check_owner(Path::new("/etc/passwd"), 12345).is_ok());
    }

    #[test]
    fn fail_an_environment_file_that_links_to_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::write(&path, "[environments.production]\nfile = \"prod.env\"\n").unwrap();
        assert!(Manifest::load(None, dir.path(), None, crate::test_euid()).is_ok());
        for link in [
            |m: &Path, l: &Path| std::os::unix::fs::symlink(m, l),
            |m: &Path, l: &Path| fs::hard_link(m, l),
        ] {
            let env_file = dir.path().join("prod.env");
            link(&path, &env_file).unwrap();
            let err = load_in(dir.path());
            assert_eq!(err.exit(), Exit::DataErr, "{err}");
            assert!(
                matches!(
                    &err,
                    Error::Dotenv(DotenvError {
                        path,
                        problem: DotenvProblem::IsTheManifest { environment },
                    }) if *path == env_file && environment == "production"
                ),
                "{err:?}"
            );
            fs::remove_file(&env_file).unwrap();
        }
    }

    fn load_in(dir: &Path) -> Error {
        Manifest::load(None, dir, None, crate::test_euid()).unwrap_err()
    }

    #[test]
    fn fail_broken_manifests_are_errors_not_a_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);

        fs::create_dir(&path).unwrap();
        let err = load_in(dir.path());
        assert_eq!(err.exit(), Exit::DataErr, "{err}");
        // The binary's advice for a manifest names --manifest (report.rs).
        let manifest_file = |err: &Error, want: fn(&FileProblem) -> bool| matches!(err, Error::File(e) if e.op == Op::ReadManifest && e.path == path && want(&e.problem));
        assert!(
            manifest_file(&err, |p| matches!(
                p,
                FileProblem::NotRegular {
                    kind: Some(crate::error::FileKind::Directory)
                }
            )),
            "{err:?}"
        );
        fs::remove_dir(&path).unwrap();

        std::os::unix::fs::symlink("missing.toml", &path).unwrap();
        let err = load_in(dir.path());
        assert_eq!(err.exit(), Exit::NoInput, "{err}");
        assert!(
            matches!(
                &err,
                Error::Manifest(m) if matches!(
                    &m.problem,
                    ManifestProblem::DanglingSymlink { points_at } if points_at == Path::new("missing.toml")
                )
            ),
            "{err:?}"
        );
        fs::remove_file(&path).unwrap();

        std::os::unix::fs::symlink(FILE_NAME, &path).unwrap();
        let err = load_in(dir.path());
        assert_eq!(err.exit(), Exit::DataErr, "{err}");
        assert!(
            manifest_file(&err, |p| matches!(p, FileProblem::SymlinkLoop)),
            "{err:?}"
        );
        fs::remove_file(&path).unwrap();

        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let err = load_in(dir.path());
        assert_eq!(err.exit(), Exit::DataErr, "{err}");
        assert!(
            manifest_file(&err, |p| matches!(
                p,
                FileProblem::NotRegular {
                    kind: Some(crate::error::FileKind::Device)
                }
            )),
            "{err:?}"
        );
        fs::remove_file(&path).unwrap();

        fs::write(&path, vec![b'#'; MAX_MANIFEST_BYTES as usize + 1]).unwrap();
        let err = load_in(dir.path());
        assert_eq!(err.exit(), Exit::DataErr, "{err}");
        assert!(
            manifest_file(&err, |p| matches!(p, FileProblem::TooLarge { .. })),
            "{err:?}"
        );

        fs::write(&path, b"[environments.production]\n# caf\xe9\n").unwrap();
        let err = load_in(dir.path());
        assert!(
            matches!(
                &err,
                Error::Manifest(m) if matches!(**m, ManifestError {
                    line: Some(2),
                    problem: ManifestProblem::NotUtf8,
                    ..
                })
            ),
            "{err:?}"
        );
    }

    /// The owner rules of the manifest a search finds, with an injected effective user id:
    /// run by any user, not only by root (the end-to-end tests give files away as root).
    #[test]
    fn fail_a_found_manifest_or_its_link_another_user_owns_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::write(&path, ENVS).unwrap();
        let (owner, euid) = crate::someone_elses(&path);
        let err = Manifest::load(None, dir.path(), None, euid).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm, "{err:?}");
        let untrusted = |e: &Error| match e {
            Error::Manifest(m) => match &m.problem {
                ManifestProblem::Untrusted {
                    owner, euid, found, ..
                } => Some((*owner, *euid, found.clone())),
                _ => None,
            },
            _ => None,
        };
        assert_eq!(
            untrusted(&err),
            Some((owner, euid, path.clone())),
            "{err:?}"
        );
        // Its owner loads it; named with --manifest, anyone does (the user chose it).
        assert!(Manifest::load(None, dir.path(), None, owner).is_ok());
        assert!(Manifest::load(Some(&path), dir.path(), None, euid).is_ok());

        // A manifest link another user owns, to a file of one's own, is refused the same way.
        let other = tempfile::tempdir().unwrap();
        let real = other.path().join("real.toml");
        fs::write(&real, ENVS).unwrap();
        let link = other.path().join(FILE_NAME);
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let (owner, euid) = crate::someone_elses(&link);
        let err = Manifest::load(None, other.path(), None, euid).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm, "{err:?}");
        assert_eq!(
            untrusted(&err),
            Some((owner, euid, link.clone())),
            "{err:?}"
        );
    }

    /// A recipients file decides who can read a sealed store: one another user owns is
    /// refused, whoever runs the tests.
    #[test]
    fn fail_a_recipients_file_another_user_owns_is_refused() {
        const AGE: &str = "age1hmxr76wjma58p26d8lq642f3arp4cr4ph3e4xett0ptsuu83v44qgzrz6v";
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("p.txt"), format!("{AGE}\n")).unwrap();
        fs::set_permissions(
            root.join("p.txt"),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )
        .unwrap();
        fs::write(
            root.join(FILE_NAME),
            "[environments.p]\nsealed = \"p.age\"\nrecipients_file = \"p.txt\"\n",
        )
        .unwrap();
        let manifest =
            Manifest::load(Some(&root.join(FILE_NAME)), root, None, crate::test_euid()).unwrap();
        let sealed = manifest.environment("p").unwrap().sealed.clone().unwrap();
        let (owner, euid) = crate::someone_elses(&root.join("p.txt"));
        let err = sealed.all_recipients(euid).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm, "{err:?}");
        assert!(
            matches!(
                &err,
                Error::Seal(crate::seal::SealError::UntrustedRecipients { owner: o, euid: u, .. })
                    if *o == owner && *u == euid
            ),
            "{err:?}"
        );
        assert_eq!(sealed.all_recipients(owner).unwrap().len(), 1);
    }
}
