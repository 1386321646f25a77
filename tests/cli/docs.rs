//! The documentation kept true: every relative link and `#anchor` in README.md, CHANGELOG.md,
//! SECURITY.md and docs/ resolves, every repository path they name exists, the development map
//! names every module, the house it describes has no import circle, every CLI message is
//! asserted whole by a test (or listed, with its reason, as not yet), and `cargo package` ships
//! what it should. No network: web links are left alone.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root (this crate's manifest folder).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose links are checked, relative to the root.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = ["README.md", "CHANGELOG.md", "SECURITY.md"]
        .iter()
        .map(PathBuf::from)
        .collect();
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| Path::new("docs").join(e.expect("entry").file_name()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// `text` without its fenced code blocks (their lines become empty, so line numbers hold).
fn prose(text: &str) -> Vec<String> {
    let mut fenced = false;
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return String::new();
            }
            if fenced {
                String::new()
            } else {
                without_code_spans(line)
            }
        })
        .collect()
}

/// `line` with each inline code span replaced by `code`, so a `[x](y)` shown as code is not
/// taken for a link.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let fence = &rest[start..start + ticks];
        match rest[start + ticks..].find(fence) {
            Some(end) => {
                out.push_str("code");
                rest = &rest[start + ticks + end + ticks..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The targets of the inline links `[text](target)` on `line`.
fn links(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        match after.find(')') {
            Some(end) => {
                found.push(after[..end].trim().to_owned());
                rest = &after[end..];
            }
            None => break,
        }
    }
    found
}

/// GitHub's anchor for a heading: lowercase, punctuation other than `-` and `_` dropped,
/// spaces made `-` (a heading's code spans keep their text).
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of `text`'s headings, numbered `-1`, `-2` when a slug repeats, as GitHub does.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if fenced || hashes == 0 || hashes > 6 || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// Every problem with the relative links of `page` (relative to the root).
fn broken_links(page: &Path) -> Vec<String> {
    let text = fs::read_to_string(root().join(page)).expect("read page");
    let mut broken = Vec::new();
    for (n, line) in prose(&text).iter().enumerate() {
        for target in links(line) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let at = format!("{}:{}: ({target})", page.display(), n + 1);
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.to_path_buf()
            } else {
                page.parent().unwrap_or(Path::new("")).join(path)
            };
            let full = root().join(&file);
            if !full.exists() {
                broken.push(format!("{at}: {} does not exist", file.display()));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            if full.extension().is_none_or(|e| e != "md") {
                broken.push(format!("{at}: an anchor into a file that is not Markdown"));
                continue;
            }
            let headings = anchors(&fs::read_to_string(&full).expect("read target"));
            if !headings.contains(anchor) {
                broken.push(format!(
                    "{at}: no heading #{anchor} in {}; it has: {}",
                    file.display(),
                    headings.into_iter().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_and_anchor_in_the_docs_resolves() {
    let broken: Vec<String> = pages().iter().flat_map(|p| broken_links(p)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_link_check_catches_a_missing_file_and_a_missing_anchor() {
    // The checker itself, on pages written for it: a check that finds nothing proves nothing.
    let dir = root().join("target").join("docs-link-check");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("a.md"),
        "# A page\n\n## The `# envmint:` line\n\n[ok](b.md#second-part) [ok](#a-page) \
         [ok](#the--envmint-line) [web](https://example.com/x.md)\n`[code](gone.md)`\n\
         ```\n[fenced](gone.md)\n```\n[gone](gone.md) [bad](b.md#nope) [self](#nope)\n",
    )
    .unwrap();
    fs::write(dir.join("b.md"), "# B\n\n## Second part\n").unwrap();
    let page = Path::new("target/docs-link-check/a.md");
    let broken = broken_links(page);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(broken[0].contains("(gone.md): target/docs-link-check/gone.md does not exist"));
    assert!(broken[1].contains("(b.md#nope): no heading #nope in"));
    assert!(broken[2].contains("(#nope): no heading #nope in"));
}

/// Paths the docs name that are made, not committed.
const MADE: &[&str] = &[".ci/peers"];

#[test]
fn every_repository_path_the_docs_name_exists() {
    let prefixes = [
        "src/",
        "tests/",
        "scripts/",
        "fuzz/",
        "examples/",
        ".ci/",
        "docs/",
    ];
    let mut missing = Vec::new();
    for page in pages() {
        let text = fs::read_to_string(root().join(&page)).unwrap();
        for (n, line) in text.lines().enumerate() {
            for (i, span) in line.split('`').enumerate() {
                // Odd pieces are inside a code span; its first word is the path.
                let Some(word) = span.split_whitespace().next() else {
                    continue;
                };
                let word = word.trim_end_matches([':', ',', ')', ';']);
                if i % 2 == 0
                    || !prefixes.iter().any(|p| word.starts_with(p))
                    || word.contains(['<', '*', '$'])
                    || MADE.contains(&word)
                {
                    continue;
                }
                if !root().join(word).exists() {
                    missing.push(format!("{}:{}: {word}", page.display(), n + 1));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "named but missing:\n{}",
        missing.join("\n")
    );
}

/// The code map: the first fenced block of docs/development.md.
fn code_map() -> String {
    let text = fs::read_to_string(root().join("docs/development.md")).unwrap();
    let start = text.find("```\n").expect("a code map") + 4;
    let end = start + text[start..].find("```").expect("its end");
    text[start..end].to_owned()
}

#[test]
fn the_development_map_is_true() {
    let map = code_map();
    let mut wrong = Vec::new();
    // Each path at the start of a line exists...
    for line in map.lines() {
        let Some(word) = line.split_whitespace().next() else {
            continue;
        };
        if line.starts_with(' ') || !word.contains('/') {
            continue;
        }
        if !root().join(word).exists() {
            wrong.push(format!("the map names {word}, which does not exist"));
        }
    }
    // ...and every module of the library and the binary, and every script, is named.
    let entries = |dir: &str| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().is_dir() {
                    format!("{name}/")
                } else {
                    name
                }
            })
            .collect();
        names.sort();
        names
    };
    for name in entries("src") {
        if name != "bin/" && !map.contains(&format!("src/{name}")) {
            wrong.push(format!("src/{name} is not in the map"));
        }
    }
    for name in entries("src/bin/envmint") {
        if !map.contains(&name) {
            wrong.push(format!("src/bin/envmint/{name} is not in the map"));
        }
    }
    for name in entries("scripts") {
        if !map.contains(&name) {
            wrong.push(format!("scripts/{name} is not in the map"));
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/development.md's code map is out of date:\n{}",
        wrong.join("\n")
    );
}

/// `scripts/import-graph.py` (the map's "arrows go down only"): no circle of rooms or of files,
/// no upward import, no command importing another.
#[test]
fn the_import_graph_has_no_circle() {
    let Ok(out) = Command::new("python3")
        .arg(root().join("scripts/import-graph.py"))
        .output()
    else {
        crate::common::skip("python3 is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(
        text.lines().last(),
        Some(
            "circles of rooms: 0 (0 rooms), circles of files: 0, upward imports: 0, \
             sibling command imports: 0"
        ),
        "{text}"
    );
}

/// Issue 18's "every CLI message is asserted word for word": `scripts/messages.py` lists every
/// message template of the source and the texts tests compare whole (case files, snapshots,
/// `str![..]`, the unit tests' `assert_eq!`s), and fails on a template no test asserts whole
/// that `tests/cli/messages-unasserted.txt` (the ratchet: what is left, with the reason) does
/// not list.
#[test]
fn every_message_is_asserted_whole() {
    if let Some(text) = messages_py(&["--check", "tests/cli/messages-unasserted.txt"]) {
        assert!(text.contains("templates: "), "{text}");
    }
}

/// Issue 18's "once": `scripts/messages.py --check-once` fails when a whole text holding a
/// message (a case file's stdout or stderr, a snapshot, a `str![..]`, an `assert_eq!` literal of
/// several lines) is asserted in two places, the same or the same but for `[..]`, and when two
/// case files run the same command on the same input. The second run of the same words is
/// compared to the first's output (`assert_eq!(again.stderr(), first.stderr())`) instead.
#[test]
fn every_whole_text_is_asserted_once() {
    if let Some(text) = messages_py(&["--check-once"]) {
        assert!(text.contains("whole texts asserted twice: 0 "), "{text}");
    }
}

/// The output of `scripts/messages.py ARGS`, asserted to succeed; None (skipped) without python3.
fn messages_py(args: &[&str]) -> Option<String> {
    let Ok(out) = Command::new("python3")
        .arg(root().join("scripts/messages.py"))
        .args(args)
        .output()
    else {
        crate::common::skip("python3 is not installed");
        return None;
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(text)
}

#[test]
fn the_package_ships_only_what_it_should() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "package",
            "--list",
            "--locked",
            "--allow-dirty",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("run cargo package --list");
    assert!(
        out.status.success(),
        "cargo package --list: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "CHANGELOG.md",
        "SECURITY.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/lib.rs",
        "src/bin/envmint/main.rs",
        "src/presets/web.toml",
        "docs/security.md",
        "scripts/generate-secrets.sh",
    ] {
        assert!(
            listed.contains(needed),
            "{needed} is not shipped: {listed:#?}"
        );
    }
    let allowed = |f: &str| {
        ["src/", "docs/"].iter().any(|p| f.starts_with(p))
            || [
                "Cargo.toml",
                "Cargo.toml.orig",
                "Cargo.lock",
                ".cargo_vcs_info.json",
                "README.md",
                "CHANGELOG.md",
                "SECURITY.md",
                "LICENSE-MIT",
                "LICENSE-APACHE",
                "scripts/generate-secrets.sh",
            ]
            .contains(&f)
    };
    let extra: Vec<&String> = listed.iter().filter(|f| !allowed(f)).collect();
    assert!(extra.is_empty(), "shipped but should not be: {extra:#?}");
}

#[test]
fn the_readme_has_an_example_of_every_command() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let help = Command::new(crate::common::BIN)
        .arg("--help")
        .output()
        .expect("run envmint --help");
    let help = String::from_utf8(help.stdout).unwrap();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert!(commands.len() >= 20, "{help}");
    let missing: Vec<&&str> = commands
        .iter()
        .filter(|name| {
            !readme.lines().any(|row| {
                row.starts_with(&format!("| `{name}` |"))
                    && row.contains(&format!("envmint {name}"))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's command table has no row `| `NAME` | ...envmint NAME... |` for: {missing:?}"
    );
}

#[test]
fn the_docs_speak_of_the_software_not_of_how_it_is_made() {
    // "issue 6", "issue #12", "§4": how the project was run, which a reader cannot look up.
    let mut found = Vec::new();
    for page in pages() {
        let text = fs::read_to_string(root().join(&page)).unwrap();
        for (n, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            let numbered_issue = lower.match_indices("issue").any(|(at, _)| {
                let rest = lower[at + 5..].trim_start_matches([' ', '#']);
                lower[at + 5..].starts_with([' ', '#'])
                    && rest.starts_with(|c: char| c.is_ascii_digit())
            });
            if numbered_issue || line.contains('§') {
                found.push(format!("{}:{}: {line}", page.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
