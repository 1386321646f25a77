//! Peak memory of the commands that read a whole environment, on a file of 200,000 keys
//! (5 MB): each stays under the bound bootstrap meets, 5x the file + 10 MB (issue 14), plus
//! what the binary takes doing nothing (`--version`: the test build's is twice the release
//! build's). A memory bound holds on a loaded machine, unlike a time bound (timings are in
//! `scripts/bench.sh`). Measured with `/usr/bin/time -f %M` (the Debian package `time`).
//! Before the fix these took about 20x the file.

use crate::common::{Test, skip};
use std::fmt::Write as _;
use std::path::Path;

const KEYS: usize = 200_000;

const MANIFEST: &str = "[environments.production]\nfile = \".env.production.local\"\n\n\
                        [secrets.NEW_KEY]\nkind = \"hex\"\nbytes = 32\n\n\
                        [secrets.VAR_0000001]\nkind = \"hex\"\nbytes = 16\n";

/// `VAR_0000000=<12 hex>`: 25 bytes a key, as in the 1,000,000-key (25 MB) file.
fn big_file() -> String {
    big_file_named("VAR")
}

/// [`big_file`] with keys named `{prefix}_0000000`: under `KEY_` every key is an undeclared
/// secret (by its name) with a weak value, one `low-entropy` finding each for `audit`.
fn big_file_named(prefix: &str) -> String {
    let mut text = String::with_capacity(KEYS * 25);
    for i in 0..KEYS {
        let _ = writeln!(
            text,
            "{prefix}_{i:07}={:012x}",
            (i as u64 * 2_654_435_761) % (1 << 48)
        );
    }
    text
}

/// Runs envmint with `args` on a fresh copy of `file`; its peak RSS in bytes.
fn peak_rss(file: &str, args: &[&str]) -> u64 {
    let out = Test::new()
        .write("envmint.toml", MANIFEST)
        .write(".env.production.local", file)
        .chmod(".env.production.local", 0o600)
        .wrapper(["/usr/bin/time", "-f", "%M", "-o", "rss.txt"])
        .args(args)
        .run();
    assert!(
        matches!(out.code(), 0 | 1),
        "envmint {args:?} failed: {}",
        out.stderr()
    );
    let kb = std::fs::read_to_string(out.dir().join("rss.txt")).expect("time -o rss.txt");
    let kb: u64 = kb.lines().last().unwrap().trim().parse().expect("%M in KB");
    kb * 1024
}

#[test]
fn status_rotate_and_audit_hold_to_five_times_the_file() {
    if !Path::new("/usr/bin/time").exists() {
        return skip("/usr/bin/time is not installed (apt-get install time)");
    }
    let idle = peak_rss("", &["--version"]);
    let file = big_file();
    let size = file.len() as u64;
    let bound = 5 * size + 10_000_000 + idle;
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["rotate", "production", "--due", "--at", "2030-01-01"],
        &["audit", "production"],
        &["audit", "production", "--json"],
    ] {
        let rss = peak_rss(&file, args);
        assert!(
            rss <= bound,
            "envmint {args:?} peaked at {} MB on a {} MB file: over 5x + 10 MB + the {} MB of \
             --version ({} MB)",
            rss / 1_000_000,
            size / 1_000_000,
            idle / 1_000_000,
            bound / 1_000_000
        );
        eprintln!(
            "envmint {args:?}: {} MB (bound {} MB)",
            rss / 1_000_000,
            bound / 1_000_000
        );
    } // A finding for every key (issue 14: `audit` held a million findings to sort them, 893
    // MB on 25 MB): they are made as the report is written, in the same order.
    let weak = big_file_named("KEY");
    for args in [
        &["audit", "production"][..],
        &["audit", "production", "--json"],
    ] {
        let rss = peak_rss(&weak, args);
        assert!(
            rss <= bound,
            "envmint {args:?} peaked at {} MB on a {} MB file of {KEYS} weak values: over the \
             bound of {} MB",
            rss / 1_000_000,
            size / 1_000_000,
            bound / 1_000_000
        );
        eprintln!(
            "envmint {args:?}, {KEYS} findings: {} MB (bound {} MB)",
            rss / 1_000_000,
            bound / 1_000_000
        );
    }
}
