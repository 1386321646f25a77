//! The advice users read when something fails: the `hint: ...` line below `error: ...`.
//!
//! What went wrong is the library's words: each area's error has a `Display` (the `error:`
//! line, naming the file and line). This folder adds the advice, as rage's binary adds hints
//! to age's errors: one file per area (`file`, `manifest`, `dotenv`, `seal`, `rotation`,
//! `plan`), and
//! here [`render`], which picks the area. Two framings are the binary's own: a size given on
//! the command line is said with its flag (`--bytes`, [`crate::advice`]), and the variants that
//! carry free text (`Usage`, `Data`, ...) bring their own hint.

pub mod dotenv;
mod file;
mod manifest;
mod plan;
pub mod rotation;
mod seal;

use crate::error::Error;

/// What the user reads for one error: the `error:` line and, when a fix is known, the
/// `hint:` line (both without their prefixes).
#[derive(Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The `error: ...` line.
    pub message: String,
    /// The `hint: ...` line.
    pub hint: Option<String>,
}

/// Writes `err` in words: the library's message and the binary's advice, or one of the
/// binary's own errors with its hint.
pub fn render(err: &Error) -> Rendered {
    let Error::Lib(lib) = err else {
        return Rendered {
            message: err.to_string(),
            hint: err.hint().map(str::to_string),
        };
    };
    let hint = match lib {
        // The command line says a size with its flag, not as a manifest's field.
        envmint::Error::Size(problem) => {
            let said = crate::advice::flag(problem);
            return Rendered {
                message: said.message,
                hint: said.hint,
            };
        }
        envmint::Error::File(e) => file::hint(e),
        envmint::Error::Dotenv(e) => dotenv::hint(e),
        envmint::Error::Manifest(e) => manifest::hint(e),
        envmint::Error::UnknownEnvironment(u) => Some(manifest::unknown_environment_hint(u)),
        envmint::Error::Seal(e) => seal::hint(e),
        envmint::Error::PlanFile(e) => plan::hint(e),
        envmint::Error::ClockBehind(e) => Some(rotation::clock_hint(e)),
        envmint::Error::Audit(_) => {
            Some("run it inside the repository whose commit is checked".into())
        }
        // A caller's error that is not the binary's own (none today), and errors added later.
        _ => None,
    };
    Rendered {
        message: lib.to_string(),
        hint,
    }
}

#[cfg(test)]
mod tests {

    use envmint::dotenv::EditError;

    use envmint::error::{DotenvError, DotenvProblem, FileError, FileKind, FileProblem, Op};

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

    /// The advice for a refused permission on `app/.env`.
    const CHECK_OWNER: &str = "check the owner and mode of app/.env (ls -l)";
    /// The advice for a manifest that is not a regular file.
    const NOT_A_FILE: &str =
        "the manifest must be a regular file; remove or rename this one, or pass --manifest FILE";

    #[test]
    fn os_errors_are_worded_by_direction() {
        use io::ErrorKind as K;
        let cases = [
            (Op::Read, K::NotFound, "app/.env: file not found", None),
            (
                Op::Read,
                K::PermissionDenied,
                "app/.env: cannot read: permission denied",
                Some(CHECK_OWNER),
            ),
            (
                Op::Create,
                K::NotFound,
                "app/.env: cannot create: the directory does not exist (entity not found)",
                None,
            ),
            (
                Op::KeepOwner,
                K::PermissionDenied,
                "app/.env: cannot keep its owner and group: permission denied",
                Some(CHECK_OWNER),
            ),
            (
                Op::KeepOwner,
                K::StorageFull,
                "app/.env: cannot keep the owner: no storage space",
                None,
            ),
            (
                Op::SetMode,
                K::StorageFull,
                "app/.env: cannot set the mode: no storage space",
                None,
            ),
            (
                Op::ListXattrs,
                K::StorageFull,
                "app/.env: cannot list the extended attributes: no storage space",
                None,
            ),
            (
                Op::ReadXattrs,
                K::StorageFull,
                "app/.env: cannot read the extended attributes: no storage space",
                None,
            ),
            (
                Op::KeepXattrs,
                K::StorageFull,
                "app/.env: cannot keep the extended attributes (ACLs included): no storage space",
                None,
            ),
            (
                Op::SyncFolder,
                K::StorageFull,
                "app/.env: cannot sync the folder: no storage space",
                None,
            ),
        ];
        for (op, kind, message, hint) in cases {
            assert_eq!(
                os_error(op, kind),
                (message.to_string(), hint.map(str::to_string)),
                "{op:?} {kind:?}"
            );
        }
    }

    #[test]
    fn every_file_problem_has_its_sentence() {
        let cases = [
            (
                Op::Read,
                FileProblem::NotRegular {
                    kind: Some(FileKind::Fifo),
                },
                "app/.env: not a regular file (a FIFO); envmint reads only regular files",
                None,
            ),
            (
                Op::ReadManifest,
                FileProblem::NotRegular {
                    kind: Some(FileKind::Directory),
                },
                "app/.env: not a regular file (a directory); envmint reads only regular files",
                Some(NOT_A_FILE),
            ),
            (
                Op::Inspect,
                FileProblem::NotRegular { kind: None },
                "app/.env: not a regular file; envmint replaces only regular files",
                None,
            ),
            (
                Op::ReadManifest,
                FileProblem::TooLarge {
                    size: 2_000_000,
                    limit: 1_048_576,
                },
                "app/.env: the file is 2000000 bytes, over envmint's limit of 1048576 bytes",
                Some(
                    "a manifest is a few kilobytes; check that this is the right file (the limit \
                     is 1 MiB)",
                ),
            ),
            (
                Op::Read,
                FileProblem::GrewPastLimit { limit: 5 },
                "app/.env: the file grew past envmint's limit of 5 bytes while it was read",
                None,
            ),
            (
                Op::FollowSymlink,
                FileProblem::UntrustedSymlink {
                    owner: 65534,
                    euid: 1000,
                },
                "app/.env: cannot follow the symlink: it is owned by uid 65534, neither you (uid \
                 1000) nor root; envmint follows only links you or root own (the kernel's \
                 protected_symlinks rule)",
                Some(CHECK_OWNER),
            ),
            (
                Op::Inspect,
                FileProblem::SymlinkNotAFile {
                    points_at: "/".into(),
                },
                "app/.env: the symlink points at /, not at a file",
                None,
            ),
            (
                Op::Inspect,
                FileProblem::SymlinkLoop,
                "app/.env: too many levels of symbolic links (is there a loop?)",
                None,
            ),
            (
                Op::ReadManifest,
                FileProblem::SymlinkLoop,
                "app/.env: a symlink loop (or a chain of more than 40 symlinks), not a file",
                Some(NOT_A_FILE),
            ),
            (
                Op::Inspect,
                FileProblem::NotAFileName,
                "app/.env: not a file name",
                None,
            ),
            (
                Op::Lock,
                FileProblem::SymlinkKeepsChanging,
                "app/.env: a symlink keeps changing while envmint waits to lock it",
                None,
            ),
            (
                Op::Create,
                FileProblem::FolderNotWritable {
                    name: ".env".into(),
                    source: io::Error::from(io::ErrorKind::PermissionDenied),
                },
                "app/.env: cannot write .env in this folder: it is not writable (permission \
                 denied)",
                Some(
                    "the folder must be writable: envmint writes a temporary file beside the \
                     file and renames it over the old one",
                ),
            ),
            (
                Op::Lock,
                FileProblem::Busy {
                    waited: Duration::from_millis(1300),
                },
                "another process holds the lock on app/.env (waited 1.3s)",
                Some(
                    "envmint locks the folder of the files it writes; try again when that \
                     process has finished (ENVMINT_LOCK_TIMEOUT sets how long to wait, in \
                     seconds)",
                ),
            ),
            (
                Op::Lock,
                FileProblem::NothingRequested,
                "app/.env: nothing to lock",
                None,
            ),
        ];
        for (op, problem, message, hint) in cases {
            let what = format!("{op:?} {problem:?}");
            assert_eq!(
                said(op, problem),
                (message.to_string(), hint.map(str::to_string)),
                "{what}"
            );
        }
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

    fn dotenv_rendered(message: &str, hint: &str) -> Rendered {
        Rendered {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// The hint of a refused edit that has no advice of its own.
    const UNTOUCHED: &str = "the file was left untouched";

    #[test]
    fn dotenv_problems_name_file_and_line() {
        // NotUtf8 is the case file tests/cli/cmd/bootstrap/file_not_utf8.toml.
        assert_eq!(
            dotenv_said(DotenvProblem::NotADotenvFile {
                line: 1,
                environment: "production".into(),
            }),
            dotenv_rendered(
                ".env:1: not a dotenv file: no line reads KEY=value, so envmint will not write \
                 to it",
                "check `file` of [environments.production] in the manifest; envmint only adds \
                 to dotenv files (an empty file is fine)"
            )
        );
        assert_eq!(
            dotenv_said(DotenvProblem::Edit(EditError::UnterminatedQuote {
                line: 4
            })),
            dotenv_rendered(
                ".env:4: a quote opened on this line is never closed; envmint will not write \
                 after it, since a later quote would swallow the new line",
                "close the quote that opens on line 4; a line appended after it could be read \
                 as part of its value"
            )
        );
        assert_eq!(
            dotenv_said(DotenvProblem::Edit(EditError::KeyMissing {
                key: "A".into()
            })),
            dotenv_rendered(".env: `A` is not defined", UNTOUCHED)
        );
    }

    #[test]
    fn a_dotenv_file_that_is_the_manifest_says_which_environment() {
        assert_eq!(
            dotenv_said(DotenvProblem::IsTheManifest {
                environment: "production".into(),
            }),
            dotenv_rendered(
                ".env: the file of [environments.production] is the manifest itself, under \
                 another name",
                "secrets go in their own dotenv file; remove the link or change `file` in the \
                 manifest"
            )
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
            let bytes = key.len();
            let r = dotenv_said(DotenvProblem::Edit(EditError::InvalidKey { key }));
            assert_eq!(
                r,
                dotenv_rendered(
                    &format!(
                        ".env: a {bytes}-byte key is not valid (not shown: it contains `=`, \
                         whitespace or control characters, or is long): use ASCII letters, \
                         digits and `_`, not starting with a digit"
                    ),
                    UNTOUCHED
                )
            );
            assert!(!r.message.contains(secret), "{r:?}");
        }
        assert_eq!(
            dotenv_said(DotenvProblem::Edit(EditError::InvalidKey {
                key: "1A".into()
            })),
            dotenv_rendered(
                ".env: `1A` is not a valid key: use ASCII letters, digits and `_`, not \
                 starting with a digit",
                UNTOUCHED
            )
        );
    }

    /// The manifest's problems are case files (`tests/cli/cmd/{manifest,rotation,sealed}/`):
    /// `envmint status` on the manifest, the whole `error:` and `hint:` text. This one names
    /// the manifest by an absolute path, which a case file's temp folder can't hold.
    #[test]
    fn a_file_that_is_the_manifest_by_its_absolute_path() {
        let err = envmint::manifest::Manifest::parse(
            "[environments.p]\nfile = \"/app/envmint.toml\"\n",
            Path::new("envmint.toml"),
            Path::new("/app"),
        )
        .expect_err("must fail");
        assert_eq!(err.exit(), envmint::Exit::DataErr);
        assert_eq!(
            render(&err.into()),
            Rendered {
                message: "envmint.toml:2: `file = \"/app/envmint.toml\"` is the manifest itself"
                    .into(),
                hint: Some(
                    "secrets go in their own dotenv file, e.g. file = \".env.production.local\""
                        .into()
                ),
            }
        );
    }

    /// The manifest removed between the check that it is a file and its read: a race no run
    /// can win on purpose (the same words as a missing one, with a hint to run again).
    #[test]
    fn a_manifest_removed_while_read_says_to_run_again() {
        use envmint::error::{ManifestError, ManifestProblem};
        let err = ManifestError::new("envmint.toml", None, ManifestProblem::RemovedWhileRead);
        assert_eq!(
            render(&err.into()),
            Rendered {
                message: "envmint.toml: manifest not found".into(),
                hint: Some("it was removed while envmint read it; run again".into()),
            }
        );
    }

    // A size given to `gen` (`--bytes 8`, weak, zero, too large) is the case files under
    // tests/cli/cmd/gen/: the whole text, with the exit code.

    use envmint::manifest::Manifest;

    fn unknown(m: &Manifest, name: &str) -> (String, String) {
        let err = m.environment(name).unwrap_err();
        assert_eq!(err.exit(), envmint::Exit::Usage);
        let r = render(&err.into());
        (r.message, r.hint.unwrap())
    }

    /// The built-in preset's message for an unknown `shown`.
    fn unknown_in_the_preset(shown: &str) -> String {
        format!(
            "unknown environment `{shown}`: the built-in preset declares development, staging, \
             production"
        )
    }

    /// `prod` (did you mean `production`?) and a manifest's `declare it with` are the case
    /// files tests/cli/cmd/bootstrap/unknown_environment*.toml.
    #[test]
    fn unknown_environments_list_the_declared_and_suggest_a_close_one() {
        let m = Manifest::builtin(Path::new("/app"));
        for (name, hint) in [
            ("stagign", "did you mean `staging`?"),
            ("dev", "did you mean `development`?"),
            (
                "qa",
                "run `envmint init` and add [environments.qa] to envmint.toml",
            ),
        ] {
            assert_eq!(
                unknown(&m, name),
                (unknown_in_the_preset(name), hint.to_string())
            );
        }
    }

    #[test]
    fn unknown_environments_with_an_invalid_name_is_not_suggested_as_toml() {
        const RULE: &str =
            "environment names are letters, digits, `-` and `_` (at most 64), e.g. production";
        let m = Manifest::builtin(Path::new("/app"));
        let long = "x".repeat(65);
        let cut = format!("{}…", "x".repeat(40));
        for (bad, shown) in [
            ("../../etc/x", "../../etc/x"),
            ("a.b", "a.b"),
            ("x y", "x y"),
            ("", ""),
            (long.as_str(), cut.as_str()),
            ("evil\n\u{1b}[31mhint: x", "evil\\n\\u{1b}[31mhint: x"),
        ] {
            assert_eq!(
                unknown(&m, bad),
                (unknown_in_the_preset(shown), RULE.to_string()),
                "{bad:?}"
            );
        }
        // A 70,000-byte name is shown as its first 40 characters.
        let (message, _) = unknown(&m, &"K".repeat(70_000));
        assert_eq!(
            message,
            unknown_in_the_preset(&format!("{}…", "K".repeat(40)))
        );
    }

    /// The binary's own errors pass through as they are, with their hint (their words are
    /// error.rs's tests).
    #[test]
    fn untyped_variants_print_as_they_come() {
        let e = Error::cant_create("out/x.env", "the folder is read-only")
            .with_hint("choose a folder you can write to");
        assert_eq!(
            render(&e),
            Rendered {
                message: "out/x.env: the folder is read-only".into(),
                hint: Some("choose a folder you can write to".into()),
            }
        );
    }

    fn rendered(err: impl Into<Error>) -> (String, Option<String>) {
        let r = render(&err.into());
        (r.message, r.hint)
    }

    #[test]
    fn errors_the_library_once_wrote_as_free_text_read_as_before() {
        use envmint::error::{AuditError, PlanFileError};
        use envmint::seal::SealError;
        assert_eq!(
            rendered(PlanFileError::Malformed {
                path: "p.json".into(),
                what: "no \"envmint_plan\" member".into(),
            }),
            (
                "p.json: not a valid envmint plan: no \"envmint_plan\" member".into(),
                Some("make a new one with `envmint plan -o FILE`".into())
            )
        );
        assert_eq!(
            rendered(PlanFileError::Version {
                path: "p.json".into(),
                found: "7".into(),
                reads: 1,
            }),
            (
                "p.json: plan format 7, this envmint reads format 1".into(),
                Some("make the plan again with this envmint (`envmint plan -o FILE`)".into())
            )
        );
        assert_eq!(
            rendered(SealError::RecipientsFileMissing {
                path: "keys/prod.txt".into()
            }),
            (
                "keys/prod.txt: recipients file not found".into(),
                Some("create it with one recipient per line, or fix `recipients_file`".into())
            )
        );
        assert_eq!(
            rendered(SealError::CannotSeal {
                passphrase: false,
                why: "no recipients".into()
            }),
            (
                "cannot seal to these recipients: no recipients".into(),
                None
            )
        );
        assert_eq!(
            rendered(AuditError::Git {
                command: "git cat-file",
                detail: "it stopped early".into()
            }),
            (
                "git cat-file failed: it stopped early".into(),
                Some("run it inside the repository whose commit is checked".into())
            )
        );
        assert_eq!(
            said(
                Op::Replace,
                FileProblem::Planted {
                    owner: 65534,
                    euid: 1000
                }
            ),
            (
                "app/.env: belongs to user 65534, not to you (1000), in a folder others can \
                 write to: the written file would stay theirs, and so would what it holds"
                    .into(),
                Some("write to a new file, or in a folder of your own".into())
            )
        );
    }

    #[test]
    fn a_clock_behind_and_a_value_expanded_too_far_have_their_hints() {
        use envmint::plan::clock::{ClockBehind, NewestRecord};
        let at = |t: &str| envmint::time::parse_instant(t).unwrap();
        let behind = ClockBehind {
            newest: NewestRecord {
                key: "JWT".into(),
                line: 4,
                field: "generated",
                at: at("9999-01-01"),
            },
            now: at("2026-01-07"),
        };
        let r = render(&envmint::error::ClockBehindError::new(".env", behind).into());
        assert_eq!(
            (r.message.as_str(), r.hint.as_deref()),
            (
                ".env:4: the clock (2026-01-07T00:00:00Z) is behind the record of JWT \
                 (generated=9999-01-01T00:00:00Z): a run dated before it would rotate values the \
                 apps have just started to use; nothing was changed",
                Some(
                    "check this machine's clock (or --at); a record dated in the future by hand \
                     is fixed by correcting or removing that line"
                )
            )
        );
        let r = render(
            &DotenvError {
                path: ".env".into(),
                problem: DotenvProblem::ExpandsTooFar {
                    key: "A".into(),
                    line: Some(2),
                    total: false,
                    max: 1 << 20,
                },
            }
            .into(),
        );
        assert_eq!(
            (r.message.as_str(), r.hint.as_deref()),
            (
                ".env:2: `A` would be longer than 1 MiB once its ${...} references are expanded",
                Some("check the references: each may only use values defined above it")
            )
        );
    }
}
