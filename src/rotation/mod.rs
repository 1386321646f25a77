//! The rotation session: plan, lock, commit, in stages that hooks plug into; and the replay of
//! a saved plan (`envmint apply`).
//!
//! [`Session`] is what `rotate` and `plan` share: it reads every store of the environments it
//! is given once (under the locks for a run), plans each with [`crate::plan::rotation::build`]
//! (environments sharing one resolved file one on top of the other), walks them through the
//! [`Stage`]s with the caller's [`StageHooks`], and writes every changed store in one group
//! commit. [`replay`] decides, for a plan file, whether each store is applied, already applied
//! or stale. Deciding *what* changes stays in [`crate::plan`], which is pure; this module holds
//! the files while it happens.

pub mod replay;
mod session;
mod stage;

pub use session::{EnvReport, Report, Saved, Session, SessionError, Standing, declared_mode};
pub use stage::{NoHooks, Stage, StageEvent, StageHooks};

#[cfg(test)]
mod tests;
