//! `envmint example [--dry-run]`: writes or updates `.env.example` from the manifest (see
//! [`envmint::example`]): every declared secret it lacks, with an empty value and a comment, the
//! user's lines kept. One file per folder holding environment files (where bootstrap reads it).

use crate::error::Result;
use envmint::manifest::SecretDecl;
use envmint::{Exit, atomic};
use std::path::{Path, PathBuf};

use crate::cli::ExampleArgs;
use crate::context::Context;
use crate::output::say;
use envmint::path::shown;

/// Runs `envmint example`.
pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: ExampleArgs) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    // Each folder's template lists the secrets of the environments whose files are there.
    let mut folders: Vec<(PathBuf, Vec<&SecretDecl>)> = Vec::new();
    for env in manifest.environments() {
        let dir = env
            .file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let at = match folders.iter().position(|(d, _)| *d == dir) {
            Some(i) => i,
            None => {
                folders.push((dir, Vec::new()));
                folders.len() - 1
            }
        };
        for decl in manifest.secrets_for(&env.name) {
            if !folders[at].1.iter().any(|d| d.key == decl.key) {
                folders[at].1.push(decl);
            }
        }
    }
    for (dir, decls) in folders {
        let path = dir.join(".env.example");
        let file = shown(&path, &cwd).display().to_string();
        // The manifest's bounds (set when it was loaded): its files' folders are repository paths.
        let within =
            ctx.bounds.get().cloned().unwrap_or_else(|| {
                atomic::Within::anywhere(ctx.euid).relative_to(ctx.cwd_if_known())
            });
        let locked = atomic::lock(&path, &within, resolved.lock_timeout(&ctx.lock_timeout)?)?;
        let existing = match locked.read()? {
            Some(bytes) => String::from_utf8(bytes.to_vec()).map_err(|_| {
                crate::error::Error::data(
                    envmint::error::Location::new(&path, None),
                    "not UTF-8 text; envmint example writes only text files",
                )
            })?,
            None => String::new(),
        };
        let (text, added) = envmint::example::update(&existing, &decls);
        if added.is_empty() {
            say!("{file}: lists every declared secret already");
            continue;
        }
        if !args.dry_run {
            locked.write_public(text.as_bytes())?;
        }
        say!(
            "{file}: {} {} (empty values, with kind, size and role): {}",
            if args.dry_run { "would add" } else { "added" },
            crate::output::plural(added.len(), "key"),
            added.join(", ")
        );
    }
    Ok(Exit::Ok)
}
