//! A file error in words: what envmint was doing (the verb of the operation) and what the OS
//! or the writer refused.

use super::Rendered;
use envmint::error::{Direction, FileError, FileKind, FileProblem, Op};
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

/// Writes a [`FileError`] in words.
pub(super) fn file(e: &FileError) -> Rendered {
    let path = e.path.display();
    let manifest = e.op == Op::ReadManifest;
    let (message, hint) = match &e.problem {
        FileProblem::Os(source) => return os(e, source),
        FileProblem::NotRegular { kind } => {
            let message = match (e.op, kind) {
                (Op::Read | Op::ReadManifest, kind) => format!(
                    "{path}: not a regular file ({}); envmint reads only regular files",
                    kind_words(kind.unwrap_or(FileKind::Other))
                ),
                _ => format!("{path}: not a regular file; envmint replaces only regular files"),
            };
            (message, manifest.then(|| MANIFEST_NOT_A_FILE.to_string()))
        }
        FileProblem::TooLarge { size, limit } if e.op == Op::Write => (
            format!(
                "{path}: the new file would be {size} bytes, over envmint's limit of {limit} \
                 bytes (no envmint command could read it back); nothing was written"
            ),
            Some(
                "remove keys or comments it does not need, or split the environment into \
                 several files"
                    .to_string(),
            ),
        ),
        FileProblem::TooLarge { size, limit } => (
            format!("{path}: the file is {size} bytes, over envmint's limit of {limit} bytes"),
            manifest.then(manifest_too_large),
        ),
        FileProblem::GrewPastLimit { limit } => (
            format!(
                "{path}: the file grew past envmint's limit of {limit} bytes while it was read"
            ),
            manifest.then(manifest_too_large),
        ),
        FileProblem::UntrustedSymlink { owner, euid } => (
            format!(
                "{path}: cannot follow the symlink: it is owned by uid {owner}, neither you \
                 (uid {euid}) nor root; envmint follows only links you or root own (the \
                 kernel's protected_symlinks rule)"
            ),
            check_owner(&e.path),
        ),
        FileProblem::SymlinkNotAFile { points_at } => (
            format!(
                "{path}: the symlink points at {}, not at a file",
                points_at.display()
            ),
            manifest.then(|| MANIFEST_NOT_A_FILE.to_string()),
        ),
        FileProblem::SymlinkLoop if manifest => (
            format!("{path}: a symlink loop (or a chain of more than 40 symlinks), not a file"),
            Some(MANIFEST_NOT_A_FILE.to_string()),
        ),
        FileProblem::SymlinkLoop => (
            format!("{path}: too many levels of symbolic links (is there a loop?)"),
            None,
        ),
        FileProblem::NotAFileName => (
            format!("{path}: not a file name"),
            manifest.then(|| MANIFEST_NOT_A_FILE.to_string()),
        ),
        FileProblem::SymlinkKeepsChanging => (
            format!("{path}: a symlink keeps changing while envmint waits to lock it"),
            None,
        ),
        FileProblem::FolderNotWritable { name, source } => (
            format!("{path}: cannot write {name} in this folder: it is not writable ({source})"),
            Some(
                "the folder must be writable: envmint writes a temporary file beside the file \
                 and renames it over the old one"
                    .to_string(),
            ),
        ),
        // Any user who can read the folder can hold its lock, so "another envmint process"
        // would be a guess.
        FileProblem::Busy { waited } => (
            format!(
                "another process holds the lock on {path} (waited {:.1}s)",
                waited.as_secs_f64()
            ),
            Some(
                "envmint locks the folder of the files it writes; try again when that process \
                 has finished (ENVMINT_LOCK_TIMEOUT sets how long to wait, in seconds)"
                    .to_string(),
            ),
        ),
        FileProblem::NothingRequested => (format!("{path}: nothing to lock"), None),
        FileProblem::Outside { target, folder } => (
            format!(
                "{path} leads to {} through a symlink, outside {}; refused: a symlink in the \
                 repository does not choose where envmint writes secrets",
                target.display(),
                folder.display()
            ),
            Some(format!(
                "if you chose {}, name it as it is, or allow it: envmint --allow-outside ..., or \
                 add {} to ~/.config/envmint/allow-outside (one folder per line)",
                target.display(),
                target.parent().unwrap_or(target).display()
            )),
        ),
        FileProblem::InsideGit { target } => (
            format!(
                "{path} leads into git's folder ({}) through a symlink; refused: envmint never \
                 writes secrets into .git",
                target.display()
            ),
            Some("name a file outside .git".to_string()),
        ),
        FileProblem::TrackedThroughLink { target } => (
            format!(
                "{path} leads through a symlink to {}, which git tracks; refused: the secrets \
                 written there would go into the next commit",
                target.display()
            ),
            Some(format!(
                "replace the link with a file of its own (rm {path}; git rm --cached it if it \
                 is committed), or point the manifest elsewhere; to write into {} anyway, name \
                 it itself (-o {}, where the command has -o)",
                target.display(),
                target.display()
            )),
        ),
    };
    Rendered { message, hint }
}

pub(super) fn manifest_too_large() -> String {
    "a manifest is a few kilobytes; check that this is the right file (the limit is 1 MiB)"
        .to_string()
}

/// Writes an operating-system error met during `e.op`.
pub(super) fn os(e: &FileError, source: &io::Error) -> Rendered {
    let path = e.path.display();
    let kind = source.kind();
    let refused = kind == io::ErrorKind::PermissionDenied;
    let (message, hint) = match e.op.direction() {
        Direction::Input if kind == io::ErrorKind::NotFound => {
            (format!("{path}: file not found"), None)
        }
        Direction::Output | Direction::Ownership if kind == io::ErrorKind::NotFound => (
            format!(
                "{path}: cannot {}: the directory does not exist ({source})",
                verb(e.op)
            ),
            None,
        ),
        Direction::Ownership if refused => (
            format!("{path}: cannot keep its owner and group: {source}"),
            check_owner(&e.path),
        ),
        Direction::Input if refused => (
            format!("{path}: cannot {}: {source}", verb(e.op)),
            check_owner(&e.path),
        ),
        _ => (format!("{path}: cannot {}: {source}", verb(e.op)), None),
    };
    Rendered { message, hint }
}

/// The verb of "cannot ...".
pub(super) fn verb(op: Op) -> &'static str {
    match op {
        Op::Read | Op::ReadManifest => "read",
        Op::Inspect => "inspect",
        Op::OpenFolder | Op::Lock => "lock",
        Op::Create => "create",
        Op::Write | Op::WriteStdout => "write",
        Op::Sync => "sync",
        Op::SyncFolder => "sync the folder",
        Op::Replace => "replace",
        Op::SetMode => "set the mode of",
        Op::KeepOwner => "keep the owner of",
        Op::ListXattrs => "list the extended attributes of",
        Op::ReadXattrs => "read the extended attributes of",
        Op::KeepXattrs => "keep the extended attributes (ACLs included) of",
        Op::FollowSymlink => "follow the symlink",
        Op::Remove => "remove",
    }
}

/// How a non-regular file is named.
pub(super) fn kind_words(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Directory => "a directory",
        FileKind::Fifo => "a FIFO",
        FileKind::Device => "a device",
        FileKind::Socket => "a socket",
        FileKind::Other => "not a regular file",
    }
}
