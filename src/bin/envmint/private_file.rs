//! The user's own small files that decide what is trusted or run as them: the hooks allowance,
//! the pending-value key, a clone's diff key. Each is read only when it is a regular file (not
//! a symlink: a link would let whoever can write its target, or swap it, choose the content),
//! owned by the effective user, and not writable by others (a `secret` one: not readable by
//! them either). The checks and their words are the same for every such file.

use crate::error::{Error, Result};
use std::path::Path;
use zeroize::Zeroizing;

/// The largest such file read: a key is 65 bytes, an allowance a line per manifest.
const LIMIT: u64 = 1024 * 1024;

/// The bytes of `path` (`what` names it in errors), `None` when it does not exist; refused
/// (77, with a hint) when it is a symlink, another user's (not `euid`'s, the effective user
/// id), or others may write it (`secret`: or read it).
pub fn read(
    path: &Path,
    secret: bool,
    what: &str,
    euid: u32,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    use std::os::unix::fs::MetadataExt;
    let refused = |reason: String, hint: &str| Error::Refused {
        path: path.to_path_buf(),
        reason,
        hint: Some(hint.into()),
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(refused(
                format!("{what} is a symlink: only a file of your own is trusted"),
                "replace the link by a regular file of yours (chmod 600), or remove it",
            ));
        }
        _ => {}
    }
    // Not a link when looked at; the open below follows none (O_NOFOLLOW), so one swapped in
    // since is refused, not followed.
    let Some((bytes, meta)) = envmint::atomic::read_regular_with_metadata(path, LIMIT, euid)?
    else {
        return Ok(None);
    };
    let mask = if secret { 0o077 } else { 0o022 };
    if meta.uid() != euid || meta.mode() & mask != 0 {
        let others = if secret { "read" } else { "write" };
        return Err(refused(
            format!(
                "{what} is another user's, or others may {others} it (uid {}, mode {:04o}; you \
                 are uid {euid})",
                meta.uid(),
                meta.mode() & 0o7777
            ),
            "make it yours and private: chmod 600, or remove it",
        ));
    }
    Ok(Some(bytes))
}
