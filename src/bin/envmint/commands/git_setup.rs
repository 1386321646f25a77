//! `envmint git setup [--config]`: the `.gitattributes` lines that send the manifest's sealed
//! stores to envmint's merge driver and textconv, and with `--config` (the user's consent) the
//! drivers in this repository's own git config. It prints each thing it did; the global
//! `~/.gitconfig` is never touched, and running it again changes nothing.

use crate::error::{Error, Result};
use envmint::manifest::Source;
use envmint::{Exit, atomic};
use std::path::Path;
use std::process::Command;

use crate::cli::GitSetupArgs;
use crate::context::Context;
use crate::output::{say, shell_quoted};
use envmint::path::shown;

/// What each sealed store's line of `.gitattributes` says after its path.
pub const ATTRIBUTES: &str = "merge=envmint diff=envmint";

/// The comment put above the lines setup adds.
const HEADER: &str = "# envmint: sealed stores merge per key and diff as keys (envmint git setup)";

/// Runs `envmint git setup`.
pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: GitSetupArgs) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    let Source::File(manifest_path) = manifest.source() else {
        return Err(Error::usage("no envmint.toml here or in a parent folder")
            .with_hint("run `envmint init` and declare a sealed environment first"));
    };
    let root = manifest_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let top = git(&root, &["rev-parse", "--show-toplevel"]).ok_or_else(|| {
        Error::usage(format!(
            "{} is not in a git work tree",
            shown(&root, &cwd).display()
        ))
        .with_hint("run `git init` first")
    })?;
    let mut lines = Vec::new();
    for env in manifest.environments() {
        let Some(sealed) = &env.sealed else { continue };
        match sealed.path.strip_prefix(&root) {
            Ok(rel) => lines.push(format!("/{} {ATTRIBUTES}", rel.display())),
            Err(_) => say!(
                "warning: {}: {} is outside the manifest's folder; add its .gitattributes line \
                 by hand",
                env.name,
                sealed.path.display()
            ),
        }
    }
    if lines.is_empty() && args.hook {
        // The commit guard matters most before anything is sealed (plaintext .env files are
        // what gets committed by mistake): install it; there is no store to merge or diff.
        say!("note: no environment of the manifest is sealed: no merge or diff driver to set up");
        let exe =
            std::env::current_exe().map_err(|e| Error::reading(Path::new("/proc/self/exe"), e))?;
        hook(
            ctx,
            resolved,
            &top,
            &shell_quoted(&exe.display().to_string()),
            manifest_path,
            &cwd,
        )?;
        return Ok(Exit::Ok);
    }
    if lines.is_empty() {
        return Err(
            Error::usage("no environment of the manifest is sealed").with_hint(
                "declare sealed = \".env.NAME.age\" and recipients in [environments.NAME]",
            ),
        );
    }
    let path = root.join(".gitattributes");
    // A committed `.gitattributes` symlink stays in the folder, as every repository path does.
    let within = if ctx.allow_outside {
        atomic::Within::anywhere(ctx.euid)
    } else {
        atomic::Within::folder(&root, &[], ctx.euid).typed()
    }
    .relative_to(ctx.cwd_if_known());
    let locked = atomic::lock(&path, &within, resolved.lock_timeout(&ctx.lock_timeout)?)?;
    let existing = locked.read()?;
    let existing =
        String::from_utf8_lossy(existing.as_deref().map_or(&[][..], |b| &b[..])).into_owned();
    let present: std::collections::HashSet<&str> = existing.lines().map(str::trim).collect();
    let missing: Vec<&String> = lines
        .iter()
        .filter(|l| !present.contains(l.as_str()))
        .collect();
    let file = shown(&path, &cwd).display().to_string();
    if missing.is_empty() {
        say!(
            "{file}: already has the lines for {}",
            plural_stores(lines.len())
        );
    } else {
        let mut out = existing.clone();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !present.contains(HEADER) {
            out.push_str(HEADER);
            out.push('\n');
        }
        for line in &missing {
            out.push_str(line);
            out.push('\n');
            say!("{file}: added `{line}`");
        }
        locked.write_public(out.as_bytes())?;
    }
    drop(locked);
    let exe =
        std::env::current_exe().map_err(|e| Error::reading(Path::new("/proc/self/exe"), e))?;
    let exe = shell_quoted(&exe.display().to_string());
    let settings = [
        (
            "merge.envmint.name",
            "envmint: merge sealed stores per key".to_string(),
        ),
        (
            "merge.envmint.driver",
            format!("{exe} git merge %O %A %B %P"),
        ),
        ("diff.envmint.textconv", format!("{exe} git diff")),
    ];
    let mut missing = false;
    for (name, value) in &settings {
        let now = git(&top, &["config", "--local", "--get", name]);
        if now.as_deref() == Some(value.as_str()) {
            say!("git config --local {name}: already set");
        } else if args.config {
            if let Err(why) = git_said(&top, &["config", "--local", name, value]) {
                return Err(Error::cant_create(
                    Path::new(&top).join(".git/config"),
                    format!("`git config --local {name}` failed: {why}"),
                ));
            }
            say!("git config --local {name} {}", shell_quoted(value));
        } else {
            missing = true;
            say!("not set: git config --local {name} {}", shell_quoted(value));
        }
    }
    if args.hook {
        hook(ctx, resolved, &top, &exe, manifest_path, &cwd)?;
    }
    if missing {
        say!(
            "hint: pass --config to write these into this repository's .git/config (never \
             ~/.gitconfig); until then git merges and diffs the stores as binary files"
        );
    }
    Ok(Exit::Ok)
}

/// The line that marks a pre-commit hook as envmint's own (which setup may replace).
const HOOK_MARK: &str = "# envmint: the commit guard (envmint git setup --hook)";

/// Installs the pre-commit hook running `envmint audit --staged` where git looks for it (the
/// repository's hooks folder, or `core.hooksPath`), unless a hook that is not envmint's is
/// there: that one is left as it is, and said.
fn hook(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    top: &str,
    exe: &str,
    manifest: &Path,
    cwd: &Path,
) -> Result<()> {
    let rel = match git_said(top, &["rev-parse", "--git-path", "hooks/pre-commit"]) {
        Ok(rel) => rel,
        Err(why) => {
            // Nothing was misused: the hook cannot be created (exit 73), named by the
            // repository's `.git`, since where the hook goes is what git could not say.
            return Err(Error::cant_create(
                Path::new(top).join(".git"),
                format!("git cannot say where its hooks are: {why}"),
            )
            .with_hint(
                "check that `git rev-parse --git-path hooks/pre-commit` works in this repository, \
             then run `envmint git setup --hook` again",
            ));
        }
    };
    let path = Path::new(top).join(rel);
    let file = shown(&path, cwd).display().to_string();
    // The hook runs at the top of the work tree: name the manifest from there.
    let manifest_arg = match std::fs::canonicalize(manifest)
        .ok()
        .and_then(|m| m.strip_prefix(top).ok().map(Path::to_path_buf))
    {
        Some(m) if m != Path::new("envmint.toml") => {
            format!(" --manifest {}", shell_quoted(&m.display().to_string()))
        }
        _ => String::new(),
    };
    let script = format!(
        "#!/bin/sh\n{HOOK_MARK}\n# Refuses a commit that would add a plaintext env file, a plan, an identity file, an\n\
         # export list or any stored value. Bypass once with `git commit --no-verify`.\n\
         exec {exe} audit --staged{manifest_arg}\n"
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::writing(dir, envmint::error::Op::Create, e))?;
    }
    // The hooks folder git named (inside .git on purpose): git's answer, not the repository's
    // content, so typed (the `.git` rule lets it through).
    let within = atomic::Within::anywhere(ctx.euid)
        .relative_to(ctx.cwd_if_known())
        .typed();
    let locked = atomic::lock(&path, &within, resolved.lock_timeout(&ctx.lock_timeout)?)?;
    match locked.read()? {
        Some(old) if old.as_slice() == script.as_bytes() => {
            say!("{file}: the commit guard is already installed");
            return Ok(());
        }
        Some(old) if !String::from_utf8_lossy(&old).contains(HOOK_MARK) => {
            say!(
                "warning: {file} exists and is not envmint's; it is left as it is (the commit \
                 guard is not installed)"
            );
            say!(
                "hint: add this line to it yourself: {exe} audit --staged{manifest_arg} || exit 1"
            );
            return Ok(());
        }
        _ => {}
    }
    locked.write_public(script.as_bytes())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::writing(&path, envmint::error::Op::SetMode, e))?;
    say!("{file}: installed the commit guard (envmint audit --staged)");
    Ok(())
}

fn plural_stores(n: usize) -> String {
    crate::output::plural(n, "sealed store")
}

/// Runs git in `dir`; its stdout without the final newline when it succeeds.
fn git(dir: impl AsRef<Path>, args: &[&str]) -> Option<String> {
    git_said(dir, args).ok()
}

/// `git ARGS` in `dir`: its output, or why it failed in words (git's own first line of
/// stderr, escaped and cut: a repository's config can put any text there).
fn git_said(dir: impl AsRef<Path>, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout)
            .trim_end_matches('\n')
            .to_string());
    }
    Err(failure(&out))
}

/// Why a git that ran failed, in words.
fn failure(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    match stderr.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) => format!("git said `{}`", envmint::text::shown(line, 200)),
        None => match out.status.code() {
            Some(code) => format!("git exited with status {code}"),
            None => "git was killed by a signal".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{ExitStatus, Output};

    fn output(raw: i32, stderr: &str) -> Output {
        Output {
            status: ExitStatus::from_raw(raw),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_failed_git_is_said_by_its_first_line_else_its_status() {
        assert_eq!(
            failure(&output(5 << 8, "\n  fatal: not a git repository\nmore\n")),
            "git said `fatal: not a git repository`"
        );
        assert_eq!(
            failure(&output(1 << 8, "fatal: \u{1b}[31mred\n")),
            "git said `fatal: \\u{1b}[31mred`"
        );
        assert_eq!(failure(&output(5 << 8, "")), "git exited with status 5");
        assert_eq!(failure(&output(9, "")), "git was killed by a signal");
        assert_eq!(
            git_said("/nonexistent/envmint-test", &["version"]),
            Err("cannot run git: No such file or directory (os error 2)".to_string())
        );
    }
}
