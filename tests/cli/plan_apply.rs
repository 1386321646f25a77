//! `envmint plan` / `envmint apply`, the cases tests/cli/plan.rs leaves out: a plan made stale by
//! a rotation or by `set` (plain and sealed), a plan half applied while the other store moved
//! on, a plan file whose values were altered, and a sealed plan applied twice. Every refusal
//! must leave every store exactly as it was. (A real SIGKILL between two renames is in
//! scripts/crash-test.sh's apply loop.)

use crate::common;

use common::{Output, Test, mtime, tick};
use snapbox::str;

const T0: &str = "2026-01-01T00:00:00Z";
const AT: &str = "2026-02-01T00:00:00Z";

/// `production` and `staging`, plain, with A (30 days, 7 days overlap) and B (90 days), both
/// recorded at T0: at AT, A is due and B is not.
fn project() -> Test {
    let manifest = "[environments.production]\nfile = \".env.production\"\n\
                    [environments.staging]\nfile = \".env.staging\"\n\
                    [secrets.A]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\n\
                    overlap = \"7d\"\n\
                    [secrets.B]\nkind = \"alnum\"\nlength = 32\n";
    Test::new()
        .write("envmint.toml", manifest)
        .write(".env.production", file("prod"))
        .write(".env.staging", file("stag"))
        .chmod(".env.production", 0o600)
        .chmod(".env.staging", 0o600)
}

fn file(v: &str) -> String {
    format!(
        "# mine\n# envmint: generated={T0}\nA=a-{v}-value-0123456789abcdef0123456789abcdef01234567\n\
         # envmint: generated={T0}\nB=b{v}value0123456789abcdef0123456789\nUNMANAGED=u-{v}\n"
    )
}

/// The bytes of both stores.
fn stores(out: &Output) -> (Vec<u8>, Vec<u8>) {
    (out.bytes(".env.production"), out.bytes(".env.staging"))
}

fn planned() -> Output {
    project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0)
}

#[test]
fn fail_a_plan_made_stale_by_a_rotation_is_refused_and_no_store_changes() {
    let out = planned();
    // Someone rotates staging's A after the plan was made (same instant, other values).
    let out = out
        .then()
        .args(["rotate", "staging", "--key", "A", "--at", AT])
        .status(0);
    let before = stores(&out);
    let refused = out.then().args(["apply", "--at", AT, "p.plan"]).status(65);
    // Its words are plan::fail_a_stale_plan_reads_as_its_snapshot's (plan/stale).
    assert_eq!(refused.stdout(), "");
    assert_eq!(stores(&refused), before, "a refused plan changed a store");
}

#[test]
fn fail_a_half_applied_plan_whose_other_store_moved_on_is_refused_entirely() {
    // production already in the plan's "after" state (an earlier, interrupted apply), staging
    // changed by `set` meanwhile: neither "before" nor "after", so nothing may be written.
    let out = planned()
        .then()
        .args(["apply", "--at", AT, "p.plan"])
        .status(0);
    let prod_after = out.bytes(".env.production");
    let out = out
        .then()
        .write(".env.staging", file("stag"))
        .chmod(".env.staging", 0o600)
        .args(["set", "staging", "UNMANAGED"])
        .stdin("changed-by-hand\n")
        .status(0);
    let before = stores(&out);
    assert_eq!(before.0, prod_after);
    let refused = out
        .then()
        .args(["apply", "--at", AT, "p.plan", "--json"])
        .status(65);
    assert_eq!(refused.stdout(), "", "a refused apply prints no report");
    assert_eq!(stores(&refused), before);
}

#[test]
fn fail_a_plan_whose_new_value_was_altered_is_refused_before_any_store_is_written() {
    let out = planned();
    // Alter the new value of A in staging's part (the second environment): production's part
    // is intact, but nothing may be written, production included.
    let mut plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();
    let edits = plan["environments"][1]["secrets"]["edits"]
        .as_array_mut()
        .expect("staging's edits in the clear");
    let edit = edits
        .iter_mut()
        .find(|e| e["key"] == "A" && e["value"].is_string())
        .expect("an edit that sets A");
    let value = edit["value"].as_str().unwrap();
    // The last character changed (to another hex digit).
    let last = if value.ends_with('0') { '1' } else { '0' };
    let altered = format!("{}{last}", &value[..value.len() - 1]);
    assert_ne!(altered, value);
    edit["value"] = altered.clone().into();
    let before = stores(&out);
    let refused = out
        .then()
        .write("p.plan", serde_json::to_string(&plan).unwrap())
        .chmod("p.plan", 0o600)
        .args(["apply", "--at", AT, "p.plan"])
        .status(65);
    refused.stderr_is(str![[r#"
error: p.plan: replaying the plan on .env.staging does not give the result it records (the plan file was altered?); nothing was changed
hint: make the plan again with `envmint plan -o FILE`

"#]]);
    assert_eq!(stores(&refused), before);
    assert!(!refused.stderr().contains(&altered), "the value was echoed");
}

#[test]
fn a_plan_with_nothing_due_applies_as_nothing_to_do_and_writes_nothing() {
    let out = project()
        .args(["plan", "--at", "2026-01-02T00:00:00Z", "-o", "p.plan"])
        .status(0);
    let before = stores(&out);
    let stamp = mtime(out.path(".env.production"));
    tick();
    let applied = out
        .then()
        .args(["apply", "--at", AT, "p.plan", "--json"])
        .status(0);
    let j = applied.json();
    for env in j["environments"].as_array().unwrap() {
        assert_eq!(env["result"], "nothing-to-do", "{j}");
    }
    assert_eq!(stores(&applied), before);
    assert_eq!(mtime(applied.path(".env.production")), stamp);
}

/// A sealed `production` (identity `id.txt` by ENVMINT_IDENTITY) with A due at AT.
fn sealed_project() -> Test {
    let (test, public) = common::with_identity();
    test.env("ENVMINT_IDENTITY", "id.txt")
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n\
                 [secrets.A]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\n\
                 overlap = \"7d\"\n"
            ),
        )
        .write(".env.production.local", file("prod"))
        .args(["seal", "production", "--remove-plaintext"])
        .status(0)
        .then()
}

fn unsealed(out: Output) -> (Output, String) {
    let read = out
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    let text = read.stdout().to_string();
    (read, text)
}

#[test]
fn a_sealed_plan_applied_twice_changes_nothing_the_second_time() {
    let out = sealed_project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let sealed_before = out.bytes(".env.production.age");
    let applied = out.then().args(["apply", "--at", AT, "p.plan"]).status(0);
    // The summary's words are tests/cli/plan.rs's (a sealed plan applied, and applied again).
    let sealed_after = applied.bytes(".env.production.age");
    assert_ne!(sealed_after, sealed_before);
    assert_eq!(applied.mode(".env.production.age"), 0o600);
    let (read, text) = unsealed(applied);
    assert!(
        text.contains(&format!("# envmint: generated={AT}\nA=")),
        "{text}"
    );
    assert!(text.contains("\nA_PREVIOUS=a-prod-value-"), "{text}");

    let stamp = mtime(read.path(".env.production.age"));
    tick();
    let again = read.then().args(["apply", "--at", AT, "p.plan"]).status(0);
    // Not even re-encrypted: the same bytes, the same mtime.
    assert_eq!(again.bytes(".env.production.age"), sealed_after);
    assert_eq!(mtime(again.path(".env.production.age")), stamp);
    assert!(common::temps(again.dir()).is_empty());
}

#[test]
fn fail_a_sealed_plan_made_stale_by_set_is_refused_and_the_store_keeps_its_bytes() {
    let out = sealed_project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let out = out
        .then()
        .args(["set", "production", "UNMANAGED"])
        .stdin("changed\n")
        .status(0);
    let sealed = out.bytes(".env.production.age");
    let refused = out.then().args(["apply", "--at", AT, "p.plan"]).status(65);
    // Its words are plan::fail_a_stale_plan_reads_as_its_snapshot's (plan/stale).
    assert_eq!(refused.stdout(), "");
    assert_eq!(refused.bytes(".env.production.age"), sealed);
}

#[test]
fn a_plan_is_dated_when_it_is_applied_and_refused_once_older_than_its_overlap() {
    // Made at AT, reviewed for three days, applied: the value it retires keeps its whole
    // overlap from the day it is applied (A: 7 days), and the new value is dated then too.
    let out = planned();
    let applied = out
        .then()
        .args(["apply", "--at", "2026-02-04T00:00:00Z", "p.plan"])
        .status(0);
    let text = applied.read(".env.production");
    assert!(
        text.contains("# envmint: generated=2026-02-04T00:00:00Z\nA=")
            && text.contains(
                "# envmint: previous-of=A retired=2026-02-04T00:00:00Z \
                 expires=2026-02-11T00:00:00Z\nA_PREVIOUS=a-prod-value"
            )
            && !text.contains("2026-02-01"),
        "{text}"
    );
    // B was not rotated: its record is the one it had.
    assert!(
        text.contains(&format!("# envmint: generated={T0}\nB=")),
        "{text}"
    );
    // Applied again later, it is recognised as applied (its records were re-dated) and
    // nothing changes.
    let stored = stores(&applied);
    let again = applied
        .then()
        .args(["apply", "--at", "2026-02-05T00:00:00Z", "p.plan", "--json"])
        .status(0);
    let j = again.json();
    for env in j["environments"].as_array().unwrap() {
        assert_eq!(env["result"], "already-applied", "{j}");
    }
    assert_eq!(stores(&again), stored);

    // A plan older than A's overlap (7 days) is refused: nothing changes.
    let out = planned();
    let before = stores(&out);
    let refused = out
        .then()
        .args(["apply", "--at", "2026-02-08T00:00:01Z", "p.plan"])
        .status(65);
    refused.stderr_is(str![[r#"
error: p.plan: the plan was made at 2026-02-01T00:00:00Z, longer ago than the shortest overlap of the secrets it rotates in environment production: the values it retires would not be kept as long as the manifest says; nothing was changed
hint: make a new plan with `envmint plan -o FILE` and apply that one

"#]]);
    assert_eq!(stores(&refused), before);
    // Exactly at the overlap: still applied.
    refused
        .then()
        .args(["apply", "--at", "2026-02-08T00:00:00Z", "p.plan"])
        .status(0);
}

/// Two environments whose manifest paths differ but name one file (`.env.staging` a symlink to
/// `.env.production`): `plan` and `apply` decide "same store" by the resolved file alike, so
/// the plan made on the shared file applies, and the shared key gets one new value. (Decided by
/// the path string, `plan` planned each environment from the file on disk while `apply` replayed
/// the second on top of the first, and refused its own plan as stale.)
#[test]
fn a_plan_on_environments_sharing_one_file_through_a_symlink_applies() {
    let test = project();
    std::fs::remove_file(test.path(".env.staging")).unwrap();
    std::os::unix::fs::symlink(".env.production", test.path(".env.staging")).unwrap();
    let out = test
        .args(["plan", "--at", AT, "-o", "p.plan", "--json"])
        .status(0);
    // The second environment is planned on top of the first: A is rotated once.
    let plan = out.json();
    let rotated: Vec<_> = plan["environments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["changes"].as_array().unwrap().clone())
        .filter(|c| c["action"] == "rotated")
        .collect();
    assert_eq!(rotated.len(), 1, "{}", out.stdout());
    let out = out.then().args(["apply", "--at", AT, "p.plan"]).status(0);
    out.stderr_is(str![[r#"
production: .env.production (plan applied)
  rotate          A (due)
  retire          A_PREVIOUS
staging: .env.staging (nothing to do)

"#]]);
    assert!(
        std::fs::symlink_metadata(out.path(".env.staging"))
            .unwrap()
            .is_symlink()
    );
    let text = out.read(".env.production");
    assert_eq!(text.matches("\nA=").count(), 1, "{text}");
    assert_eq!(text.matches("\nA_PREVIOUS=").count(), 1, "{text}");
    // Applied twice: already applied, nothing written.
    let again = out.then().args(["apply", "--at", AT, "p.plan"]).status(0);
    assert_eq!(again.read(".env.production"), text);
}

#[test]
fn fail_a_store_with_a_future_record_is_left_out_of_the_plan_and_the_others_are_planned() {
    // Someone dated staging's A in 2027: staging is refused, production is planned and applied.
    let test = project().write(
        ".env.staging",
        file("stag").replacen(
            &format!("generated={T0}"),
            "generated=2027-01-01T00:00:00Z",
            1,
        ),
    );
    let out = test.args(["plan", "--at", AT, "-o", "p.plan"]).status(65);
    out.stderr_is(str![[r#"
production: .env.production (would rotate 1)
  would rotate         A           hex       256 bits (due)
  would retire         A_PREVIOUS  previous value of A
staging: .env.staging (refused: the clock is behind its records; nothing written)
plan written to p.plan; apply it with: envmint apply p.plan
error: .env.staging:2: the clock (2026-02-01T00:00:00Z) is behind the record of A (generated=2027-01-01T00:00:00Z): a run dated before it would rotate values the apps have just started to use; nothing was changed
hint: check this machine's clock (or --at); a record dated in the future by hand is fixed by correcting or removing that line

"#]]);
    assert!(out.exists("p.plan"), "{}", out.describe());
    let (production, staging) = stores(&out);
    let applied = out.then().args(["apply", "--at", AT, "p.plan"]).status(0);
    // The summary's words are a_plan_on_environments_sharing_one_file_through_a_symlink_applies's.
    assert_ne!(applied.bytes(".env.production"), production);
    assert_eq!(applied.bytes(".env.staging"), staging);
    // Every store refused: no plan file.
    let none = applied
        .then()
        .args(["plan", "staging", "--at", AT, "-o", "q.plan"])
        .status(65);
    assert!(!none.exists("q.plan"));
}

/// A plan whose `created` time does not read, or whose edits or parts do not read, is refused
/// naming the plan (65), and no store changes. (A plan made after the clock: rotation_year.rs.)
#[test]
fn fail_a_misdated_or_malformed_plan_is_refused_naming_the_plan() {
    let out = planned();
    let plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();
    let before = stores(&out);
    let altered = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut p = plan.clone();
        change(&mut p);
        p.to_string()
    };
    let cases = [
        (
            altered(&|p| p["created"] = "yesterday".into()),
            str![[r#"
error: bad.plan: the plan's `created` time (yesterday) does not read; nothing was changed
hint: make the plan again with `envmint plan -o FILE`

"#]],
        ),
        (
            altered(&|p| {
                let edit = &mut p["environments"][0]["secrets"]["edits"][0];
                edit.as_object_mut().unwrap().remove("value");
            }),
            str![[r#"
error: bad.plan: not a valid envmint plan: environment production: a `set` edit of A has no `value`
hint: make a new one with `envmint plan -o FILE`

"#]],
        ),
        (
            altered(&|p| p["environments"][0]["secrets"]["edits"][0]["op"] = "frob".into()),
            str![[r#"
error: bad.plan: not a valid envmint plan: environment production: unknown edit `frob`
hint: make a new one with `envmint plan -o FILE`

"#]],
        ),
        (
            altered(&|p| p["environments"][0]["sealed_secrets"] = "x".into()),
            str![[r#"
error: bad.plan: not a valid envmint plan: environment production needs exactly one of `secrets` and `sealed_secrets`
hint: make a new one with `envmint plan -o FILE`

"#]],
        ),
    ];
    let mut test = out.then();
    for (text, says) in cases {
        let refused = test
            .write("bad.plan", text)
            .chmod("bad.plan", 0o600)
            .args(["apply", "--at", AT, "bad.plan"])
            .status(65);
        refused.stderr_is(says);
        assert_eq!(stores(&refused), before);
        test = refused.then();
    }
}

/// A sealed part that decrypts, but to no plan part (not JSON, or an edit envmint does not
/// know), is refused naming the plan and saying it is the sealed part (65).
#[test]
fn fail_a_sealed_part_that_decrypts_to_no_plan_part_is_refused() {
    let out = sealed_project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();
    let sealed = out.bytes(".env.production.age");
    let out = out.then().args(["keygen", "-y", "id.txt"]).status(0);
    let public = out.stdout().trim().to_string();
    let cases = [
        (
            "not json",
            str![[r#"
error: p.plan: not a valid envmint plan: its sealed part: expected ident at line 1 column 2
hint: make a new one with `envmint plan -o FILE`

"#]],
        ),
        (
            r#"{"before":"","after":"","edits":[{"op":"frob","key":"A"}]}"#,
            str![[r#"
error: p.plan: not a valid envmint plan: its sealed part: unknown edit `frob`
hint: make a new one with `envmint plan -o FILE`

"#]],
        ),
    ];
    let mut out = out;
    for (part, said) in cases {
        let armored = out
            .then()
            .write("part.json", part)
            .args(["seal", "-a", "-r", &public, "part.json"])
            .status(0);
        let mut bad = plan.clone();
        bad["environments"][0]["sealed_secrets"] = armored.stdout().into();
        let refused = armored
            .then()
            .write("p.plan", bad.to_string())
            .chmod("p.plan", 0o600)
            .args(["apply", "--at", AT, "p.plan"])
            .status(65);
        refused.stderr_is(said);
        assert_eq!(refused.bytes(".env.production.age"), sealed);
        out = refused;
    }
}

/// A sealed part that does not decrypt to a plan part is refused naming the plan (65); the
/// store keeps its bytes.
#[test]
fn fail_a_sealed_part_that_does_not_read_is_refused_naming_the_plan() {
    let out = sealed_project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let mut plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();
    plan["environments"][0]["sealed_secrets"] = "not an age file".into();
    let sealed = out.bytes(".env.production.age");
    let refused = out
        .then()
        .write("p.plan", plan.to_string())
        .chmod("p.plan", 0o600)
        .args(["apply", "--at", AT, "p.plan"])
        .status(65);
    refused.stderr_is(str![[r#"
error: p.plan (environment production): no valid age header: not an age file, or one cut short
hint: the file is not a complete age file; restore it from a copy

"#]]);
    assert_eq!(refused.bytes(".env.production.age"), sealed);
}
