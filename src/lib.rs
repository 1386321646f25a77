//! envmint: generate, store and rotate application secrets in dotenv files.
//!
//! This crate is the logic of the `envmint` command: it decides, it does not print, read the
//! clock or read the process environment. Randomness is passed in as a [`rand::CryptoRng`], so
//! every decision can be tested with a seeded generator.
//!
//! - [`generate`]: secret kinds, sizes, entropy arithmetic and unbiased sampling.
//! - [`manifest`]: the `envmint.toml` model and the built-in `web` preset.
//! - [`dotenv`]: a lossless dotenv document that renders back to its exact input bytes.
//! - [`store`]: loading and saving an environment's file (the one way in and out), its format
//!   (plain; sealed next), the group commit and the plan/lock/re-plan/commit loop.
//! - [`atomic`]: the only writer of secret files (0600 temp file, fsync, rename, fsync dir) and
//!   the advisory lock.
//! - [`plan`]: which keys change and why, without values ([`plan::bootstrap`]: which secrets an
//!   environment lacks), and applying a plan with an injected RNG; rotation with overlap
//!   ([`plan::rotation`]) as replayable edits, saved plans ([`plan::file`](mod@plan::file)).
//! - [`rotation`]: the rotation session `rotate` and `plan` share (each store read once, under
//!   its lock for a run; environments sharing a resolved file planned as one store; stages that
//!   hooks plug into; one group commit), and the replay of a saved plan for `apply`.
//! - [`kv`]: what `set`, `get`, `unset` and `edit` decide about a document (values typed or
//!   edited by a person).
//! - [`bootstrap`]: which secrets an environment lacks, and adding them.
//! - [`seal`]: age encryption: recipients, identities, keygen, sealing and unsealing streams.
//! - [`time`]: rotation periods, instants, record timestamps and due-date wording (jiff).
//! - [`git`]: running git, hardened, and asking it whether a file is tracked.
//! - [`gitignore`]: the entries `envmint init` makes sure `.gitignore` has.
//! - [`path`]: paths as shown to people, relative to a base the binary passes.
//! - [`error`]: the one error type gathering the areas' errors (`atomic::error`,
//!   `dotenv::error`, `generate::error`, `manifest::error`, `seal::error`), and its exit codes.
//! - [`location`]: where in which input a data error was found.
//! - [`text`]: small text helpers shared by the readers of files (the line of a byte offset).
//! - [`audit`]: the security checks of `envmint audit`, as findings (never a value).
//! - [`example`]: `.env.example` from the manifest (declared keys, empty values, comments).
//! - [`merge`]: the per-key three-way merge of dotenv documents behind git's merge driver.
//! - [`review`]: a store as lines a diff can show (keys and records, values as keyed digests).
//! - [`export`]: an environment's values written for their reader (dotenv, docker, JSON, shell,
//!   Kubernetes), refusing what a reader cannot carry.
#![forbid(unsafe_code)]

pub mod atomic;
pub mod audit;
pub mod dotenv;
pub mod error;
pub mod example;
pub mod export;
pub mod generate;
pub mod git;
pub mod gitignore;
pub mod hooks;
pub mod kv;
pub mod location;
pub mod manifest;
pub mod merge;
pub mod path;
pub mod plan;
pub mod review;
pub mod rotation;
pub mod seal;
pub mod secret;
pub mod store;
pub mod text;
pub mod time;

pub use error::{Error, Exit, Result};
pub use secret::Secret;

/// Tests only: the effective user id of the test process, which owns the files the tests make.
/// The library itself never asks the system who it runs as: the binary reads it once
/// (`Context::euid`) and passes it in, so the owner rules are tested with any uid.
#[cfg(test)]
pub(crate) fn test_euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Tests only: makes `path` (a file, or the symlink itself) another user's as the owner rules
/// see it, and returns `(owner, euid)`: the owner it now has and the effective user id to
/// inject, which is neither that owner nor root's. As root, `path` is given to user 65534 and
/// the rules run as root; as any other user, `path` stays the test's own and the rules run as
/// a made-up uid. So an owner rule is tested by every user, not only by root.
#[cfg(test)]
pub(crate) fn someone_elses(path: &std::path::Path) -> (u32, u32) {
    const NOBODY: u32 = 65534;
    let me = test_euid();
    if me == 0 {
        std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
        (NOBODY, 0)
    } else {
        (me, if me == 4242 { 4243 } else { 4242 })
    }
}
