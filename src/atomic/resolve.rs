//! Following a symlink chain to the file that is actually written.
//!
//! Deploy tools link `.env` from a shared folder; replacing the link itself would cut it loose
//! from that folder, so writes go to the end of the chain and the links stay as they are. But a
//! link is followed only when the link itself belongs to the effective user or to root, the
//! rule of the kernel's `protected_symlinks`: in a folder another user can write to, that user
//! could otherwise plant `.env.production.local -> /etc/shadow` and have root's envmint append
//! to the target and `chmod` it.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{FileError, FileProblem, Op};
use crate::{Error, Result};

/// The file `path` really names: its symlink chain followed as a write follows it, then every
/// folder on the way resolved, for a file that does not exist yet too (the part that does not
/// exist is kept as named). A symlink another user owns is refused wherever it is on the way,
/// the last name or a folder, unless `euid` (the effective user id) owns it. A relative `path`
/// starts from `cwd`, the working folder the caller read (the library reads none). What every
/// write's bounds are checked on ([`Within`](super::Within)).
///
/// # Errors
///
/// Those of following the chain: [`FileProblem::UntrustedSymlink`] (77), a loop (73); reading
/// a folder on the way; a relative `path` without a `cwd` (reading `.`).
pub fn real_target(path: &Path, euid: u32, cwd: Option<&Path>) -> Result<PathBuf> {
    // A file where a folder should be (`ro/.env` with `ro` a file): no link can be followed
    // past it, and writing there fails later with its own error; the path is what it names.
    let not_a_dir =
        |e: &io::Error| e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error());
    let target = match final_target(path, euid, cwd) {
        Ok(target) => target,
        Err(Error::File(FileError {
            problem: FileProblem::Os(e),
            ..
        })) if not_a_dir(&e) => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    real_path(&target, euid, cwd)
}

/// The kernel's own limit (Linux `MAXSYMLINKS`), so envmint gives up where `open` would.
const MAX_HOPS: usize = 40;

/// Follows `path` through symlinks until it names something that is not a symlink, or nothing
/// (a dangling link: its target is where a new file will be created).
///
/// Relative links are resolved against the directory of the link, as the kernel does. `..` is
/// kept as a component rather than folded lexically, because folding it is wrong when the
/// preceding component is itself a symlink.
///
/// A relative `path` (and a relative link met on the way) is looked up from `cwd`, the folder
/// the caller passes, and returned and named in errors as it reads, relative; the caller opens
/// it from the same folder ([`at`]). With no `cwd` the caller opens it as the kernel does,
/// from the process's folder, and it is looked up the same way here (a reader given a
/// relative name).
pub(super) fn final_target(path: &Path, euid: u32, cwd: Option<&Path>) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..=MAX_HOPS {
        let meta = match fs::symlink_metadata(at(&current, cwd)) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(Error::writing(&current, Op::Inspect, e)),
        };
        if !meta.file_type().is_symlink() {
            break;
        }
        check_owner(&current, meta.uid(), euid)?;
        let link = fs::read_link(at(&current, cwd))
            .map_err(|e| Error::writing(&current, Op::Inspect, e))?;
        current = match current.parent() {
            Some(dir) if link.is_relative() => dir.join(link),
            _ => link,
        };
        if current.file_name().is_none() {
            let points_at = current;
            return Err(FileError::new(
                path,
                Op::Inspect,
                FileProblem::SymlinkNotAFile { points_at },
            )
            .into());
        }
    }
    if fs::symlink_metadata(at(&current, cwd)).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(FileError::new(path, Op::Inspect, FileProblem::SymlinkLoop).into());
    }
    if current.file_name().is_none() {
        return Err(FileError::new(path, Op::Inspect, FileProblem::NotAFileName).into());
    }
    Ok(current)
}

/// `path` with every symlink on the way resolved, the way the kernel resolves it, but
/// following only links owned by the effective user or root (see [`check_owner`]): the folders
/// on the way included, not only the last name. The part that does not exist yet is kept as
/// named (`..` in it folded). A relative path starts from `cwd`, the working folder the caller
/// read (the library reads none), resolved by the same rules: the kernel's own working folder
/// holds no symlink, so for it this is what the kernel does; a folder a caller passes may.
/// Without a `cwd`, a relative path is an error, as an unreadable working folder always was.
///
/// `canonicalize` would follow another user's folder link (`shared -> /home/victim`) without a
/// word; this is what [`super::real_target`] and every write's bounds check rely on instead.
pub(super) fn real_path(path: &Path, euid: u32, cwd: Option<&Path>) -> Result<PathBuf> {
    use std::collections::VecDeque;
    use std::ffi::OsString;
    use std::path::Component;
    let mut out = PathBuf::from("/");
    let parts = |p: &Path| -> Vec<OsString> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some(OsString::from("..")),
                _ => None,
            })
            .collect()
    };
    let mut todo: VecDeque<OsString> = if path.is_absolute() {
        parts(path).into()
    } else {
        let Some(cwd) = cwd else {
            return Err(Error::reading(
                Path::new("."),
                io::Error::other("a relative path, and no working folder was given"),
            ));
        };
        parts(cwd).into_iter().chain(parts(path)).collect()
    };
    let mut hops = 0;
    let mut missing = false;
    while let Some(part) = todo.pop_front() {
        if part == ".." {
            // `out` holds no symlink, so going up from it is what the kernel does.
            out.pop();
            continue;
        }
        let next = out.join(&part);
        if missing {
            out = next;
            continue;
        }
        let meta = match fs::symlink_metadata(&next) {
            Ok(meta) => meta,
            Err(e)
                if e.kind() == io::ErrorKind::NotFound
                    || e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error()) =>
            {
                missing = true;
                out = next;
                continue;
            }
            Err(e) => return Err(Error::writing(&next, Op::Inspect, e)),
        };
        if !meta.file_type().is_symlink() {
            out = next;
            continue;
        }
        check_owner(&next, meta.uid(), euid)?;
        hops += 1;
        if hops > MAX_HOPS {
            return Err(FileError::new(path, Op::Inspect, FileProblem::SymlinkLoop).into());
        }
        let link = fs::read_link(&next).map_err(|e| Error::writing(&next, Op::Inspect, e))?;
        if link.is_absolute() {
            out = PathBuf::from("/");
        }
        for p in parts(&link).into_iter().rev() {
            todo.push_front(p);
        }
    }
    Ok(out)
}

/// `path` as it is opened: a relative one from `cwd` when the caller gave one (the library
/// reads no working folder), else as it is.
pub(super) fn at<'a>(path: &'a Path, cwd: Option<&Path>) -> std::borrow::Cow<'a, Path> {
    match cwd {
        Some(cwd) if path.is_relative() => std::borrow::Cow::Owned(cwd.join(path)),
        _ => std::borrow::Cow::Borrowed(path),
    }
}

/// The directory holding `target`, as a path that can be opened (`.` for a bare file name).
pub(super) fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuses to follow the symlink `link`, owned by `owner`, unless `owner` is `euid` or root.
fn check_owner(link: &Path, owner: u32, euid: u32) -> Result<()> {
    if owner == euid || owner == 0 {
        return Ok(());
    }
    let problem = FileProblem::UntrustedSymlink { owner, euid };
    Err(FileError::new(link, Op::FollowSymlink, problem).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Exit;
    use crate::atomic::{Refused, Within};
    use std::os::unix::fs::symlink;

    /// A folder with `work/sub`, `work/link -> sub` and `alias -> work`, all the test user's;
    /// returns it and its real path.
    fn folders() -> (tempfile::TempDir, PathBuf) {
        let top = tempfile::tempdir().unwrap();
        fs::create_dir_all(top.path().join("work/sub")).unwrap();
        symlink("sub", top.path().join("work/link")).unwrap();
        symlink("work", top.path().join("alias")).unwrap();
        let real = fs::canonicalize(top.path()).unwrap();
        (top, real)
    }

    #[test]
    fn a_relative_path_starts_from_the_folder_given_never_the_process_one() {
        let (top, real) = folders();
        let euid = crate::test_euid();
        let cwd = top.path().join("work");
        let process = std::env::current_dir().unwrap();
        assert!(
            !process.starts_with(&real),
            "the tests' own folder must differ"
        );
        let at = |p: &str, cwd: &Path| real_target(Path::new(p), euid, Some(cwd)).unwrap();
        assert_eq!(at(".env", &cwd), real.join("work/.env"));
        assert_eq!(at("link/.env", &cwd), real.join("work/sub/.env"));
        assert_eq!(at("../x/.env", &cwd), real.join("x/.env"));
        assert_eq!(at("./link/../.env", &cwd), real.join("work/.env"));
        // A folder given through a link is resolved too: `..` goes up from where it leads.
        let alias = top.path().join("alias");
        assert_eq!(at("link/.env", &alias), real.join("work/sub/.env"));
        assert_eq!(at("../x/.env", &alias), real.join("x/.env"));
        // An absolute path ignores the folder.
        let absolute = top.path().join("work/link/.env");
        assert_eq!(
            at(absolute.to_str().unwrap(), Path::new("/nowhere")),
            real.join("work/sub/.env")
        );
    }

    #[test]
    fn a_relative_link_is_followed_and_written_from_the_folder_given_never_the_process_one() {
        let (top, real) = folders();
        let euid = crate::test_euid();
        let work = top.path().join("work");
        assert!(!std::env::current_dir().unwrap().starts_with(&real));
        // work/.env -> sub/real.env: followed from `work`, the name stays relative.
        symlink("sub/real.env", work.join(".env")).unwrap();
        assert_eq!(
            final_target(Path::new(".env"), euid, Some(&work)).unwrap(),
            Path::new("sub/real.env")
        );
        // The writer locks, checks and writes the link's target in `work`: the bounds of a
        // folder given relative start from `work` too (`..` of `top/alias` is `top`).
        let within = Within::folder(Path::new("../work"), &[], euid)
            .relative_to(Some(&top.path().join("alias")));
        assert_eq!(within.bound(), Some(real.join("work").as_path()));
        let locked =
            crate::atomic::lock(Path::new(".env"), &within.relative_to(Some(&work)), T).unwrap();
        assert_eq!(locked.target(), Path::new("sub/real.env"));
        locked.write(b"A=1\n").unwrap();
        assert_eq!(fs::read(real.join("work/sub/real.env")).unwrap(), b"A=1\n");
        assert!(
            fs::symlink_metadata(work.join(".env"))
                .unwrap()
                .is_symlink()
        );
        // Without a working folder, a relative folder bounds nothing: a write is refused.
        let blind = Within::folder(Path::new("work"), &[], euid);
        assert_eq!(blind.bound(), Some(Path::new("work")));
        assert!(matches!(
            blind.check(Path::new("/x/.env"), Path::new("/x/.env")),
            Err(Refused::Outside { .. })
        ));
    }

    /// The lock's wait in these tests: none is held.
    const T: std::time::Duration = std::time::Duration::from_secs(5);

    #[test]
    fn fail_a_relative_path_without_a_folder_given_is_refused() {
        let err = real_target(Path::new(".env"), crate::test_euid(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            ".: cannot read: a relative path, and no working folder was given"
        );
        // An absolute one needs none.
        let (top, real) = folders();
        let path = top.path().join("work/link/.env");
        assert_eq!(
            real_target(&path, crate::test_euid(), None).unwrap(),
            real.join("work/sub/.env")
        );
    }

    #[test]
    fn within_resolves_relative_paths_from_its_working_folder() {
        let (top, real) = folders();
        let euid = crate::test_euid();
        let work = top.path().join("work");
        let within = Within::folder(&work, &[], euid).relative_to(Some(&work));
        assert_eq!(
            within.check_path(Path::new("link/.env")).unwrap(),
            real.join("work/sub/.env")
        );
        assert_eq!(
            within.check_folder(Path::new("out")).unwrap(),
            real.join("work/out")
        );
        // A typed path that names a place outside the folder is the user's choice...
        let typed = within.clone().typed();
        let named = Path::new("../x.env");
        assert_eq!(typed.check(named, &real.join("x.env")), Ok(()));
        // ...but one whose place cannot be told (no working folder) is refused.
        let blind = Within::folder(&work, &[], euid).typed();
        assert!(matches!(
            blind.check(named, &real.join("x.env")),
            Err(Refused::Outside { .. })
        ));
        assert!(blind.check_path(Path::new("link/.env")).is_err());
    }

    #[test]
    fn only_links_of_the_user_or_root_are_followed() {
        let link = Path::new("app/.env");
        assert!(check_owner(link, 1000, 1000).is_ok());
        assert!(check_owner(link, 0, 1000).is_ok());
        let err = check_owner(link, 65534, 0).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm);
        assert!(
            matches!(
                &err,
                Error::File(FileError {
                    path,
                    problem: FileProblem::UntrustedSymlink {
                        owner: 65534,
                        euid: 0
                    },
                    ..
                }) if path == link
            ),
            "{err:?}"
        );
    }
}
