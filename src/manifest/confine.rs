//! Where a manifest may point envmint: inside its own folder, unless the user allows more.
//!
//! A manifest, its recipients file and the symlinks beside them come from the repository, which
//! is written by everyone who can get a change merged. A `file` (or `sealed`, or
//! `recipients_file`) that leads outside the manifest's folder, by an absolute path or through a
//! symlink anywhere on the way, could make envmint overwrite `~/.ssh/id_ed25519` with a dotenv
//! file, or read it and `export` it. So every such path is resolved to the file it really names
//! (symlinks followed, folders included) and must lie inside the manifest's folder, also
//! resolved, unless the user (never the repository) allows it, as git's `safe.directory` lets the
//! user, not the repository, decide which repositories to trust:
//!
//! - `--allow-outside` on the command line ([`Allow::everywhere`]);
//! - a folder listed in the user's allow list, `$XDG_CONFIG_HOME/envmint/allow-outside`
//!   ([`Allow::paths`]; the binary reads it);
//! - a manifest owned by root outside any git work tree (`/etc/myapp/envmint.toml`): only root
//!   could have written it, and no pull request reaches it.

use super::{Environment, Manifest, Source};
use crate::atomic::{self, Refused, Within};
use crate::error::{Error, ManifestError, ManifestProblem, Result};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What the user allows beyond the manifest's folder.
#[derive(Clone, Debug, Default)]
pub struct Allow {
    /// `--allow-outside`: any path.
    pub everywhere: bool,
    /// Folders (or files) a path may lie in, from the user's allow list: absolute.
    pub paths: Vec<PathBuf>,
}

impl Manifest {
    /// Refuses a path of the manifest (an environment's `file`, `sealed` or `recipients_file`)
    /// that, once its symlinks are resolved, lies outside the manifest's folder (the working
    /// folder `cwd` for the built-in preset) and that `allow` does not allow, or that leads into
    /// a `.git` folder (whatever is allowed). A manifest that root owns, outside any git work
    /// tree, may point anywhere but into `.git`. `euid` is the effective user id: symlinks on
    /// the way are followed only when it or root owns them, and the bounds returned carry it.
    ///
    /// Returns the bounds every write of this manifest's files is checked against again, under
    /// the lock ([`atomic::lock_all`]): a link re-pointed after this check is caught there.
    ///
    /// # Errors
    ///
    /// [`ManifestProblem::Outside`] or [`ManifestProblem::InsideGit`] (exit 77) naming the
    /// environment, the field, the path and the file it really names; the errors of following
    /// a symlink (another user's link, anywhere on the way: 77; a loop: 73) or of resolving
    /// the folder.
    pub fn confine(&self, cwd: &Path, allow: &Allow, euid: u32) -> Result<Within> {
        let (folder, manifest) = match self.source() {
            Source::File(path) => (path.parent().unwrap_or(cwd), Some(path.as_path())),
            Source::Builtin => (cwd, None),
        };
        let folder = cwd.join(folder);
        let root = std::fs::canonicalize(&folder).map_err(|e| Error::reading(&folder, e))?;
        let mut within = if allow.everywhere {
            Within::anywhere(euid)
        } else {
            Within::folder(&root, &allow.paths, euid)
        }
        .relative_to(Some(cwd));
        let mut trusted_manifest = None;
        let at = manifest.map_or_else(|| PathBuf::from("<built-in preset>"), Path::to_path_buf);
        for env in self.environments() {
            for (field, path) in paths_of(env) {
                let target = atomic::real_target(path, euid, Some(cwd))?;
                let problem = match within.check(path, &target) {
                    Ok(()) => continue,
                    Err(Refused::InsideGit) => ManifestProblem::InsideGit {
                        environment: env.name.clone(),
                        field,
                        path: path.to_path_buf(),
                        target,
                    },
                    Err(Refused::Outside { folder }) => {
                        let trusted = *trusted_manifest.get_or_insert_with(|| {
                            manifest.is_some_and(|m| root_owned_outside_git(m, &root))
                        });
                        if trusted {
                            within = Within::anywhere(euid).relative_to(Some(cwd));
                            continue;
                        }
                        ManifestProblem::Outside {
                            environment: env.name.clone(),
                            field,
                            path: path.to_path_buf(),
                            target,
                            folder,
                        }
                    }
                };
                return Err(ManifestError::new(&at, None, problem).into());
            }
        }
        Ok(within)
    }
}

/// The paths an environment reads or writes secrets through, with the field that names each.
fn paths_of(env: &Environment) -> Vec<(&'static str, &Path)> {
    let mut out = vec![("file", env.file.as_path())];
    if let Some(sealed) = &env.sealed {
        out.push(("sealed", sealed.path.as_path()));
        if let Some(r) = &sealed.recipients_file {
            out.push(("recipients_file", r.as_path()));
        }
    }
    out
}

/// Whether `manifest` (the path and, through a symlink, the file) belongs to root and its
/// folder `root` (resolved) is in no git work tree: no `.git` in it or any folder above it.
fn root_owned_outside_git(manifest: &Path, root: &Path) -> bool {
    let owned = |m: std::io::Result<std::fs::Metadata>| m.is_ok_and(|m| m.uid() == 0);
    owned(std::fs::symlink_metadata(manifest))
        && owned(std::fs::metadata(manifest))
        && !root
            .ancestors()
            .any(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Exit;
    use std::fs;

    fn load(dir: &Path, manifest: &str) -> Manifest {
        fs::create_dir_all(dir.join(".git")).unwrap();
        fs::write(dir.join(super::super::FILE_NAME), manifest).unwrap();
        Manifest::load(None, dir, None, crate::test_euid()).unwrap()
    }

    fn outside(err: &Error) -> Option<(&str, &Path)> {
        match err {
            Error::Manifest(m) => match &m.problem {
                ManifestProblem::Outside { field, target, .. } => Some((field, target)),
                _ => None,
            },
            _ => None,
        }
    }

    #[test]
    fn fail_paths_that_resolve_outside_the_folder_unless_the_user_allows_them() {
        let top = tempfile::tempdir().unwrap();
        let top_real = fs::canonicalize(top.path()).unwrap();
        let repo = top.path().join("repo");
        fs::create_dir_all(repo.join("sub")).unwrap();
        fs::create_dir_all(top.path().join("victim")).unwrap();
        let none = Allow::default();

        // Inside, relative or absolute: fine.
        let m = load(&repo, "[environments.p]\nfile = \"sub/.env\"\n");
        m.confine(&repo, &none, crate::test_euid()).unwrap();
        let abs = format!(
            "[environments.p]\nfile = \"{}\"\n",
            repo.join("x.env").display()
        );
        load(&repo, &abs)
            .confine(&repo, &none, crate::test_euid())
            .unwrap();

        // Absolute, outside.
        let victim = top.path().join("victim/id");
        let abs = format!("[environments.p]\nfile = \"{}\"\n", victim.display());
        let m = load(&repo, &abs);
        let err = m.confine(&repo, &none, crate::test_euid()).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm);
        assert_eq!(
            outside(&err),
            Some(("file", top_real.join("victim/id").as_path())),
            "{err:?}"
        );
        // --allow-outside, or the folder in the allow list.
        let everywhere = Allow {
            everywhere: true,
            paths: vec![],
        };
        m.confine(&repo, &everywhere, crate::test_euid()).unwrap();
        let listed = Allow {
            everywhere: false,
            paths: vec![top.path().join("victim")],
        };
        m.confine(&repo, &listed, crate::test_euid()).unwrap();
        let other = Allow {
            everywhere: false,
            paths: vec![top.path().join("vic")],
        };
        assert!(m.confine(&repo, &other, crate::test_euid()).is_err());

        // A symlinked file, and a symlinked folder, inside the repository.
        let m = load(&repo, "[environments.p]\nfile = \".env\"\n");
        std::os::unix::fs::symlink("../victim/id", repo.join(".env")).unwrap();
        let err = m.confine(&repo, &none, crate::test_euid()).unwrap_err();
        assert_eq!(
            outside(&err).map(|o| o.1),
            Some(top_real.join("victim/id").as_path())
        );
        fs::remove_file(repo.join(".env")).unwrap();
        std::os::unix::fs::symlink("../victim", repo.join("keys")).unwrap();
        let m = load(
            &repo,
            "[environments.p]\nsealed = \"p.age\"\nrecipients_file = \"keys/p.txt\"\n",
        );
        let err = m.confine(&repo, &none, crate::test_euid()).unwrap_err();
        assert_eq!(
            outside(&err),
            Some(("recipients_file", top_real.join("victim/p.txt").as_path()))
        );
        // A file where a folder should be: nothing to follow, inside as named.
        fs::write(repo.join("ro"), "not a folder").unwrap();
        let m = load(&repo, "[environments.p]\nfile = \"ro/x.env\"\n");
        m.confine(&repo, &none, crate::test_euid()).unwrap();
        let m = load(
            &repo,
            "[environments.p]\nsealed = \"p.age\"\nrecipients_file = \"keys/p.txt\"\n",
        );
        // The repository's own folders may be links within it.
        fs::remove_file(repo.join("keys")).unwrap();
        std::os::unix::fs::symlink("sub", repo.join("keys")).unwrap();
        m.confine(&repo, &none, crate::test_euid()).unwrap();
    }

    #[test]
    fn a_root_manifest_outside_git_may_point_anywhere() {
        let top = tempfile::tempdir().unwrap();
        let etc = top.path().join("etc-myapp");
        fs::create_dir_all(&etc).unwrap();
        let manifest = etc.join(super::super::FILE_NAME);
        fs::write(&manifest, "[environments.p]\nfile = \"/srv/myapp/env\"\n").unwrap();
        let m = Manifest::load(None, &etc, None, crate::test_euid()).unwrap();
        let root = fs::canonicalize(&etc).unwrap();
        // The test process made the file: root owns it when the tests run as root.
        let root_owns = std::os::unix::fs::MetadataExt::uid(&fs::metadata(&manifest).unwrap()) == 0;
        assert_eq!(root_owned_outside_git(&manifest, &root), root_owns);
        let euid = crate::test_euid();
        assert_eq!(m.confine(&etc, &Allow::default(), euid).is_ok(), root_owns);
        // In a git work tree, it is a repository's manifest like any other.
        fs::create_dir(top.path().join(".git")).unwrap();
        assert!(!root_owned_outside_git(&manifest, &root));
        assert!(m.confine(&etc, &Allow::default(), euid).is_err());
    }
}
