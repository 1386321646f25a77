//! Where a write may land: the rule that keeps a repository from choosing where secrets go.
//!
//! A path can come from the repository (a manifest's `file`, `sealed` or `recipients_file`) or
//! from the user (`-o` on the command line), and either can pass through symlinks committed in
//! the repository. The rule (README, "Safe writes"):
//!
//! - a path from the repository must really lie, every symlink resolved, inside the folder
//!   (the manifest's) or in a place the user allowed;
//! - a path the user typed that names a place outside the folder is the user's choice; one that
//!   names a place *inside* it must stay inside once resolved: a committed `out -> /etc` does
//!   not turn `-o out/app.env` into `/etc/app.env`;
//! - nothing is ever written inside a `.git` folder reached through a symlink (a committed
//!   `gitdir -> .git` with `file = "gitdir/config"`), whatever else is allowed; only a path
//!   the user typed with `.git` in it may go there.
//!
//! - a secret never lands, through a symlink, in a file git tracks (a committed
//!   `.env.production.local -> .env.example`): only a path that names the tracked file itself
//!   writes there ([`Within::through_link`] says whether a path went through one; the writer
//!   asks git, [`crate::git::tracks`], only then).
//!
//! [`super::lock_all`] applies the rule to the real target of every file it locks, under the
//! lock and after the last resolution of its symlinks, so a link re-pointed after the manifest
//! was loaded (or after a command's own checks) is caught where the write happens.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use crate::Result;
use crate::error::{FileError, FileProblem, Op};

/// Where the files of one [`super::lock_all`] call may lie, and as whom they are written (the
/// effective user id the owner rules compare with). See the module docs.
#[derive(Clone, Debug)]
pub struct Within {
    /// The folder writes stay in, resolved; `None`: no folder bound (`--allow-outside`, a
    /// root-owned manifest outside git, or a library caller that checked on its own).
    folder: Option<PathBuf>,
    /// The folder as named, made absolute (from [`Within::cwd`]) but not resolved, for
    /// telling whether a typed path names a place inside it; relative while no working folder
    /// is given.
    named: PathBuf,
    /// Places also allowed (the user's allow list), resolved where they exist; a relative one
    /// waits, as named, for a working folder.
    allowed: Vec<PathBuf>,
    /// Whether the paths were typed by the user (`-o`) rather than given by the repository.
    typed: bool,
    /// The effective user id of the process (the binary reads it once): a symlink on the way
    /// is followed only when this user or root owns it, and another user's file in a sticky
    /// folder is not replaced.
    euid: u32,
    /// The working folder the binary read, where relative paths start (`None`: not given;
    /// a relative path is then refused, never resolved against a folder read here).
    cwd: Option<PathBuf>,
}

/// Why [`Within::check`] refused a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The real target lies outside the folder (resolved), and nothing allows it.
    Outside {
        /// The folder, resolved.
        folder: PathBuf,
    },
    /// The real target is inside a `.git` folder the path itself does not name.
    InsideGit,
}

impl Within {
    /// No folder bound: only the `.git` rule (and the owner rules, for `euid`) apply.
    pub fn anywhere(euid: u32) -> Within {
        Within {
            folder: None,
            named: PathBuf::new(),
            allowed: Vec::new(),
            typed: false,
            euid,
            cwd: None,
        }
    }

    /// Writes stay in `folder`, or in one of `allowed`; they run as effective user `euid`.
    /// Absolute paths are resolved now; a relative one starts from the working folder
    /// [`Within::relative_to`] gives and is resolved then (never from the process's folder:
    /// until then it bounds nothing, and every write is refused as outside). A path that
    /// cannot be resolved is kept as named.
    pub fn folder(folder: &Path, allowed: &[PathBuf], euid: u32) -> Within {
        let mut within = Within {
            folder: Some(folder.to_path_buf()),
            named: folder.to_path_buf(),
            allowed: Vec::new(),
            typed: false,
            euid,
            cwd: None,
        };
        within.folder = Some(within.resolved(folder));
        within.named = within
            .absolute(folder)
            .unwrap_or_else(|| folder.to_path_buf());
        within.allowed = allowed.iter().map(|p| within.resolved(p)).collect();
        within
    }

    /// `path` resolved (`canonicalize`) when it is absolute or [`Within::cwd`] makes it so;
    /// as named (made absolute where it can be) when it cannot be resolved.
    fn resolved(&self, path: &Path) -> PathBuf {
        match self.absolute(path) {
            Some(absolute) => std::fs::canonicalize(&absolute).unwrap_or(absolute),
            None => path.to_path_buf(),
        }
    }

    /// The effective user id the writes run as.
    pub fn euid(&self) -> u32 {
        self.euid
    }

    /// The same bounds, with relative paths starting from `cwd`: the working folder, which the
    /// caller reads (the library reads none). `None` (it could not be read): a relative path
    /// is refused.
    #[must_use]
    pub fn relative_to(mut self, cwd: Option<&Path>) -> Within {
        self.cwd = cwd.map(Path::to_path_buf);
        // A folder or allowed place given relative starts from this folder.
        if self.named.is_relative() && !self.named.as_os_str().is_empty() {
            let named = self.named.clone();
            self.folder = Some(self.resolved(&named));
            self.named = self.absolute(&named).unwrap_or(named);
        }
        let allowed = std::mem::take(&mut self.allowed);
        self.allowed = allowed
            .into_iter()
            .map(|p| {
                if p.is_relative() {
                    self.resolved(&p)
                } else {
                    p
                }
            })
            .collect();
        self
    }

    /// The working folder relative paths start from, when the caller gave one.
    pub fn cwd(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }

    /// `path` made absolute from [`Within::cwd`] (as named: nothing resolved); `None` for a
    /// relative path without one.
    fn absolute(&self, path: &Path) -> Option<PathBuf> {
        if path.is_absolute() {
            return Some(path.to_path_buf());
        }
        self.cwd.as_ref().map(|cwd| cwd.join(path))
    }

    /// The same bounds for paths the user typed: one that names a place outside the folder is
    /// the user's choice.
    #[must_use]
    pub fn typed(mut self) -> Within {
        self.typed = true;
        self
    }

    /// The same bounds with `allowed` added (the user's allow list, read when first needed).
    #[must_use]
    pub fn allowing(mut self, allowed: &[PathBuf]) -> Within {
        let resolved: Vec<PathBuf> = allowed.iter().map(|p| self.resolved(p)).collect();
        self.allowed.extend(resolved);
        self
    }

    /// The folder writes stay in, resolved (`None`: no bound).
    pub fn bound(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// Resolves `named` ([`super::real_target`]) and checks a write to it: the real target.
    ///
    /// # Errors
    ///
    /// [`FileProblem::Outside`] or [`FileProblem::InsideGit`] (77) naming `named` and its real
    /// target; the errors of resolving it (another user's symlink on the way: 77).
    pub fn check_path(&self, named: &Path) -> Result<PathBuf> {
        let target = super::real_target(named, self.euid, self.cwd())?;
        self.check_target(named, &target)?;
        Ok(target)
    }

    /// [`Within::check_path`] for a folder (`.` included): the folders on the way resolved
    /// (only the user's or root's links followed), its own name kept as named. A link in that
    /// last place is the caller's to refuse, in its own words (an export folder is adopted
    /// only under its own name).
    ///
    /// # Errors
    ///
    /// As for [`Within::check_path`].
    pub fn check_folder(&self, named: &Path) -> Result<PathBuf> {
        let target = match (named.parent(), named.file_name()) {
            (Some(parent), Some(name)) => {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                super::resolve::real_path(parent, self.euid, self.cwd())?.join(name)
            }
            _ => super::resolve::real_path(named, self.euid, self.cwd())?,
        };
        self.check_target(named, &target)?;
        Ok(target)
    }

    /// [`Within::check`] as an error of the file area.
    pub(super) fn check_target(&self, named: &Path, target: &Path) -> Result<()> {
        let problem = match self.check(named, target) {
            Ok(()) => return Ok(()),
            Err(Refused::Outside { folder }) => FileProblem::Outside {
                target: target.to_path_buf(),
                folder,
            },
            Err(Refused::InsideGit) => FileProblem::InsideGit {
                target: target.to_path_buf(),
            },
        };
        Err(FileError::new(named, Op::Inspect, problem).into())
    }

    /// Checks a write of `named` (as given: a manifest's path, or `-o`) whose real target,
    /// every symlink resolved ([`super::real_target`]), is `target`.
    ///
    /// # Errors
    ///
    /// [`Refused`], for the caller to word.
    pub fn check(&self, named: &Path, target: &Path) -> std::result::Result<(), Refused> {
        let inside = self.folder.as_deref().filter(|f| target.starts_with(f));
        let below = inside.map_or(target, |f| target.strip_prefix(f).unwrap_or(target));
        if has_git(below) && !(self.typed && has_git(named)) {
            return Err(Refused::InsideGit);
        }
        let Some(folder) = &self.folder else {
            return Ok(());
        };
        if inside.is_some() || self.allowed.iter().any(|a| target.starts_with(a)) {
            return Ok(());
        }
        // A relative path without a working folder cannot be told outside: refused.
        if self.typed
            && let Some(absolute) = self.absolute(named)
        {
            let lexical = lexical(&absolute);
            if !lexical.starts_with(&self.named) && !lexical.starts_with(folder) {
                return Ok(());
            }
        }
        Err(Refused::Outside {
            folder: folder.clone(),
        })
    }

    /// Whether a write of `named`, whose symlink chain (of its last name) ends at `followed`,
    /// goes through a symlink that is the repository's to choose: the last name is a link, or
    /// a folder on the way below the bound folder (as named) is one. Links above the folder
    /// (`/home -> /data/home`) are the machine's, not the repository's; without a bound folder
    /// only the last name counts.
    pub fn through_link(&self, named: &Path, followed: &Path) -> bool {
        if named != followed {
            return true;
        }
        if self.folder.is_none() || self.named.as_os_str().is_empty() {
            return false;
        }
        // A relative path without a working folder: taken as through a link (the writer then
        // asks git whether the file is tracked), never as safe unseen.
        let Some(absolute) = self.absolute(named) else {
            return true;
        };
        let path = lexical(&absolute);
        path.ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(&self.named) && *a != self.named)
            .any(|a| std::fs::symlink_metadata(a).is_ok_and(|m| m.file_type().is_symlink()))
    }
}

/// Whether a component of `path` is `.git` (in any case: a case-insensitive file system holds
/// git's folder as `.GIT` too).
fn has_git(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c, Component::Normal(n) if n.eq_ignore_ascii_case(OsStr::new(".git"))))
}

/// `path` with `.` dropped and `..` folded, as the user reads what they typed.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_a_typed_path_inside_the_folder_that_resolves_outside() {
        let top = tempfile::tempdir().unwrap();
        let repo = top.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        let real = std::fs::canonicalize(&repo).unwrap();
        let outside = std::fs::canonicalize(top.path()).unwrap().join("victim/x");
        let w = Within::folder(&repo, &[], crate::test_euid());
        // From the repository: inside only.
        assert!(w.check(&repo.join("a"), &real.join("a")).is_ok());
        assert!(matches!(
            w.check(&repo.join("out/x"), &outside),
            Err(Refused::Outside { .. })
        ));
        assert!(w.check(&outside, &outside).is_err());
        // Typed: what names a place outside is the user's choice; inside must stay inside.
        let t = w.clone().typed();
        assert!(t.check(&outside, &outside).is_ok());
        assert!(t.check(&repo.join("out/x"), &outside).is_err());
        assert!(t.check(&repo.join("sub/../out/x"), &outside).is_err());
        // Allowed by the user.
        let a = w.allowing(&[outside.parent().unwrap().to_path_buf()]);
        assert!(a.check(&repo.join("out/x"), &outside).is_ok());
    }

    #[test]
    fn fail_git_reached_through_a_link_is_refused_even_anywhere() {
        let w = Within::anywhere(crate::test_euid());
        let git = Path::new("/r/.git/config");
        assert_eq!(
            w.check(Path::new("/r/gitdir/config"), git),
            Err(Refused::InsideGit)
        );
        assert_eq!(
            w.check(Path::new("/r/x"), Path::new("/r/.GIT/x")),
            Err(Refused::InsideGit)
        );
        // Typed with .git in it: the user's choice; from the repository: never.
        assert!(w.clone().typed().check(git, git).is_ok());
        assert!(w.check(git, git).is_err());
        // A folder bound whose own path has `.git` in it is not held against it.
        let top = tempfile::tempdir().unwrap();
        let repo = top.path().join(".git/wt");
        std::fs::create_dir_all(&repo).unwrap();
        let real = std::fs::canonicalize(&repo).unwrap();
        assert!(
            Within::folder(&repo, &[], crate::test_euid())
                .check(&repo.join("a"), &real.join("a"))
                .is_ok()
        );
    }
}
