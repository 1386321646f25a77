//! The manifest's rotation settings, checked for what they would do:
//!
//! - `signing-credential` (a warning): a secret named like a password, token, credential or
//!   API key ([`looks_like_credential`]) whose role is `signing`, declared or by default. A
//!   due signing key is given a new value by `rotate --due`; a credential changed in the file
//!   alone locks the app out of its service. External secrets are left out: envmint never
//!   changes their value.
//! - `overlap-keep` (a warning): an `overlap` longer than `rotate_every` x `keep`. Rotations
//!   inside the window push retired values out before they expire; [`overlap_keep`] gives the
//!   `keep` that holds.

use super::fix::Fix;
use super::{Check, Finding, Severity};
use crate::manifest::{MAX_KEEP, Manifest, Previous, Role, SecretDecl, Source};
use crate::time::format_duration;

pub use crate::manifest::looks_like_credential;

/// When `decl`'s `overlap` cannot hold: the smallest `keep` that makes `rotate_every` x `keep`
/// cover it (which may be more than [`MAX_KEEP`]), or `None` when the declared one does. A secret that never
/// falls due, keeps no previous value or is an encryption key (whose keys do not expire) is
/// fine.
pub fn overlap_keep(decl: &SecretDecl) -> Option<u64> {
    let (Some(overlap), Some(every)) = (decl.overlap, decl.rotate_every) else {
        return None;
    };
    if decl.role == Role::Encryption {
        return None;
    }
    let keep = decl.previous.keep();
    let covered = every.saturating_mul(u32::try_from(keep).unwrap_or(u32::MAX));
    if overlap <= covered {
        return None;
    }
    Some(overlap.as_secs().div_ceil(every.as_secs().max(1)))
}

/// The findings of the manifest's rotation settings.
pub fn check_roles(manifest: &Manifest) -> Vec<Finding> {
    let path = match manifest.source() {
        Source::File(p) => Some(p.clone()),
        Source::Builtin => None,
    };
    let mut out = Vec::new();
    for decl in manifest.secrets() {
        let key = &decl.key;
        let at = |f: Finding| match &path {
            Some(p) => f.key(key).path(p.clone()),
            None => f.key(key),
        };
        if decl.role == Role::Signing && !decl.external && looks_like_credential(key) {
            let message = if decl.credential_by_name() {
                format!(
                    "{key} is named like a credential and declares no role: `rotate --due` \
                     keeps it as a credential (never changed in the file alone), but every \
                     other command takes it for a signing key"
                )
            } else {
                format!(
                    "{key} is named like a credential but its role is signing, so `rotate \
                     --due` would change it in the file alone and the service it logs in to \
                     would refuse the new value"
                )
            };
            out.push(
                at(Finding::new(
                    Severity::Warning,
                    Check::SigningCredential,
                    message,
                ))
                .fix(Fix::DeclareRole { key }),
            );
        }
        if let Some(needed) = overlap_keep(decl) {
            out.push(at(overlap_keep_finding(decl, needed)));
        }
    }
    out
}

/// The `overlap-keep` finding of `decl`, which needs `keep = needed`.
pub fn overlap_keep_finding(decl: &SecretDecl, needed: u64) -> Finding {
    let key = &decl.key;
    let every = decl.rotate_every.map_or_else(String::new, format_duration);
    let overlap = decl.overlap.map_or_else(String::new, format_duration);
    let keep = decl.previous.keep();
    let fits = needed <= MAX_KEEP as u64;
    let fix = if fits && !matches!(decl.previous, Previous::One(_)) {
        Fix::KeepMore { key, needed }
    } else if fits {
        Fix::KeepInList { key, needed }
    } else {
        Fix::ShortenOverlap {
            every: every.clone(),
        }
    };
    Finding::new(
        Severity::Warning,
        Check::OverlapKeep,
        format!(
            "{key}: overlap {overlap} is longer than rotate_every {every} x keep {keep}: a \
             rotation inside the window pushes a retired value out before it expires"
        ),
    )
    .fix(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest(secrets: &str) -> Manifest {
        Manifest::parse(
            &format!("[environments.production]\n{secrets}"),
            Path::new("/p/envmint.toml"),
            Path::new("/p"),
        )
        .unwrap()
    }

    fn ids(m: &Manifest) -> Vec<(String, &'static str)> {
        check_roles(m)
            .into_iter()
            .map(|f| (f.key.unwrap(), f.check.id()))
            .collect()
    }

    #[test]
    fn credential_names() {
        for yes in [
            "DB_PASSWORD",
            "REDIS_PASS",
            "SMTP_PASSWD",
            "STRIPE_API_KEY",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "SERVICE_CREDENTIALS",
            "PASSWORD",
            "db_password",
        ] {
            assert!(looks_like_credential(yes), "{yes}");
        }
        for no in [
            "SECRET_KEY",
            "SESSION_SECRET",
            "PASSPORT_SECRET",
            "BYPASS",
            "ENCRYPTION_KEY",
            "TOKENS_SECRET",
        ] {
            assert!(!looks_like_credential(no), "{no}");
        }
    }

    #[test]
    fn a_credential_name_left_signing_is_found_explicit_or_by_default() {
        let m = manifest(
            "[secrets.DB_PASSWORD]\n[secrets.API_TOKEN]\nrole = \"signing\"\n\
             [secrets.REDIS_PASSWORD]\nrole = \"credential\"\n\
             [secrets.STRIPE_API_KEY]\nexternal = true\n[secrets.SECRET_KEY]\n\
             [secrets.DATA_PASSWORD]\nrole = \"encryption\"\n",
        );
        assert_eq!(
            ids(&m),
            [
                ("DB_PASSWORD".to_string(), "signing-credential"),
                ("API_TOKEN".to_string(), "signing-credential"),
            ]
        );
        let f = &check_roles(&m)[0];
        assert_eq!(f.path.as_deref(), Some(Path::new("/p/envmint.toml")));
        assert!(f.hint.as_deref().unwrap().contains("role = \"credential\""));
        // The built-in preset declares its passwords credentials.
        assert_eq!(ids(&Manifest::builtin(Path::new("/p"))), []);
    }

    #[test]
    fn an_overlap_no_keep_can_hold_names_the_keep_that_does() {
        let m = manifest(
            "[secrets.A]\nrotate_every = \"7d\"\noverlap = \"30d\"\n\
             [secrets.B]\nrotate_every = \"7d\"\noverlap = \"30d\"\n\
             previous = { list = \"B_OLD\", keep = 2 }\n\
             [secrets.C]\nrotate_every = \"7d\"\noverlap = \"14d\"\n\
             previous = { numbered = \"C_{n}\", keep = 2 }\n\
             [secrets.D]\nrotate_every = \"never\"\noverlap = \"30d\"\n\
             [secrets.E]\nrotate_every = \"1d\"\noverlap = \"30d\"\n",
        );
        let found: Vec<_> = m.secrets().iter().map(overlap_keep).collect();
        assert_eq!(found, [Some(5), Some(5), None, None, Some(30)]);
        let findings = check_roles(&m);
        assert_eq!(findings.len(), 3);
        assert_eq!(
            findings[0].message,
            "A: overlap 30d is longer than rotate_every 7d x keep 1: a rotation inside the \
             window pushes a retired value out before it expires"
        );
        assert!(findings[0].hint.as_deref().unwrap().contains("keep = 5"));
        assert_eq!(
            findings[1].hint.as_deref(),
            Some("keep = 5 in the `previous` of [secrets.B] makes it hold")
        );
        assert!(
            findings[2]
                .hint
                .as_deref()
                .unwrap()
                .starts_with("shorten `overlap`")
        );
    }
}
