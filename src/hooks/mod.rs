//! Hooks: what changes a credential at its service during a rotation. The library decides
//! (which secrets go through the stages, what each stage writes, what a hook's output may show);
//! the binary spawns the commands (`sh -c`, own process group, timeout) and saves each stage
//! through the store.
//!
//! - [`stage`]: pending, set, test, finish and retire as decisions and document edits.
//! - [`env`]: which store keys a hook gets (client redirections held back).
//! - [`redact`]: every value of the store replaced by `[KEY redacted]` in a hook's output.

pub mod env;
pub mod redact;
pub mod stage;

pub use redact::Redactor;
