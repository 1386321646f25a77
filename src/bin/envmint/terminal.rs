//! Talking to the person at the terminal: a hidden prompt for a secret value and a yes/no
//! question, both on `/dev/tty` (so stdout and stderr stay free for output), with echo turned
//! off through termios and restored by a guard even when reading fails.

use envmint::{Error, Result};
use rustix::termios::{LocalModes, OptionalActions, Termios, tcgetattr, tcsetattr};
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

/// Restores the terminal's settings when dropped.
struct EchoOff<'a> {
    tty: &'a File,
    saved: Termios,
}

impl<'a> EchoOff<'a> {
    /// Turns echo off (keeping the newline echoed, so the cursor moves on after Enter).
    fn new(tty: &'a File) -> Result<EchoOff<'a>> {
        let io = |e: rustix::io::Errno| Error::Io {
            path: "/dev/tty".into(),
            action: "set up",
            source: e.into(),
        };
        let saved = tcgetattr(tty).map_err(io)?;
        let mut hidden = saved.clone();
        hidden.local_modes.remove(LocalModes::ECHO);
        hidden.local_modes.insert(LocalModes::ECHONL);
        tcsetattr(tty, OptionalActions::Flush, &hidden).map_err(io)?;
        Ok(EchoOff { tty, saved })
    }
}

impl Drop for EchoOff<'_> {
    fn drop(&mut self) {
        let _ = tcsetattr(self.tty, OptionalActions::Now, &self.saved);
    }
}

/// Reads one line from the terminal, byte by byte (no buffer holds more than the line), up to
/// `limit` bytes plus the line break. The line break is kept.
fn read_line(mut tty: &File, limit: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(limit + 2));
    let mut byte = [0u8; 1];
    while line.len() < limit + 2 {
        match tty.read(&mut byte) {
            Ok(0) => break,
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
    let tty = open_tty()?;
    // Echo goes off before the prompt shows: what is typed after seeing it is never echoed.
    let _echo_off = EchoOff::new(&tty)?;
    (&tty)
        .write_all(prompt.as_bytes())
        .and_then(|()| (&tty).flush())
        .map_err(|e| Error::writing(Path::new("/dev/tty"), "write", e))?;
    read_line(&tty, limit)
}

/// Asks `question` (ending in `[Y/n]`) on the terminal; an empty answer is yes.
pub fn ask_yes(question: &str) -> Result<bool> {
    let tty = open_tty()?;
    (&tty)
        .write_all(question.as_bytes())
        .and_then(|()| (&tty).flush())
        .map_err(|e| Error::writing(Path::new("/dev/tty"), "write", e))?;
    let line = read_line(&tty, 16)?;
    Ok(is_yes(&line))
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
