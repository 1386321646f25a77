use super::*;
use crate::dotenv::UnsafeChar;

fn e<'a>(key: &'a str, value: &'a str) -> Entry<'a> {
    Entry { key, value }
}

fn text(bytes: Zeroizing<Vec<u8>>) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const META: K8sMeta<'static> = K8sMeta {
    name: "production-secrets",
    default_name: true,
    namespace: None,
};

#[test]
fn dotenv_quotes_as_the_writer_does_and_refuses_what_it_refuses() {
    let out = dotenv::render(&[e("A", "abc"), e("B", "a#b"), e("C", "")]).unwrap();
    assert_eq!(text(out), "A=abc\nB='a#b'\nC=\n");
    let err = dotenv::render(&[e("A", "x"), e("B", "a${b}")]).unwrap_err();
    assert_eq!(
        err,
        Refusal::of(Format::Dotenv, "B", Why::Unwritable(UnsafeChar::Dollar))
    );
    let err = dotenv::render(&[e("a.b", "x")]).unwrap_err();
    assert_eq!(err.why, Why::KeyNotAName);
}

#[test]
fn docker_env_writes_raw_lines_and_refuses_what_docker_reads_otherwise() {
    let out = docker_env::render(&[e("A", " spaced 'q\" $x \\ é "), e("B", "")]).unwrap();
    assert_eq!(text(out), "A= spaced 'q\" $x \\ é \nB=\n");
    for (value, why) in [
        ("a\nb", Why::LineBreak),
        ("ab\r", Why::LineBreak),
        ("a\0b", Why::Nul),
        ("'quoted'", Why::Quoted),
        ("\"x\"", Why::Quoted),
        ("''", Why::Quoted),
    ] {
        assert_eq!(
            docker_env::render(&[e("K", value)]).unwrap_err(),
            Refusal::of(Format::DockerEnv, "K", why),
            "{value:?}"
        );
    }
    // One quote, or different quotes at the ends, read the same in every docker.
    for ok in ["'", "'x\"", "x'", "\"x", "a\rb"] {
        assert!(docker_env::render(&[e("K", ok)]).is_ok(), "{ok:?}");
    }
    let long = "x".repeat(docker_env::MAX_LINE - 2);
    assert!(docker_env::render(&[e("K", &long)]).is_ok());
    let longer = "x".repeat(docker_env::MAX_LINE - 1);
    assert_eq!(
        docker_env::render(&[e("K", &longer)]).unwrap_err().why,
        Why::LineTooLong {
            limit: docker_env::MAX_LINE
        }
    );
}

#[test]
fn json_escapes_exactly_what_json_needs() {
    let value = "q\"b\\n\nt\tc\u{1}\u{1f}é🙂\u{7f}";
    let out = text(json::render(&[e("K", value), e("a.b", "")]));
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(parsed["K"], value);
    assert_eq!(parsed["a.b"], "");
    assert!(out.contains("\\u0001") && out.contains("\\u001f"), "{out}");
    assert_eq!(text(json::render(&[])), "{}\n");
    // Order is the file's.
    let out = text(json::render(&[e("Z", "1"), e("A", "2")]));
    assert_eq!(out, "{\n  \"Z\": \"1\",\n  \"A\": \"2\"\n}\n");
}

#[test]
fn shell_single_quotes_everything_and_escapes_single_quotes() {
    let out = shell::render(&[e("A", "it's $x `id` \\ \n"), e("B", "")]).unwrap();
    assert_eq!(
        text(out),
        "export A='it'\\''s $x `id` \\ \n'\nexport B=''\n"
    );
    assert_eq!(shell::render(&[e("A", "a\0")]).unwrap_err().why, Why::Nul);
    assert_eq!(
        shell::render(&[e("x-y", "a")]).unwrap_err(),
        Refusal::of(Format::Shell, "x-y", Why::KeyNotAName)
    );
}

#[test]
fn docker_secrets_keys_must_be_plain_file_names() {
    assert!(docker_secrets::check(&[e("DB_PASSWORD", "x"), e("a.b-c", "y")]).is_ok());
    for bad in [".", "..", ".hidden", folder::MARKER, ""] {
        assert_eq!(
            docker_secrets::check(&[e(bad, "x")]).unwrap_err().why,
            Why::KeyNotAFileName,
            "{bad:?}"
        );
    }
    assert!(!docker_secrets::is_file_name(&"K".repeat(256)));
    assert!(!docker_secrets::is_file_name("a/b"));
}

#[test]
fn k8s_writes_a_quoted_secret_with_base64_data() {
    let out = text(k8s::render(&[e("A", "hi"), e("1", "")], &META).unwrap());
    assert_eq!(
        out,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"production-secrets\"\n\
         type: Opaque\ndata:\n  \"A\": \"aGk=\"\n  \"1\": \"\"\n"
    );
    let meta = K8sMeta {
        namespace: Some("web"),
        ..META
    };
    let out = text(k8s::render(&[], &meta).unwrap());
    assert_eq!(
        out,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"production-secrets\"\n  \
         namespace: \"web\"\ntype: Opaque\n"
    );
}

#[test]
fn k8s_refuses_what_the_api_server_refuses() {
    for bad in [".", "..", "..a", "a b"] {
        assert_eq!(
            k8s::render(&[e(bad, "x")], &META).unwrap_err().why,
            Why::KeyNotASecretKey,
            "{bad:?}"
        );
    }
    assert!(k8s::is_secret_key(".a") && k8s::is_secret_key("a..b") && k8s::is_secret_key("-"));
    let big = "x".repeat(k8s::MAX_DATA / 2 + 1);
    assert!(matches!(
        k8s::render(&[e("A", &big), e("B", &big)], &META)
            .unwrap_err()
            .why,
        Why::TooLarge { .. }
    ));
    for name in [
        "Prod-secrets",
        "a_b",
        "-a",
        "a-",
        "a..b",
        "",
        &"a".repeat(254),
    ] {
        let meta = K8sMeta { name, ..META };
        assert!(
            matches!(
                k8s::render(&[], &meta).unwrap_err().why,
                Why::BadName {
                    namespace: false,
                    default: true,
                    ..
                }
            ),
            "{name:?}"
        );
    }
    for ok in ["a", "a.b-c", "0", &"a".repeat(253)] {
        assert!(k8s::is_dns_subdomain(ok), "{ok:?}");
    }
    for ns in ["a.b", "A", &"a".repeat(64)] {
        let meta = K8sMeta {
            namespace: Some(ns),
            ..META
        };
        assert!(
            matches!(
                k8s::render(&[], &meta).unwrap_err().why,
                Why::BadName {
                    namespace: true,
                    default: false,
                    ..
                }
            ),
            "{ns:?}"
        );
    }
}

#[test]
fn refusals_and_entries_never_show_a_value() {
    let entry = e("KEY", "hunter2");
    assert!(!format!("{entry:?}").contains("hunter2"));
    for format in Format::ALL {
        if let Err(r) = render(format, &[e("K", "hunter2\n\0'x'$")], &META) {
            assert!(!format!("{r:?}").contains("hunter2"), "{format:?}");
        }
    }
}

#[test]
fn select_takes_managed_keys_in_file_order_and_requires_declared_ones() {
    let manifest = crate::manifest::Manifest::parse(
        "[environments.prod]\n[secrets.B]\nkind = \"hex\"\n[secrets.A]\nkind = \"hex\"\n",
        std::path::Path::new("/app/envmint.toml"),
        std::path::Path::new("/app"),
    )
    .unwrap();
    let doc = crate::dotenv::Document::parse("A=1\nOTHER=2\nB=3\nB_PREVIOUS=4\n");
    let keys = |k| -> Vec<String> {
        select(&manifest, "prod", &doc, k)
            .unwrap()
            .iter()
            .map(|e| format!("{}={}", e.key, e.value))
            .collect()
    };
    assert_eq!(keys(Keys::Managed), ["A=1", "B=3", "B_PREVIOUS=4"]);
    assert_eq!(
        keys(Keys::ManagedAndOthers),
        ["A=1", "OTHER=2", "B=3", "B_PREVIOUS=4"]
    );
    let doc = crate::dotenv::Document::parse("A=1\nOTHER='x\n");
    assert_eq!(
        select(&manifest, "prod", &doc, Keys::Managed).unwrap_err(),
        SelectError::Missing { key: "B".into() }
    );
    assert!(matches!(
        select(&manifest, "prod", &doc, Keys::ManagedAndOthers).unwrap_err(),
        SelectError::Unreadable { key, line: Some(2) } if key == "OTHER"
    ));
    assert_eq!(
        select(&manifest, "prod", &doc, Keys::Managed).unwrap_err(),
        SelectError::Missing { key: "B".into() }
    );
    let doc = crate::dotenv::Document::parse("A=1\nX=2\n");
    assert_eq!(
        select(&manifest, "prod", &doc, Keys::File).unwrap().len(),
        2
    );
}

/// The library's words for a key that cannot be selected and a folder that cannot be written
/// (the binary words them with its hints; these are for other callers and for a refusal the
/// binary does not know yet).
#[test]
fn select_and_folder_errors_say_what_is_wrong_naming_key_and_path() {
    use folder::FolderError;
    use std::error::Error as _;
    let missing = SelectError::Missing { key: "A".into() };
    assert_eq!(
        missing.to_string(),
        "`A` is declared for the environment but is not in the file"
    );
    let unreadable = SelectError::Unreadable {
        key: "B".into(),
        line: Some(3),
    };
    assert_eq!(
        unreadable.to_string(),
        "`B` is on a line envmint cannot read, so its value is unclear"
    );
    let path = std::path::PathBuf::from("out/secrets");
    let said = |e: FolderError| e.to_string();
    assert_eq!(
        said(FolderError::NotAFolder { path: path.clone() }),
        "out/secrets: not a folder"
    );
    assert_eq!(
        said(FolderError::NotOwned {
            path: path.clone(),
            owner: 0,
            euid: 1000
        }),
        "out/secrets: belongs to user 0, not to user 1000: its files could be swapped"
    );
    assert_eq!(
        said(FolderError::Symlink {
            path: path.clone(),
            to: "/etc".into()
        }),
        "out/secrets: a symlink (to /etc): a folder is written only under its own path"
    );
    assert_eq!(
        said(FolderError::NotAdoptable {
            path: path.clone(),
            holds: folder::MARKER.into()
        }),
        "out/secrets: holds a .envmint-export that envmint did not write"
    );
    assert_eq!(
        said(FolderError::NotAdoptable {
            path: path.clone(),
            holds: "notes.txt".into()
        }),
        "out/secrets: not a folder envmint exported into (it holds `notes.txt` and no \
         .envmint-export)"
    );
    assert_eq!(
        said(FolderError::NotOurs {
            path: path.join("A"),
            key: "A".into()
        }),
        "out/secrets/A: exists and envmint did not write it, so it is not replaced with `A`"
    );
    assert_eq!(
        said(FolderError::NotRegular {
            path: path.join("A"),
            key: "A".into()
        }),
        "out/secrets/A: not a regular file (a link or a folder), so `A` is not written there"
    );
    let file = FolderError::from(crate::Error::reading(
        &path,
        std::io::Error::from(std::io::ErrorKind::NotFound),
    ));
    assert_eq!(file.to_string(), "out/secrets: file not found");
    assert!(file.source().is_some());
}
