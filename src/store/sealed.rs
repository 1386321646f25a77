//! The sealed format: an age file decrypted in memory and encrypted to the environment's
//! recipients, so the plaintext never touches disk; and the recipient pin inside it
//! ([`crate::seal::pin`]), checked before every write.

use crate::error::Result;
use crate::seal::{self, Identity, Opened, SealError, pin};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Who a sealed file is encrypted to, and how it is written.
#[derive(Clone, Debug)]
pub struct Sealing {
    /// The recipients, at least one.
    pub recipients: Vec<crate::seal::Recipient>,
    /// ASCII-armored output.
    pub armor: bool,
    /// The environment's plaintext file: while the sealed file does not exist, what it holds is
    /// the store's content (without the line of [`crate::seal::unsealed`]), so an environment
    /// declared `sealed` after it had a plaintext file keeps its values instead of getting a
    /// fresh store of new ones. See [`Snapshot::is_imported`].
    pub import: Option<PathBuf>,
}

/// What a sealed store said about who it is sealed to, when it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pin {
    /// Pinned to these recipients (canonical, sorted).
    Pinned(Vec<String>),
    /// No pin (sealed before pins, or by another tool): the header's stanza types, the only
    /// hint of its recipients.
    Unpinned(Vec<String>),
    /// A pin line that is not a recipient, at this 1-based line (made by hand).
    Bad(usize),
}

/// A sealed store as read: its pin, and the public keys of the identities it was opened with.
#[derive(Clone, Debug)]
pub struct SealedState {
    /// The recipients it says it is sealed to.
    pub pin: Pin,
    /// The canonical public keys of the identities given to open it (one of them did).
    pub opened_by: Vec<String>,
}

/// The plaintext of the age file `raw` read from `path`, decrypted with `identities`, without
/// its pin lines; and what the store says about its recipients. Refused above
/// [`seal::MAX_IN_MEMORY`]. Nothing is returned unless the whole file authenticated.
pub(super) fn decode(
    path: &Path,
    raw: &[u8],
    identities: &[Identity],
) -> Result<(Zeroizing<Vec<u8>>, SealedState)> {
    let name = path.display().to_string();
    let opened = Opened::new(raw, &name)?;
    let stanzas = opened.stanza_types();
    let mut plain = opened
        .with_identities(identities)?
        .read_all(seal::MAX_IN_MEMORY)?;
    let (end, lines) = pin::split(&plain);
    let pin = if lines.is_empty() {
        Pin::Unpinned(stanzas)
    } else {
        pin::parse(&lines).map_or_else(Pin::Bad, Pin::Pinned)
    };
    // In place: the bytes moved are zeroized with the buffer's whole capacity on drop.
    plain.drain(..end);
    let opened_by = identities
        .iter()
        .filter_map(|i| seal::Recipient::parse(i.public()).ok())
        .map(|r| r.to_string())
        .collect();
    Ok((plain, SealedState { pin, opened_by }))
}

/// Refuses a write of a store read as `before` to `sealing`'s recipients when they are not the
/// ones pinned in it, when it has no pin and its header has other recipients, or when none of
/// them is an identity that opened it (the writer would lock themselves out). Only `rekey`
/// writes without this check.
///
/// # Errors
///
/// [`SealError::RecipientsChanged`], [`SealError::UnpinnedChanged`], [`SealError::LocksOut`]
/// (exit 77), [`SealError::BadPin`] (exit 65).
pub fn check(path: &Path, sealing: &Sealing, before: &SealedState) -> Result<()> {
    let name = || path.to_path_buf();
    let now = pin::canonical(&sealing.recipients);
    match &before.pin {
        Pin::Pinned(pinned) if *pinned != now => {
            let (added, removed) = pin::diff(pinned, &now);
            return Err(SealError::RecipientsChanged {
                name: name(),
                added,
                removed,
            }
            .into());
        }
        Pin::Pinned(_) => {}
        Pin::Unpinned(stanzas) => {
            if !pin::stanzas_match(stanzas, &sealing.recipients) {
                return Err(SealError::UnpinnedChanged {
                    name: name(),
                    stanzas: stanzas.clone(),
                    now,
                }
                .into());
            }
        }
        Pin::Bad(line) => {
            return Err(SealError::BadPin {
                name: name(),
                line: *line,
            }
            .into());
        }
    }
    locks_out(path, &now, before)
}

/// Refuses recipients `now` (canonical) that include none of the identities that opened the
/// store read as `before`.
///
/// # Errors
///
/// [`SealError::LocksOut`] (exit 77).
pub fn locks_out(path: &Path, now: &[String], before: &SealedState) -> Result<()> {
    if before.opened_by.is_empty() || before.opened_by.iter().any(|o| now.contains(o)) {
        return Ok(());
    }
    Err(SealError::LocksOut {
        name: path.to_path_buf(),
        identities: before.opened_by.clone(),
    }
    .into())
}

/// The age file for `plaintext` with the pin of `sealing`'s recipients on top (any pin lines
/// `plaintext` starts with replaced), encrypted to them (armored if asked).
pub(super) fn encode(path: &Path, sealing: &Sealing, plaintext: &[u8]) -> Result<Vec<u8>> {
    let (end, _) = pin::split(plaintext);
    let pin = pin::render(&sealing.recipients);
    let mut full = Zeroizing::new(Vec::with_capacity(pin.len() + plaintext.len() - end));
    full.extend_from_slice(pin.as_bytes());
    full.extend_from_slice(&plaintext[end..]);
    let mut input = &full[..];
    seal::encrypt(
        &sealing.recipients,
        sealing.armor,
        &mut input,
        Path::new("<plaintext>"),
        Vec::with_capacity(full.len() + 256),
        path,
    )
}
