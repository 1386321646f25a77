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
        let e = envmint::Error::Size(SizeProblem::Weak(weak));
        assert_eq!(e.exit(), envmint::Exit::Usage);
        let r = render(&e.into());
        assert_eq!(
            r.message,
            "hex of 8 bytes has 64 bits of entropy, under the 128-bit floor"
        );
        assert!(r.hint.unwrap().contains("--allow-weak"));
        let e = envmint::Error::Size(SizeProblem::Spec(SpecError::Zero(SizeUnit::Bits)));
        assert_eq!(render(&e.into()).hint, None);
    }

    use envmint::manifest::Manifest;

    fn unknown(m: &Manifest, name: &str) -> (String, String) {
        let err = m.environment(name).unwrap_err();
        assert_eq!(err.exit(), envmint::Exit::Usage);
        let r = render(&err.into());
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
}
