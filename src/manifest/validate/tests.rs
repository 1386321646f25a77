//! The manifest's validation, case by case: what each bad manifest is refused for, and where.

use super::read::Ctx;
use super::*;
use crate::dotenv;
use crate::error::Exit;
use crate::error::{Error, ManifestProblem, Result};
use crate::generate::Kind;
use crate::manifest::{Manifest, Role, RotationProblem};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The line index answers as counting from the start did, at every offset (the count
/// made loading n secrets take n^2 time; scripts/hostile.sh times it).
#[test]
fn the_line_index_agrees_with_counting_line_feeds() {
    let text = "a\n\nb = 1\r\n[secrets.X]\nlast";
    let ctx = Ctx::new(text, Path::new("envmint.toml"));
    for offset in 0..=text.len() + 2 {
        assert_eq!(
            ctx.line(offset),
            crate::text::line_of_offset(text.as_bytes(), offset),
            "{offset}"
        );
    }
}

fn parse(text: &str) -> Result<Manifest> {
    Manifest::parse(text, Path::new("envmint.toml"), Path::new("/app"))
}

/// Asserts where `text` fails, as `error` begins (`envmint.toml:LINE: `), with exit 65.
/// The exact words, `error` and `hint`, are the binary's: the case files under
/// `tests/cli/cmd/{manifest,rotation,sealed}/` assert them for these same cases.
#[track_caller]
fn says(text: &str, error: &str, _hint: &str) {
    let err = parse(text).expect_err("must fail");
    assert_eq!(err.exit(), Exit::DataErr, "{err:?}");
    let Error::Manifest(m) = &err else {
        panic!("not a manifest error: {err:?}");
    };
    let location = crate::error::Location::new(&m.path, m.line).to_string();
    assert!(
        error.starts_with(&format!("{location}: ")),
        "{err:?} for:\n{text}"
    );
}

const ENVS: &str = "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n";

/// The manifest problem of `text` and the line it names.
fn problem_at(text: &str) -> (Option<usize>, ManifestProblem) {
    match parse(text).expect_err("must fail") {
        Error::Manifest(m) => (m.line, m.problem),
        other => panic!("{other:?}"),
    }
}

#[test]
fn format_and_slots_parse() {
    let m = parse(&format!(
        "{ENVS}[secrets.APP_KEY]\nkind = \"base64\"\nbytes = 32\nformat = \"base64:{{value}}\"\n\
         previous = {{ list = \"APP_PREVIOUS_KEYS\" }}\n\
         [secrets.AUTH_SECRET_3]\nkind = \"base64\"\n\
         previous = {{ slots = [\"AUTH_SECRET_2\", \"AUTH_SECRET_1\", \"AUTH_SECRET\"] }}\n"
    ))
    .unwrap();
    let s = m.secrets();
    assert_eq!(s[0].spec.format().unwrap().prefix(), "base64:");
    assert_eq!(
        s[1].previous,
        super::super::Previous::Slots(vec![
            "AUTH_SECRET_2".into(),
            "AUTH_SECRET_1".into(),
            "AUTH_SECRET".into()
        ])
    );
    assert_eq!(s[1].previous.keep(), 3);
    assert_eq!(s[1].previous.slot(3).as_deref(), Some("AUTH_SECRET"));
    assert_eq!(s[1].previous.slot(4), None);
}

#[test]
fn fail_formats_and_slots_name_their_line() {
    let secret = |body: &str| format!("{ENVS}[secrets.A]\nkind = \"hex\"\n{body}\n");
    for (body, want) in [
        (
            "format = \"base64:\"",
            ManifestProblem::BadFormat { count: 0 },
        ),
        (
            "format = \"{value}{value}\"",
            ManifestProblem::BadFormat { count: 2 },
        ),
        (
            "format = \"it's:{value}\"",
            ManifestProblem::UnsafeFormat(dotenv::UnsafeChar::SingleQuote),
        ),
    ] {
        let (line, found) = problem_at(&secret(body));
        assert_eq!(line, Some(6), "{body}");
        assert_eq!(format!("{found:?}"), format!("{want:?}"), "{body}");
    }
    // The list separator may not be in the format's text either.
    let (line, p) = problem_at(&secret(
        "format = \"k,{value}\"\nprevious = { list = \"OLD\", separator = \",\" }",
    ));
    assert_eq!(line, Some(7));
    assert!(
        matches!(
            p,
            ManifestProblem::Rotation(RotationProblem::SeparatorInAlphabet { found: ',', .. })
        ),
        "{p:?}"
    );
    for (body, line) in [
        ("previous = { slots = \"A_1\" }", 6),
        ("previous = { slots = [] }", 6),
        ("previous = { slots = [\"A_1\"], keep = 2 }", 6),
        ("previous = { slots = [\"1A\"] }", 6),
        ("previous = { slots = [\"A_1\"], numbered = \"A_{n}\" }", 6),
        ("previous = { slots = [\"A\"] }", 6),
    ] {
        assert_eq!(problem_at(&secret(body)).0, Some(line), "{body}");
    }
    // An external secret takes no format.
    let (line, p) = problem_at(&format!(
        "{ENVS}[secrets.A]\nexternal = true\nformat = \"x{{value}}\"\n"
    ));
    assert_eq!(line, Some(6));
    assert!(
        matches!(
            p,
            ManifestProblem::Rotation(RotationProblem::ExternalWithShape {
                field: "format",
                ..
            })
        ),
        "{p:?}"
    );
}

#[test]
fn a_full_manifest_parses_in_declaration_order() {
    let m = parse(&format!(
        "[defaults]\nrotate_every = \"30d\"\n{ENVS}\
         [secrets.ZED]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"2w\"\n\
         [secrets.ALPHA]\nalphabet = \"abcdefghij#;&*\"\nlength = 40\nenvironments = [\"production\"]\n\
         [secrets.DEFAULTED]\n"
    ))
    .unwrap();
    let names: Vec<_> = m.environments().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["staging", "production"]);
    assert_eq!(
        m.environments()[0].file,
        Path::new("/app/.env.staging.local")
    );
    assert_eq!(m.environments()[1].file, Path::new("/app/prod.env"));
    let keys: Vec<_> = m.secrets().iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["ZED", "ALPHA", "DEFAULTED"]);
    assert_eq!(
        m.secrets()[0].rotate_every,
        Some(Duration::from_secs(14 * 86_400))
    );
    assert_eq!(
        m.secrets()[1].rotate_every,
        Some(Duration::from_secs(30 * 86_400))
    );
    let staging: Vec<_> = m.secrets_for("staging").map(|s| s.key.as_str()).collect();
    assert_eq!(staging, ["ZED", "DEFAULTED"]);
    assert_eq!(m.secrets()[2].spec.kind(), &Kind::Base64Url);
    assert_eq!(m.secrets()[2].spec.bits(), 256.0);
}

#[test]
fn fail_unknown_tables_and_fields_suggest_the_right_name() {
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbyts = 32\n"),
        "envmint.toml:6: unknown field `byts` in [secrets.A]",
        "did you mean `bytes`?",
    );
    says(
        &format!("{ENVS}[secrets.A]\nsize = 32\n"),
        "envmint.toml:5: unknown field `size` in [secrets.A]",
        "[secrets.A] takes: kind, alphabet, bytes, bits, length, rotate_every, environments, external, overlap, previous, role, format, hooks, alternate, hook_timeout",
    );
    says(
        &format!("[defualts]\n{ENVS}"),
        "envmint.toml:1: unknown table [defualts]",
        "did you mean [defaults]?",
    );
    says(
        &format!("rotate_every = \"30d\"\n{ENVS}"),
        "envmint.toml:1: unknown setting `rotate_every` at the top of the manifest",
        "put `rotate_every` under [defaults]",
    );
    says(
        &format!("{ENVS}[environments.dev]\npath = \"x\"\n"),
        "envmint.toml:5: unknown field `path` in [environments.dev]",
        "[environments.dev] takes: file, mode, sealed, recipients, recipients_file, armor, after, hook_timeout",
    );
    says(
        &format!("{ENVS}[environments.dev]\nfiles = \"x\"\n"),
        "envmint.toml:5: unknown field `files` in [environments.dev]",
        "did you mean `file`?",
    );
    says(
        &format!("[defaults]\nrotate = \"9d\"\n{ENVS}"),
        "envmint.toml:2: unknown field `rotate` in [defaults]",
        "did you mean `rotate_every`?",
    );
    says(
        &format!("[defaults]\nrotation = \"9d\"\n{ENVS}"),
        "envmint.toml:2: unknown field `rotation` in [defaults]",
        "[defaults] takes: rotate_every, mode, overlap, role, hook_timeout",
    );
}

#[test]
fn fail_values_of_the_wrong_type_say_what_the_field_takes() {
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = \"32\"\n"),
        "envmint.toml:6: `bytes` must be a whole number, not text",
        "write it without quotes, e.g. bytes = 32",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"alnum\"\nlength = 40.5\n"),
        "envmint.toml:6: `length` must be a whole number, not 40.5",
        "e.g. length = 43",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbits = -256\n"),
        "envmint.toml:6: `bits` cannot be negative",
        "e.g. bits = 256",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = true\n"),
        "envmint.toml:6: `bytes` must be a whole number, not true or false",
        "e.g. bytes = 32",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 99999999999999999999999\n"),
        "envmint.toml:6: bytes is too large (at most 1048576)",
        "leave the size out for the default, bytes = 32 (256 bits)",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = hex\n"),
        "envmint.toml:5: invalid TOML: string values must be quoted, expected literal string",
        "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 \
         (text in quotes, numbers without)",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = 3\n"),
        "envmint.toml:5: `kind` must be text in quotes, not a number",
        "e.g. kind = \"hex\"",
    );
    says(
        &format!("[defaults]\nrotate_every = 90\n{ENVS}"),
        "envmint.toml:2: `rotate_every` must be text in quotes, not a number",
        "e.g. rotate_every = \"90d\"",
    );
    says(
        &format!("defaults = 3\n{ENVS}"),
        "envmint.toml:1: [defaults] must be a table, not a number",
        "write it as [defaults] on its own line, then e.g. rotate_every = \"90d\"",
    );
    says(
        "[[secrets]]\nkind = \"hex\"\n",
        "envmint.toml:1: `secrets` must be a table, not a list",
        "write it as [secrets.API_KEY] on its own line, then e.g. kind = \"hex\"",
    );
    says(
        &format!("{ENVS}[secrets]\nA = \"hex\"\n"),
        "envmint.toml:5: [secrets.A] must be a table, not text",
        "write it as [secrets.A] on its own line",
    );
    says(
        &format!("{ENVS}[environments.dev]\nfile = 3\n"),
        "envmint.toml:5: `file` must be text in quotes, not a number",
        "e.g. file = \".env.dev.local\"",
    );
    says(
        &format!("{ENVS}[secrets.A]\nenvironments = \"production\"\n"),
        "envmint.toml:5: `environments` must be a list of names",
        "put the name in brackets: environments = [\"production\"]",
    );
    says(
        &format!("{ENVS}[secrets.A]\nenvironments = [\"production\", 3]\n"),
        "envmint.toml:5: each entry of `environments` must be a name in quotes",
        "e.g. environments = [\"production\"]",
    );
    says(
        &format!("{ENVS}[secrets.A]\nenvironments = []\n"),
        "envmint.toml:5: `environments` is empty",
        "leave it out to mean every environment",
    );
}

#[test]
fn fail_toml_syntax_and_duplicates() {
    says(
        &format!("{ENVS}[secrets.A\n"),
        "envmint.toml:4: invalid TOML: unclosed table, expected `]`",
        "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 \
         (text in quotes, numbers without)",
    );
    says(
        &format!("{ENVS}[secrets.A]\n[secrets.A]\n"),
        "envmint.toml:5: `A` is declared twice",
        "each table and each field may appear only once; merge the two",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nkind = \"hex\"\n"),
        "envmint.toml:6: `kind` is declared twice",
        "each table and each field may appear only once; merge the two",
    );
}

#[test]
fn fail_unknown_kind_suggests_a_close_one() {
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hax\"\n"),
        "envmint.toml:5: unknown kind `hax`",
        "did you mean `hex`?",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"uuid\"\n"),
        "envmint.toml:5: unknown kind `uuid`",
        "use one of: hex, base64, base64url, base32, alnum, password, or `alphabet = \"...\"`",
    );
}

#[test]
fn fail_size_that_does_not_fit_the_kind() {
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nlength = 32\n"),
        "envmint.toml:6: `length` does not apply to hex",
        "use `bytes = N` or `bits = N`",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"alnum\"\nbytes = 32\n"),
        "envmint.toml:6: `bytes` does not apply to alnum",
        "use `length = N` or `bits = N`",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 32\nbits = 256\n"),
        "envmint.toml:7: give only one of `bytes`, `bits`, `length`",
        "hex takes `bytes` or `bits`",
    );
}

#[test]
fn fail_a_zero_or_huge_size_has_a_hint_for_the_kind() {
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 0\n"),
        "envmint.toml:6: bytes must be at least 1",
        "leave the size out for the default, bytes = 32 (256 bits)",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"alnum\"\nlength = 0\n"),
        "envmint.toml:6: length must be at least 1",
        "leave the size out for the default, length = 43 (256 bits)",
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 99999999999\n"),
        "envmint.toml:6: bytes is too large (at most 1048576)",
        "leave the size out for the default, bytes = 32 (256 bits)",
    );
}

#[test]
fn fail_under_128_bits() {
    says(
        &format!("{ENVS}[secrets.DB]\nkind = \"alnum\"\nlength = 21\n"),
        "envmint.toml:6: DB has 125.03 bits of entropy, under the 128-bit floor",
        "use `length = 22` or more, or `bits = 128`",
    );
    says(
        &format!("{ENVS}[secrets.K]\nkind = \"hex\"\nbits = 64\n"),
        "envmint.toml:6: K has 64 bits of entropy, under the 128-bit floor",
        "use `bytes = 16` or more, or `bits = 128`",
    );
}

#[test]
fn fail_bad_durations() {
    let syntax = "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"";
    for (bad, why, hint) in [
        ("90", "", syntax),
        ("d", "", syntax),
        ("90x", "", syntax),
        (" 9d", "", syntax),
        ("9é", "", syntax),
        ("P90D", "", syntax),
        ("0d", ": it must be longer than zero", syntax),
        ("-1d", ": it must be longer than zero", syntax),
        (
            "1.5d",
            ": use whole numbers",
            "use a smaller unit, e.g. \"36h\" rather than \"1.5d\"",
        ),
        (
            "3 months",
            ": a month is not a fixed length (28 to 31 days)",
            "write it in days or weeks, e.g. \"30d\" or \"4w\"",
        ),
        (
            "1y",
            ": a year is not a fixed length (365 or 366 days)",
            "write it in days or weeks, e.g. \"365d\" or \"52w\"",
        ),
        (
            "500ms",
            ": the smallest unit is a second",
            "use seconds or a larger unit, e.g. \"30s\"",
        ),
    ] {
        says(
            &format!("[defaults]\nrotate_every = \"{bad}\"\n{ENVS}"),
            &format!("envmint.toml:2: bad duration `{bad}`{why}"),
            hint,
        );
    }
    // The same words for a secret's own period, on its line.
    says(
        &format!("{ENVS}[secrets.A]\nrotate_every = \"1mo\"\n"),
        "envmint.toml:5: bad duration `1mo`: a month is not a fixed length (28 to 31 days)",
        "write it in days or weeks, e.g. \"30d\" or \"4w\"",
    );
}

#[test]
fn friendly_durations_are_accepted() {
    let m = parse(&format!(
        "[defaults]\nrotate_every = \"90 days\"\n{ENVS}[secrets.A]\nrotate_every = \"2w 3d\"\n[secrets.B]\n"
    ))
    .unwrap();
    assert_eq!(m.rotate_every(), Some(Duration::from_secs(90 * 86_400)));
    assert_eq!(
        m.secrets()[0].rotate_every,
        Some(Duration::from_secs(17 * 86_400))
    );
    assert_eq!(
        m.secrets()[1].rotate_every,
        Some(Duration::from_secs(90 * 86_400))
    );
}

#[test]
fn fail_secret_naming_an_undeclared_environment() {
    says(
        &format!("{ENVS}[secrets.A]\nenvironments = [\"staging\", \"prodution\"]\n"),
        "envmint.toml:5: A names undeclared environment `prodution`",
        "did you mean `production`?",
    );
    says(
        &format!("{ENVS}[secrets.A]\nenvironments = [\"qa\"]\n"),
        "envmint.toml:5: A names undeclared environment `qa`",
        "declared: staging, production; or declare it with [environments.qa]",
    );
    // Never a hint like [environments.../../etc/x], which is not TOML.
    says(
        &format!("{ENVS}[secrets.A]\nenvironments = [\"../../etc/x\"]\n"),
        "envmint.toml:5: A names undeclared environment `../../etc/x`",
        "declared: staging, production; environment names are letters, digits, `-` and `_` \
         (at most 64), e.g. production",
    );
}

#[test]
fn fail_invalid_and_overlong_names() {
    says(
        &format!("{ENVS}[secrets.\"1KEY\"]\n"),
        "envmint.toml:4: invalid key name `1KEY`",
        "key names are letters, digits and `_`, not starting with a digit",
    );
    says(
        &format!("{ENVS}[secrets.\"MY-KEY\"]\n"),
        "envmint.toml:4: invalid key name `MY-KEY`",
        "key names are letters, digits and `_`, not starting with a digit",
    );
    says(
        &format!("{ENVS}[secrets.\"A\\nhint: evil\"]\n"),
        "envmint.toml:4: invalid key name `A\\nhint: evil`",
        "key names are letters, digits and `_`, not starting with a digit",
    );
    says(
        &format!("{ENVS}[secrets.{}]\n", "K".repeat(256)),
        &format!(
            "envmint.toml:4: the key name `{}…` is 256 characters, over the limit of 255",
            "K".repeat(40)
        ),
        "use a shorter name; environment variable names are rarely over 50",
    );
    assert!(parse(&format!("{ENVS}[secrets.{}]\n", "K".repeat(255))).is_ok());
    says(
        "[environments.\"prod/x\"]\n",
        "envmint.toml:1: invalid environment name `prod/x`",
        "(report.rs: ENV_NAME_RULE)",
    );
    says(
        &format!("[environments.{}]\n", "e".repeat(65)),
        &format!(
            "envmint.toml:1: the environment name `{}…` is 65 characters, over the limit of 64",
            "e".repeat(40)
        ),
        "(report.rs: ENV_NAME_RULE)",
    );
    assert!(parse(&format!("[environments.{}]\n", "e".repeat(64))).is_ok());
}

#[test]
fn fail_alphabets_no_quoting_makes_safe() {
    // The words are report.rs's (tested there with these alphabets).
    let problem = |text: String| match parse(&text).expect_err("must fail") {
        Error::Manifest(m) if m.line == Some(5) => m.problem,
        other => panic!("{other:?}"),
    };
    for bad in ["abc${", "abc\\\\", "abc'"] {
        let found = problem(format!(
            "{ENVS}[secrets.A]\nalphabet = \"{bad}\"\nlength = 100\n"
        ));
        assert!(
            matches!(found, ManifestProblem::UnsafeAlphabet(_)),
            "{found:?}"
        );
    }
    let found = problem(format!(
        "{ENVS}[secrets.A]\nalphabet = \"ab a\"\nlength = 200\n"
    ));
    assert!(
        matches!(found, ManifestProblem::BadAlphabet(_)),
        "{found:?}"
    );
    says(
        &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nalphabet = \"ab\"\n"),
        "envmint.toml:5: give either `kind` or `alphabet`, not both",
        "`alphabet = \"...\"` is a kind of its own",
    );
}

#[test]
fn rotation_fields_parse_in_their_three_forms() {
    use crate::manifest::Previous;
    let m = parse(
        "[defaults]\noverlap = \"2d\"\n[environments.p]\n\
         [secrets.JWT]\noverlap = \"7d\"\nprevious = \"JWT_OLD\"\n\
         [secrets.AUTH_SECRET]\nprevious = { numbered = \"AUTH_SECRET_{n}\", keep = 2 }\n\
         [secrets.APP_KEY]\nkind = \"hex\"\nprevious = { list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 3 }\n\
         [secrets.STRIPE_KEY]\nexternal = true\nrotate_every = \"180d\"\n\
         [secrets.PLAIN]\n",
    )
    .unwrap();
    assert_eq!(m.overlap(), Some(Duration::from_secs(2 * 86_400)));
    let s = m.secrets();
    assert_eq!(s[0].overlap, Some(Duration::from_secs(7 * 86_400)));
    assert_eq!(s[0].previous, Previous::One("JWT_OLD".into()));
    assert_eq!(s[1].overlap, Some(Duration::from_secs(2 * 86_400)));
    assert_eq!(
        s[1].previous.names(None),
        ["AUTH_SECRET_1", "AUTH_SECRET_2"]
    );
    assert_eq!(s[1].previous.names(Some(3)).len(), 3);
    assert_eq!(s[1].previous.keep(), 2);
    assert_eq!(
        s[2].previous,
        Previous::List {
            name: "APP_PREVIOUS_KEYS".into(),
            separator: ",".into(),
            keep: 3
        }
    );
    assert_eq!(s[2].previous.names(None), ["APP_PREVIOUS_KEYS"]);
    assert!(s[3].external && !s[0].external);
    assert_eq!(s[4].previous, Previous::One("PLAIN_PREVIOUS".into()));
    assert_eq!(s[4].previous.names(Some(5)), ["PLAIN_PREVIOUS"]);
    // Without overlap anywhere, the default previous name is never used, so a secret of
    // that name is no collision (manifests written before rotation keep working).
    let m = parse("[environments.p]\n[secrets.A]\n[secrets.A_PREVIOUS]\n").unwrap();
    assert_eq!(m.overlap(), None);
    assert_eq!(m.secrets()[0].overlap, None);
    // An external secret's list separator is not checked against any alphabet, and the
    // list defaults to `,` and keep to 1.
    let m = parse(
        "[environments.p]\n[secrets.K]\nexternal = true\nprevious = { list = \"K_OLD\", separator = \"-\" }\n\
         [secrets.L]\nkind = \"password\"\nprevious = { list = \"L_OLD\" }\n",
    )
    .unwrap();
    assert_eq!(m.secrets()[0].previous.keep(), 1);
    assert!(
        matches!(&m.secrets()[1].previous, Previous::List { separator, .. } if separator == ",")
    );
    // ... but a generated one's is: `-` is a password character.
    says(
        "[environments.p]\n[secrets.K]\nkind = \"password\"\nprevious = { list = \"K_OLD\", separator = \"-\" }\n",
        "envmint.toml:4: `separator = \"-\"` of K: `-` is a character password values contain",
        "",
    );
}

#[test]
fn roles_per_secret_and_in_defaults_and_never() {
    use crate::manifest::Previous;
    // No role anywhere: signing (manifests written before roles keep working).
    let m = parse("[environments.p]\n[secrets.A]\n").unwrap();
    assert_eq!(
        (m.role(), m.secrets()[0].role),
        (Role::Signing, Role::Signing)
    );
    let m = parse(
        "[defaults]\nrole = \"credential\"\noverlap = \"2d\"\nrotate_every = \"never\"\n\
         [environments.p]\n\
         [secrets.DB_PASSWORD]\n\
         [secrets.JWT]\nrole = \"signing\"\nrotate_every = \"30d\"\n\
         [secrets.ENC]\nrole = \"encryption\"\n",
    )
    .unwrap();
    assert_eq!(m.role(), Role::Credential);
    assert_eq!(m.rotate_every(), None);
    let s = m.secrets();
    let roles: Vec<_> = s.iter().map(|d| d.role).collect();
    assert_eq!(roles, [Role::Credential, Role::Signing, Role::Encryption]);
    assert_eq!(s[0].rotate_every, None);
    assert_eq!(s[1].rotate_every, Some(Duration::from_secs(30 * 86_400)));
    // [defaults]' overlap is not an encryption key's: its keys do not expire. It still
    // keeps its old values, under KEY_PREVIOUS by default.
    assert_eq!(s[2].overlap, None);
    assert!(s[2].keeps_previous());
    assert_eq!(s[2].previous, Previous::One("ENC_PREVIOUS".into()));
    // An encryption key always uses its previous name, so a collision is refused.
    says(
        "[environments.p]\n[secrets.E]\nrole = \"encryption\"\n[secrets.E_PREVIOUS]\n",
        "envmint.toml:2: E's previous name `E_PREVIOUS` is also a declared secret",
        "",
    );
}

#[test]
fn fail_unknown_role_and_overlap_on_an_encryption_key() {
    let problem = |text: String| match parse(&text).expect_err("must fail") {
        Error::Manifest(m) => m.problem,
        other => panic!("{other:?}"),
    };
    let found = problem(format!("{ENVS}[secrets.A]\nrole = \"encrypt\"\n"));
    assert!(
        matches!(
            &found,
            ManifestProblem::Rotation(RotationProblem::UnknownRole { role, did_you_mean })
                if role == "encrypt" && *did_you_mean == Some("encryption")
        ),
        "{found:?}"
    );
    says(
        &format!("{ENVS}[defaults]\nrole = \"Credential\"\n"),
        "envmint.toml:5: unknown role `Credential`",
        "",
    );
    says(
        &format!("{ENVS}[secrets.A]\nrole = 1\n"),
        "envmint.toml:5: `role` must be text in quotes, not a number",
        "",
    );
    says(
        &format!("{ENVS}[secrets.A]\nrole = \"encryption\"\noverlap = \"7d\"\n"),
        "envmint.toml:6: `overlap` on the encryption key A",
        "",
    );
    // "never" is for rotate_every only.
    says(
        &format!("{ENVS}[secrets.A]\noverlap = \"never\"\n"),
        "envmint.toml:5: bad duration `never`",
        "",
    );
}

#[test]
fn fail_no_environments() {
    // The words are report.rs's (tested there with this manifest).
    let err = parse("[secrets.A]\n").unwrap_err();
    assert_eq!(err.exit(), Exit::DataErr);
    assert!(
        matches!(
            &err,
            Error::Manifest(m) if matches!(**m, ManifestError {
                line: None,
                problem: ManifestProblem::NoEnvironments,
                ..
            })
        ),
        "{err:?}"
    );
}

fn file_of(decl: &str) -> PathBuf {
    let m = parse(&format!("[environments.p]\nfile = \"{decl}\"\n")).unwrap();
    m.environments()[0].file.clone()
}

#[test]
fn relative_files_resolve_inside_the_manifest_folder() {
    assert_eq!(file_of("prod.env"), Path::new("/app/prod.env"));
    assert_eq!(file_of("./a/../b/./x.env"), Path::new("/app/b/x.env"));
    assert_eq!(file_of("a/b/../../x.env"), Path::new("/app/x.env"));
    assert_eq!(file_of("/etc/myapp/env"), Path::new("/etc/myapp/env"));
    assert_eq!(file_of("/etc/../srv/env"), Path::new("/srv/env"));
}

#[test]
fn fail_files_that_leave_the_manifest_folder() {
    const HINT: &str = "a relative `file` must stay in the manifest's folder or below it; \
                        move envmint.toml up, or give an absolute path such as \
                        \"/etc/myapp/env\"";
    for bad in [
        "../outside.env",
        "../../outside.env",
        "a/../../x.env",
        "./../x",
        "a/b/../../..",
    ] {
        says(
            &format!("[environments.p]\nfile = \"{bad}\"\n"),
            &format!("envmint.toml:2: `file = \"{bad}\"` leaves the manifest's folder"),
            HINT,
        );
    }
    for folder in [".", "a/..", "/"] {
        says(
            &format!("[environments.p]\nfile = \"{folder}\"\n"),
            &format!("envmint.toml:2: `file = \"{folder}\"` names a folder, not a file"),
            "name the dotenv file, e.g. file = \".env.production.local\"",
        );
    }
    says(
        "[environments.p]\nfile = \"\"\n",
        "envmint.toml:2: `file` is empty",
        "name the dotenv file, e.g. file = \".env.production.local\"",
    );
    says(
        "[environments.p]\nfile = \"a\\u0000b\"\n",
        "envmint.toml:2: `file` contains a NUL character",
        "no file name can contain one; name the dotenv file, e.g. file = \".env\"",
    );
}

#[test]
fn fail_files_that_are_the_manifest_inside_git_folders_or_odd_names() {
    const HINT: &str = "name the dotenv file, e.g. file = \".env.production.local\"";
    for manifest in [
        "envmint.toml",
        "./envmint.toml",
        "a/../envmint.toml",
        "/app/envmint.toml",
    ] {
        says(
            &format!("[environments.p]\nfile = \"{manifest}\"\n"),
            &format!("envmint.toml:2: `file = \"{manifest}\"` is the manifest itself"),
            "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
        );
    }
    // The same name in another folder is another file.
    assert_eq!(
        file_of("sub/envmint.toml"),
        Path::new("/app/sub/envmint.toml")
    );
    for git in [
        ".git/config",
        "a/.git/x.env",
        "/srv/app/.git/env",
        ".GIT/config",
    ] {
        says(
            &format!("[environments.p]\nfile = \"{git}\"\n"),
            &format!("envmint.toml:2: `file = \"{git}\"` is inside .git"),
            "name a dotenv file outside the repository's .git folder, e.g. \
             file = \".env.production.local\"",
        );
    }
    assert_eq!(file_of(".gitignore.env"), Path::new("/app/.gitignore.env"));
    for folder in ["sub/", "sub/.", "a/b/..", "/etc/"] {
        says(
            &format!("[environments.p]\nfile = \"{folder}\"\n"),
            &format!("envmint.toml:2: `file = \"{folder}\"` names a folder, not a file"),
            HINT,
        );
    }
    let long = "x".repeat(256);
    let deep = ["d"; 2049].join("/");
    for (file, shown) in [
        (long.clone(), format!("{}…", "x".repeat(100))),
        (format!("../{long}"), format!("../{}…", "x".repeat(97))),
        (deep.clone(), format!("{}…", &deep[..100])),
    ] {
        says(
            &format!("[environments.p]\nfile = \"{file}\"\n"),
            &format!("envmint.toml:2: `file = \"{shown}\"` is too long for a path"),
            "a path has at most 4095 bytes, and each folder or file name at most 255",
        );
    }
    assert_eq!(
        file_of(&"x".repeat(255)),
        Path::new("/app").join("x".repeat(255))
    );
    for (toml, shown) in [
        ("x\\ny", "x\\ny"),
        ("a\\u001b[31m", "a\\u{1b}[31m"),
        ("x\\ry", "x\\ry"),
    ] {
        says(
            &format!("[environments.p]\nfile = \"{toml}\"\n"),
            &format!("envmint.toml:2: `file = \"{shown}\"` contains a control character"),
            HINT,
        );
    }
}

fn mode_of(text: &str) -> Vec<Option<u32>> {
    parse(text)
        .unwrap()
        .environments()
        .iter()
        .map(|e| e.mode)
        .collect()
}

#[test]
fn modes_are_declared_per_environment_or_in_defaults() {
    assert_eq!(mode_of(ENVS), [None, None]);
    assert_eq!(
        mode_of("[environments.a]\nmode = \"0640\"\n[environments.b]\n"),
        [Some(0o640), None]
    );
    assert_eq!(
        mode_of(
            "[defaults]\nmode = \"440\"\n[environments.a]\nmode = \"0600\"\n[environments.b]\n"
        ),
        [Some(0o600), Some(0o440)]
    );
    for (text, bits) in [
        ("0600", 0o600),
        ("0640", 0o640),
        ("0400", 0o400),
        ("0440", 0o440),
        ("0o640", 0o640),
    ] {
        assert_eq!(
            mode_of(&format!("[environments.a]\nmode = \"{text}\"\n")),
            [Some(bits)]
        );
    }
}

#[test]
fn fail_modes_wider_than_0640_or_unreadable() {
    const HINT: &str = "use \"0600\" (the default: owner only), \"0640\" (the group may read), \
                        \"0400\" or \"0440\" (read-only)";
    for (mode, problem) in [
        ("0644", "lets other users reach the file"),
        ("0604", "lets other users reach the file"),
        ("0601", "lets other users reach the file"),
        (
            "0660",
            "is wider than 0640 (only the owner may write, the group may at most read)",
        ),
        (
            "0700",
            "is wider than 0640 (only the owner may write, the group may at most read)",
        ),
        ("0040", "does not let the owner read the file"),
        ("0200", "does not let the owner read the file"),
        ("000", "does not let the owner read the file"),
        ("4600", "sets special bits (setuid, setgid or sticky)"),
    ] {
        says(
            &format!("[environments.a]\nmode = \"{mode}\"\n"),
            &format!("envmint.toml:2: `mode = \"{mode}\"` {problem}"),
            HINT,
        );
    }
    for bad in ["rw-r-----", "0648", "64", "06400", "", "0x1a0"] {
        says(
            &format!("[environments.a]\nmode = \"{bad}\"\n"),
            &format!("envmint.toml:2: `mode = \"{bad}\"` is not an octal file mode"),
            "three or four octal digits, e.g. mode = \"0640\"",
        );
    }
    says(
        "[environments.a]\nmode = 640\n",
        "envmint.toml:2: `mode` must be octal digits in quotes, not the number 640",
        "write it in quotes, e.g. mode = \"0640\"",
    );
    says(
        "[environments.a]\nmode = 0640\n",
        "envmint.toml:2: invalid TOML: unexpected leading zero, expected nothing",
        "a mode goes in quotes, e.g. mode = \"0640\"; other numbers have no leading zero",
    );
    says(
        "[defaults]\nmode = \"0644\"\n[environments.a]\n",
        "envmint.toml:2: `mode = \"0644\"` lets other users reach the file",
        HINT,
    );
}

const AGE: &str = "age1hmxr76wjma58p26d8lq642f3arp4cr4ph3e4xett0ptsuu83v44qgzrz6v";

#[test]
fn sealed_environments_parse_with_their_recipients() {
    let m = parse(&format!(
        "[environments.production]\nsealed = \".env.production.age\"\n\
         recipients = [\"{AGE}\"]\nrecipients_file = \"keys/production.txt\"\narmor = true\n\
         [environments.dev]\n"
    ))
    .unwrap();
    let prod = m.environment("production").unwrap();
    let sealed = prod.sealed.as_ref().unwrap();
    assert_eq!(sealed.path, Path::new("/app/.env.production.age"));
    assert_eq!(sealed.recipients, [AGE]);
    assert_eq!(
        sealed.recipients_file.as_deref(),
        Some(Path::new("/app/keys/production.txt"))
    );
    assert!(sealed.armor);
    assert_eq!(prod.store_path(), Path::new("/app/.env.production.age"));
    assert_eq!(prod.file, Path::new("/app/.env.production.local"));
    let dev = m.environment("dev").unwrap();
    assert_eq!(dev.sealed, None);
    assert_eq!(dev.store_path(), Path::new("/app/.env.dev.local"));
}

#[test]
fn fail_sealed_environments_without_recipients_or_with_bad_ones() {
    says(
        "[environments.production]\nsealed = \".env.production.age\"\n",
        "envmint.toml:1: sealed environment `production` has no recipients",
        "add recipients = [\"age1...\"] (see `envmint keygen`) or recipients_file = \
         \"keys/NAME.txt\"",
    );
    says(
        "[environments.p]\nsealed = \"p.age\"\nrecipients = [\n  \"age1xyz\",\n]\n",
        "envmint.toml:4: bad recipient: not a valid age recipient (invalid Bech32 encoding)",
        "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line",
    );
    says(
        "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"AGE-SECRET-KEY-1XYZ\"]\n",
        "envmint.toml:3: bad recipient: this is a secret key (AGE-SECRET-KEY-...), not a \
         recipient; `envmint keygen -y FILE` prints its recipient",
        "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line",
    );
    says(
        &format!("[environments.p]\nsealed = \"p.age\"\nrecipients = \"{AGE}\"\n"),
        "envmint.toml:3: `recipients` must be a list of public keys",
        "put it in brackets: recipients = [\"age1...\"]",
    );
    says(
        "[environments.p]\nsealed = \"p.age\"\nrecipients = [1]\n",
        "envmint.toml:3: each entry of `recipients` must be a public key in quotes",
        "e.g. recipients = [\"age1...\"] (`envmint keygen -y KEY` prints one)",
    );
}

#[test]
fn fail_sealed_fields_in_the_manifests_words() {
    says(
        &format!("[environments.p]\nrecipients = [\"{AGE}\"]\n"),
        "envmint.toml:2: `recipients` without `sealed` in [environments.p]",
        "name the sealed file, e.g. sealed = \".env.p.age\", or remove `recipients`",
    );
    says(
        &format!(
            "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"{AGE}\"]\narmor = \"yes\"\n"
        ),
        "envmint.toml:4: `armor` must be true or false, not text",
        "e.g. armor = true, without quotes",
    );
    says(
        &format!("[environments.p]\nsealed = \"../p.age\"\nrecipients = [\"{AGE}\"]\n"),
        "envmint.toml:2: `sealed = \"../p.age\"` leaves the manifest's folder",
        "a relative `file` must stay in the manifest's folder or below it; move envmint.toml \
         up, or give an absolute path such as \"/etc/myapp/env\"",
    );
    says(
        "[environments.p]\nsealed = \"p.age\"\nrecipients_file = \"keys/\"\n",
        "envmint.toml:3: `recipients_file = \"keys/\"` names a folder, not a file",
        "name the dotenv file, e.g. file = \".env.production.local\"",
    );
    says(
        &format!(
            "[environments.p]\nfile = \"p.env\"\nsealed = \"p.env\"\nrecipients = [\"{AGE}\"]\n"
        ),
        "envmint.toml:1: `sealed` and `file` of [environments.p] are the same file",
        "`file` is where `envmint unseal p` writes the plaintext; use another name, e.g. \
         sealed = \".env.p.age\"",
    );
    says(
        "[environments.p]\nseald = \"p.age\"\n",
        "envmint.toml:2: unknown field `seald` in [environments.p]",
        "did you mean `sealed`?",
    );
}

#[test]
fn a_recipients_file_is_read_when_sealing_and_names_its_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("keys")).unwrap();
    let file = root.join("keys/p.txt");
    std::fs::write(&file, format!("# ops\n{AGE}\n\nssh-ed25519 AAAA\n")).unwrap();
    let m = Manifest::parse(
        &format!(
            "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"{AGE}\"]\n\
             recipients_file = \"keys/p.txt\"\n"
        ),
        &root.join("envmint.toml"),
        root,
    )
    .unwrap();
    let sealed = m.environment("p").unwrap().sealed.clone().unwrap();
    let err = sealed.all_recipients().unwrap_err();
    assert_eq!(err.exit(), crate::error::Exit::DataErr);
    let Error::Seal(crate::seal::SealError::BadKey { location, message }) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(location.path.as_deref(), Some(file.as_path()));
    assert_eq!(location.line, Some(4));
    assert_eq!(message, "not a valid SSH public key");
    std::fs::write(&file, format!("# ops\n{AGE}\n")).unwrap();
    // Listed in both places: sealed to once.
    assert_eq!(sealed.all_recipients().unwrap().len(), 1);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        sealed.all_recipients().unwrap_err().exit(),
        crate::error::Exit::NoInput
    );
}
