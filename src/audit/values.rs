//! Checks of the values themselves: empty, placeholder and example values, values weaker than
//! their declaration, undeclared secrets under 128 bits, and the same value twice.
//!
//! Values are read from documents in memory and compared through a [`KeyedHash`]; a finding
//! names the environment, key, file and line, never the value.

use super::entropy::estimate_bits;
use super::fix::Fix;
use super::{Check, Finding, Severity, looks_secret};
use crate::dotenv::Document;
use crate::generate::{MIN_BITS, Problem, is_placeholder};
use crate::manifest::{MAX_KEEP, Manifest, SecretDecl};
use crate::plan::bootstrap::{kept_problem, separator_problem};
use crate::secret::KeyedHash;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One environment's values, as loaded (a sealed one decrypted in memory).
pub struct EnvValues<'a> {
    /// The environment's name.
    pub env: &'a str,
    /// Its document.
    pub doc: &'a Document,
    /// The file the document came from (the sealed file for a sealed environment: its lines
    /// are those of the decrypted text).
    pub path: &'a Path,
    /// `.env.example` beside the environment's file, when there is one.
    pub example: Option<&'a Document>,
}

/// A key audit checks, and under which declaration.
enum Role<'a> {
    /// Declared for this environment.
    Managed(&'a SecretDecl),
    /// A name a declared key's retired values use (`KEY_PREVIOUS`...): a retired value, checked for sharing only (its form is
    /// the one of a value made earlier, maybe under another declaration).
    Previous,
    /// Not declared, but named like a secret; or declared `external` (`external: true`), with
    /// no shape to check: its value comes from its issuer, never from bootstrap.
    Unmanaged { external: bool },
}

/// The declarations of one environment, looked up by key: built once per environment, not
/// once per key (the retired-value names of every secret, made per key, took most of a
/// million-key audit).
struct Roles<'a> {
    /// Declared keys (the first declaration of a key wins).
    declared: HashMap<&'a str, &'a SecretDecl>,
    /// Every name a declared key's retired values may use.
    previous: HashSet<String>,
}

impl<'a> Roles<'a> {
    fn new(manifest: &'a Manifest, env: &'a str) -> Roles<'a> {
        let mut declared = HashMap::new();
        let mut previous = HashSet::new();
        for decl in manifest.secrets_for(env) {
            declared.entry(decl.key.as_str()).or_insert(decl);
            previous.extend(decl.previous.names(Some(MAX_KEEP)));
        }
        Roles { declared, previous }
    }

    /// The role of `key`, `None` for a key audit leaves alone (`PORT`).
    fn of(&self, key: &str) -> Option<Role<'a>> {
        if let Some(&decl) = self.declared.get(key) {
            // An external secret declares no shape to check it against (`set` does the same).
            return Some(if decl.external {
                Role::Unmanaged { external: true }
            } else {
                Role::Managed(decl)
            });
        }
        if self.previous.contains(key) {
            return Some(Role::Previous);
        }
        looks_secret(key).then_some(Role::Unmanaged { external: false })
    }
}

/// Whether audit looks at `key` of `env` at all: a declared secret, one of its retired values,
/// or an undeclared key named like a secret ([`looks_secret`]).
pub fn is_audited(manifest: &Manifest, env: &str, key: &str) -> bool {
    Roles::new(manifest, env).of(key).is_some()
}

/// Empty, placeholder, example and weak values, and undeclared secrets under [`MIN_BITS`].
///
/// Declared keys get the check bootstrap gives kept values ([`kept_problem`]); an undeclared
/// key whose name says it is a secret ([`looks_secret`]) is checked for emptiness,
/// placeholders, the example's value and the [`estimate_bits`] estimate.
pub fn check_values(manifest: &Manifest, env: &EnvValues<'_>) -> Vec<Finding> {
    value_findings(manifest, env, VALUE_CHECKS.to_vec()).collect()
}

/// The checks [`check_values`] makes.
pub const VALUE_CHECKS: [Check; 5] = [
    Check::EmptyValue,
    Check::Placeholder,
    Check::ExampleValue,
    Check::WeakValue,
    Check::LowEntropy,
];

/// [`check_values`] one finding at a time, in the order of the document's keys, keeping only
/// those of `checks` (an undeclared key's entropy is estimated only when `checks` has
/// [`Check::LowEntropy`]). What `audit` renders from, so a million weak values are never held
/// as a million findings: each is made when it is written.
pub fn value_findings<'a>(
    manifest: &'a Manifest,
    env: &'a EnvValues<'a>,
    checks: Vec<Check>,
) -> impl Iterator<Item = Finding> + 'a {
    let roles = Roles::new(manifest, env.env);
    env.doc
        .keys()
        .into_iter()
        .filter_map(move |key| value_finding(&roles, env, key, &checks))
}

/// The finding of `key` in `env`, if it has one among `checks` (at most one: the checks are
/// tried in turn and the first that applies is the key's).
fn value_finding(
    roles: &Roles<'_>,
    env: &EnvValues<'_>,
    key: &str,
    checks: &[Check],
) -> Option<Finding> {
    let value = env.doc.get(key)?;
    let finding = |severity, check, message: String| {
        Finding::new(severity, check, message)
            .env(env.env)
            .key(key)
            .path(env.path)
            .line(env.doc.line_of_key(key))
    };
    let wanted = |check: Check| checks.contains(&check);
    let example = || {
        env.example
            .and_then(|e| e.get(key))
            .is_some_and(|template| template == value)
    };
    match roles.of(key)? {
        // A retired value the template gives: a fallback everyone with the repository
        // knows, which apps accept until it is removed.
        Role::Previous if !value.is_empty() && wanted(Check::ExampleValue) && example() => Some(
            finding(
                Severity::Error,
                Check::ExampleValue,
                format!(
                    "{key}, a retired value, has the same value as in .env.example: apps \
                     accept a value the repository knows"
                ),
            )
            .fix(Fix::ExpireAndRotate { env: env.env }),
        ),
        Role::Previous => None,
        Role::Managed(decl) => {
            let problem = kept_problem(key, value, &decl.spec, env.example)
                .or_else(|| separator_problem(decl, value))?;
            let (severity, check) = match problem {
                Problem::Empty => (Severity::Error, Check::EmptyValue),
                Problem::Placeholder => (Severity::Error, Check::Placeholder),
                Problem::SameAsExample => (Severity::Error, Check::ExampleValue),
                _ => (Severity::Warning, Check::WeakValue),
            };
            wanted(check).then(|| {
                finding(
                    severity,
                    check,
                    format!("{key}: {problem}, not a {}", decl.spec.describe()),
                )
                .fix(Fix::ReplaceWeak { env: env.env })
            })
        }
        Role::Unmanaged { external } => {
            // An external secret is declared already, and bootstrap never makes one.
            let set_fix = if external {
                Fix::GetRealFromIssuer { env: env.env, key }
            } else {
                Fix::SetOrDeclare { env: env.env, key }
            };
            let (check, message) = if value.is_empty() {
                (Check::EmptyValue, format!("{key} is empty"))
            } else if is_placeholder(value) {
                (
                    Check::Placeholder,
                    format!("{key} holds a placeholder, not a secret"),
                )
            } else if example() {
                (
                    Check::ExampleValue,
                    format!("{key} has the same value as in .env.example"),
                )
            } else {
                if !wanted(Check::LowEntropy) {
                    return None;
                }
                let bits = estimate_bits(value);
                if bits >= MIN_BITS {
                    return None;
                }
                let bits = bits.floor();
                let (message, fix) = if external {
                    (
                        format!(
                            "{key} (external) looks weak: about {bits} bits by envmint's \
                             estimate, under {MIN_BITS}"
                        ),
                        Fix::GetLongerFromIssuer { env: env.env, key },
                    )
                } else {
                    (
                        format!(
                            "{key} is not declared and looks weak: about {bits} bits by \
                             envmint's estimate, under {MIN_BITS}"
                        ),
                        Fix::DeclareOrLonger { env: env.env },
                    )
                };
                return Some(finding(Severity::Warning, Check::LowEntropy, message).fix(fix));
            };
            wanted(check).then(|| finding(Severity::Error, check, message).fix(set_fix))
        }
    }
}

/// Where a value was seen.
#[derive(Clone)]
struct Seen<'a> {
    env: &'a str,
    key: &'a str,
    path: &'a Path,
    line: Option<usize>,
    /// Whether audit looks at the key for itself ([`is_audited`]).
    audited: bool,
    /// Whether the manifest declares the key in its environment (or it holds a declared
    /// key's retired value).
    declared: bool,
}

/// The same value under two keys or in two environments, compared through `hasher`'s keyed
/// digests: no value nor digest leaves this function. Declared keys, their `_PREVIOUS` and
/// undeclared keys named like secrets take part; empty values, placeholders (reported on
/// their own) and a key's `_PREVIOUS` equal to the key itself (a rotation mid-way) do not.
///
/// In two environments it is an error (one leak opens both); under two keys of one
/// environment a warning (one leak opens both uses).
///
/// Any other key (`COPIED`, `X`) takes part too when its value is a declared value of
/// *another* environment: a production secret pasted into an unmanaged key of the development
/// file is found whatever the key is called. Such keys are not compared among themselves
/// (`PORT=8080` everywhere is no finding).
pub fn check_duplicates(
    manifest: &Manifest,
    envs: &[EnvValues<'_>],
    hasher: &KeyedHash,
) -> Vec<Finding> {
    let compared = |env: &EnvValues<'_>, key: &str| {
        env.doc
            .get(key)
            .filter(|value| !value.is_empty() && !is_placeholder(value))
            .map(|value| hasher.digest(value))
    };
    // First the values that occur more than once, by 8 bytes of their digest (a collision only
    // adds a candidate): groups are then kept for those alone, not for a million values that
    // occur once.
    let mut once: HashSet<u64> = HashSet::new();
    let mut again: HashSet<u64> = HashSet::new();
    let short = |digest: &[u8; 32]| {
        let mut head = [0u8; 8];
        head.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(head)
    };
    for env in envs {
        for key in env.doc.keys() {
            if let Some(digest) = compared(env, key)
                && !once.insert(short(&digest))
            {
                again.insert(short(&digest));
            }
        }
    }
    drop(once);
    let mut groups: HashMap<[u8; 32], Vec<Seen<'_>>> = HashMap::new();
    let mut order: Vec<[u8; 32]> = Vec::new();
    for env in envs {
        let roles = Roles::new(manifest, env.env);
        for key in env.doc.keys() {
            let Some(digest) = compared(env, key).filter(|d| again.contains(&short(d))) else {
                continue;
            };
            let role = roles.of(key);
            let declared = matches!(role, Some(Role::Previous)) || roles.declared.contains_key(key);
            let group = groups.entry(digest).or_insert_with(|| {
                order.push(digest);
                Vec::new()
            });
            group.push(Seen {
                env: env.env,
                key,
                path: env.path,
                line: env.doc.line_of_key(key),
                audited: role.is_some(),
                declared,
            });
        }
    }
    let mut out = Vec::new();
    for digest in order {
        let all = &groups[&digest];
        let mut declared_in: Vec<&str> = all.iter().filter(|d| d.declared).map(|d| d.env).collect();
        declared_in.dedup();
        let group: Vec<Seen<'_>> = all
            .iter()
            .filter(|m| m.audited || declared_in.iter().any(|e| *e != m.env))
            .cloned()
            .collect();
        let pairs = |a: &Seen<'_>, b: &Seen<'_>| {
            a.env == b.env
                && (a.key.strip_suffix("_PREVIOUS") == Some(b.key)
                    || b.key.strip_suffix("_PREVIOUS") == Some(a.key))
        };
        for (i, seen) in group.iter().enumerate() {
            let others: Vec<&Seen<'_>> = group
                .iter()
                .enumerate()
                .filter(|(j, other)| *j != i && !pairs(seen, other))
                .map(|(_, o)| o)
                .collect();
            if others.is_empty() {
                continue;
            }
            let across = others.iter().any(|o| o.env != seen.env);
            let named: Vec<String> = others
                .iter()
                .take(3)
                .map(|o| {
                    if o.env == seen.env {
                        o.key.to_string()
                    } else {
                        format!("{} in {}", o.key, o.env)
                    }
                })
                .collect();
            let more = if others.len() > 3 {
                format!(" and {} more", others.len() - 3)
            } else {
                String::new()
            };
            let (severity, fix) = if across {
                (Severity::Error, Fix::OwnPerEnvironment)
            } else {
                (Severity::Warning, Fix::OwnPerUse)
            };
            out.push(
                Finding::new(
                    severity,
                    Check::DuplicateValue,
                    format!(
                        "{} has the same value as {}{more}",
                        seen.key,
                        named.join(", ")
                    ),
                )
                .env(seen.env)
                .key(seen.key)
                .path(seen.path)
                .line(seen.line)
                .fix(fix),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const MANIFEST: &str = "[environments.production]\n[environments.staging]\n\
        [secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n";
    const GOOD: &str = "3f9a0c7e5b12d84f6a0e9c3b7d51f28a4c6e0b9d2f7a13c5e8b04d6f1a3c7e92";

    fn manifest() -> Manifest {
        Manifest::parse(MANIFEST, Path::new("/p/envmint.toml"), Path::new("/p")).unwrap()
    }

    fn checks(found: &[Finding]) -> Vec<(&str, &str)> {
        found
            .iter()
            .map(|f| (f.key.as_deref().unwrap(), f.check.id()))
            .collect()
    }

    #[test]
    fn each_value_problem_has_its_check() {
        let m = manifest();
        let doc = Document::parse(
            "SECRET_KEY=changeme\nAPI_TOKEN=\nSTRIPE_KEY=sk_test_123\nPORT=80\n\
             GITHUB_TOKEN=your-token-here\nOTHER_SECRET=copied-from-the-example-file\n",
        );
        let example = Document::parse("OTHER_SECRET=copied-from-the-example-file\n");
        let env = EnvValues {
            env: "production",
            doc: &doc,
            path: Path::new("/p/.env"),
            example: Some(&example),
        };
        let found = check_values(&m, &env);
        assert_eq!(
            checks(&found),
            [
                ("SECRET_KEY", "placeholder"),
                ("API_TOKEN", "empty-value"),
                ("STRIPE_KEY", "low-entropy"),
                ("GITHUB_TOKEN", "placeholder"),
                ("OTHER_SECRET", "example-value"),
            ]
        );
        assert_eq!(found[0].line, Some(1));
        let doc = Document::parse(&format!("SECRET_KEY={}\n", &GOOD[..40]));
        let found = check_values(&m, &EnvValues { doc: &doc, ..env });
        assert_eq!(checks(&found), [("SECRET_KEY", "weak-value")]);
        assert_eq!(
            found[0].message,
            "SECRET_KEY: 20 bytes long, not a 32-byte hex secret"
        );
    }

    #[test]
    fn shared_values_are_found_without_showing_them() {
        let m = manifest();
        let prod = Document::parse(&format!(
            "SECRET_KEY={GOOD}\nSECRET_KEY_PREVIOUS={GOOD}\nAPI_KEY=zQ8x\n"
        ));
        let staging = Document::parse(&format!("SECRET_KEY={GOOD}\nAPI_TOKEN=zQ8x\n"));
        let envs = [
            EnvValues {
                env: "production",
                doc: &prod,
                path: Path::new("/p/.env.production.local"),
                example: None,
            },
            EnvValues {
                env: "staging",
                doc: &staging,
                path: Path::new("/p/.env.staging.local"),
                example: None,
            },
        ];
        let hasher = KeyedHash::new(&mut rand_chacha::ChaCha20Rng::seed_from_u64(3));
        let found = check_duplicates(&m, &envs, &hasher);
        let msgs: Vec<_> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "SECRET_KEY has the same value as SECRET_KEY in staging",
                "SECRET_KEY_PREVIOUS has the same value as SECRET_KEY in staging",
                "SECRET_KEY has the same value as SECRET_KEY in production, SECRET_KEY_PREVIOUS in production",
                "API_KEY has the same value as API_TOKEN in staging",
                "API_TOKEN has the same value as API_KEY in production",
            ]
        );
        assert!(found.iter().all(|f| f.severity == Severity::Error));
        let text = format!("{found:?}");
        assert!(!text.contains(GOOD) && !text.contains("zQ8x"));
    }
}
