//! `envmint audit [ENV...] [--json] [--git]`: the security checklist, run.
//!
//! Gathers what the checks of [`envmint::audit`] need (each environment's document, a sealed
//! one decrypted in memory; the identity files envmint would use; the project's plan and
//! identity files; the git repository), runs them, and renders the findings: grouped lines
//! `path:line: severity: message` with a `hint:` on stdout, or a JSON array with `--json`.
//! Exit 0 when there is no finding, 1 when there is one.
//!
//! A sealed environment that cannot be opened (no identity, or none that matches) is a finding,
//! not an error: the other checks still run and the audit still fails (exit 1), so a CI job
//! without the production key learns everything else and that production was not checked. A
//! sealed file that is malformed is an error (65), as in every other command.

use crate::cli::AuditArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::output::say;
use envmint::audit::files::{FileKind, SecretFile};
use envmint::audit::git::{GitFile, Needle};
use envmint::audit::values::EnvValues;
use envmint::audit::{self, Check, Finding, Severity};
use envmint::dotenv::Document;
use envmint::manifest::{Environment, Manifest, Previous, Source};
use envmint::path::shown;
use envmint::secret::KeyedHash;
use envmint::{Exit, store};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One environment as loaded for the audit.
struct Loaded<'m> {
    env: &'m Environment,
    /// The document, `None` when the file does not exist or could not be opened.
    doc: Option<Document>,
    example: Option<Document>,
}

/// Runs `envmint audit`.
pub fn run(
    ctx: &mut Context,
    resolved: &crate::resolve::Resolved,
    args: AuditArgs,
) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    let root = match manifest.source() {
        Source::File(p) => p.parent().unwrap_or(&cwd).to_path_buf(),
        Source::Builtin => cwd.clone(),
    };
    let mut envs: Vec<&Environment> = Vec::new();
    if args.environments.is_empty() {
        envs.extend(manifest.environments());
    } else {
        for name in &args.environments {
            let env = manifest.environment(name)?;
            if !envs.iter().any(|e| e.name == env.name) {
                envs.push(env);
            }
        }
    }
    let repo = match audit::git::find_repo(&root) {
        audit::git::Repo::Root(r) => Some(r),
        audit::git::Repo::None => None,
        // Not "not a repository": the tracking checks would then pass on one that commits
        // its secrets. CI containers often check out as another user than the one running.
        audit::git::Repo::Refused { said } => {
            let absolute = std::fs::canonicalize(&root).unwrap_or_else(|_| cwd.join(&root));
            return Err(Error::Refused {
                path: root.clone(),
                reason: format!(
                    "git refuses to read the repository here ({said}), so what it tracks and \
                     ignores cannot be checked"
                ),
                hint: Some(format!(
                    "if you trust it, add it to git's safe.directory: git config --global --add \
                     safe.directory {} (or run as the user who owns it)",
                    audit::shell_word(&absolute)
                )),
            });
        }
    };
    if args.git && repo.is_none() {
        return Err(Error::usage(format!(
            "--git needs a git repository, and {} is in none",
            shown(&root, &cwd).display()
        ))
        .with_hint("run it inside the repository, or leave --git out"));
    }

    if args.staged {
        return run_staged(ctx, resolved, &args, &envs, repo.as_deref(), &root, &cwd);
    }
    let mut findings = Vec::new();
    let loaded = load(ctx, resolved, &envs, &mut findings)?;

    // Files and folders. Files holding a declared value of an environment (an export, a
    // copy) are found by content: exports carry no marker their readers would see.
    // Not a value `.env.example` has (the example-value finding), nor a placeholder.
    let declared_values: Vec<&str> = loaded
        .iter()
        .filter_map(|l| l.doc.as_ref().map(|doc| (l, doc)))
        .flat_map(|(l, doc)| {
            manifest.secrets_for(&l.env.name).flat_map(move |d| {
                let v = doc.get(&d.key);
                let example = l.example.as_ref().and_then(|e| e.get(&d.key));
                let v = v.filter(|v| !envmint::generate::is_placeholder(v) && example != Some(v));
                // `base64:{value}`: the key without its prefix is the key.
                let inner = v.and_then(|v| d.spec.format()?.inner(v));
                v.into_iter().chain(inner)
            })
        })
        .collect();
    let matcher = audit::files::value_matcher(declared_values.iter().copied());
    let scan = audit::files::scan_project(&root, matcher.as_ref(), ctx.euid);
    if scan.truncated {
        say!(
            "note: the project scan stopped after {} files; plan and identity files beyond \
             them were not checked",
            audit::files::SCAN_MAX_FILES
        );
    }
    let identity_files = identity_files(ctx, &args.identities, &scan.identity_files);
    let mut files = Vec::new();
    // Paths as people see them (relative to the working directory), so hints can be pasted.
    let short = |p: &Path| shown(p, &cwd).to_path_buf();
    for env in &envs {
        let plaintext = FileKind::Plaintext { declared: env.mode };
        files.push(SecretFile {
            path: short(&env.file),
            kind: plaintext,
            env: Some(env.name.clone()),
        });
        if let Some(sealed) = &env.sealed {
            files.push(SecretFile {
                path: short(&sealed.path),
                kind: FileKind::Sealed,
                env: Some(env.name.clone()),
            });
        }
    }
    for path in &scan.plan_files {
        files.push(SecretFile {
            path: short(path),
            kind: FileKind::Plan,
            env: None,
        });
    }
    for path in &identity_files {
        files.push(SecretFile {
            path: short(path),
            kind: FileKind::Identity,
            env: None,
        });
    }
    findings.extend(audit::files::check_modes(&files));
    let existing: Vec<&SecretFile> = files.iter().filter(|f| f.path.exists()).collect();
    let folders: Vec<&Path> = existing
        .iter()
        .filter_map(|f| f.path.parent())
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .chain([shown(&root, &cwd)])
        .collect();
    findings.extend(audit::files::check_folders(folders));

    // Git: ignore rules and tracking of the secret files on disk (sealed files may be
    // committed: that is how they are shared).
    match &repo {
        Some(repo) => {
            let git_files: Vec<GitFile> = existing
                .iter()
                .filter(|f| f.kind != FileKind::Sealed)
                .map(|f| GitFile {
                    path: f.path.clone(),
                    what: match f.kind {
                        FileKind::Plaintext { .. } => "plaintext env file",
                        FileKind::Plan => "plan file",
                        _ => "identity file",
                    },
                    env: f.env.clone(),
                    untracked_only: false,
                })
                .chain(outputs(manifest, &scan, &short))
                .collect();
            findings.extend(audit::git::check_files(repo, &git_files, &cwd)?);
            let stores: Vec<(PathBuf, String)> = envs
                .iter()
                .filter_map(|e| Some((e.sealed.as_ref()?.path.clone(), e.name.clone())))
                .filter(|(p, _)| p.exists())
                .collect();
            findings.extend(audit::git::check_attributes(repo, &stores, &cwd)?);
        }
        None => say!(
            "note: {} is not in a git repository (or git is not installed): the .gitignore \
             and tracking checks do not apply",
            shown(&root, &cwd).display()
        ),
    }

    // Values.
    let views: Vec<EnvValues<'_>> = loaded
        .iter()
        .filter_map(|l| {
            l.doc.as_ref().map(|doc| EnvValues {
                env: &l.env.name,
                doc,
                path: l.env.store_path(),
                example: l.example.as_ref(),
            })
        })
        .collect();
    // The value checks are made as the report is written (`render`): one finding per weak
    // value of a million-key file is too many to hold.
    // This user's pending-value key (never made here): a pending value it does not verify is
    // not resumable, and said so.
    let pending_key = crate::hooks::existing_pending_key(ctx).ok().flatten();
    for l in &loaded {
        if let Some(doc) = &l.doc {
            findings.extend(audit::rotation::check_rotation(
                manifest,
                l.env,
                doc,
                l.env.store_path(),
                ctx.now,
                pending_key.as_ref(),
            ));
        }
    }
    findings.extend(audit::roles::check_roles(manifest));
    // Hooks are commands envmint runs as you, written in the repository: each is a finding
    // until you allow them on this machine (again after any change), and listed after.
    let hooks = crate::hooks::listed(manifest);
    if !hooks.is_empty() {
        if crate::hooks::is_allowed(ctx, manifest, &cwd)? {
            say!("note: hooks allowed on this machine (envmint rotate runs them as you):");
            for (who, stage, text) in &hooks {
                say!("  {who} {stage}: {}", crate::hooks::one_line(text));
            }
        } else {
            for (who, stage, text) in &hooks {
                findings.push(
                    audit::Finding::new(
                        Severity::Warning,
                        audit::Check::HookNotAllowed,
                        format!(
                            "{who}: the {stage} hook runs `{}` as you; new or changed since \
                             this manifest's hooks were allowed on this machine",
                            crate::hooks::one_line(text)
                        ),
                    )
                    .hint(
                        "review it like code; envmint rotate --allow-hooks allows the hooks \
                         as they are now",
                    ),
                );
            }
        }
    }
    let hasher = KeyedHash::new(&mut ctx.rng);
    findings.extend(audit::values::check_duplicates(manifest, &views, &hasher));

    if args.git
        && let Some(repo) = &repo
    {
        let needles = needles(manifest, &views);
        let short = needles
            .iter()
            .filter(|n| n.value.chars().count() < audit::git::MIN_SEARCHED_LEN)
            .count();
        if short > 0 {
            say!(
                "note: {short} value(s) shorter than {} characters were not searched in git \
                 (they occur by chance)",
                audit::git::MIN_SEARCHED_LEN
            );
        }
        let hits = audit::git::scan_history(repo, &needles, ctx.euid)?;
        if hits.skipped > 0 {
            say!(
                "note: {} git blob(s) larger than {} MiB were not searched",
                hits.skipped,
                audit::git::MAX_BLOB >> 20
            );
        }
        findings.extend(audit::git::history_findings(repo, &needles, &hits));
    }

    let manifest = &manifest;
    let views = &views;
    let all = audit::in_report_order(findings, &audit::values::VALUE_CHECKS, |checks| {
        views
            .iter()
            .map(|view| {
                Box::new(audit::values::value_findings(
                    manifest,
                    view,
                    checks.clone(),
                )) as audit::Source<'_>
            })
            .collect()
    });
    let counted = render(all, &cwd, args.json)?;
    let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
    summary(counted, &names)
}

/// How many findings were written, and how many of them errors.
#[derive(Clone, Copy, Default)]
struct Counted {
    findings: usize,
    errors: usize,
}

impl Counted {
    fn add(&mut self, f: &Finding) {
        self.findings += 1;
        self.errors += usize::from(f.severity == Severity::Error);
    }
}

/// The last line on stderr, and the exit: 1 when anything was found.
fn summary(counted: Counted, names: &[&str]) -> Result<Exit> {
    if counted.findings == 0 {
        say!("audit: no findings ({})", names.join(", "));
        Ok(Exit::Ok)
    } else {
        say!(
            "audit: {} ({} error(s), {} warning(s)) in {}",
            crate::output::plural(counted.findings, "finding"),
            counted.errors,
            counted.findings - counted.errors,
            names.join(", ")
        );
        Ok(Exit::Problems)
    }
}

/// `audit --staged`, the commit guard: only what the commit is about to add (see
/// [`envmint::audit::staged`]). A sealed store no identity opens here is said, not a finding:
/// a teammate without the production key must still be able to commit.
fn run_staged(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    args: &AuditArgs,
    envs: &[&Environment],
    repo: Option<&Path>,
    root: &Path,
    cwd: &Path,
) -> Result<Exit> {
    // Loaded already (the environments came from it): the same manifest, not read again.
    let manifest = resolved.manifest(ctx)?;
    let Some(repo) = repo else {
        return Err(Error::usage(format!(
            "--staged needs a git repository, and {} is in none",
            shown(root, cwd).display()
        ))
        .with_hint("run it inside the repository (a pre-commit hook does)"));
    };
    let mut unopened = Vec::new();
    let loaded = load(ctx, resolved, envs, &mut unopened)?;
    for f in &unopened {
        say!(
            "note: sealed environment `{}` was not opened here, so its values were not looked \
             for in the staged files",
            f.env.as_deref().unwrap_or("?")
        );
    }
    // Every stored value, not only the declared ones: a copied value is a leak whatever its key.
    // A declared `format` (`base64:{value}`) adds the value inside it: a copy of the key
    // without its prefix is the key.
    let values: Vec<&str> = loaded
        .iter()
        .filter_map(|l| l.doc.as_ref().map(|doc| (l, doc)))
        .flat_map(|(l, doc)| {
            let formats: std::collections::HashMap<&str, _> = manifest
                .secrets_for(&l.env.name)
                .filter_map(|d| Some((d.key.as_str(), d.spec.format()?)))
                .collect();
            doc.keys().into_iter().flat_map(move |k| {
                let v = doc.get(k);
                let example = l.example.as_ref().and_then(|e| e.get(k));
                let v = v.filter(|v| !envmint::generate::is_placeholder(v) && example != Some(v));
                let inner = v.and_then(|v| formats.get(k)?.inner(v));
                v.into_iter().chain(inner)
            })
        })
        .collect();
    let matcher = audit::files::value_matcher(values.iter().copied());
    let rel = |p: &Path| audit::git::relative(repo, p, cwd);
    let rules = audit::staged::Rules {
        plaintext: envs
            .iter()
            .filter_map(|e| Some((rel(&e.file)?, e.name.clone())))
            .collect(),
        sealed: envs
            .iter()
            .filter_map(|e| rel(&e.sealed.as_ref()?.path))
            .collect(),
        values: matcher.as_ref(),
    };
    // A hook's own index (`git commit -a`, `git commit PATH`): what the commit will hold.
    let index = ctx.variable("GIT_INDEX_FILE").map(|i| cwd.join(i.as_str()));
    let staged = audit::staged::staged(repo, index.as_deref())?;
    let mut findings = audit::staged::check_staged(repo, &staged, &rules)?;
    audit::sort(&mut findings);
    render(findings.iter().cloned(), cwd, args.json)?;
    if findings.is_empty() {
        say!(
            "audit --staged: nothing to refuse in {}",
            crate::output::plural(staged.len(), "staged file")
        );
        Ok(Exit::Ok)
    } else {
        say!(
            "audit --staged: {} refused; the commit would add secrets",
            crate::output::plural(findings.len(), "file")
        );
        Ok(Exit::Problems)
    }
}

/// Loads each environment's document: a sealed one is decrypted in memory. A sealed store no
/// identity opens becomes a `sealed-unopened` finding (see the module documentation).
fn load<'m>(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    envs: &[&'m Environment],
    findings: &mut Vec<Finding>,
) -> Result<Vec<Loaded<'m>>> {
    let mut identities: Option<std::result::Result<store::OpenOptions, Error>> = None;
    let mut out = Vec::new();
    for env in envs {
        let storage = store::Storage::of(env, ctx.euid)?;
        let example = crate::target::read_example(&env.file, ctx.euid);
        let exists = std::fs::symlink_metadata(storage.path).is_ok();
        if !exists {
            out.push(Loaded {
                env,
                doc: None,
                example,
            });
            continue;
        }
        let options = match &env.sealed {
            None => {
                let mut options = store::OpenOptions::new(ctx.euid);
                options.within = options.within.relative_to(ctx.cwd_if_known());
                Ok(options)
            }
            Some(_) => identities
                .get_or_insert_with(|| resolved.store_options(ctx, &[env]))
                .as_ref()
                .map(Clone::clone)
                .map_err(clone_refusal),
        };
        let opened = options.and_then(|o| Ok(store::peek(storage.clone(), &o)?));
        let doc = match opened {
            Ok(snapshot) if snapshot.exists() => Some(snapshot.document()?),
            Ok(_) => None,
            Err(err) if err.exit() == Exit::NoPerm && env.sealed.is_some() => {
                let said = crate::report::render(&err);
                // The error names the store by its full path; the finding names it as the
                // rest of the report does, from the working folder.
                let cwd = ctx.cwd_if_known().unwrap_or(Path::new("."));
                let full = env.store_path().display().to_string();
                let message = match said.message.strip_prefix(&full) {
                    Some(rest) => format!("{}{rest}", shown(env.store_path(), cwd).display()),
                    None => said.message,
                };
                let mut f = Finding::new(
                    Severity::Error,
                    Check::SealedUnopened,
                    format!(
                        "sealed environment `{}` could not be opened, so its values were not \
                         checked: {message}",
                        env.name
                    ),
                )
                .env(&env.name)
                .path(env.store_path());
                f.hint = Some(said.hint.unwrap_or_else(|| {
                    "pass -i with an identity that opens it, or set ENVMINT_IDENTITY".into()
                }));
                findings.push(f);
                None
            }
            Err(err) => return Err(err),
        };
        out.push(Loaded { env, doc, example });
    }
    Ok(out)
}

/// An identity-loading error, again (the first one is kept for every sealed environment).
fn clone_refusal(err: &Error) -> Error {
    match err {
        Error::Lib(envmint::Error::Seal(e)) => e.clone().into(),
        other => {
            let said = crate::report::render(other);
            Error::Refused {
                path: PathBuf::from("identity"),
                reason: said.message,
                hint: said.hint,
            }
        }
    }
}

/// The identity files envmint would use (`-i`, `ENVMINT_IDENTITY`, the XDG default) and those
/// found in the project, each once.
fn identity_files(ctx: &Context, flags: &[PathBuf], found: &[PathBuf]) -> Vec<PathBuf> {
    let cwd = ctx.cwd_if_known().unwrap_or(Path::new("."));
    let mut out: Vec<PathBuf> = flags.iter().map(|p| cwd.join(p)).collect();
    if let Some(p) = &ctx.identity {
        out.push(cwd.join(p));
    }
    if let Some(dir) = ctx
        .xdg_config_home
        .clone()
        .or_else(|| ctx.home.as_ref().map(|h| h.join(".config")))
    {
        let default = dir.join("envmint").join("identity.txt");
        if default.exists() {
            out.push(default);
        }
    }
    out.extend(found.iter().cloned());
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    out
}

/// The values `--git` searches for: every secret the value checks look at, except empty ones,
/// placeholders and those equal to `.env.example`'s (the template is committed on purpose).
/// Exports and copies found by content, and docker-secrets export folders (by their list),
/// for the ignore check: the manifest's own files (which hold the values) and files inside an
/// export folder (the folder is checked) aside.
fn outputs(
    manifest: &Manifest,
    scan: &audit::files::Scan,
    short: &dyn Fn(&Path) -> PathBuf,
) -> Vec<GitFile> {
    let same = |a: &Path, b: &Path| {
        std::fs::canonicalize(a)
            .ok()
            .is_some_and(|a| std::fs::canonicalize(b).is_ok_and(|b| a == b))
    };
    let own = |p: &Path| {
        manifest
            .environments()
            .iter()
            .any(|e| same(p, &e.file) || e.sealed.as_ref().is_some_and(|s| same(p, &s.path)))
    };
    let folders: Vec<&Path> = scan
        .export_lists
        .iter()
        .filter_map(|l| l.parent())
        .collect();
    let mut out: Vec<GitFile> = scan
        .export_lists
        .iter()
        .map(|list| GitFile {
            path: short(list),
            what: "docker-secrets export folder",
            env: None,
            untracked_only: true,
        })
        .collect();
    out.extend(
        scan.value_files
            .iter()
            .filter(|p| !own(p) && !p.parent().is_some_and(|d| folders.contains(&d)))
            .map(|p| GitFile {
                path: short(p),
                what: "file holding secret values (an export or a copy)",
                env: None,
                untracked_only: true,
            }),
    );
    out
}

fn needles<'a>(manifest: &Manifest, views: &'a [EnvValues<'a>]) -> Vec<Needle<'a>> {
    let mut out = Vec::new();
    for view in views {
        for key in view.doc.keys() {
            let Some(value) = view.doc.get(key) else {
                continue;
            };
            if !audit::values::is_audited(manifest, view.env, key)
                || value.is_empty()
                || envmint::generate::is_placeholder(value)
                || view
                    .example
                    .and_then(|e| e.get(key))
                    .is_some_and(|t| t == value)
            {
                continue;
            }
            // A list of retired values (`APP_KEYS=new,old`) is searched item by item: each
            // was a secret on its own.
            let separator = manifest
                .secrets_for(view.env)
                .find_map(|d| match &d.previous {
                    Previous::List {
                        name, separator, ..
                    } if name == key && !separator.is_empty() => Some(separator.as_str()),
                    _ => None,
                });
            match separator {
                Some(sep) => {
                    out.extend(value.split(sep).filter(|v| !v.is_empty()).map(|v| Needle {
                        env: view.env,
                        key,
                        value: v,
                    }))
                }
                None => out.push(Needle {
                    env: view.env,
                    key,
                    value,
                }),
            }
        }
    }
    out
}

/// A finding as `--json` prints it: the path relative to the working directory.
#[derive(Serialize)]
struct JsonFinding<'a> {
    severity: Severity,
    check: Check,
    env: Option<&'a str>,
    key: Option<&'a str>,
    path: Option<String>,
    line: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
}

/// The findings as `--json` prints them, serialized one at a time as they are made, counted.
struct JsonFindings<'a, I> {
    findings: std::cell::RefCell<Option<I>>,
    counted: std::cell::Cell<Counted>,
    cwd: &'a Path,
}

impl<I: Iterator<Item = Finding>> Serialize for JsonFindings<'_, I> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let findings = self.findings.borrow_mut().take().into_iter().flatten();
        serializer.collect_seq(findings.map(|f| {
            let mut counted = self.counted.get();
            counted.add(&f);
            self.counted.set(counted);
            OwnedJsonFinding {
                path: path_of(&f, self.cwd),
                finding: f,
            }
        }))
    }
}

/// A finding made on the way out, as `--json` prints it.
struct OwnedJsonFinding {
    finding: Finding,
    path: Option<String>,
}

impl Serialize for OwnedJsonFinding {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let f = &self.finding;
        JsonFinding {
            severity: f.severity,
            check: f.check,
            env: f.env.as_deref(),
            key: f.key.as_deref(),
            path: self.path.clone(),
            line: f.line,
            message: &f.message,
            hint: f.hint.as_deref(),
        }
        .serialize(serializer)
    }
}

/// A finding's path as shown: relative to the working directory when inside it.
fn path_of(f: &Finding, cwd: &Path) -> Option<String> {
    f.path.as_ref().map(|p| shown(p, cwd).display().to_string())
}

/// Prints the findings on stdout as they come: grouped lines, or one JSON array. Written in
/// pieces (see `spill_stdout`), so neither the findings nor the text are held whole. Returns
/// how many were written (all of them, unless stdout was closed early).
fn render(findings: impl Iterator<Item = Finding>, cwd: &Path, json: bool) -> Result<Counted> {
    crate::output::check_stdout()?;
    if json {
        let json = JsonFindings {
            findings: std::cell::RefCell::new(Some(findings)),
            counted: std::cell::Cell::new(Counted::default()),
            cwd,
        };
        crate::output::print_json_streamed(&json, true)?;
        return Ok(json.counted.get());
    }
    let mut counted = Counted::default();
    let mut out = String::new();
    let mut title = "";
    for f in findings {
        counted.add(&f);
        if f.check.title() != title {
            // Not `out.is_empty()`: a spilled chunk empties it.
            if !title.is_empty() {
                out.push('\n');
            }
            title = f.check.title();
            out.push_str(&format!("== {title} ==\n"));
        }
        let place = match (path_of(&f, cwd), f.line, &f.env) {
            (Some(p), Some(line), _) => format!("{p}:{line}"),
            (Some(p), None, _) => p,
            (None, _, Some(env)) => env.clone(),
            (None, _, None) => "project".into(),
        };
        out.push_str(&format!(
            "{}: {}: {} [{}]\n",
            one_line(&place),
            f.severity.as_str(),
            one_line(&f.message),
            f.check.id()
        ));
        if let Some(hint) = &f.hint {
            out.push_str(&format!("  hint: {}\n", one_line(hint)));
        }
        if !crate::output::spill_stdout(&mut out, false)? {
            return Ok(counted);
        }
    }
    crate::output::spill_stdout(&mut out, true)?;
    Ok(counted)
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`): a finding is one line, and a
/// file name in the repository (`x\n.env: note: all clear`) must not print lines of its own,
/// nor terminal escapes.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_debug().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect::<String>()
        .into()
}
