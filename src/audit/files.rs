//! File and folder modes, and the bounded scan that finds plan files and identity files in a
//! project.

use super::fix::Fix;
use super::{Check, Finding, Severity};
use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What a secret file is, which decides the modes it may have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An environment's dotenv file in the clear (a plain store, or the unsealed copy of a
    /// sealed one), with the mode the manifest declares (`None`: 0600).
    Plaintext {
        /// `mode = "0640"` in the manifest.
        declared: Option<u32>,
    },
    /// An age file: ciphertext, so others may read it (0644); nobody but the owner may write it.
    Sealed,
    /// A saved rotation plan (`"envmint_plan"` in its first 100 bytes): 0600.
    Plan,
    /// An age identity (a secret key): 0600.
    Identity,
}

impl FileKind {
    /// The group and other bits this kind of file may have.
    fn allowed(&self) -> u32 {
        match self {
            FileKind::Plaintext { declared } => {
                declared.unwrap_or(crate::manifest::DEFAULT_MODE) & 0o077
            }
            FileKind::Sealed => 0o044,
            FileKind::Plan | FileKind::Identity => 0,
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            FileKind::Plaintext { .. } => "plaintext env file",
            FileKind::Sealed => "sealed env file",
            FileKind::Plan => "plan file",
            FileKind::Identity => "identity file (an age secret key)",
        }
    }
}

/// A file holding secrets, to check.
#[derive(Clone, Debug)]
pub struct SecretFile {
    /// Where it is.
    pub path: PathBuf,
    /// What it is.
    pub kind: FileKind,
    /// The environment it stores, if any.
    pub env: Option<String>,
}

/// Files whose group or other bits go beyond what their kind allows ([`FileKind`]); files that
/// do not exist are skipped. A symlink is judged by its target (what a reader opens).
pub fn check_modes(files: &[SecretFile]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for file in files {
        if !seen.insert(&file.path) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&file.path) else {
            continue;
        };
        let mode = meta.mode() & 0o7777;
        let extra = mode & 0o077 & !file.kind.allowed();
        if extra == 0 {
            continue;
        }
        let allowed = 0o600 | file.kind.allowed();
        let mut f = Finding::new(
            Severity::Error,
            Check::FileMode,
            format!("{} is {mode:04o}: {}", file.kind.describe(), who_can(extra)),
        )
        .path(&file.path)
        .fix(Fix::Chmod {
            mode: allowed,
            path: &file.path,
            declarable: matches!(file.kind, FileKind::Plaintext { declared: None }),
        });
        if let Some(env) = &file.env {
            f = f.env(env);
        }
        out.push(f);
    }
    out
}

/// `group can read, others can read and write` for the group/other bits in `extra`.
fn who_can(extra: u32) -> String {
    let mut parts = Vec::new();
    for (shift, who) in [(3, "group"), (0, "others")] {
        let bits = (extra >> shift) & 0o7;
        let mut can = Vec::new();
        if bits & 4 != 0 {
            can.push("read");
        }
        if bits & 2 != 0 {
            can.push("write");
        }
        if bits & 1 != 0 {
            can.push("execute");
        }
        if !can.is_empty() {
            parts.push(format!("{who} can {}", can.join(" and ")));
        }
    }
    format!("{} it", parts.join(", "))
}

/// Folders holding secret files that others may write to: they can replace a file, or remove
/// it and leave their own. Folders that do not exist are skipped.
pub fn check_folders<'a>(folders: impl IntoIterator<Item = &'a Path>) -> Vec<Finding> {
    let unique: BTreeSet<&Path> = folders.into_iter().collect();
    let mut out = Vec::new();
    for dir in unique {
        let Ok(meta) = std::fs::metadata(dir) else {
            continue;
        };
        let mode = meta.mode() & 0o7777;
        if mode & 0o002 != 0 {
            out.push(
                Finding::new(
                    Severity::Error,
                    Check::FolderMode,
                    format!(
                        "folder is {mode:04o}: others can write to it, so they can replace the \
                         secret files in it"
                    ),
                )
                .path(dir)
                .fix(Fix::ChmodOthersNoWrite { path: dir }),
            );
        }
    }
    out
}

/// What the scan of a project found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Files with `"envmint_plan"` in their first 100 bytes.
    pub plan_files: Vec<PathBuf>,
    /// Files holding `AGE-SECRET-KEY-1` in their first [`SCAN_PREFIX`] bytes.
    pub identity_files: Vec<PathBuf>,
    /// Files whose first [`SCAN_PREFIX`] bytes hold a value the caller looks for (an export
    /// or a copy of secrets), plan and identity files aside.
    pub value_files: Vec<PathBuf>,
    /// The lists ([`crate::export::folder::MARKER`]) of docker-secrets export folders.
    pub export_lists: Vec<PathBuf>,
    /// Whether the scan stopped at [`SCAN_MAX_FILES`]: some files were not looked at.
    pub truncated: bool,
}

/// A test for [`scan_project`] and the commit guard: whether bytes hold any of `values` (at
/// least [`super::git::MIN_SEARCHED_LEN`] characters) in one of the forms of
/// [`encoded_forms`], or as written once the text's percent-encoding is undone
/// ([`ValueMatcher::holds`]). `None` when there is nothing to look for.
pub fn value_matcher<'v>(values: impl IntoIterator<Item = &'v str>) -> Option<ValueMatcher> {
    let mut patterns: Vec<zeroize::Zeroizing<Vec<u8>>> = Vec::new();
    for v in values {
        if v.chars().count() < super::git::MIN_SEARCHED_LEN {
            continue;
        }
        patterns.extend(encoded_forms(v));
    }
    if patterns.is_empty() {
        return None;
    }
    aho_corasick::AhoCorasick::new(patterns.iter().map(|p| p.as_slice()))
        .ok()
        .map(ValueMatcher)
}

/// The forms of `value` a copy may take, each searched as is: as written; base64-encoded
/// alone (a `k8s` export); in hex, either case (byte-aligned, so also inside a hex dump of a
/// whole file); inside the base64 (standard or URL-safe) of a larger text, wherever the value
/// starts ([`group_cores`]); base32 of the value alone. A base32 or UTF-16 copy of a whole file
/// is decoded and searched as text instead ([`ValueMatcher::holds`]): as patterns, their
/// forms made the automaton of 10,000 values 2.4 times slower to build.
fn encoded_forms(value: &str) -> Vec<zeroize::Zeroizing<Vec<u8>>> {
    use base64::Engine;
    use zeroize::Zeroizing;
    let bytes = value.as_bytes();
    let mut out = vec![
        Zeroizing::new(bytes.to_vec()),
        Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .into_bytes(),
        ),
        Zeroizing::new(hex::encode(bytes).into_bytes()),
        Zeroizing::new(hex::encode_upper(bytes).into_bytes()),
    ];
    for engine in [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        out.extend(group_cores(bytes, 3, 6, |whole| {
            engine.encode(whole).into_bytes()
        }));
    }
    // Base32 of the value alone (a TOTP seed, a key kept so); a copy of a whole file is
    // decoded instead ([`base32_decoded`]).
    let whole = &bytes[..bytes.len() / 5 * 5];
    if whole.len() >= BASE32_MIN_BYTES {
        out.push(Zeroizing::new(base32(whole)));
    }
    out
}

/// The fewest whole bytes the base32 form of [`encoded_forms`] covers: 10 bytes are 16
/// characters (80 bits); a shorter one of a text-like value would match by chance.
const BASE32_MIN_BYTES: usize = 10;

/// What `value` looks like inside the encoding of a larger text, wherever it starts, for an
/// encoding of whole groups of `group` bytes (base64: 3 bytes as 4 characters; base32: 5 as
/// 8): a value at an offset `o` in the text shows, whole groups only, as the encoding of
/// `value[s..]` cut to whole groups, for the `s` in `0..group` with `o + s` a multiple of
/// `group`. One core per `s`, unpadded; one covering fewer than `min` bytes would match by
/// chance and is left out.
fn group_cores(
    value: &[u8],
    group: usize,
    min: usize,
    encode: impl Fn(&[u8]) -> Vec<u8>,
) -> Vec<zeroize::Zeroizing<Vec<u8>>> {
    let mut out = Vec::new();
    for s in 0..group {
        let Some(rest) = value.get(s..) else { break };
        let whole = &rest[..rest.len() / group * group];
        if whole.len() >= min {
            out.push(zeroize::Zeroizing::new(encode(whole)));
        }
    }
    out
}

/// RFC 4648 base32 (upper case, no padding) of `bytes`, a multiple of 5 long: data-encoding's,
/// as the generator's, written straight into the buffer returned (no copy of the value).
fn base32(bytes: &[u8]) -> Vec<u8> {
    let encoding = &data_encoding::BASE32_NOPAD;
    let mut out = vec![0; encoding.encode_len(bytes.len())];
    encoding.encode_mut(bytes, &mut out);
    out
}

/// `bytes` with each `%XX` (either case) turned back into its byte, as a URL or form decoder
/// reads them; `None` when there is none. Every encoder picks its own set of characters to
/// escape (`encodeURIComponent`, `urllib.parse.quote`, `curl --data-urlencode`), so the text
/// is decoded rather than each value encoded every way.
fn percent_decoded(bytes: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let hex = |b: u8| (b as char).to_digit(16);
    let escape = |at: usize| -> Option<u8> {
        let hi = hex(*bytes.get(at + 1)?)?;
        let lo = hex(*bytes.get(at + 2)?)?;
        Some((hi * 16 + lo) as u8)
    };
    memchr::memchr_iter(b'%', bytes).find(|&at| escape(at).is_some())?;
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut at = 0;
    while at < bytes.len() {
        match (bytes[at] == b'%').then(|| escape(at)).flatten() {
            Some(b) => {
                out.push(b);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    Some(out)
}

/// `bytes` decoded as UTF-8 when they are UTF-16 text (`iconv -t UTF-16`, PowerShell's
/// `Out-File`): a byte-order mark says which order, or, without one, a zero in nearly every
/// other byte of the first 4 KiB (text mostly ASCII) says it; else `None`.
fn utf16_decoded(bytes: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let (body, little) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => {
            let sample = &bytes[..bytes.len().min(4096) & !1];
            let pairs = sample.len() / 2;
            if pairs < 4 {
                return None;
            }
            let zeros = |from: usize| {
                sample[from..]
                    .iter()
                    .step_by(2)
                    .filter(|b| **b == 0)
                    .count()
            };
            let (even, odd) = (zeros(0), zeros(1));
            if odd * 4 >= pairs * 3 && even * 4 < pairs {
                (bytes, true)
            } else if even * 4 >= pairs * 3 && odd * 4 < pairs {
                (bytes, false)
            } else {
                return None;
            }
        }
    };
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(body.len() / 2));
    let mut buf = [0u8; 4];
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    Some(out)
}

/// `bytes` decoded from base32 (RFC 4648, either case, `=` and white space skipped) when they
/// are nothing but base32 text of at least 16 characters (`base32 .env > backup.txt`, wrapped
/// or not), else `None`. The decoding starts where the text starts, as the copy of a whole
/// file does, so a value anywhere in that file comes out as written.
fn base32_decoded(bytes: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let digit = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a'),
        b'2'..=b'7' => Some(b - b'2' + 26),
        _ => None,
    };
    let mut count = 0usize;
    for &b in bytes {
        if digit(b).is_some() {
            count += 1;
        } else if b != b'=' && !b.is_ascii_whitespace() {
            return None;
        }
    }
    if count < 16 {
        return None;
    }
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(count * 5 / 8));
    let (mut acc, mut bits) = (0u16, 0u32);
    for d in bytes.iter().filter_map(|&b| digit(b)) {
        acc = (acc << 5) | u16::from(d);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// What [`value_matcher`] makes: one automaton over every value and its encoded forms.
pub struct ValueMatcher(aho_corasick::AhoCorasick);

impl ValueMatcher {
    /// Whether `bytes` hold one of the values: in one of the forms of [`encoded_forms`], as is,
    /// or once their percent-encoding is undone (`postgres://app:p%40ss@db`, a form body), or
    /// decoded when they are UTF-16 text or a base32 copy of a whole file.
    pub fn holds(&self, bytes: &[u8]) -> bool {
        let decoded = |view: Option<zeroize::Zeroizing<Vec<u8>>>| {
            view.is_some_and(|d| self.0.is_match(&*d) || self.holds_percent(&d))
        };
        self.0.is_match(bytes)
            || self.holds_percent(bytes)
            || decoded(utf16_decoded(bytes))
            || decoded(base32_decoded(bytes))
    }

    /// Whether `bytes` hold one of the values once their percent-encoding is undone.
    fn holds_percent(&self, bytes: &[u8]) -> bool {
        percent_decoded(bytes).is_some_and(|d| self.0.is_match(&*d))
    }
}

/// How many files the scan looks at, at most.
pub const SCAN_MAX_FILES: usize = 20_000;
/// How deep below the project folder the scan goes.
pub const SCAN_MAX_DEPTH: usize = 8;
/// How many bytes of each file the scan reads: identity files are a few lines, and a plan
/// file says what it is in its first member.
pub const SCAN_PREFIX: usize = 4096;

/// Folders the scan never enters: git's own, and the dependency and build trees that hold
/// thousands of files nobody writes secrets into.
const SKIPPED: [&str; 9] = [
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    "vendor",
    "__pycache__",
    ".tox",
    ".cache",
];

/// Walks `root` (not following symlinks, at most [`SCAN_MAX_DEPTH`] deep and
/// [`SCAN_MAX_FILES`] files, skipping `.git`, `node_modules`, `target` and the like), reading
/// the first [`SCAN_PREFIX`] bytes of each regular file, for plan files and identity files.
/// Ignored files are looked at too: an ignored identity file is still one whose mode matters.
/// `euid` is the effective user id (a symlink is followed only when it or root owns it).
pub fn scan_project(root: &Path, values: Option<&ValueMatcher>, euid: u32) -> Scan {
    let mut scan = Scan::default();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut files = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                let name = entry.file_name();
                if depth < SCAN_MAX_DEPTH && !SKIPPED.iter().any(|s| name == *s) {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            if entry.file_name() == crate::export::folder::MARKER {
                scan.export_lists.push(path);
                continue;
            }
            files += 1;
            if files > SCAN_MAX_FILES {
                scan.truncated = true;
                return scan;
            }
            let Ok(Some(prefix)) = crate::atomic::read_head(&path, SCAN_PREFIX, euid) else {
                continue;
            };
            if crate::plan::file::looks_like_plan(&prefix) {
                scan.plan_files.push(path);
            } else if memchr::memmem::find(&prefix, b"AGE-SECRET-KEY-1").is_some() {
                scan.identity_files.push(path);
            } else if values.is_some_and(|m| m.holds(&prefix)) {
                scan.value_files.push(path);
            }
        }
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(p: &Path, mode: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn base32_is_rfc_4648_and_percent_decoding_undoes_any_escape() {
        // RFC 4648 section 10 (whole groups only; padding is never searched).
        assert_eq!(base32(b"fooba"), b"MZXW6YTB");
        assert_eq!(base32(b"foobarbazq"), b"MZXW6YTBOJRGC6TR");
        assert_eq!(
            base32_decoded(b"MZXW6YTB\nojrgc6tr\n").unwrap().as_slice(),
            b"foobarbazq"
        );
        assert_eq!(base32_decoded(b"MZXW6YTB-OJRGC6TR"), None);
        assert_eq!(percent_decoded(b"no escapes, 100%"), None);
        assert_eq!(
            percent_decoded(b"a%2Fb%2fc%zz%4").unwrap().as_slice(),
            b"a/b/c%zz%4"
        );
    }

    #[test]
    fn each_encoded_form_is_found_and_nothing_else() {
        use base64::Engine;
        let value = "tok/en+Zq8@sessi0n-s3cret:value=42";
        let m = value_matcher([value]).unwrap();
        let text = format!("# app\nAPI_TOKEN={value}\n");
        let wide = |le: bool| -> Vec<u8> {
            text.encode_utf16()
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
                .collect()
        };
        let mut forms: Vec<(&str, Vec<u8>)> = vec![
            ("utf-16le", wide(true)),
            ("utf-16be", wide(false)),
            (
                "percent",
                b"u=tok%2Fen%2bZq8%40sessi0n-s3cret%3Avalue%3D42".to_vec(),
            ),
            ("hex upper", hex::encode_upper(&text).into_bytes()),
        ];
        for pad in 0..5 {
            // A whole file's base32, cut to whole groups (the test encoder pads none).
            let padded = format!("{}{text}# end\n", "x".repeat(pad));
            let b32 = base32(&padded.as_bytes()[..padded.len() / 5 * 5]);
            forms.push(("base32", b32.clone()));
            forms.push(("base32 lower", b32.to_ascii_lowercase()));
            let b64 = base64::engine::general_purpose::URL_SAFE.encode(&padded);
            forms.push(("base64url", b64.into_bytes()));
        }
        for (what, bytes) in &forms {
            assert!(m.holds(bytes), "{what}");
        }
        let other = "tok/en+Zq8@sessi0n-s3cret:value=43";
        assert!(!m.holds(base32(b"API_TOKEN=another-value-entirely").as_slice()));
        assert!(!m.holds(b"u=tok%2Fen%2BZq8%40sessi0n-s3cret%3Avalue%3D43"));
        let wide_other: Vec<u8> = other.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(!m.holds(&wide_other));
    }

    #[test]
    fn modes_beyond_the_kind_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, mode: u32, kind: FileKind| {
            let path = dir.path().join(name);
            std::fs::write(&path, "x").unwrap();
            chmod(&path, mode);
            SecretFile {
                path,
                kind,
                env: None,
            }
        };
        let files = [
            file("ok", 0o600, FileKind::Plaintext { declared: None }),
            file(
                "declared",
                0o640,
                FileKind::Plaintext {
                    declared: Some(0o640),
                },
            ),
            file("sealed", 0o644, FileKind::Sealed),
            file("open", 0o644, FileKind::Plaintext { declared: None }),
            file("sealed-w", 0o666, FileKind::Sealed),
            file("id", 0o640, FileKind::Identity),
            file("plan", 0o604, FileKind::Plan),
        ];
        let found = check_modes(&files);
        let names: Vec<_> = found
            .iter()
            .map(|f| {
                f.path
                    .as_ref()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(names, ["open", "sealed-w", "id", "plan"]);
        assert_eq!(
            found[0].message,
            "plaintext env file is 0644: group can read, others can read it"
        );
        assert_eq!(
            found[1].message,
            "sealed env file is 0666: group can write, others can write it"
        );
    }

    #[test]
    fn the_scan_finds_plan_and_identity_files_and_skips_heavy_folders() {
        let dir = tempfile::tempdir().unwrap();
        let w = |p: &str, text: &str| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        w("plan.json", "{\"envmint_plan\": 1}");
        w("keys/me.txt", "# created\nAGE-SECRET-KEY-1QQQ\n");
        w("node_modules/x/id.txt", "AGE-SECRET-KEY-1QQQ\n");
        w("notes.md", "no secrets here");
        let scan = scan_project(dir.path(), None, crate::test_euid());
        assert_eq!(scan.plan_files, [dir.path().join("plan.json")]);
        assert_eq!(scan.identity_files, [dir.path().join("keys/me.txt")]);
        assert!(!scan.truncated);
    }
}
