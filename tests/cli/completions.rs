//! `envmint completions SHELL` and `envmint man`: generated from `cli.rs`, and loaded by the
//! real consumers (bash, zsh, fish, man/groff), not only checked for being non-empty.

use crate::common::{Output, envmint, have, names, skip};
use std::path::Path;
use std::process::Command;

/// The subcommands `envmint --help` lists (without `help`), so the checks below follow the
/// command line as it grows.
fn subcommands() -> Vec<String> {
    let out = envmint(["--help"]).status(0);
    let text = out.stdout();
    let list = text
        .split("Commands:\n")
        .nth(1)
        .expect("--help has a Commands: section");
    list.lines()
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Runs `program args...`, returning its exit status, stdout and stderr.
fn run(program: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(program)
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes the completion script for `shell` into the test's folder and returns its path.
fn script(shell: &str, file: &str) -> (Output, std::path::PathBuf) {
    let out = envmint(["completions", shell]).status(0);
    assert!(out.stderr().is_empty(), "stderr: {}", out.stderr());
    let path = out.path(file);
    std::fs::write(&path, out.stdout()).expect("write the script");
    (out, path)
}

/// What bash completes for the words of `line` (the last word being completed), with the
/// script sourced as bash-completion would source it.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let words_quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}' || exit 9\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _envmint envmint \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words_quoted.join(" "),
        words.len() - 1
    );
    let (ok, stdout, stderr) = run("bash", &["--norc", "--noprofile", "-c", &program]);
    assert!(ok && stderr.is_empty(), "bash failed: {stderr}");
    stdout.lines().map(|l| l.trim().to_owned()).collect()
}

#[test]
fn bash_completion_loads_and_completes_commands_flags_and_values() {
    let (_out, path) = script("bash", "envmint.bash");
    let file = path.to_str().unwrap();
    let (ok, _, stderr) = run("bash", &["-n", file]);
    assert!(ok, "bash -n: {stderr}");
    // Sourcing registers the function for `envmint`, as bash-completion's loader would.
    let registered = format!("source '{file}' && complete -p envmint");
    let (ok, stdout, stderr) = run("bash", &["--norc", "--noprofile", "-c", &registered]);
    assert!(ok, "complete -p: {stderr}");
    assert!(stdout.contains("-F _envmint") && stdout.trim_end().ends_with(" envmint"));

    assert_eq!(bash_completes(&path, &["envmint", "boot"]), ["bootstrap"]);
    let all = bash_completes(&path, &["envmint", ""]);
    for command in subcommands() {
        assert!(all.contains(&command), "{command} not offered: {all:?}");
    }
    assert_eq!(bash_completes(&path, &["envmint", "git", "me"]), ["merge"]);
    let flags = bash_completes(&path, &["envmint", "rotate", "--d"]);
    assert!(flags.contains(&"--due".to_owned()) && flags.contains(&"--dry-run".to_owned()));
    assert_eq!(bash_completes(&path, &["envmint", "gen", "he"]), ["hex"]);
    assert_eq!(
        bash_completes(&path, &["envmint", "completions", "fi"]),
        ["fish"]
    );
}

#[test]
fn zsh_completion_parses_and_registers_itself() {
    if !have("zsh") {
        return skip("zsh is not installed (apt-get install zsh)");
    }
    let (_out, path) = script("zsh", "_envmint");
    let file = path.to_str().unwrap();
    let (ok, _, stderr) = run("zsh", &["-n", file]);
    assert!(ok, "zsh -n: {stderr}");
    // Loaded the way a file on $fpath is: compinit, then the script, which calls compdef.
    let load = format!(
        "autoload -U compinit && compinit -u -D && source '{file}' && print -r -- $_comps[envmint]"
    );
    let (ok, stdout, stderr) = run("zsh", &["-f", "-c", &load]);
    assert!(ok, "zsh: {stderr}");
    assert_eq!(stdout.trim(), "_envmint", "stderr: {stderr}");
}

#[test]
fn fish_completion_parses_and_completes_a_command() {
    if !have("fish") {
        return skip("fish is not installed (apt-get install fish)");
    }
    let (_out, path) = script("fish", "envmint.fish");
    let file = path.to_str().unwrap();
    let (ok, _, stderr) = run("fish", &["--no-execute", file]);
    assert!(ok, "fish --no-execute: {stderr}");
    let load = format!("source '{file}'; complete --do-complete 'envmint boot'");
    let (ok, stdout, stderr) = run("fish", &["--no-config", "-c", &load]);
    assert!(ok, "fish: {stderr}");
    let first: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(first, ["bootstrap"], "{stdout}");
}

#[test]
fn every_shell_gets_every_command() {
    let commands = subcommands();
    assert!(commands.len() >= 20, "{commands:?}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = envmint(["completions", shell]).status(0);
        for command in &commands {
            assert!(
                out.stdout().contains(command.as_str()),
                "{shell}: no {command}"
            );
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = envmint(["completions", "tcsh"]).status(2);
    assert!(out.stdout().is_empty());
    assert!(
        out.stderr().contains("invalid value 'tcsh'"),
        "{}",
        out.stderr()
    );
    // A manifest means nothing to them: refused, as for gen (the words: the case file
    // cmd/cli/manifest_before_completions.toml).
    let out = envmint(["--manifest", "envmint.toml", "man"]).status(2);
    assert!(out.stdout().is_empty());
}

/// Asserts that `page` renders with man (and groff with every warning on) without a warning,
/// and returns the rendered text with runs of blanks (justification) made one space.
fn renders(page: &Path) -> String {
    let file = page.to_str().unwrap();
    let (ok, text, stderr) = run("man", &["--warnings=all", "-E", "UTF-8", "-l", file]);
    assert!(ok && stderr.is_empty(), "man -l {file}: {stderr}");
    let (ok, _, stderr) = run("groff", &["-man", "-ww", "-z", file]);
    assert!(ok && stderr.is_empty(), "groff -ww {file}: {stderr}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_man_page_renders_without_warnings() {
    if !have("man") || !have("groff") {
        return skip("man and groff are not installed (apt-get install man-db groff-base)");
    }
    let out = envmint(["man"]).status(0);
    assert!(out.stdout().starts_with(".ie \\n(.g .ds Aq"), "not roff");
    let page = out.path("envmint.1");
    std::fs::write(&page, out.stdout()).unwrap();
    let text = renders(&page);
    assert!(text.contains("envmint - Generate, store and rotate application secrets"));
    for command in subcommands() {
        assert!(text.contains(&format!("envmint-{command}(1)")), "{command}");
    }
}

#[test]
fn man_dir_writes_one_page_per_command_and_replaces_them() {
    if !have("man") || !have("groff") {
        return skip("man and groff are not installed (apt-get install man-db groff-base)");
    }
    let out = envmint(["man", "--dir", "share/man/man1"]).status(0);
    assert_eq!(
        out.stderr(),
        format!(
            "wrote {} manual pages to share/man/man1 (envmint.1 and one per command)\n",
            names(&out.path("share/man/man1")).len()
        )
    );
    let dir = out.path("share/man/man1");
    let pages = names(&dir);
    let mut expected = vec!["envmint.1".to_owned()];
    expected.extend(subcommands().iter().map(|c| format!("envmint-{c}.1")));
    expected.extend(["merge", "diff", "setup"].map(|c| format!("envmint-git-{c}.1")));
    expected.sort();
    assert_eq!(pages, expected);
    for page in &pages {
        assert_eq!(out.mode(dir.join(page)) & 0o777, 0o644, "{page}");
        renders(&dir.join(page));
    }
    let merge = renders(&dir.join("envmint-git-merge.1"));
    assert!(merge.contains("envmint git merge"), "{merge}");

    // Again over the same folder: every page replaced, no temporary file left behind.
    std::fs::write(dir.join("envmint-gen.1"), "stale").unwrap();
    let again = out
        .then()
        .args(["man", "--dir", "share/man/man1"])
        .status(0);
    assert_eq!(names(&dir), expected);
    assert!(
        again
            .read("share/man/man1/envmint-gen.1")
            .contains("envmint-gen")
    );
}

#[test]
fn man_dir_refuses_a_file() {
    let out = envmint(["man", "--dir", "notes.txt"])
        .write("notes.txt", "mine")
        .status(73);
    assert_eq!(
        out.stderr(),
        "error: notes.txt: cannot write manual pages into it: it is not a folder\n\
         hint: give --dir a folder, e.g. --dir ~/.local/share/man/man1\n"
    );
    assert_eq!(out.read("notes.txt"), "mine");
}
