//! `.env.example` from the manifest (`envmint example`): every declared secret the file lacks,
//! with an empty value and a comment saying its kind, size and role (or that it is external:
//! given by you). The user's own lines, comments and values stay as they are, and nothing
//! envmint writes here is a value or a record, so the file can be committed and a fresh clone
//! can `cp .env.example .env.production.local && envmint bootstrap production`: bootstrap
//! fills the empty values in place.

use crate::dotenv::Document;
use crate::generate::format_bits;
use crate::manifest::SecretDecl;

/// The comment put once above the lines `envmint example` adds. Not an `# envmint:` line: that
/// prefix is a record, and a record in the template would be copied into real files.
pub const HEADER: &str =
    "# Secrets declared in envmint.toml (added by `envmint example`; values stay empty here)";

/// The comment above `decl`'s line: `# KEY: hex, 32 bytes (256 bits), role signing`, or that
/// the value is given by you.
pub fn describe(decl: &SecretDecl) -> String {
    if decl.external {
        return format!(
            "# {}: external: given by you (`envmint set ENV {}`), never generated",
            decl.key, decl.key
        );
    }
    let spec = &decl.spec;
    let mut text = format!(
        "# {}: {}, {} ({} bits), role {}",
        decl.key,
        spec.kind().name(),
        spec.size_text(),
        format_bits(spec.bits()),
        decl.role.name()
    );
    if let Some(format) = spec.format() {
        text.push_str(&format!(
            ", written as {}{{value}}{}",
            format.prefix(),
            format.suffix()
        ));
    }
    text
}

/// `existing` (the current `.env.example`, empty when there is none) with a line `KEY=` and
/// its comment appended for each of `decls` it lacks, and the keys added. Every byte of
/// `existing` is kept; a final newline is added if it lacks one.
pub fn update(existing: &str, decls: &[&SecretDecl]) -> (String, Vec<String>) {
    let doc = Document::parse(existing);
    let missing: Vec<&&SecretDecl> = decls.iter().filter(|d| !doc.contains_key(&d.key)).collect();
    if missing.is_empty() {
        return (existing.to_string(), Vec::new());
    }
    let eol = if existing.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out = String::with_capacity(existing.len() + 96 * missing.len());
    out.push_str(existing);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    if !existing.lines().any(|l| l.trim() == HEADER) {
        if !out.is_empty() {
            out.push_str(eol);
        }
        out.push_str(HEADER);
        out.push_str(eol);
    }
    let mut added = Vec::new();
    for decl in missing {
        out.push_str(&describe(decl));
        out.push_str(eol);
        out.push_str(&decl.key);
        out.push('=');
        out.push_str(eol);
        added.push(decl.key.clone());
    }
    (out, added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use std::path::Path;

    fn manifest() -> Manifest {
        Manifest::parse(
            "[environments.production]\nfile = \".env.production.local\"\n\
             [secrets.SESSION]\nkind = \"hex\"\nbytes = 32\n\
             [secrets.STRIPE_KEY]\nexternal = true\n",
            Path::new("/p/envmint.toml"),
            Path::new("/p"),
        )
        .unwrap()
    }

    #[test]
    fn declared_keys_are_added_empty_and_the_users_lines_kept() {
        let m = manifest();
        let decls: Vec<&SecretDecl> = m.secrets().iter().collect();
        let (text, added) = update("# mine\nPORT=8080\nSESSION=\n", &decls);
        assert_eq!(added, ["STRIPE_KEY"]);
        assert!(
            text.starts_with("# mine\nPORT=8080\nSESSION=\n\n"),
            "{text}"
        );
        assert!(text.ends_with("STRIPE_KEY=\n"), "{text}");
        assert!(
            text.contains("# STRIPE_KEY: external: given by you"),
            "{text}"
        );
        assert!(!text.contains("# envmint:"), "{text}");
        let (again, added) = update(&text, &decls);
        assert_eq!(again, text);
        assert!(added.is_empty());
        let (fresh, _) = update("", &decls);
        assert!(
            fresh.starts_with(&format!(
                "{HEADER}\n# SESSION: hex, 32 bytes (256 bits), role signing\nSESSION=\n"
            )),
            "{fresh}"
        );
    }
}
