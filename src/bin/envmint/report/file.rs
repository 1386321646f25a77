//! The advice for a file error: the `hint:` line. What went wrong is the library's words
//! ([`FileError`]'s `Display`).

use envmint::error::{Direction, FileError, FileProblem, Op};
use std::io;
use std::path::Path;

/// A hint that names `path` for a refused permission.
pub(super) fn check_owner(path: &Path) -> Option<String> {
    Some(format!(
        "check the owner and mode of {} (ls -l)",
        path.display()
    ))
}

/// The advice for a manifest that is not a regular file.
pub(super) const MANIFEST_NOT_A_FILE: &str = "the manifest must be a regular file; remove or rename this \
                                   one, or pass --manifest FILE";

/// The advice for a [`FileError`], when a fix is known.
pub(super) fn hint(e: &FileError) -> Option<String> {
    let manifest = e.op == Op::ReadManifest;
    let not_a_file = || manifest.then(|| MANIFEST_NOT_A_FILE.to_string());
    match &e.problem {
        FileProblem::Os(source) => os_hint(e, source),
        FileProblem::NotRegular { .. }
        | FileProblem::SymlinkNotAFile { .. }
        | FileProblem::SymlinkLoop
        | FileProblem::NotAFileName => not_a_file(),
        FileProblem::TooLarge { .. } if e.op == Op::Write => Some(
            "remove keys or comments it does not need, or split the environment into several \
             files"
                .to_string(),
        ),
        FileProblem::TooLarge { .. } | FileProblem::GrewPastLimit { .. } => {
            manifest.then(manifest_too_large)
        }
        FileProblem::UntrustedSymlink { .. } => check_owner(&e.path),
        FileProblem::FolderNotWritable { .. } => Some(
            "the folder must be writable: envmint writes a temporary file beside the file and \
             renames it over the old one"
                .to_string(),
        ),
        FileProblem::Busy { .. } => Some(
            "envmint locks the folder of the files it writes; try again when that process has \
             finished (ENVMINT_LOCK_TIMEOUT sets how long to wait, in seconds)"
                .to_string(),
        ),
        FileProblem::Outside { target, .. } => Some(format!(
            "if you chose {}, name it as it is, or allow it: envmint --allow-outside ..., or add \
             {} to ~/.config/envmint/allow-outside (one folder per line)",
            target.display(),
            target.parent().unwrap_or(target).display()
        )),
        FileProblem::InsideGit { .. } => Some("name a file outside .git".to_string()),
        FileProblem::Planted { .. } => {
            Some("write to a new file, or in a folder of your own".to_string())
        }
        FileProblem::TrackedThroughLink {
            target,
            folder_link: false,
        } => Some(format!(
            "replace the link with a file of its own (rm {path}; git rm --cached it if it is \
             committed), or point the manifest elsewhere; to write into {target} anyway, name it \
             itself (-o {target}, where the command has -o)",
            path = e.path.display(),
            target = target.display(),
        )),
        // No `rm` here: through a folder link, the path as named is the tracked file.
        FileProblem::TrackedThroughLink {
            target,
            folder_link: true,
        } => Some(format!(
            "a folder on the way to {path} is a symlink into files git tracks: make it a folder \
             of its own, or point the manifest elsewhere; to write into {target} anyway, name it \
             itself (-o {target}, where the command has -o)",
            path = e.path.display(),
            target = target.display(),
        )),
        // SymlinkKeepsChanging, NothingRequested, and problems added later: no advice known.
        _ => None,
    }
}

fn manifest_too_large() -> String {
    "a manifest is a few kilobytes; check that this is the right file (the limit is 1 MiB)"
        .to_string()
}

/// The advice for an operating-system error met during `e.op`: a refused permission names
/// the file to check.
fn os_hint(e: &FileError, source: &io::Error) -> Option<String> {
    let refused = source.kind() == io::ErrorKind::PermissionDenied;
    match e.op.direction() {
        Direction::Ownership | Direction::Input if refused => check_owner(&e.path),
        _ => None,
    }
}
