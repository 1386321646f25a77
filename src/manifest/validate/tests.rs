//! The manifest's validation, case by case: what each bad manifest is refused for, and where.

use super::read::Ctx;
use super::*;
use crate::dotenv;
use crate::error::Exit;
use crate::error::{Error, ManifestProblem, Result};
use crate::generate::Kind;
use crate::manifest::error::FileRefusal;
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

/// `Ctx::syntax` knows a duplicate key by the toml crate's own words for it, not by a kind
/// (toml has none to match): pinned here, so that a toml release that rewords it fails this
/// test rather than turning "`A` is declared twice" into a bare syntax error.
#[test]
fn toml_still_words_a_duplicate_key_as_syntax_expects() {
    let text = "[secrets.A]\nkind = \"hex\"\nkind = \"hex\"\n";
    let e = toml::de::DeTable::parse(text).unwrap_err();
    assert_eq!(e.message().trim(), "duplicate key");
    assert_eq!(&text[e.span().unwrap()], "kind");
}

fn parse(text: &str) -> Result<Manifest> {
    Manifest::parse(text, Path::new("envmint.toml"), Path::new("/app"))
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
fn fail_invalid_and_overlong_names() {
    assert!(parse(&format!("{ENVS}[secrets.{}]\n", "K".repeat(255))).is_ok());
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

/// The words of the refusals are the case files' (tests/cli/cmd/manifest/file_*): a case runs
/// in a temporary folder, so the manifest named by its absolute path is checked here.
#[test]
fn the_manifest_by_its_absolute_path_is_refused_and_near_names_are_files() {
    let (line, problem) = problem_at("[environments.p]\nfile = \"/app/envmint.toml\"\n");
    assert_eq!(line, Some(2));
    assert!(
        matches!(
            &problem,
            ManifestProblem::BadFile { field: "file", file, why: FileRefusal::IsManifest }
                if file == "/app/envmint.toml"
        ),
        "{problem:?}"
    );
    // The same name in another folder is another file.
    assert_eq!(
        file_of("sub/envmint.toml"),
        Path::new("/app/sub/envmint.toml")
    );
    assert_eq!(file_of(".gitignore.env"), Path::new("/app/.gitignore.env"));
    assert_eq!(
        file_of(&"x".repeat(255)),
        Path::new("/app").join("x".repeat(255))
    );
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
    let err = sealed.all_recipients(crate::test_euid()).unwrap_err();
    assert_eq!(err.exit(), crate::error::Exit::DataErr);
    let Error::Seal(crate::seal::SealError::BadKey { location, message }) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(location.path.as_deref(), Some(file.as_path()));
    assert_eq!(location.line, Some(4));
    assert_eq!(message, "not a valid SSH public key");
    std::fs::write(&file, format!("# ops\n{AGE}\n")).unwrap();
    // Listed in both places: sealed to once.
    assert_eq!(sealed.all_recipients(crate::test_euid()).unwrap().len(), 1);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        sealed
            .all_recipients(crate::test_euid())
            .unwrap_err()
            .exit(),
        crate::error::Exit::NoInput
    );
}
