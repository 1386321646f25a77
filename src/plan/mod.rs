//! Plans: which keys of an environment change and why, decided purely and without values, then
//! applied to a document with an injected RNG.
//!
//! Bootstrap is the simplest rotation: [`bootstrap::plan`] reads a document and the declared
//! secrets and returns a [`Plan`] (per declared key: added, filled, kept, weak or replaced, with
//! its kind and bits); [`apply()`] generates the new values and edits the document.
//! [`rotation::build`] decides a rotation (due keys, overlap, expiry) as concrete
//! [`edit::Edit`]s with their new values, which [`edit::apply_edits`] replays and
//! [`file`](mod@file) saves in a plan file for `envmint apply`; [`crate::rotation::Session`]
//! reads the stores, plans and commits them, and [`crate::rotation::replay`] replays a plan.
//!
//! [`record`] reads and writes the `# envmint:` line above each managed key (when its value was
//! made, or whose retired value it is and when it expires); [`status::evaluate`] turns a
//! document and a time into each key's state (ok, due, missing, unknown, unmanaged, previous,
//! expired).

pub mod adopt;
mod apply;
pub mod bootstrap;
pub mod clock;
pub mod edit;
pub mod error;
pub mod file;
pub mod record;
pub mod redate;
pub mod retire;
pub mod rotation;
pub mod status;
mod types;

pub use apply::apply;
pub use types::{Action, Item, KeyReport, Plan};
