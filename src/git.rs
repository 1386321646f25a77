//! Running git: the one hardened way envmint starts it ([`command`]), and what it asks git
//! about a file it is about to write ([`tracked`]).
//!
//! The atomic writer asks before a write that went through a symlink (the trust rule of
//! [`crate::atomic::Within`]), so this module sits below it and imports nothing of envmint's.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command, Stdio};

/// Variables that point git at another repository, object store or index than the one at
/// `-C root`: set by a hook (`GIT_DIR`, `GIT_INDEX_FILE`), or by whoever wants a search to read
/// an empty object folder and find nothing (`GIT_OBJECT_DIRECTORY=/tmp/empty`).
const REPOSITORY_VARIABLES: [&str; 11] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_SHALLOW_FILE",
    "GIT_REPLACE_REF_BASE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_GRAFT_FILE",
];

/// A git command in `root`, with the user's configuration kept out of what is parsed. A
/// `GIT_DIR` or `GIT_WORK_TREE` inherited from a hook (`envmint audit` in a pre-commit hook)
/// would point git elsewhere than `-C root` says (and a relative one, nowhere). Programs the
/// repository's config can name are off, so that auditing a checkout someone handed you runs
/// nothing of theirs: the fsmonitor hook (run on reading the index) and `gpg.program` (run by `git log` on a signed commit under `log.showSignature`).
/// stdin and stderr are null. Every git envmint runs is made here (bootstrap's too).
pub fn command(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    for name in REPOSITORY_VARIABLES {
        cmd.env_remove(name);
    }
    cmd.arg("-C")
        .arg(root)
        .args(["-c", "core.quotePath=false", "-c", "core.fsmonitor=false"])
        .args(["-c", "log.showSignature=false"])
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Which of `names` (files in `dir`) the repository enclosing `dir` tracks (`git ls-files`).
///
/// Nothing when `dir` is in no working tree (no `.git` in it or above it), git is missing, or
/// git fails or refuses the repository ("dubious ownership"): the callers use this for a
/// warning or for refusing a write through a symlink, and cannot tell more than git says.
pub fn tracked(dir: &Path, names: &[&OsStr]) -> Vec<OsString> {
    use std::os::unix::ffi::OsStrExt;
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if names.is_empty() || !dir.ancestors().any(|d| d.join(".git").exists()) {
        return Vec::new();
    }
    let output = command(dir)
        .args(["ls-files", "-z", "--"])
        .args(names)
        .stdout(Stdio::piped())
        .output();
    let Some(output) = output.ok().filter(|o| o.status.success()) else {
        return Vec::new();
    };
    let listed: Vec<&[u8]> = output.stdout.split(|&b| b == 0).collect();
    names
        .iter()
        .filter(|n| listed.contains(&n.as_bytes()))
        .map(|n| n.to_os_string())
        .collect()
}

/// Whether git tracks the file `path` (see [`tracked`]).
pub fn tracks(path: &Path) -> bool {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => !tracked(dir, &[name]).is_empty(),
        _ => false,
    }
}
