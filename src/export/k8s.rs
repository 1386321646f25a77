//! `k8s`: a Kubernetes `v1` `Secret` manifest (type `Opaque`, values base64 in `data`), the
//! same structure as `kubectl create secret generic NAME --from-env-file=FILE --dry-run=client
//! -o yaml` prints for the same values, ready for `kubectl apply -f -`.
//!
//! Written as YAML with every scalar double-quoted, so no key reads as a number, a boolean or
//! null (`"1"`, `"true"`, `"null"` are valid Secret keys). The checks are the API server's:
//! keys as `IsConfigMapKey` (`[-._a-zA-Z0-9]+`, at most 253, not `.`, `..` or starting with
//! `..`), at most 1 MiB of values in all, the name a DNS-1123 subdomain, the namespace a
//! DNS-1123 label. Secret values are bytes, so any value is carried.

use super::{Entry, Format, K8sMeta, Refusal, Why, sized};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// The most value bytes a Secret holds (the API server's `MaxSecretSize`).
pub const MAX_DATA: usize = 1024 * 1024;

/// Whether `key` is a valid key of a Secret's `data`.
pub fn is_secret_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        && key != "."
        && !key.starts_with("..")
}

/// Whether `name` is a DNS-1123 label: at most 63 of `[a-z0-9-]`, starting and ending with a
/// letter or digit (a namespace).
pub fn is_dns_label(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Whether `name` is a DNS-1123 subdomain: at most 253, dot-separated labels of `[a-z0-9-]`
/// each starting and ending with a letter or digit (a Secret's name).
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// Renders `entries` as a Secret named `meta.name`.
///
/// # Errors
///
/// An invalid name or namespace, a key a Secret does not accept, or more than [`MAX_DATA`]
/// bytes of values.
pub fn render(entries: &[Entry<'_>], meta: &K8sMeta<'_>) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    let bad_name = |name: &str, namespace: bool| Refusal {
        format: Format::K8s,
        key: None,
        why: Why::BadName {
            name: name.to_owned(),
            namespace,
            default: meta.default_name && !namespace,
        },
    };
    if !is_dns_subdomain(meta.name) {
        return Err(bad_name(meta.name, false));
    }
    if let Some(ns) = meta.namespace
        && !is_dns_label(ns)
    {
        return Err(bad_name(ns, true));
    }
    let mut size = 0;
    for e in entries {
        if !is_secret_key(e.key) {
            return Err(Refusal::of(Format::K8s, e.key, Why::KeyNotASecretKey));
        }
        size += e.value.len();
    }
    if size > MAX_DATA {
        return Err(Refusal {
            format: Format::K8s,
            key: None,
            why: Why::TooLarge {
                size,
                limit: MAX_DATA,
            },
        });
    }
    let head = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"{}\"\n",
        meta.name
    );
    let namespace = meta
        .namespace
        .map(|ns| format!("  namespace: \"{ns}\"\n"))
        .unwrap_or_default();
    let kind = "type: Opaque\n";
    // kubectl leaves `data` out when there is nothing in it.
    let data = if entries.is_empty() { "" } else { "data:\n" };
    let len = head.len()
        + namespace.len()
        + kind.len()
        + data.len()
        + entries
            .iter()
            .map(|e| {
                // `  "KEY": "BASE64"` and a newline.
                3 + e.key.len() + 4 + base64::encoded_len(e.value.len(), true).unwrap_or(0) + 2
            })
            .sum::<usize>();
    Ok(sized(len, |out| {
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(namespace.as_bytes());
        out.extend_from_slice(kind.as_bytes());
        out.extend_from_slice(data.as_bytes());
        for e in entries {
            out.extend_from_slice(b"  \"");
            out.extend_from_slice(e.key.as_bytes());
            out.extend_from_slice(b"\": \"");
            let start = out.len();
            let n = base64::encoded_len(e.value.len(), true).unwrap_or(0);
            out.resize(start + n, 0);
            let _ = STANDARD.encode_slice(e.value.as_bytes(), &mut out[start..]);
            out.extend_from_slice(b"\"\n");
        }
    }))
}
