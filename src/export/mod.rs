//! Exports: an environment's values written for the program that reads them.
//!
//! Each consumer reads "dotenv" differently: `docker run --env-file` keeps everything after the
//! `=` (quotes included, in the releases out today), docker compose interpolates `$` in
//! unquoted and double-quoted values, `kubectl create secret --from-env-file` keeps quotes too,
//! a shell evaluates its own quoting. So each [`Format`] is written for its reader, and a value
//! that reader cannot carry is refused with the key named ([`Refusal`]), never mangled.
//!
//! The renderers are pure: they take `(key, value)` [`Entry`]s and return the bytes in a
//! [`Zeroizing`] buffer sized once up front (a reallocation would leave an unzeroized copy of
//! the secrets behind). [`select()`] decides which keys of a document are exported, and
//! [`folder`] writes the `docker-secrets` form (one file per key) through the atomic writer.
//!
//! | format | reader | refused |
//! | --- | --- | --- |
//! | [`dotenv`] | python-dotenv, Node dotenv, compose `env_file`, `sh` | what the dotenv writer refuses (`$ \ ' "` backtick, whitespace, control characters); keys a shell does not accept |
//! | [`docker_env`] | `docker run --env-file` (docker/cli `pkg/kvfile`) | line breaks, NUL, a value wrapped in matching quotes, a line over 64 KiB |
//! | [`json`] | any JSON parser | nothing |
//! | [`shell`] | `eval` / `.` in sh, bash, zsh | NUL; keys a shell does not accept |
//! | [`docker_secrets`] | compose `secrets:`, the `*_FILE` convention | keys that are no safe file name |
//! | [`k8s`] | `kubectl apply -f -` | keys a Secret does not accept, over 1 MiB of data |

pub mod docker_env;
pub mod docker_secrets;
pub mod dotenv;
pub mod earlier;
pub mod folder;
pub mod json;
pub mod k8s;
mod select;
pub mod shell;
pub mod startup;
mod types;

pub use select::{Keys, SelectError, managed_keys, select};

pub(crate) use types::sized;
pub use types::{Entry, Format, K8sMeta, Refusal, Why};

use zeroize::Zeroizing;

/// Renders `entries` as `format` (any but [`Format::DockerSecrets`], which is a folder: see
/// [`docker_secrets::check`] and [`folder::write`]).
///
/// # Errors
///
/// The first [`Refusal`], in the order of `entries`; nothing is rendered then.
pub fn render(
    format: Format,
    entries: &[Entry<'_>],
    k8s_meta: &K8sMeta<'_>,
) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    match format {
        Format::Dotenv => dotenv::render(entries),
        Format::DockerEnv => docker_env::render(entries),
        Format::Json => Ok(json::render(entries)),
        Format::Shell => shell::render(entries),
        Format::DockerSecrets => {
            docker_secrets::check(entries).map(|()| Zeroizing::new(Vec::new()))
        }
        Format::K8s => k8s::render(entries, k8s_meta),
    }
}

#[cfg(test)]
mod tests;
