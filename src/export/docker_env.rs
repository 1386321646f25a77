//! `docker-env`: raw `KEY=value` lines for `docker run --env-file`.
//!
//! docker's reader (docker/cli `pkg/kvfile`, `opts/envfile.go` before it) splits the file into
//! lines with Go's `bufio.Scanner` (which drops a `\r` before each `\n` and gives up on a line
//! of 64 KiB or more), trims whitespace at the start of each line, skips `#` lines, and cuts each
//! line at its first `=`: everything after it is the value, whitespace and quotes included.
//! No escapes, no interpolation. So a value is written as it is, and refused when it holds:
//!
//! - a line break (`\n`), or a `\r` at the end (the scanner drops it): one line per variable
//!   (a `\r` inside the value is read as it is);
//! - NUL: no environment variable can hold one;
//! - a quote at both ends (`'x'`, `"x"`): docker 28 keeps such quotes, while docker/cli#6805
//!   strips matching outer quotes, so the value would depend on the docker version;
//!
//! and when `KEY=value` is longer than the scanner's limit.

use super::{Entry, Format, Refusal, Why, sized};
use zeroize::Zeroizing;

/// The longest line docker reads: Go's `bufio.MaxScanTokenSize` (64 KiB) holds the line and its
/// `\n`.
pub const MAX_LINE: usize = 64 * 1024 - 1;

/// Why docker would not read `value` back as it is, if it would not.
pub fn problem(key: &str, value: &str) -> Option<Why> {
    let bytes = value.as_bytes();
    if memchr::memchr(b'\n', bytes).is_some() || bytes.last() == Some(&b'\r') {
        return Some(Why::LineBreak);
    }
    if memchr::memchr(0, bytes).is_some() {
        return Some(Why::Nul);
    }
    if let [first @ (b'\'' | b'"'), .., last] = bytes
        && first == last
    {
        return Some(Why::Quoted);
    }
    if key.len() + 1 + value.len() > MAX_LINE {
        return Some(Why::LineTooLong { limit: MAX_LINE });
    }
    None
}

/// Renders `entries` as `KEY=value` lines.
///
/// # Errors
///
/// The first value docker would not read back as it is ([`problem`]).
pub fn render(entries: &[Entry<'_>]) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    let mut len = 0;
    for e in entries {
        // Keys come from a dotenv document: `[A-Za-z0-9_.-]+`, no whitespace, no `#` or `=`,
        // all of which docker accepts.
        if let Some(why) = problem(e.key, e.value) {
            return Err(Refusal::of(Format::DockerEnv, e.key, why));
        }
        len += e.key.len() + 1 + e.value.len() + 1;
    }
    Ok(sized(len, |out| {
        for e in entries {
            out.extend_from_slice(e.key.as_bytes());
            out.push(b'=');
            out.extend_from_slice(e.value.as_bytes());
            out.push(b'\n');
        }
    }))
}
