//! An environment's storage: the one way in and out of a secret file.
//!
//! Commands never open a secret file themselves: they [`peek`] at it to plan, [`open_all`] the
//! files of several environments under the advisory locks for a read-modify-write, get a
//! [`Document`] from each [`Snapshot`], change it through pure library functions, and
//! [`save_all`] the documents as one group commit through the atomic writer. [`transact`] is that
//! whole loop (plan without the lock, lock, check the snapshot, re-plan if the file moved,
//! commit), shared by every command that changes stored secrets.
//!
//! # Formats
//!
//! An environment's storage has a [`Format`]: the bytes on disk are its *raw* form, and the
//! dotenv text is its *plaintext*. For [`Format::Plain`] they are the same buffer (held once: a
//! 1,000,000-key file must fit in 5x its size). A [`Snapshot`] holds both, and whether a save
//! changes anything is decided on the plaintext, never on the raw bytes: a sealed file's bytes are
//! different on every encryption, and a run that changes nothing must leave the file's bytes
//! *and* mtime alone.
//!
//! [`Format::Sealed`] is an age file: opened, it is decrypted in memory (into zeroizing
//! buffers, at most [`crate::seal::MAX_IN_MEMORY`]) with the identities of [`OpenOptions`];
//! saved, it is encrypted to the environment's recipients and written by the same atomic
//! writer. The plaintext never touches disk. A missing sealed file is an empty document, so
//! bootstrap creates it from the recipients alone.

mod commit;
mod plain;
mod sealed;
mod types;

pub use commit::{
    Outcome, Pending, Save, Staged, Transaction, open, open_all, open_waiting, rewrite_all,
    save_all, transact,
};
pub use sealed::{Pin, SealedState, Sealing, check as check_recipients, locks_out};
pub use types::{
    EnvFile, Format, OpenOptions, Snapshot, Storage, decrypt_sealed, encrypt_sealed, peek,
};

#[cfg(test)]
pub(crate) use types::DECRYPTIONS;
