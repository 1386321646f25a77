//! What git knows: whether `.gitignore` covers the secret files, whether git tracks them, and
//! (`--git`) whether any stored value appears in a tracked file or anywhere in the history.
//!
//! git is run as a child process, in the repository, with paths (never values) as arguments.
//! The history is read in one pass: ONE `git cat-file --batch-all-objects --batch` process
//! streams every object, one multi-pattern automaton (`aho-corasick`) holding all the values
//! searches each blob, and only when something matched does `git log --all --raw` map the
//! matching blobs to the commits that introduced them and their paths.

use super::fix::Fix;
use super::{Check, Finding, Severity};
use crate::error::{Error, Result};
use aho_corasick::AhoCorasick;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The shortest value `--git` searches for: shorter ones (`1`, `true`, `admin`) occur by chance
/// in any history and would bury the real findings.
pub const MIN_SEARCHED_LEN: usize = 8;

/// The largest blob of the history that `--git` searches.
pub const MAX_BLOB: usize = 64 * 1024 * 1024;

/// The largest tracked file in the working tree that `--git` reads.
const MAX_WORKTREE_FILE: u64 = 16 * 1024 * 1024;

/// A git command in `root`, hardened: see [`crate::git::command`] (every git envmint runs is
/// made there).
pub fn git(root: &Path) -> Command {
    crate::git::command(root)
}

/// Where `dir` is, for git.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repo {
    /// In the working tree with this root.
    Root(PathBuf),
    /// In no git repository, or git is not installed.
    None,
    /// In a repository git refuses to read: "dubious ownership" (it belongs to another user and
    /// is not in `safe.directory`), as in CI containers that check out as another user.
    Refused {
        /// git's first line about it, control characters escaped.
        said: String,
    },
}

/// The root of the git working tree holding `dir`, `None` when it is in none, git is not
/// installed, or git refuses to read it (see [`find_repo`] to tell these apart).
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    match find_repo(dir) {
        Repo::Root(root) => Some(root),
        _ => None,
    }
}

/// Where `dir` is for git: in a working tree, in none, or in one git refuses to read. A
/// refusal must not read as "not a repository": a check of what git tracks would then pass
/// on a repository that commits its secrets.
pub fn find_repo(dir: &Path) -> Repo {
    let Ok(out) = git(dir)
        .args(["rev-parse", "--show-toplevel"])
        .stderr(Stdio::piped())
        .output()
    else {
        return Repo::None;
    };
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        if said.contains("dubious ownership") || said.contains("safe.directory") {
            let first = said.lines().next().unwrap_or_default();
            let first = first.strip_prefix("fatal: ").unwrap_or(first);
            return Repo::Refused {
                said: first
                    .chars()
                    .take(300)
                    .flat_map(char::escape_default)
                    .collect(),
            };
        }
        return Repo::None;
    }
    let Ok(text) = String::from_utf8(out.stdout) else {
        return Repo::None;
    };
    let root = PathBuf::from(text.trim_end_matches(['\n', '\r']));
    Repo::Root(std::fs::canonicalize(&root).unwrap_or(root))
}

/// Whether the repository at `root` has any ref (a branch, a tag): then it has commits, and a
/// search of its objects that saw none read the wrong place or an emptied one.
fn has_refs(root: &Path) -> bool {
    git(root)
        .args(["for-each-ref", "--count=1", "--format=%(refname)"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
}

/// Where `path` (a file that exists, or the marker inside an export folder) sits in a git
/// working tree that does not ignore it: its path relative to the root, which `git add .`
/// would offer to the next commit. `None` when it is ignored, outside any working tree, or
/// git cannot say (not installed, the repository refused).
///
/// A relative `path` starts from `cwd`, the working folder the caller read.
pub fn unignored(path: &Path, cwd: &Path) -> Option<PathBuf> {
    let path = &cwd.join(path);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let root = repo_root(dir)?;
    let rel = in_repo(&root, path, cwd)?;
    let status = git(&root)
        .args(["check-ignore", "-q", "--no-index", "--"])
        .arg(&rel)
        .stdout(Stdio::null())
        .status()
        .ok()?;
    // 0: ignored; 1: not ignored; anything else: git could not say.
    (status.code() == Some(1)).then_some(rel)
}

/// A secret file for the git checks.
#[derive(Clone, Debug)]
pub struct GitFile {
    /// Where it is (it may not exist yet: an env file bootstrap will create must be ignored
    /// before it exists).
    pub path: PathBuf,
    /// What it is, in a message (`plaintext env file`, `identity file`).
    pub what: &'static str,
    /// The environment it stores, if any.
    pub env: Option<String>,
    /// An output found by its content (an export, a copy of values): checked only when git
    /// does not track it, and only for the ignore rule. A tracked copy is `--git`'s finding.
    pub untracked_only: bool,
}

/// `path` relative to the work tree's `root`, symlinks in its folder resolved; `None` when it
/// is outside. A relative `path` starts from `cwd`, the working folder the caller read.
pub fn relative(root: &Path, path: &Path, cwd: &Path) -> Option<PathBuf> {
    in_repo(root, path, cwd)
}

/// `path` relative to `root` with symlinks in its folder resolved, `None` when it is outside.
/// A relative `path` starts from `cwd` (the library reads no working folder).
fn in_repo(root: &Path, path: &Path, cwd: &Path) -> Option<PathBuf> {
    let path = &cwd.join(path);
    let resolved = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(_) => {
            let parent = std::fs::canonicalize(path.parent()?).ok()?;
            parent.join(path.file_name()?)
        }
    };
    resolved.strip_prefix(root).ok().map(Path::to_path_buf)
}

/// Secret files inside the working tree that `.gitignore` does not cover (asked of
/// `git check-ignore --no-index`, so the patterns decide, whether or not the file is tracked),
/// and those git tracks (`git ls-files`).
///
/// A relative path of `files` starts from `cwd`, the working folder the caller read.
///
/// # Errors
///
/// git failing to run in a repository it just found (exit 74).
pub fn check_files(root: &Path, files: &[GitFile], cwd: &Path) -> Result<Vec<Finding>> {
    let mut rel: Vec<(&GitFile, PathBuf)> = Vec::new();
    let mut seen = HashSet::new();
    for file in files {
        if let Some(r) = in_repo(root, &file.path, cwd)
            && seen.insert(r.clone())
        {
            rel.push((file, r));
        }
    }
    if rel.is_empty() {
        return Ok(Vec::new());
    }
    let mut input = Vec::new();
    for (_, r) in &rel {
        input.extend_from_slice(r.as_os_str().as_encoded_bytes());
        input.push(0);
    }
    let ignored: HashSet<Vec<u8>> = run_with_input(
        git(root).args(["check-ignore", "--no-index", "-z", "--stdin"]),
        &input,
        // 1: none of the paths is ignored.
        &[0, 1],
    )?
    .split(|&b| b == 0)
    .filter(|s| !s.is_empty())
    .map(<[u8]>::to_vec)
    .collect();
    let tracked: HashSet<Vec<u8>> =
        run_with_input(git(root).args(["ls-files", "-z", "--full-name"]), &[], &[0])?
            .split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
    let mut out = Vec::new();
    for (file, r) in rel {
        let key = r.as_os_str().as_encoded_bytes().to_vec();
        let path = root.join(&r);
        let with_env = |f: Finding| match &file.env {
            Some(env) => f.env(env),
            None => f,
        };
        if file.untracked_only && tracked.contains(&key) {
            continue;
        }
        if tracked.contains(&key) {
            out.push(with_env(
                Finding::new(
                    Severity::Error,
                    Check::Tracked,
                    format!("{} is tracked by git", file.what),
                )
                .path(&path)
                .fix(Fix::Untrack { path: &r }),
            ));
        }
        if !ignored.contains(&key) {
            out.push(with_env(
                Finding::new(
                    Severity::Warning,
                    Check::NotIgnored,
                    format!("{} is not covered by .gitignore", file.what),
                )
                .path(&path)
                .fix(Fix::Ignore {
                    pattern: suggest_pattern(&r),
                }),
            ));
        }
    }
    Ok(out)
}

/// The `.gitignore` line to suggest for `rel`: the usual envmint pattern when it fits, else
/// the path itself anchored at the root.
fn suggest_pattern(rel: &Path) -> String {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name == crate::export::folder::MARKER {
        // The list of a docker-secrets folder: the folder is what to ignore.
        let folder = rel
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        format!("/{folder}/")
    } else if name.starts_with(".env") && name.ends_with(".local") {
        ".env*.local".into()
    } else if name.ends_with(".age.key") {
        "*.age.key".into()
    } else {
        format!("/{}", rel.display())
    }
}

/// Sealed stores in the working tree that `.gitattributes` does not send to envmint's merge
/// driver and textconv (`merge=envmint diff=envmint`, as `envmint git setup` writes): two
/// branches that both change such a store always conflict over ciphertext, and its diffs are
/// noise. `stores` are the sealed files with their environment's name (a relative one starts
/// from `cwd`, the working folder the caller read).
///
/// # Errors
///
/// git failing to run in a repository it just found (exit 74).
pub fn check_attributes(
    root: &Path,
    stores: &[(PathBuf, String)],
    cwd: &Path,
) -> Result<Vec<Finding>> {
    let rel: Vec<(PathBuf, &String)> = stores
        .iter()
        .filter_map(|(p, env)| in_repo(root, p, cwd).map(|r| (r, env)))
        .collect();
    if rel.is_empty() {
        return Ok(Vec::new());
    }
    let mut input = Vec::new();
    for (r, _) in &rel {
        input.extend_from_slice(r.as_os_str().as_encoded_bytes());
        input.push(0);
    }
    let out = run_with_input(
        git(root).args(["check-attr", "-z", "--stdin", "merge", "diff"]),
        &input,
        &[0],
    )?;
    // `path NUL attribute NUL value NUL`, per path and attribute.
    let fields: Vec<&[u8]> = out.split(|&b| b == 0).collect();
    let mut set: HashSet<(Vec<u8>, Vec<u8>)> = HashSet::new();
    for triple in fields.chunks(3) {
        if let [path, attr, value] = triple
            && *value == b"envmint"
        {
            set.insert((path.to_vec(), attr.to_vec()));
        }
    }
    let mut findings = Vec::new();
    for (r, env) in rel {
        let key = r.as_os_str().as_encoded_bytes().to_vec();
        let lacks: Vec<&str> = ["merge", "diff"]
            .into_iter()
            .filter(|a| !set.contains(&(key.clone(), a.as_bytes().to_vec())))
            .collect();
        if lacks.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                Severity::Warning,
                Check::GitAttributes,
                format!(
                    "sealed store lacks `{}` in .gitattributes: branches that both change it \
                     conflict over ciphertext, and its diffs are unreadable",
                    lacks
                        .iter()
                        .map(|a| format!("{a}=envmint"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            )
            .env(env)
            .path(root.join(&r))
            .fix(Fix::GitSetup),
        );
    }
    Ok(findings)
}

/// Runs `cmd` with `input` on stdin, returning stdout; an exit status outside `ok` is an error,
/// naming git's command (`git log`).
fn run_with_input(cmd: &mut Command, input: &[u8], ok: &[i32]) -> Result<Vec<u8>> {
    let name = subcommand(cmd);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| git_error(format!("cannot run {name}: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| git_error(format!("{name} failed: {e}")))?;
    let _ = writer.join();
    match out.status.code() {
        Some(code) if ok.contains(&code) => Ok(out.stdout),
        _ => Err(git_error(format!("{name} exited with {}", out.status))),
    }
}

/// `git` and the subcommand `cmd` runs (`git log`), past the options [`git`] puts first.
fn subcommand(cmd: &Command) -> String {
    let mut args = cmd.get_args();
    while let Some(arg) = args.next() {
        if arg == "-C" || arg == "-c" {
            args.next();
            continue;
        }
        return format!("git {}", arg.to_string_lossy());
    }
    "git".into()
}

/// Starts `cmd` (`git cat-file --batch`) with its stdout piped.
fn spawn_cat_file(cmd: &mut Command) -> Result<std::process::Child> {
    cmd.stdout(Stdio::piped())
        .spawn()
        .map_err(|e| git_error(format!("cannot run git cat-file: {e}")))
}

/// The matcher of the values could not be built (more patterns than it can hold).
fn matcher_error(e: impl std::fmt::Display) -> Error {
    git_error(format!("cannot build the matcher: {e}"))
}

fn git_error(message: String) -> Error {
    Error::File(crate::error::FileError::os(
        "git",
        crate::error::Op::Read,
        std::io::Error::other(message),
    ))
}

/// One value to look for, and whose it is.
pub struct Needle<'a> {
    /// The environment.
    pub env: &'a str,
    /// The key.
    pub key: &'a str,
    /// The value (borrowed from the document; never copied into a message).
    pub value: &'a str,
}

/// Where values were found, per needle index: the commit (none for the working tree or an
/// object no commit introduces) and the path (none for a commit message or a loose object).
#[derive(Debug, Default)]
pub struct Hits {
    /// `(needle, commit, path)`.
    pub places: BTreeSet<(usize, Option<String>, Option<String>)>,
    /// How many blobs were searched (for the bench's figures).
    pub blobs: usize,
    /// How many bytes were searched.
    pub bytes: u64,
    /// Blobs larger than [`MAX_BLOB`], not searched.
    pub skipped: usize,
    /// Objects git listed, of every type.
    pub objects: usize,
}

/// Searches every object of the repository at `root` (blobs of every commit, removed files
/// included, and commit messages) and the tracked files of the working tree for the needles'
/// values, verbatim. Values shorter than [`MIN_SEARCHED_LEN`] are skipped. A tracked file is
/// read through a symlink only when `euid` (the effective user id) or root owns the link.
///
/// # Errors
///
/// git failing to run or its output not parsing (exit 74).
pub fn scan_history(root: &Path, needles: &[Needle<'_>], euid: u32) -> Result<Hits> {
    // One pattern per distinct value; several needles may share it.
    let mut patterns: Vec<&str> = Vec::new();
    let mut owners: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, n) in needles.iter().enumerate() {
        if n.value.chars().count() < MIN_SEARCHED_LEN {
            continue;
        }
        let p = *index.entry(n.value).or_insert_with(|| {
            patterns.push(n.value);
            owners.push(Vec::new());
            patterns.len() - 1
        });
        owners[p].push(i);
    }
    let mut hits = Hits::default();
    if patterns.is_empty() {
        return Ok(hits);
    }
    let ac = AhoCorasick::new(&patterns).map_err(matcher_error)?;
    let matched_in = |data: &[u8]| -> BTreeSet<usize> {
        ac.find_overlapping_iter(data)
            .map(|m| m.pattern().as_usize())
            .collect()
    };

    // 1. Every object, streamed by one git process.
    let mut blob_hits: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut child = spawn_cat_file(git(root).args([
        "cat-file",
        "--batch-all-objects",
        "--batch",
        "--unordered",
    ]))?;
    let stdout = child.stdout.take().expect("piped");
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut header = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    loop {
        header.clear();
        let n = reader
            .read_until(b'\n', &mut header)
            .map_err(|e| git_error(format!("reading git cat-file: {e}")))?;
        if n == 0 {
            break;
        }
        hits.objects += 1;
        let text = String::from_utf8_lossy(&header);
        let mut parts = text.trim_end().split(' ');
        let (Some(oid), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
            continue; // `<oid> missing`: nothing follows.
        };
        let size: usize = size
            .parse()
            .map_err(|_| git_error(format!("git cat-file said `{}`", text.trim_end())))?;
        if size > MAX_BLOB || !matches!(kind, "blob" | "commit") {
            // Trees and tags hold no file content; a blob this large is a build artefact or a
            // media file, not where a secret was pasted. Skipped without being held in memory.
            if kind == "blob" {
                hits.skipped += 1;
            }
            std::io::copy(
                &mut (&mut reader).take(size as u64 + 1),
                &mut std::io::sink(),
            )
            .map_err(|e| git_error(format!("reading git cat-file: {e}")))?;
            continue;
        }
        data.clear();
        data.resize(size + 1, 0);
        reader
            .read_exact(&mut data)
            .map_err(|e| git_error(format!("reading git cat-file: {e}")))?;
        let body = &data[..size];
        if kind == "blob" {
            hits.blobs += 1;
            hits.bytes += size as u64;
        }
        let found = matched_in(body);
        if found.is_empty() {
            continue;
        }
        if kind == "commit" {
            for p in found {
                for &n in &owners[p] {
                    hits.places.insert((n, Some(oid.to_string()), None));
                }
            }
        } else {
            blob_hits.insert(oid.to_string(), found);
        }
    }
    let status = child
        .wait()
        .map_err(|e| git_error(format!("git cat-file failed: {e}")))?;
    // An empty repository (no object yet) is fine; anything else that failed is not.
    if !status.success() && hits.blobs > 0 {
        return Err(git_error(format!("git cat-file exited with {status}")));
    }
    data.iter_mut().for_each(|b| *b = 0);
    // No object, yet branches or tags: the objects are elsewhere (an alternate, a moved or
    // emptied folder) and "nothing found" would be a pass that searched nothing.
    if hits.objects == 0 && has_refs(root) {
        return Err(git_error(
            "git listed no object, yet the repository has branches or tags: the history was \
             not searched (are its objects in another folder?)"
                .into(),
        ));
    }

    // 2. The commits that introduced the matching blobs, and at which paths.
    if !blob_hits.is_empty() {
        let log = run_with_input(
            git(root).args([
                "log",
                "--all",
                "--raw",
                "--no-abbrev",
                "--no-renames",
                "-z",
                "--format=%x01%H",
            ]),
            &[],
            &[0, 128],
        )?;
        let mut mapped = HashSet::new();
        let mut commit: Option<&str> = None;
        let mut tokens = log.split(|&b| b == 0);
        while let Some(token) = tokens.next() {
            let token = std::str::from_utf8(token).unwrap_or("");
            let token = token.trim_start_matches('\n');
            if let Some(h) = token.strip_prefix('\u{1}') {
                commit = Some(h);
            } else if let Some(meta) = token.strip_prefix(':') {
                let path = tokens
                    .next()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
                let new_oid = meta.split(' ').nth(3).unwrap_or("");
                if let Some(found) = blob_hits.get(new_oid) {
                    mapped.insert(new_oid.to_string());
                    for &p in found {
                        for &n in &owners[p] {
                            hits.places
                                .insert((n, commit.map(str::to_string), path.clone()));
                        }
                    }
                }
            }
        }
        // Blobs no commit's changes introduce: staged once and dropped, or made by a merge.
        for (oid, found) in &blob_hits {
            if !mapped.contains(oid) {
                for &p in found {
                    for &n in &owners[p] {
                        hits.places.insert((n, None, Some(format!("object {oid}"))));
                    }
                }
            }
        }
    }

    // 3. Tracked files as they are in the working tree (changes not committed yet).
    let listed = run_with_input(git(root).args(["ls-files", "-z", "--full-name"]), &[], &[0])?;
    for rel in listed.split(|&b| b == 0).filter(|s| !s.is_empty()) {
        let rel = String::from_utf8_lossy(rel).into_owned();
        let path = root.join(&rel);
        let Ok(Some(bytes)) = crate::atomic::read_regular(&path, MAX_WORKTREE_FILE, euid) else {
            continue;
        };
        for p in matched_in(&bytes) {
            for &n in &owners[p] {
                hits.places
                    .insert((n, Some(String::new()), Some(rel.clone())));
            }
        }
    }
    Ok(hits)
}

/// The findings of [`scan_history`]: per value and path, the commits that hold it (the
/// working tree is the empty commit), at most three named.
pub fn history_findings(root: &Path, needles: &[Needle<'_>], hits: &Hits) -> Vec<Finding> {
    let mut grouped: BTreeMap<(usize, Option<String>), Vec<Option<String>>> = BTreeMap::new();
    for (n, commit, path) in &hits.places {
        grouped
            .entry((*n, path.clone()))
            .or_default()
            .push(commit.clone());
    }
    let mut out = Vec::new();
    for ((n, path), commits) in grouped {
        let needle = &needles[n];
        let worktree = commits.iter().any(|c| c.as_deref() == Some(""));
        let named: Vec<String> = commits
            .iter()
            .filter_map(|c| c.as_deref())
            .filter(|c| !c.is_empty())
            .take(3)
            .map(|c| c[..c.len().min(12)].to_string())
            .collect();
        let total = commits
            .iter()
            .filter(|c| c.as_deref().is_some_and(|c| !c.is_empty()))
            .count();
        let mut wheres = Vec::new();
        if worktree {
            wheres.push("the working tree".to_string());
        }
        if !named.is_empty() {
            let more = if total > named.len() {
                format!(" and {} more", total - named.len())
            } else {
                String::new()
            };
            let word = if total == 1 { "commit" } else { "commits" };
            wheres.push(format!("{word} {}{more}", named.join(", ")));
        }
        let place = match &path {
            Some(p) if p.starts_with("object ") => {
                format!("in git {p}, which no commit introduces")
            }
            Some(p) => format!("in {p}"),
            None => "in a commit message".to_string(),
        };
        // An object no commit introduces has no commit to name.
        let wheres = if wheres.is_empty() {
            String::new()
        } else {
            format!(": {}", wheres.join(" and "))
        };
        let mut f = Finding::new(
            Severity::Error,
            Check::GitHistory,
            format!(
                "the value of {} ({}) is {place}{wheres}",
                needle.key, needle.env
            ),
        )
        .env(needle.env)
        .key(needle.key)
        .fix(Fix::Leaked {
            env: needle.env,
            key: needle.key,
        });
        if let Some(p) = path.filter(|p| !p.starts_with("object ")) {
            f = f.path(root.join(p));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// git missing when a search starts it (it was there when the repository was found): no
    /// run reaches this, since envmint finds the repository with the same git first.
    #[test]
    fn git_that_cannot_be_started_is_named_with_the_os_error() {
        let missing = "/nonexistent/envmint-test/git";
        let Err(e) = run_with_input(Command::new(missing).arg("log"), b"", &[0]) else {
            panic!("{missing} ran");
        };
        assert_eq!(
            e.to_string(),
            "git: cannot read: cannot run git log: No such file or directory (os error 2)"
        );
        let Err(e) = spawn_cat_file(&mut Command::new(missing)) else {
            panic!("{missing} ran");
        };
        assert_eq!(
            e.to_string(),
            "git: cannot read: cannot run git cat-file: No such file or directory (os error 2)"
        );
        // aho-corasick refuses only more patterns or states than its ids can number.
        assert_eq!(
            matcher_error("state identifier overflow").to_string(),
            "git: cannot read: cannot build the matcher: state identifier overflow"
        );
    }

    #[test]
    fn a_relative_path_is_placed_in_the_work_tree_from_the_folder_given() {
        let top = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(top.path()).unwrap();
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(root.join("app/.env"), "A=1\n").unwrap();
        assert!(!std::env::current_dir().unwrap().starts_with(&root));
        let cwd = root.join("app");
        assert_eq!(
            relative(&root, Path::new(".env"), &cwd),
            Some(PathBuf::from("app/.env"))
        );
        // A file that does not exist yet is placed by its folder.
        assert_eq!(
            relative(&root, Path::new("new.env"), &cwd),
            Some(PathBuf::from("app/new.env"))
        );
        // An absolute path ignores the folder; one outside the tree is not in it.
        assert_eq!(
            relative(&root, &root.join("app/.env"), Path::new("/nowhere")),
            Some(PathBuf::from("app/.env"))
        );
        assert_eq!(relative(&root, Path::new("/etc/passwd"), &cwd), None);
    }
}
