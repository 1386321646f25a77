//! envmint's integration tests, as one test binary (`cargo test --test cli`): the built binary
//! run end to end in temporary directories, one module per command or area, the dotenv corpus
//! and the peer readers. One binary compiles and links the shared builder in `common` once,
//! instead of once per `tests/*.rs` file.
//!
//! The messages users read (errors with their hints, summaries) are compared as exact text with
//! the files under `tests/cli/snapshots/`; `SNAPSHOTS=overwrite cargo test --test cli` rewrites
//! them after a deliberate wording change, so the change shows up as a diff.

mod audit;
mod bootstrap;
mod cases;
mod common;
mod completions;
mod docs;
mod dotenv_corpus;
mod dotenv_model;
mod dotenv_peers;
mod export;
mod frameworks;
mod r#gen;
mod hardening;
mod harness;
mod hooks;
mod init;
mod kv;
mod manifest;
mod memory;
mod messages;
mod noleak;
mod plan;
mod plan_apply;
mod roles;
mod rotate;
mod rotation_year;
mod run;
mod seal;
mod sealed;
mod status;
mod teams;
mod trust;
