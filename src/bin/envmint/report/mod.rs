//! The advice users read when something fails: the `hint: ...` line below `error: ...`.
//!
//! What went wrong is the library's words: each area's error has a `Display` (the `error:`
//! line, naming the file and line). This folder adds the advice, as rage's binary adds hints
//! to age's errors: one file per area (`file`, `manifest`, `dotenv`, `seal`, `rotation`), and
//! here [`render`], which picks the area. Two framings are the binary's own: a size given on
//! the command line is said with its flag (`--bytes`, [`crate::advice`]), and the variants that
//! carry free text (`Usage`, `Data`, ...) bring their own hint.

pub mod dotenv;
mod file;
mod manifest;
pub mod rotation;
mod seal;

use envmint::Error;

/// What the user reads for one error: the `error:` line and, when a fix is known, the
/// `hint:` line (both without their prefixes).
#[derive(Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The `error: ...` line.
    pub message: String,
    /// The `hint: ...` line.
    pub hint: Option<String>,
}

/// Writes `err` in words: the library's message and the binary's advice.
pub fn render(err: &Error) -> Rendered {
    let hint = match err {
        // The command line says a size with its flag, not as a manifest's field.
        Error::Size(problem) => {
            let said = crate::advice::flag(problem);
            return Rendered {
                message: said.message,
                hint: said.hint,
            };
        }
        Error::File(e) => file::hint(e),
        Error::Dotenv(e) => dotenv::hint(e),
        Error::Manifest(e) => manifest::hint(e),
        Error::UnknownEnvironment(u) => Some(manifest::unknown_environment_hint(u)),
        Error::Seal(e) => seal::hint(e),
        other => other.hint().map(str::to_string),
    };
    Rendered {
        message: err.to_string(),
        hint,
    }
}

#[cfg(test)]
mod tests {

    use envmint::dotenv::EditError;

    use envmint::error::{
        DotenvError, DotenvProblem, FileError, FileKind, FileProblem, Op, SizeProblem,
    };

    use super::file::MANIFEST_NOT_A_FILE;
    use super::manifest::ENV_NAME_RULE;
    use super::*;
    use std::io;
    use std::path::Path;
    use std::time::Duration;

    fn said(op: Op, problem: FileProblem) -> (String, Option<String>) {
        let r = render(&FileError::new("app/.env", op, problem).into());
        (r.message, r.hint)
    }

    fn os_error(op: Op, kind: io::ErrorKind) -> (String, Option<String>) {
        said(op, FileProblem::Os(io::Error::from(kind)))
    }

    #[test]
    fn os_errors_are_worded_by_direction() {
        use io::ErrorKind as K;
        assert_eq!(
            os_error(Op::Read, K::NotFound),
            ("app/.env: file not found".into(), None)
        );
        let (m, h) = os_error(Op::Read, K::PermissionDenied);
        assert_eq!(m, "app/.env: cannot read: permission denied");
        assert_eq!(h.unwrap(), "check the owner and mode of app/.env (ls -l)");
        let (m, h) = os_error(Op::Create, K::NotFound);
        assert_eq!(
            m,
            "app/.env: cannot create: the directory does not exist (entity not found)"
        );
        assert_eq!(h, None);
        let (m, h) = os_error(Op::KeepOwner, K::PermissionDenied);
        assert_eq!(
            m,
            "app/.env: cannot keep its owner and group: permission denied"
        );
        assert!(h.is_some());
        let (m, _) = os_error(Op::KeepOwner, K::StorageFull);
        assert!(m.starts_with("app/.env: cannot keep the owner of: "), "{m}");
        let (m, h) = os_error(Op::SyncFolder, K::StorageFull);
        assert!(m.starts_with("app/.env: cannot sync the folder: "), "{m}");
        assert_eq!(h, None);
    }

    #[test]
    fn every_file_problem_has_its_sentence() {
        let (m, h) = said(
            Op::Read,
            FileProblem::NotRegular {
                kind: Some(FileKind::Fifo),
            },
        );
        assert_eq!(
            m,
            "app/.env: not a regular file (a FIFO); envmint reads only regular files"
        );
        assert_eq!(h, None);
        let (m, h) = said(
            Op::ReadManifest,
            FileProblem::NotRegular {
                kind: Some(FileKind::Directory),
            },
        );
        assert!(m.contains("(a directory)"), "{m}");
        assert_eq!(h.as_deref(), Some(MANIFEST_NOT_A_FILE));
        let (m, _) = said(Op::Inspect, FileProblem::NotRegular { kind: None });
        assert_eq!(
            m,
            "app/.env: not a regular file; envmint replaces only regular files"
        );
        let (m, h) = said(
            Op::ReadManifest,
            FileProblem::TooLarge {
                size: 2_000_000,
                limit: 1_048_576,
            },
        );
        assert_eq!(
            m,
            "app/.env: the file is 2000000 bytes, over envmint's limit of 1048576 bytes"
        );
        assert!(h.unwrap().contains("1 MiB"));
        let (m, _) = said(Op::Read, FileProblem::GrewPastLimit { limit: 5 });
        assert_eq!(
            m,
            "app/.env: the file grew past envmint's limit of 5 bytes while it was read"
        );
        let (m, h) = said(
            Op::FollowSymlink,
            FileProblem::UntrustedSymlink {
                owner: 65534,
                euid: 1000,
            },
        );
        assert!(m.starts_with("app/.env: cannot follow the symlink: it is owned by uid 65534, neither you (uid 1000) nor root"), "{m}");
        assert!(h.is_some());
        let (m, _) = said(
            Op::Inspect,
            FileProblem::SymlinkNotAFile {
                points_at: "/".into(),
            },
        );
        assert_eq!(m, "app/.env: the symlink points at /, not at a file");
        let (m, h) = said(Op::Inspect, FileProblem::SymlinkLoop);
        assert_eq!(
            m,
            "app/.env: too many levels of symbolic links (is there a loop?)"
        );
        assert_eq!(h, None);
        let (m, h) = said(Op::ReadManifest, FileProblem::SymlinkLoop);
        assert_eq!(
            m,
            "app/.env: a symlink loop (or a chain of more than 40 symlinks), not a file"
        );
        assert_eq!(h.as_deref(), Some(MANIFEST_NOT_A_FILE));
        assert_eq!(
            said(Op::Inspect, FileProblem::NotAFileName).0,
            "app/.env: not a file name"
        );
        assert_eq!(
            said(Op::Lock, FileProblem::SymlinkKeepsChanging).0,
            "app/.env: a symlink keeps changing while envmint waits to lock it"
        );
        let (m, h) = said(
            Op::Create,
            FileProblem::FolderNotWritable {
                name: ".env".into(),
                source: io::Error::from(io::ErrorKind::PermissionDenied),
            },
        );
        assert_eq!(
            m,
            "app/.env: cannot write .env in this folder: it is not writable (permission denied)"
        );
        assert!(h.unwrap().contains("must be writable"));
        let (m, h) = said(
            Op::Lock,
            FileProblem::Busy {
                waited: Duration::from_millis(1300),
            },
        );
        assert_eq!(
            m,
            "another process holds the lock on app/.env (waited 1.3s)"
        );
        assert!(h.unwrap().contains("ENVMINT_LOCK_TIMEOUT"));
        assert_eq!(
            said(Op::Lock, FileProblem::NothingRequested).0,
            "app/.env: nothing to lock"
        );
    }

    fn dotenv_said(problem: DotenvProblem) -> Rendered {
        render(
            &DotenvError {
                path: ".env".into(),
                problem,
            }
            .into(),
        )
    }

    #[test]
    fn dotenv_problems_name_file_and_line() {
        let r = dotenv_said(DotenvProblem::NotUtf8 { line: 2 });
        assert_eq!(r.message, ".env:2: the file is not valid UTF-8");
        assert!(r.hint.unwrap().contains("iconv"));
        let r = dotenv_said(DotenvProblem::NotADotenvFile {
            line: 1,
            environment: "production".into(),
        });
        assert!(r.message.starts_with(".env:1: not a dotenv file"), "{r:?}");
        assert!(r.hint.unwrap().contains("[environments.production]"));
        let r = dotenv_said(DotenvProblem::Edit(EditError::UnterminatedQuote {
            line: 4,
        }));
        assert!(r.message.starts_with(".env:4: a quote opened"), "{r:?}");
        assert!(
            r.hint
                .unwrap()
                .starts_with("close the quote that opens on line 4")
        );
        let r = dotenv_said(DotenvProblem::Edit(EditError::KeyMissing {
            key: "A".into(),
        }));
        assert_eq!(r.message, ".env: `A` is not defined");
        assert_eq!(r.hint.as_deref(), Some("the file was left untouched"));
    }

    #[test]
    fn a_dotenv_file_that_is_the_manifest_says_which_environment() {
        let r = dotenv_said(DotenvProblem::IsTheManifest {
            environment: "production".into(),
        });
        assert_eq!(
            r.message,
            ".env: the file of [environments.production] is the manifest itself, under another \
             name"
        );
        assert!(
            r.hint
                .unwrap()
                .starts_with("secrets go in their own dotenv file")
        );
    }

    #[test]
    fn a_refused_key_that_may_hold_a_pasted_value_is_not_shown() {
        let secret = "s3cr3t-value-4f7a";
        for key in [
            format!("K={secret}"),
            format!("K {secret}"),
            secret.repeat(5),
        ] {
            let r = dotenv_said(DotenvProblem::Edit(EditError::InvalidKey { key }));
            assert!(!r.message.contains(secret), "{r:?}");
            assert!(r.message.contains("-byte key is not valid"), "{r:?}");
        }
        let r = dotenv_said(DotenvProblem::Edit(EditError::InvalidKey {
            key: "1A".into(),
        }));
        assert!(
            r.message.starts_with(".env: `1A` is not a valid key"),
            "{r:?}"
        );
    }

    /// The manifest problems that are typed, in the exact words users read: the same cases
    /// `manifest/validate.rs` checks by location and exit code.
    #[test]
    fn typed_manifest_problems_read_as_before() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "[environments.a]\nmode = 0640\n",
                "envmint.toml:2: invalid TOML: unexpected leading zero, expected nothing",
                "a mode goes in quotes, e.g. mode = \"0640\"; other numbers have no leading zero",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A\n",
                "envmint.toml:4: invalid TOML: unclosed table, expected `]`",
                "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 (text in quotes, numbers without)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\n[secrets.A]\n",
                "envmint.toml:5: `A` is declared twice",
                "each table and each field may appear only once; merge the two",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nkind = \"hex\"\n",
                "envmint.toml:6: `kind` is declared twice",
                "each table and each field may appear only once; merge the two",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbyts = 32\n",
                "envmint.toml:6: unknown field `byts` in [secrets.A]",
                "did you mean `bytes`?",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nsize = 32\n",
                "envmint.toml:5: unknown field `size` in [secrets.A]",
                "[secrets.A] takes: kind, alphabet, bytes, bits, length, rotate_every, environments, external, overlap, previous, role, format, hooks, alternate, hook_timeout",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[environments.dev]\npath = \"x\"\n",
                "envmint.toml:5: unknown field `path` in [environments.dev]",
                "[environments.dev] takes: file, mode, sealed, recipients, recipients_file, armor, after, hook_timeout",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[environments.dev]\nfiles = \"x\"\n",
                "envmint.toml:5: unknown field `files` in [environments.dev]",
                "did you mean `file`?",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = hex\n",
                "envmint.toml:5: invalid TOML: string values must be quoted, expected literal string",
                "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 (text in quotes, numbers without)",
            ),
            (
                "[defaults]\nrotate = \"9d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: unknown field `rotate` in [defaults]",
                "did you mean `rotate_every`?",
            ),
            (
                "[defaults]\nrotation = \"9d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: unknown field `rotation` in [defaults]",
                "[defaults] takes: rotate_every, mode, overlap, role, hook_timeout",
            ),
            (
                "[secrets.A]\n",
                "envmint.toml: the manifest declares no environments",
                "add one, e.g. [environments.production]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"alnum\"\nlength = 0\n",
                "envmint.toml:6: length must be at least 1",
                "leave the size out for the default, length = 43 (256 bits)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = 99999999999\n",
                "envmint.toml:6: bytes is too large (at most 1048576)",
                "leave the size out for the default, bytes = 32 (256 bits)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"alnum\"\nbytes = 32\n",
                "envmint.toml:6: `bytes` does not apply to alnum",
                "use `length = N` or `bits = N`",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.K]\nkind = \"hex\"\nbits = 64\n",
                "envmint.toml:6: K has 64 bits of entropy, under the 128-bit floor",
                "use `bytes = 16` or more, or `bits = 128`",
            ),
            (
                "[defaults]\nrotate_every = \"d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `d`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"90x\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `90x`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \" 9d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration ` 9d`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"9é\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `9é`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"P90D\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `P90D`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"0d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `0d`: it must be longer than zero",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"-1d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `-1d`: it must be longer than zero",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"1.5d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `1.5d`: use whole numbers",
                "use a smaller unit, e.g. \"36h\" rather than \"1.5d\"",
            ),
            (
                "[defaults]\nrotate_every = \"3 months\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `3 months`: a month is not a fixed length (28 to 31 days)",
                "write it in days or weeks, e.g. \"30d\" or \"4w\"",
            ),
            (
                "[defaults]\nrotate_every = \"1y\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `1y`: a year is not a fixed length (365 or 366 days)",
                "write it in days or weeks, e.g. \"365d\" or \"52w\"",
            ),
            (
                "[defaults]\nrotate_every = \"500ms\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `500ms`: the smallest unit is a second",
                "use seconds or a larger unit, e.g. \"30s\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nrotate_every = \"1mo\"\n",
                "envmint.toml:5: bad duration `1mo`: a month is not a fixed length (28 to 31 days)",
                "write it in days or weeks, e.g. \"30d\" or \"4w\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"uuid\"\n",
                "envmint.toml:5: unknown kind `uuid`",
                "use one of: hex, base64, base64url, base32, alnum, password, or `alphabet = \"...\"`",
            ),
            (
                "[defualts]\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:1: unknown table [defualts]",
                "did you mean [defaults]?",
            ),
            (
                "rotate_every = \"30d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:1: unknown setting `rotate_every` at the top of the manifest",
                "put `rotate_every` under [defaults]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = 3\n",
                "envmint.toml:5: `kind` must be text in quotes, not a number",
                "e.g. kind = \"hex\"",
            ),
            (
                "[defaults]\nrotate_every = 90\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: `rotate_every` must be text in quotes, not a number",
                "e.g. rotate_every = \"90d\"",
            ),
            (
                "defaults = 3\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:1: [defaults] must be a table, not a number",
                "write it as [defaults] on its own line, then e.g. rotate_every = \"90d\"",
            ),
            (
                "[[secrets]]\nkind = \"hex\"\n",
                "envmint.toml:1: `secrets` must be a table, not a list",
                "write it as [secrets.API_KEY] on its own line, then e.g. kind = \"hex\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets]\nA = \"hex\"\n",
                "envmint.toml:5: [secrets.A] must be a table, not text",
                "write it as [secrets.A] on its own line",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[environments.dev]\nfile = 3\n",
                "envmint.toml:5: `file` must be text in quotes, not a number",
                "e.g. file = \".env.dev.local\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.\"MY-KEY\"]\n",
                "envmint.toml:4: invalid key name `MY-KEY`",
                "key names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.\"A\\nhint: evil\"]\n",
                "envmint.toml:4: invalid key name `A\\nhint: evil`",
                "key names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK]\n",
                "envmint.toml:4: the key name `KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK…` is 256 characters, over the limit of 255",
                "use a shorter name; environment variable names are rarely over 50",
            ),
            (
                "[environments.\"prod/x\"]\n",
                "envmint.toml:1: invalid environment name `prod/x`",
                "environment names are letters, digits, `-` and `_` (at most 64), e.g. production",
            ),
            (
                "[environments.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee]\n",
                "envmint.toml:1: the environment name `eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee…` is 65 characters, over the limit of 64",
                "environment names are letters, digits, `-` and `_` (at most 64), e.g. production",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"alnum\"\nlength = 40.5\n",
                "envmint.toml:6: `length` must be a whole number, not 40.5",
                "e.g. length = 43",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbits = -256\n",
                "envmint.toml:6: `bits` cannot be negative",
                "e.g. bits = 256",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = true\n",
                "envmint.toml:6: `bytes` must be a whole number, not true or false",
                "e.g. bytes = 32",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = 99999999999999999999999\n",
                "envmint.toml:6: bytes is too large (at most 1048576)",
                "leave the size out for the default, bytes = 32 (256 bits)",
            ),
            (
                "[environments.a]\nmode = \"0604\"\n",
                "envmint.toml:2: `mode = \"0604\"` lets other users reach the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0601\"\n",
                "envmint.toml:2: `mode = \"0601\"` lets other users reach the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0660\"\n",
                "envmint.toml:2: `mode = \"0660\"` is wider than 0640 (only the owner may write, the group may at most read)",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0700\"\n",
                "envmint.toml:2: `mode = \"0700\"` is wider than 0640 (only the owner may write, the group may at most read)",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0040\"\n",
                "envmint.toml:2: `mode = \"0040\"` does not let the owner read the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0200\"\n",
                "envmint.toml:2: `mode = \"0200\"` does not let the owner read the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"000\"\n",
                "envmint.toml:2: `mode = \"000\"` does not let the owner read the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"4600\"\n",
                "envmint.toml:2: `mode = \"4600\"` sets special bits (setuid, setgid or sticky)",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"rw-r-----\"\n",
                "envmint.toml:2: `mode = \"rw-r-----\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"0648\"\n",
                "envmint.toml:2: `mode = \"0648\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"64\"\n",
                "envmint.toml:2: `mode = \"64\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"06400\"\n",
                "envmint.toml:2: `mode = \"06400\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"\"\n",
                "envmint.toml:2: `mode = \"\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"0x1a0\"\n",
                "envmint.toml:2: `mode = \"0x1a0\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = 640\n",
                "envmint.toml:2: `mode` must be octal digits in quotes, not the number 640",
                "write it in quotes, e.g. mode = \"0640\"",
            ),
            (
                "[defaults]\nmode = \"0644\"\n[environments.a]\n",
                "envmint.toml:2: `mode = \"0644\"` lets other users reach the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = [\"qa\"]\n",
                "envmint.toml:5: A names undeclared environment `qa`",
                "declared: staging, production; or declare it with [environments.qa]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = [\"../../etc/x\"]\n",
                "envmint.toml:5: A names undeclared environment `../../etc/x`",
                "declared: staging, production; environment names are letters, digits, `-` and `_` (at most 64), e.g. production",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = \"production\"\n",
                "envmint.toml:5: `environments` must be a list of names",
                "put the name in brackets: environments = [\"production\"]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = [\"production\", 3]\n",
                "envmint.toml:5: each entry of `environments` must be a name in quotes",
                "e.g. environments = [\"production\"]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = []\n",
                "envmint.toml:5: `environments` is empty",
                "leave it out to mean every environment",
            ),
            (
                "[environments.p]\nfile = \"./envmint.toml\"\n",
                "envmint.toml:2: `file = \"./envmint.toml\"` is the manifest itself",
                "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/../envmint.toml\"\n",
                "envmint.toml:2: `file = \"a/../envmint.toml\"` is the manifest itself",
                "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/app/envmint.toml\"\n",
                "envmint.toml:2: `file = \"/app/envmint.toml\"` is the manifest itself",
                "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \".git/config\"\n",
                "envmint.toml:2: `file = \".git/config\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/.git/x.env\"\n",
                "envmint.toml:2: `file = \"a/.git/x.env\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/srv/app/.git/env\"\n",
                "envmint.toml:2: `file = \"/srv/app/.git/env\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \".GIT/config\"\n",
                "envmint.toml:2: `file = \".GIT/config\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"sub/\"\n",
                "envmint.toml:2: `file = \"sub/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"sub/.\"\n",
                "envmint.toml:2: `file = \"sub/.\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/b/..\"\n",
                "envmint.toml:2: `file = \"a/b/..\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/etc/\"\n",
                "envmint.toml:2: `file = \"/etc/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n",
                "envmint.toml:2: `file = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\"` is too long for a path",
                "a path has at most 4095 bytes, and each folder or file name at most 255",
            ),
            (
                "[environments.p]\nfile = \"../xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n",
                "envmint.toml:2: `file = \"../xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\"` is too long for a path",
                "a path has at most 4095 bytes, and each folder or file name at most 255",
            ),
            (
                "[environments.p]\nfile = \"x\\ny\"\n",
                "envmint.toml:2: `file = \"x\\ny\"` contains a control character",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a\\u001b[31m\"\n",
                "envmint.toml:2: `file = \"a\\u{1b}[31m\"` contains a control character",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"x\\ry\"\n",
                "envmint.toml:2: `file = \"x\\ry\"` contains a control character",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"../../outside.env\"\n",
                "envmint.toml:2: `file = \"../../outside.env\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \"a/../../x.env\"\n",
                "envmint.toml:2: `file = \"a/../../x.env\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \"./../x\"\n",
                "envmint.toml:2: `file = \"./../x\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \"a/b/../../..\"\n",
                "envmint.toml:2: `file = \"a/b/../../..\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \".\"\n",
                "envmint.toml:2: `file = \".\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/..\"\n",
                "envmint.toml:2: `file = \"a/..\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/\"\n",
                "envmint.toml:2: `file = \"/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"\"\n",
                "envmint.toml:2: `file` is empty",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a\\u0000b\"\n",
                "envmint.toml:2: `file` contains a NUL character",
                "no file name can contain one; name the dotenv file, e.g. file = \".env\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = 32\nbits = 256\n",
                "envmint.toml:7: give only one of `bytes`, `bits`, `length`",
                "hex takes `bytes` or `bits`",
            ),
        ];
        for (text, error, hint) in cases {
            let err = envmint::manifest::Manifest::parse(
                text,
                Path::new("envmint.toml"),
                Path::new("/app"),
            )
            .expect_err("must fail");
            assert_eq!(err.exit(), envmint::Exit::DataErr, "{text}");
            let r = render(&err);
            assert_eq!(
                (r.message.as_str(), r.hint.as_deref()),
                (*error, Some(*hint)),
                "for:\n{text}"
            );
        }
    }

    /// A secret's rotation fields, refused in the manifest's words, naming the line.
    #[test]
    fn rotation_problems_in_the_manifests_words() {
        const ENV: &str = "[environments.p]\n";
        const FORMS: &str = "write previous = \"KEY_PREVIOUS\", previous = { numbered = \"KEY_{n}\", keep = 2 }, previous = { list = \"KEY_PREVIOUS\", separator = \",\", keep = 2 } or previous = { slots = [\"KEY_2\", \"KEY_1\"] }";
        let cases: &[(&str, &str, &str)] = &[
            (
                "[secrets.A]\nexternal = \"yes\"\n",
                "envmint.toml:3: `external` must be true or false, not text",
                "e.g. external = true, without quotes",
            ),
            (
                "[secrets.STRIPE_KEY]\nexternal = true\nlength = 40\nkind = \"alnum\"\n",
                "envmint.toml:4: `length` on the external secret STRIPE_KEY: envmint never generates its value",
                "remove `length` (its value comes from its provider through `envmint set ENV STRIPE_KEY`), or remove `external = true` to have envmint generate it",
            ),
            (
                "[secrets.A]\nprevious = 2\n",
                "envmint.toml:3: `previous` must be a name in quotes or a table, not a number",
                FORMS,
            ),
            (
                "[secrets.A]\nprevious = { keep = 2 }\n",
                "envmint.toml:3: `previous` of A gives none of `numbered`, `list` and `slots`",
                FORMS,
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"A_{n}\", list = \"B\" }\n",
                "envmint.toml:3: `previous` of A gives more than one of `numbered`, `list` and `slots`",
                FORMS,
            ),
            (
                "[secrets.A]\nprevious = { slots = \"A_1\" }\n",
                "envmint.toml:3: `slots` must be a list of names in quotes, not text",
                "e.g. slots = [\"AUTH_SECRET_2\", \"AUTH_SECRET_1\", \"AUTH_SECRET\"]",
            ),
            (
                "[secrets.A]\nprevious = { slots = [\"A_1\"], keep = 2 }\n",
                "envmint.toml:3: `slots` takes no `keep` or `separator`: each slot holds one retired value",
                "list as many names as values to keep, newest first",
            ),
            (
                "[secrets.A]\nprevious = \"A-OLD\"\n",
                "envmint.toml:3: `previous` makes the invalid variable name `A-OLD`",
                "names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"{n}_A\" }\n",
                "envmint.toml:3: `numbered` makes the invalid variable name `1_A`",
                "names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[secrets.A]\n[secrets.A.previous]\nnumbered = \"A_OLD\"\n",
                "envmint.toml:4: `numbered = \"A_OLD\"` has no {n} for the number",
                "put {n} once where the number goes, e.g. numbered = \"AUTH_SECRET_{n}\"",
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"A_{n}_{n}\" }\n",
                "envmint.toml:3: `numbered = \"A_{n}_{n}\"` has 2 {n}, not one",
                "put {n} once where the number goes, e.g. numbered = \"AUTH_SECRET_{n}\"",
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"A_{n}\", keep = 0 }\n",
                "envmint.toml:3: `keep = 0` is out of range",
                "keep 1 to 16 retired values, e.g. keep = 2",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", keep = 17 }\n",
                "envmint.toml:3: `keep = 17` is out of range",
                "keep 1 to 16 retired values, e.g. keep = 2",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", separator = \"\" }\n",
                "envmint.toml:3: `separator` is empty",
                "give the character the app splits on, e.g. separator = \",\"",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", separator = \" \" }\n",
                "envmint.toml:3: the separator has whitespace, which no quoting makes safe in every dotenv reader",
                "use a punctuation character such as , or ; or |",
            ),
            (
                "[secrets.APP_KEY]\nkind = \"base64\"\nprevious = { list = \"OLD\",\n  separator = \"/\" }\n",
                "envmint.toml:5: `separator = \"/\"` of APP_KEY: `/` is a character base64 values contain, so the list could not be split back",
                "pick a separator base64 never produces (e.g. , or ; for hex, base64url and alnum), or another kind for APP_KEY",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", sep = \",\" }\n",
                "envmint.toml:3: unknown field `sep` in `previous` of [secrets.A]",
                "did you mean `separator`?",
            ),
            (
                "[secrets.A]\noverlap = \"7 days\"\n[secrets.A_PREVIOUS]\n",
                "envmint.toml:3: A's previous name `A_PREVIOUS` is also a declared secret",
                "give A its own name, e.g. previous = \"A_PREVIOUS\" (one variable holds one secret's retired values)",
            ),
            (
                "[secrets.A]\nprevious = \"OLD\"\n[secrets.B]\nprevious = { numbered = \"OLD{n}\", keep = 3 }\n[secrets.C]\nprevious = { list = \"OLD2\" }\n",
                "envmint.toml:7: C's previous name `OLD2` is also B's previous name",
                "give C its own name, e.g. previous = \"C_PREVIOUS\" (one variable holds one secret's retired values)",
            ),
            (
                "[secrets.A]\noverlap = \"1 month\"\n",
                "envmint.toml:3: bad duration `1 month`: a month is not a fixed length (28 to 31 days)",
                "write it in days or weeks, e.g. \"30d\" or \"4w\"",
            ),
        ];
        for (text, error, hint) in cases {
            let text = format!("{ENV}{text}");
            let err = envmint::manifest::Manifest::parse(
                &text,
                Path::new("envmint.toml"),
                Path::new("/app"),
            )
            .expect_err("must fail");
            assert_eq!(err.exit(), envmint::Exit::DataErr, "{text}");
            let r = render(&err);
            assert_eq!(
                (r.message.as_str(), r.hint.as_deref()),
                (*error, Some(*hint)),
                "for:\n{text}"
            );
        }
    }

    /// A sealed environment's fields, refused in the manifest's words.
    #[test]
    fn sealed_environment_problems_in_the_manifests_words() {
        const AGE: &str = "age1hmxr76wjma58p26d8lq642f3arp4cr4ph3e4xett0ptsuu83v44qgzrz6v";
        const RECIPIENT: &str =
            "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line";
        let cases: Vec<(String, &str, String)> = vec![
            (
                "[environments.production]\nsealed = \".env.production.age\"\n".into(),
                "envmint.toml:1: sealed environment `production` has no recipients",
                "add recipients = [\"age1...\"] (see `envmint keygen`) or recipients_file = \
                 \"keys/NAME.txt\""
                    .into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [\n  \"age1xyz\",\n]\n".into(),
                "envmint.toml:4: bad recipient: not a valid age recipient (invalid Bech32 encoding)",
                RECIPIENT.into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"AGE-SECRET-KEY-1XYZ\"]\n"
                    .into(),
                "envmint.toml:3: bad recipient: this is a secret key (AGE-SECRET-KEY-...), not a \
                 recipient; `envmint keygen -y FILE` prints its recipient",
                RECIPIENT.into(),
            ),
            (
                format!("[environments.p]\nsealed = \"p.age\"\nrecipients = \"{AGE}\"\n"),
                "envmint.toml:3: `recipients` must be a list of public keys, not text",
                "put it in brackets: recipients = [\"age1...\"]".into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [1]\n".into(),
                "envmint.toml:3: each entry of `recipients` must be a public key in quotes",
                "e.g. recipients = [\"age1...\"] (`envmint keygen -y KEY` prints one)".into(),
            ),
            (
                format!("[environments.p]\nrecipients = [\"{AGE}\"]\n"),
                "envmint.toml:2: `recipients` without `sealed` in [environments.p]",
                "name the sealed file, e.g. sealed = \".env.p.age\", or remove `recipients`".into(),
            ),
            (
                format!(
                    "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"{AGE}\"]\narmor = \"yes\"\n"
                ),
                "envmint.toml:4: `armor` must be true or false, not text",
                "e.g. armor = true, without quotes".into(),
            ),
            (
                format!("[environments.p]\nsealed = \"../p.age\"\nrecipients = [\"{AGE}\"]\n"),
                "envmint.toml:2: `sealed = \"../p.age\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move \
                 envmint.toml up, or give an absolute path such as \"/etc/myapp/env\""
                    .into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients_file = \"keys/\"\n".into(),
                "envmint.toml:3: `recipients_file = \"keys/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"".into(),
            ),
            (
                format!(
                    "[environments.p]\nfile = \"p.env\"\nsealed = \"p.env\"\nrecipients = [\"{AGE}\"]\n"
                ),
                "envmint.toml:1: `sealed` and `file` of [environments.p] are the same file",
                "`file` is where `envmint unseal p` writes the plaintext; use another name, e.g. \
                 sealed = \".env.p.age\""
                    .into(),
            ),
            (
                "[environments.p]\nseald = \"p.age\"\n".into(),
                "envmint.toml:2: unknown field `seald` in [environments.p]",
                "did you mean `sealed`?".into(),
            ),
        ];
        for (text, error, hint) in &cases {
            let err = envmint::manifest::Manifest::parse(
                text,
                Path::new("envmint.toml"),
                Path::new("/app"),
            )
            .expect_err("must fail");
            assert_eq!(err.exit(), envmint::Exit::DataErr, "{text}");
            let r = render(&err);
            assert_eq!(
                (r.message.as_str(), r.hint.as_deref()),
                (*error, Some(hint.as_str())),
                "for:\n{text}"
            );
        }
    }

    #[test]
    fn alphabets_are_refused_in_the_manifests_words() {
        let envs = "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n";
        let said = |text: String| {
            render(
                &envmint::manifest::Manifest::parse(
                    &text,
                    Path::new("envmint.toml"),
                    Path::new("/app"),
                )
                .expect_err("must fail"),
            )
        };
        for bad in ["abc${", "abc\\\\", "abc'"] {
            let r = said(format!(
                "{envs}[secrets.A]\nalphabet = \"{bad}\"\nlength = 100\n"
            ));
            assert!(
                r.message.starts_with("envmint.toml:5: the alphabet has "),
                "{r:?}"
            );
            assert_eq!(
                r.hint.as_deref(),
                Some("leave out \\ ' whitespace and control characters, and $ or {")
            );
        }
        let r = said(format!(
            "{envs}[secrets.A]\nalphabet = \"ab a\"\nlength = 200\n"
        ));
        assert!(
            r.message.starts_with("envmint.toml:5: bad alphabet: "),
            "{r:?}"
        );
        let r = said(format!(
            "{envs}[secrets.A]\nkind = \"base64\"\nformat = \"base64:\"\n"
        ));
        assert_eq!(
            r.message,
            "envmint.toml:6: `format` has no {value} for the generated value"
        );
        assert_eq!(
            r.hint.as_deref(),
            Some("put {value} once where the value goes, e.g. format = \"base64:{value}\"")
        );
        let r = said(format!(
            "{envs}[secrets.A]\nkind = \"base64\"\nformat = \"it's {{value}}\"\n"
        ));
        assert!(
            r.message
                .starts_with("envmint.toml:6: the format's text has a single quote"),
            "{r:?}"
        );
    }

    #[test]
    fn a_path_too_long_is_shown_cut_short() {
        let text = format!("[environments.p]\nfile = \"{}\"\n", "a".repeat(4096));
        let err =
            envmint::manifest::Manifest::parse(&text, Path::new("envmint.toml"), Path::new("/app"))
                .expect_err("must fail");
        let r = render(&err);
        assert_eq!(
            r.message,
            format!(
                "envmint.toml:2: `file = \"{}…\"` is too long for a path",
                "a".repeat(100)
            )
        );
        assert_eq!(
            r.hint.as_deref(),
            Some("a path has at most 4095 bytes, and each folder or file name at most 255")
        );
    }

    #[test]
    fn a_command_line_size_is_a_usage_error_with_its_hint() {
        use envmint::generate::{Kind, Size, SizeUnit, Spec, SpecError};
        let weak = Spec::new(
            Kind::Hex,
            Some(Size {
                unit: SizeUnit::Bytes,
                amount: 8,
            }),
        )
        .unwrap();
        let e = Error::Size(SizeProblem::Weak(weak));
        assert_eq!(e.exit(), envmint::Exit::Usage);
        let r = render(&e);
        assert_eq!(
            r.message,
            "hex of 8 bytes has 64 bits of entropy, under the 128-bit floor"
        );
        assert!(r.hint.unwrap().contains("--allow-weak"));
        let e = Error::Size(SizeProblem::Spec(SpecError::Zero(SizeUnit::Bits)));
        assert_eq!(render(&e).hint, None);
    }

    use envmint::manifest::Manifest;

    fn unknown(m: &Manifest, name: &str) -> (String, String) {
        let err = m.environment(name).unwrap_err();
        assert_eq!(err.exit(), envmint::Exit::Usage);
        let r = render(&err);
        (r.message, r.hint.unwrap())
    }

    #[test]
    fn unknown_environments_list_the_declared_the_declared_and_suggests_a_close_one() {
        let m = Manifest::builtin(Path::new("/app"));
        assert_eq!(
            unknown(&m, "prod"),
            (
                "unknown environment `prod`: the built-in preset declares development, staging, production".into(),
                "did you mean `production`?".into()
            )
        );
        assert_eq!(unknown(&m, "stagign").1, "did you mean `staging`?");
        assert_eq!(unknown(&m, "dev").1, "did you mean `development`?");
        assert_eq!(
            unknown(&m, "qa").1,
            "run `envmint init` and add [environments.qa] to envmint.toml"
        );
        let m = Manifest::parse(
            "[environments.live]\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        assert_eq!(
            unknown(&m, "production"),
            (
                "unknown environment `production`: /app/envmint.toml declares live".into(),
                "declare it with [environments.production]".into()
            )
        );
    }

    #[test]
    fn unknown_environments_with_an_invalid_name_is_not_suggested_as_toml() {
        let m = Manifest::builtin(Path::new("/app"));
        for bad in ["../../etc/x", "a.b", "x y", "", &"x".repeat(65)] {
            let (_, hint) = unknown(&m, bad);
            assert_eq!(hint, ENV_NAME_RULE, "{bad:?}");
        }
        let (msg, _) = unknown(&m, "evil\n\u{1b}[31mhint: x");
        assert!(
            msg.starts_with("unknown environment `evil\\n\\u{1b}[31mhint: x`"),
            "{msg}"
        );
        let (msg, _) = unknown(&m, &"K".repeat(70_000));
        assert!(msg.len() < 200, "{msg}");
    }

    #[test]
    fn untyped_variants_print_as_they_come() {
        let e = Error::data(
            envmint::error::Location::new("envmint.toml", Some(7)),
            "unknown kind `hax`",
        )
        .with_hint("use one of: hex, base64");
        assert_eq!(
            render(&e),
            Rendered {
                message: "envmint.toml:7: unknown kind `hax`".into(),
                hint: Some("use one of: hex, base64".into()),
            }
        );
    }
}
