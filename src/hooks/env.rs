//! Which of a store's keys a hook gets in its environment.
//!
//! A hook gets the store's values as `envmint run` gives them, minus the variables that make a
//! program load code or change what a shell runs ([`crate::export::startup`]), and minus the
//! variables that point a client at a server, a proxy, a trust store or a config file
//! ([`redirects`]): a store that sets `PGHOSTADDR` or `PGHOST` would otherwise send psql, with
//! the new password, to whoever wrote the store, and a sealed store can be written by anyone
//! who can merge a pull request. Such a key is passed only when the manifest declares it under
//! `[secrets]` for that environment, and the declared names are part of what `--allow-hooks`
//! allows.

/// Variables that point a client somewhere (read by libpq, redis-cli, mysql, kubectl, curl,
/// OpenSSL, the AWS and Docker clients...).
const NAMES: &[&str] = &[
    "KUBECONFIG",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "TMPDIR",
    "SHELL",
    "DOCKER_HOST",
    "DOCKER_CONFIG",
    "CONTAINER_HOST",
    "VAULT_ADDR",
    "SSH_AUTH_SOCK",
    "GNUPGHOME",
    "WGETRC",
    "CURL_HOME",
];

/// Prefixes of such variables: libpq's `PG*`, psql's `PSQLRC` (a start-up file whose `\!`
/// runs commands) and `PSQL_*`, redis-cli's `REDISCLI_*`, mysql's and MariaDB's `MYSQL_*` and
/// `MARIADB_*`, the client library's plugin paths `LIBMYSQL_*` (it loads those `.so` files),
/// the AWS CLI's `AWS_*`.
const PREFIXES: &[&str] = &[
    "PG",
    "PSQL",
    "REDISCLI_",
    "MYSQL_",
    "MARIADB_",
    "LIBMYSQL_",
    "AWS_",
];

/// Whether `name` points a client at a server, proxy, trust store or config file: held back
/// from hooks unless the manifest declares it.
pub fn redirects(name: &str) -> bool {
    NAMES.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::redirects;

    #[test]
    fn client_connection_variables_redirect_and_app_names_do_not() {
        for name in [
            "PGHOST",
            "PGHOSTADDR",
            "PGSERVICEFILE",
            "PGPASSFILE",
            "REDISCLI_AUTH",
            "MYSQL_HOST",
            "KUBECONFIG",
            "HTTPS_PROXY",
            "AWS_ENDPOINT_URL",
            "PSQLRC",
            "PSQL_HISTORY",
            "LIBMYSQL_PLUGINS",
            "LIBMYSQL_PLUGIN_DIR",
        ] {
            assert!(redirects(name), "{name}");
        }
        for name in ["DB_HOST", "DB_PASSWORD", "REDIS_SOCKET", "APP_PG"] {
            assert!(!redirects(name), "{name}");
        }
    }
}
