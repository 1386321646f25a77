//! The lines `envmint init` makes sure `.gitignore` has, so secret files stay out of git.

/// Patterns that keep secret material out of git: local dotenv files, exports and unsealed
/// copies as the README names them (`-o prod.env`, `-o secrets/`, `unseal -o secrets.env`),
/// plan files (`-o rotation.plan`: they hold the new values), age identity files, and the
/// writer's temporary files (a run killed mid-write leaves one behind until the next run).
/// `!.env.example` keeps the example file committable.
pub const ENTRIES: [&str; 7] = [
    ".env*.local",
    "?*.env",
    "*.plan",
    "secrets/",
    "*.age.key",
    ".*.envmint-tmp.*",
    "!.env.example",
];

/// The comment put above the lines envmint adds.
pub const HEADER: &str = "# envmint: secret files stay out of git";

/// Returns `existing` with every entry of [`ENTRIES`] it lacks appended (under [`HEADER`]), and
/// the entries added. Lines are compared trimmed, so no line is ever added twice; the existing
/// bytes are kept as they are, with a final newline added if missing.
pub fn ensure(existing: &str) -> (String, Vec<&'static str>) {
    let present: std::collections::HashSet<&str> = existing.lines().map(str::trim).collect();
    let missing: Vec<&'static str> = ENTRIES
        .iter()
        .copied()
        .filter(|e| !present.contains(e))
        .collect();
    if missing.is_empty() {
        return (existing.to_string(), missing);
    }
    let eol = if existing.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out = String::with_capacity(existing.len() + 128);
    out.push_str(existing);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    if !out.is_empty() {
        out.push_str(eol);
    }
    if !present.contains(HEADER) {
        out.push_str(HEADER);
        out.push_str(eol);
    }
    for entry in &missing {
        out.push_str(entry);
        out.push_str(eol);
    }
    (out, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_from_nothing() {
        let (out, added) = ensure("");
        assert_eq!(added.len(), ENTRIES.len());
        assert_eq!(
            out,
            format!(
                "{HEADER}\n.env*.local\n?*.env\n*.plan\nsecrets/\n*.age.key\n.*.envmint-tmp.*\n\
                 !.env.example\n"
            )
        );
    }

    #[test]
    fn keeps_existing_bytes_and_never_adds_a_line_twice() {
        let existing = "node_modules/\n  .env*.local  \n/dist";
        let (out, added) = ensure(existing);
        assert!(out.starts_with("node_modules/\n  .env*.local  \n/dist\n"));
        assert_eq!(
            added,
            [
                "?*.env",
                "*.plan",
                "secrets/",
                "*.age.key",
                ".*.envmint-tmp.*",
                "!.env.example"
            ]
        );
        let (again, added) = ensure(&out);
        assert_eq!(again, out);
        assert!(added.is_empty());
        assert_eq!(out.matches(".env*.local").count(), 1);
    }

    #[test]
    fn follows_crlf_files() {
        let (out, _) = ensure("dist\r\n");
        assert!(out.ends_with("!.env.example\r\n"));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }
}
