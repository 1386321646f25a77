//! The session without the CLI: temp folders, a fixed clock and a seeded RNG.

use super::*;
use crate::manifest::Manifest;
use crate::plan::rotation::{Action, Options, Selection};
use crate::store::OpenOptions;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

const T0: &str = "2026-01-01T00:00:00Z";

fn at(text: &str) -> jiff::Timestamp {
    crate::time::parse_instant(text).unwrap()
}

fn manifest(dir: &Path, text: &str) -> Manifest {
    Manifest::parse(text, &dir.join("envmint.toml"), dir).unwrap()
}

fn options(selection: Selection, now: &str) -> Options {
    Options {
        selection,
        no_overlap: false,
        now: at(now),
        skip_undeclared: true,
        rotated_earlier: HashSet::new(),
        set_at_service: HashSet::new(),
    }
}

const TWO_ENVS: &str = "[environments.production]\nfile = \".env.production\"\n\
    [environments.staging]\nfile = \".env.staging\"\n\
    [secrets.A]\nkind = \"hex\"\nbytes = 16\nrotate_every = \"30d\"\noverlap = \"7d\"\n\
    [secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\nrotate_every = \"30d\"\n\
    role = \"credential\"\n";

fn store(dir: &Path, name: &str) {
    std::fs::write(
        dir.join(name),
        format!("# envmint: generated={T0}\nA=old-a\n# envmint: generated={T0}\nDB_PASSWORD=pw\n"),
    )
    .unwrap();
}

/// The stages a session walked, as `(stage, environment)`, and what the hooks say.
#[derive(Default)]
struct Recorder {
    seen: Vec<(Stage, String)>,
    fail_at: Option<Stage>,
    credential: bool,
    abandoned: Vec<(String, Stage)>,
    opened: usize,
}

impl StageHooks for Recorder {
    fn opened(&mut self, _: &Environment, _: &crate::store::Snapshot) -> crate::Result<()> {
        self.opened += 1;
        Ok(())
    }
    fn rotates_credential(&self, _: &Environment, _: &str) -> bool {
        self.credential
    }
    fn stage(&mut self, event: &StageEvent<'_>) -> crate::Result<()> {
        self.seen.push((event.stage, event.env.name.clone()));
        if self.fail_at == Some(event.stage) {
            return Err(crate::Error::caller(
                std::io::Error::other("refused by the test"),
                crate::Exit::Usage,
            ));
        }
        Ok(())
    }
    fn abandoned(&mut self, env: &Environment, reached: Stage) {
        self.abandoned.push((env.name.clone(), reached));
    }
}

use crate::manifest::Environment;

fn run<'m>(m: &'m Manifest, o: Options, hooks: &mut dyn StageHooks, seed: u64) -> Report<'m> {
    let envs = m.environments().iter().collect();
    Session::new(m, envs, o)
        .run(
            &OpenOptions::new(crate::test_euid()),
            &mut |_| {},
            hooks,
            &mut ChaCha20Rng::seed_from_u64(seed),
        )
        .unwrap()
}

#[test]
fn a_dry_run_writes_nothing_and_a_run_with_the_same_seed_writes_what_it_showed() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), TWO_ENVS);
    store(dir.path(), ".env.production");
    let before = std::fs::read(dir.path().join(".env.production")).unwrap();
    let envs: Vec<_> = m.environments().iter().collect();
    let o = options(Selection::Due, "2026-03-01T00:00:00Z");
    let dry = Session::new(&m, envs.clone(), o.clone())
        .saving_plan()
        .dry_run(
            &OpenOptions::new(crate::test_euid()),
            &mut NoHooks,
            &mut ChaCha20Rng::seed_from_u64(7),
        )
        .unwrap();
    assert_eq!(
        std::fs::read(dir.path().join(".env.production")).unwrap(),
        before
    );
    // staging has no store yet; production's due A is rotated, its due credential kept.
    assert!(!dry.envs[1].exists());
    let actions: Vec<_> = dry.envs[0]
        .changes
        .iter()
        .map(|c| (c.key.as_str(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("A", Action::Rotated),
            ("A_PREVIOUS", Action::Retired),
            ("DB_PASSWORD", Action::CredentialKept)
        ]
    );
    let saved = dry.envs[0].saved.as_ref().unwrap();
    let report = run(&m, o, &mut NoHooks, 7);
    assert!(report.envs[0].written && report.failure.is_none());
    let after = std::fs::read(dir.path().join(".env.production")).unwrap();
    assert_eq!(crate::plan::edit::digest(Some(&after)), saved.after);
    assert_eq!(crate::plan::edit::digest(Some(&before)), saved.before);
}

#[test]
fn environments_whose_paths_name_one_file_are_one_store() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), TWO_ENVS);
    store(dir.path(), ".env.production");
    std::os::unix::fs::symlink(".env.production", dir.path().join(".env.staging")).unwrap();
    let report = run(
        &m,
        options(Selection::All, "2026-01-02T00:00:00Z"),
        &mut NoHooks,
        1,
    );
    // The shared key is rotated once, by the first environment; the second sees it done.
    let rotated = |i: usize| {
        report.envs[i]
            .changes
            .iter()
            .filter(|c| c.action == Action::Rotated)
            .count()
    };
    assert_eq!((rotated(0), rotated(1)), (1, 0));
    let text = std::fs::read_to_string(dir.path().join(".env.production")).unwrap();
    assert!(text.contains("A_PREVIOUS=old-a\n"), "{text}");
    assert!(
        std::fs::symlink_metadata(dir.path().join(".env.staging"))
            .unwrap()
            .is_symlink()
    );
}

#[test]
fn a_sealed_store_is_decrypted_once_per_run_even_when_shared() {
    let dir = tempfile::tempdir().unwrap();
    let pair = crate::seal::keygen::generate(&mut ChaCha20Rng::seed_from_u64(9), at(T0));
    let text = format!(
        "[environments.production]\nfile = \".env.production\"\nsealed = \"s.age\"\n\
         recipients = [\"{r}\"]\n\
         [environments.staging]\nfile = \".env.staging\"\nsealed = \"s.age\"\n\
         recipients = [\"{r}\"]\n\
         [secrets.A]\nkind = \"hex\"\nbytes = 16\nrotate_every = \"30d\"\n",
        r = pair.recipient
    );
    let m = manifest(dir.path(), &text);
    store(dir.path(), ".env.production");
    use secrecy::ExposeSecret;
    let identities = crate::seal::identities::parse(
        pair.text.expose_secret(),
        &crate::error::Location::default(),
        "test",
        &crate::seal::PassphrasePrompt::none(),
    )
    .unwrap();
    let open = OpenOptions {
        identities: Arc::from(identities),
        ..OpenOptions::new(crate::test_euid())
    };
    let envs: Vec<_> = m.environments().iter().collect();
    let session = |now| Session::new(&m, envs.clone(), options(Selection::Due, now));
    // The first run creates the sealed store from the plaintext file.
    session("2026-01-02T00:00:00Z")
        .run(
            &open,
            &mut |_| {},
            &mut NoHooks,
            &mut ChaCha20Rng::seed_from_u64(1),
        )
        .unwrap();
    assert!(dir.path().join("s.age").exists());
    crate::store::DECRYPTIONS.with(|n| n.set(0));
    let report = session("2026-03-01T00:00:00Z")
        .run(
            &open,
            &mut |_| {},
            &mut NoHooks,
            &mut ChaCha20Rng::seed_from_u64(2),
        )
        .unwrap();
    assert!(report.envs[0].written);
    assert_eq!(crate::store::DECRYPTIONS.with(|n| n.get()), 1);
}

#[test]
fn stages_run_in_order_and_one_that_fails_before_the_commit_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), TWO_ENVS);
    store(dir.path(), ".env.production");
    store(dir.path(), ".env.staging");
    let o = options(Selection::Due, "2026-03-01T00:00:00Z");
    let mut hooks = Recorder::default();
    let report = run(&m, o.clone(), &mut hooks, 1);
    assert!(report.envs.iter().all(|r| r.written));
    let p = |s| (s, "production".to_string());
    let s = |s| (s, "staging".to_string());
    assert_eq!(
        hooks.seen,
        [
            p(Stage::Pending),
            s(Stage::Pending),
            p(Stage::Set),
            s(Stage::Set),
            p(Stage::Test),
            s(Stage::Test),
            p(Stage::Finish),
            s(Stage::Finish),
        ]
    );
    assert_eq!(hooks.opened, 2);

    // A failing test stage: nothing is written, and what got past `set` is told.
    store(dir.path(), ".env.production");
    store(dir.path(), ".env.staging");
    let before = std::fs::read(dir.path().join(".env.production")).unwrap();
    let mut hooks = Recorder {
        fail_at: Some(Stage::Test),
        ..Recorder::default()
    };
    let envs = m.environments().iter().collect();
    let err = Session::new(&m, envs, o)
        .run(
            &OpenOptions::new(crate::test_euid()),
            &mut |_| {},
            &mut hooks,
            &mut ChaCha20Rng::seed_from_u64(1),
        )
        .err()
        .unwrap();
    assert!(matches!(err, SessionError::Other(_)), "{err:?}");
    assert_eq!(
        std::fs::read(dir.path().join(".env.production")).unwrap(),
        before
    );
    assert_eq!(
        hooks.abandoned,
        [
            ("production".to_string(), Stage::Set),
            ("staging".to_string(), Stage::Set)
        ]
    );
}

#[test]
fn a_credential_a_hook_sets_at_its_service_is_rotated_when_due() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), TWO_ENVS);
    store(dir.path(), ".env.production");
    let mut hooks = Recorder {
        credential: true,
        ..Recorder::default()
    };
    let report = run(
        &m,
        options(Selection::Due, "2026-03-01T00:00:00Z"),
        &mut hooks,
        1,
    );
    assert!(
        report.envs[0]
            .changes
            .iter()
            .any(|c| c.key == "DB_PASSWORD" && c.action == Action::Rotated)
    );
}

#[test]
fn a_store_whose_records_are_ahead_is_refused_and_the_others_are_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), TWO_ENVS);
    store(dir.path(), ".env.production");
    std::fs::write(
        dir.path().join(".env.staging"),
        "# envmint: generated=2027-01-01T00:00:00Z\nA=ahead\n",
    )
    .unwrap();
    let report = run(
        &m,
        options(Selection::Due, "2026-03-01T00:00:00Z"),
        &mut NoHooks,
        1,
    );
    assert!(report.envs[0].written);
    assert!(report.envs[1].refused().is_some() && !report.envs[1].written);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".env.staging")).unwrap(),
        "# envmint: generated=2027-01-01T00:00:00Z\nA=ahead\n"
    );
}

/// The library's words for a plan not replayed and a session stopped (the binary words them
/// with the environment's name and its hints; these are for other callers and for a refusal
/// the binary does not know yet).
#[test]
fn replay_and_session_errors_say_what_is_wrong() {
    use crate::dotenv::EditError;
    use crate::plan::rotation::RotationError;
    use replay::ReplayError;
    use std::error::Error as _;
    let said = |e: ReplayError| e.to_string();
    assert_eq!(
        said(ReplayError::TooOld { environment: 0 }),
        "the plan is older than the shortest overlap of the secrets it rotates: the values it \
         retires would not be kept as long as the manifest says"
    );
    assert_eq!(
        said(ReplayError::Refused {
            environment: 0,
            why: "it changes `DATABASE_URL`".into()
        }),
        "the plan is refused: it changes `DATABASE_URL`"
    );
    assert_eq!(
        said(ReplayError::Altered { environment: 0 }),
        "replaying the plan does not give the result it records (the plan file was altered?)"
    );
    assert_eq!(
        said(ReplayError::Stale { environment: 0 }),
        "the store changed since the plan was made: the plan is stale"
    );
    // The wrapped errors are said in their own words, and are the source.
    let edit = EditError::KeyMissing { key: "A".into() };
    let replay = ReplayError::Edit {
        environment: 0,
        error: edit.clone(),
    };
    assert_eq!(replay.to_string(), edit.to_string());
    assert!(replay.source().is_some());
    let session = SessionError::Rotation {
        environment: 0,
        error: RotationError::Edit(edit.clone()),
    };
    assert_eq!(session.to_string(), edit.to_string());
    assert!(session.source().is_some());
    let store = crate::Error::reading(
        Path::new(".env"),
        std::io::Error::from(std::io::ErrorKind::NotFound),
    );
    let session = SessionError::from(store);
    assert_eq!(session.to_string(), ".env: file not found");
    assert!(session.source().is_some());
}
