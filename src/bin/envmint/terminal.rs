//! Talking to the person at the terminal: a hidden prompt for a secret value and a yes/no
//! question, both on `/dev/tty` (so stdout and stderr stay free for output), with echo turned
//! off through termios and restored by a guard even when reading fails.

use crate::error::{Error, Result};
use envmint::error::Location;
use rustix::termios::{
    LocalModes, OptionalActions, SpecialCodeIndex, Termios, tcgetattr, tcsetattr,
};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// Whether stdin is a terminal: then a person is there to type a value or answer a question.
pub fn stdin_is_terminal() -> bool {
    rustix::termios::isatty(std::io::stdin())
}

/// The controlling terminal, for reading and writing.
fn open_tty() -> Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| Error::reading(Path::new("/dev/tty"), e))
}

/// The terminal set up for one answer; restores the settings when dropped.
///
/// Ctrl-C does not send SIGINT meanwhile: envmint cannot catch a signal without `unsafe`, and
/// killed there it would leave the terminal without echo (or, in `edit`, the private copy
/// behind). Instead the interrupt character ends the line, and [`read_line`] reports it as a
/// cancel.
struct Prompting<'a> {
    tty: &'a File,
    saved: Termios,
}

impl<'a> Prompting<'a> {
    /// Takes over Ctrl-C, and turns echo off when `hidden` (keeping the newline echoed, so the
    /// cursor moves on after Enter).
    fn new(tty: &'a File, hidden: bool) -> Result<Prompting<'a>> {
        let io = |e: rustix::io::Errno| {
            Error::from(envmint::error::FileError::os(
                "/dev/tty",
                envmint::error::Op::Read,
                e.into(),
            ))
        };
        let saved = tcgetattr(tty).map_err(io)?;
        let mut modes = saved.clone();
        if hidden {
            modes.local_modes.remove(LocalModes::ECHO);
            modes.local_modes.insert(LocalModes::ECHONL);
        }
        modes.local_modes.remove(LocalModes::ISIG);
        modes.special_codes[SpecialCodeIndex::VEOL] = saved.special_codes[SpecialCodeIndex::VINTR];
        tcsetattr(tty, OptionalActions::Flush, &modes).map_err(io)?;
        Ok(Prompting { tty, saved })
    }

    /// The interrupt character (Ctrl-C), unless it is disabled.
    fn interrupt(&self) -> Option<u8> {
        Some(self.saved.special_codes[SpecialCodeIndex::VINTR]).filter(|&c| c != 0)
    }
}

impl Drop for Prompting<'_> {
    fn drop(&mut self) {
        let _ = tcsetattr(self.tty, OptionalActions::Now, &self.saved);
    }
}

/// Reads one line from the terminal, byte by byte (no buffer holds more than the line), up to
/// `limit` bytes plus the line break. The line break is kept. The `interrupt` byte (Ctrl-C)
/// cancels: nothing is returned.
fn read_line(mut tty: &File, limit: usize, interrupt: Option<u8>) -> Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(limit + 2));
    let mut byte = [0u8; 1];
    while line.len() < limit + 2 {
        match tty.read(&mut byte) {
            // End of input (Ctrl-D) echoes nothing: move the cursor on, as Enter would, so
            // that the next prompt or message starts a line of its own.
            Ok(0) => {
                let _ = tty.write_all(b"\n");
                break;
            }
            Ok(_) if Some(byte[0]) == interrupt => {
                let _ = tty.write_all(b"\n");
                return Err(Error::data(
                    Location::new("<terminal>", None),
                    "cancelled (Ctrl-C); nothing written",
                ));
            }
            Ok(_) => {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::reading(Path::new("/dev/tty"), e)),
        }
    }
    zeroize::Zeroize::zeroize(&mut byte);
    Ok(line)
}

/// Asks for a secret on the terminal without echo: `prompt`, one line read. At most `limit`
/// bytes (more is cut there and refused by the caller's length check).
pub fn read_hidden(prompt: &str, limit: usize) -> Result<Zeroizing<Vec<u8>>> {
    ask(prompt, true, limit)
}

/// Asks `question` (ending in `[Y/n]`) on the terminal; an empty answer is yes.
pub fn ask_yes(question: &str) -> Result<bool> {
    let line = ask(question, false, 16)?;
    Ok(is_yes(&line))
}

/// Asks `question` (ending in `[y/N]`) on the terminal; only y or yes is yes.
pub fn ask_explicit_yes(question: &str) -> Result<bool> {
    let line = ask(question, false, 16)?;
    let answer = String::from_utf8_lossy(&line);
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Asks for a line that is no secret (an age plugin's question) on the terminal, echoed: at
/// most `limit` bytes, the line ending dropped.
pub fn read_line_shown(prompt: &str, limit: usize) -> Result<String> {
    let line = ask(prompt, false, limit)?;
    let text = String::from_utf8_lossy(&line);
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// Shows `prompt` on the terminal and reads one line of at most `limit` bytes, with echo off
/// when `hidden`.
fn ask(prompt: &str, hidden: bool, limit: usize) -> Result<Zeroizing<Vec<u8>>> {
    let tty = open_tty()?;
    // Echo goes off before the prompt shows: what is typed after seeing it is never echoed.
    let prompting = Prompting::new(&tty, hidden)?;
    (&tty)
        .write_all(prompt.as_bytes())
        .and_then(|()| (&tty).flush())
        .map_err(|e| Error::writing(Path::new("/dev/tty"), envmint::error::Op::Write, e))?;
    read_line(&tty, limit, prompting.interrupt())
}

/// An answer to a `[Y/n]` question: Enter alone or y/yes is yes; end of input (Ctrl-D, an empty
/// read) is no, since a person who closed the terminal did not agree.
fn is_yes(line: &[u8]) -> bool {
    if line.is_empty() {
        return false;
    }
    let answer = String::from_utf8_lossy(line);
    matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "" | "y" | "yes"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_and_y_are_yes_end_of_input_and_n_are_no() {
        for yes in [&b"\n"[..], b"y\n", b"Yes\r\n", b" y "] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in [&b""[..], b"n\n", b"no\n", b"x\n"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }
}
