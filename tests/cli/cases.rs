//! The CLI's messages as case files, run by `trycmd`: `tests/cli/cmd/<area>/<case>.toml` holds
//! the arguments, the exit code and the exact stdout and stderr expected (inline, or beside it as
//! `<case>.stdout` / `<case>.stderr`); `<case>.in/` is the folder the command starts in (copied to
//! a temp folder first: `fs.sandbox = true`), `<case>.stdin` what it reads. One case file is one
//! test; a failing one is printed with its diff.
//!
//! After a deliberate change of wording, `TRYCMD=overwrite cargo test --test cli --
//! cases::case_files` rewrites the expected text to review; `cargo test --test cli --
//! cases::case_files trycmd=NAME` runs the cases whose path contains NAME.
//!
//! Every case runs with the same neutral environment, whatever the developer's shell holds:
//! `HOME` and `XDG_CONFIG_HOME` name a folder that does not exist (no default identity, no
//! allow list), and any `ENVMINT_*` variable of the shell is neutralised (an empty value is
//! unset to envmint; the lock timeout is its default). A case can't set these itself, since the
//! harness's values win.

use crate::common::BIN;
use std::path::Path;

/// A folder that does not exist, for `HOME` and `XDG_CONFIG_HOME`.
const NO_HOME: &str = "/nonexistent/envmint-case-home";

#[test]
fn case_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/cmd");
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("envmint", Path::new(BIN))
        .default_bin_path(BIN)
        .timeout(std::time::Duration::from_secs(60))
        .env("HOME", NO_HOME)
        .env("XDG_CONFIG_HOME", NO_HOME);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if let Some(rest) = name.strip_prefix("ENVMINT_") {
            // The test's own settings (ENVMINT_NODE_MODULES) mean nothing to envmint.
            let neutral = if rest == "LOCK_TIMEOUT" { "10" } else { "" };
            cases.env(name.into_owned(), neutral);
        }
    }
    cases.case(dir.join("*/*.toml"));
    cases.run();
}

/// Every file under `tests/cli/cmd/` belongs to a case: a `.stdout`, `.stderr`, `.stdin` or
/// `.in/` left behind by a renamed case would otherwise be ignored silently.
#[test]
fn every_case_file_has_its_toml() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/cmd");
    let mut count = 0;
    for area in std::fs::read_dir(&dir).unwrap() {
        let area = area.unwrap().path();
        assert!(area.is_dir(), "{} is not an area folder", area.display());
        for entry in std::fs::read_dir(&area).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some((stem, ext)) = name.rsplit_once('.') else {
                panic!("{} has no extension", path.display());
            };
            match ext {
                "toml" => count += 1,
                "stdout" | "stderr" | "stdin" | "in" => assert!(
                    area.join(format!("{stem}.toml")).is_file(),
                    "{} has no {stem}.toml beside it",
                    path.display()
                ),
                _ => panic!("{}: not a trycmd case file", path.display()),
            }
        }
    }
    assert!(count > 0, "no case files under {}", dir.display());
}
