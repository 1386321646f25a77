//! Copying a file's extended attributes to its replacement.
//!
//! The rename installs a new inode, which starts with no extended attributes: without a copy a
//! `user.*` attribute or a POSIX ACL (`system.posix_acl_access`, how `setfacl` grants a service
//! user access) would silently disappear.

use std::fs::File;
use std::io;
use std::path::Path;

use xattr::FileExt as _;

use crate::error::{FileError, Op};
use crate::{Error, Result};

/// Copies every extended attribute of `from` (named `shown` in errors) that this process can list (`user.*`,
/// `system.posix_acl_*`, and `security.*`/`trusted.*` where privileges allow) onto `to`.
///
/// A file system without extended attributes has nothing to copy. A `security.*` attribute the
/// kernel refuses to set (an SELinux label, a file capability, for a user without the privilege)
/// is left to the policy that labels new files; any other attribute that cannot be copied fails
/// the write rather than being dropped.
pub(super) fn copy(from: &Path, shown: &Path, to: &File) -> Result<()> {
    let names = match xattr::list(from) {
        Ok(names) => names,
        Err(e) if unsupported(&e) => return Ok(()),
        Err(e) => return Err(Error::writing(shown, Op::ListXattrs, e)),
    };
    for name in names {
        let value = match xattr::get(from, &name) {
            Ok(Some(value)) => value,
            // Removed since the listing.
            Ok(None) => continue,
            Err(e) if unsupported(&e) => continue,
            Err(e) => return Err(Error::writing(shown, Op::ReadXattrs, e)),
        };
        if let Err(e) = to.set_xattr(&name, &value) {
            if name.as_encoded_bytes().starts_with(b"security.") {
                continue;
            }
            // The attribute's name is part of what the user needs to see; an `io::Error`
            // built here carries it without a field of its own.
            let source = io::Error::new(e.kind(), format!("{}: {e}", name.to_string_lossy()));
            return Err(FileError::os(shown, Op::KeepXattrs, source).into());
        }
    }
    Ok(())
}

/// Whether `e` says the file system has no extended attributes at all.
fn unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || e.raw_os_error() == Some(rustix::io::Errno::NOTSUP.raw_os_error())
}
