//! `json`: one object of key to value, in the file's order, two-space indented. Any value can
//! be written: `"` and `\` are escaped, control characters written as `\n`, `\t`... or
//! `\u00XX`, everything else (Unicode included) as it is.

use super::{Entry, sized};
use zeroize::Zeroizing;

/// How many bytes `text` takes as a JSON string, quotes included.
fn escaped_len(text: &str) -> usize {
    2 + text
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// Appends `text` as a JSON string.
fn push_escaped(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            0..=0x1f => 0,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        if short != 0 {
            out.extend_from_slice(&[b'\\', short]);
        } else {
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Renders `entries` as one JSON object (`{}` when there are none), ending with a newline.
pub fn render(entries: &[Entry<'_>]) -> Zeroizing<Vec<u8>> {
    if entries.is_empty() {
        return sized(3, |out| out.extend_from_slice(b"{}\n"));
    }
    // `{\n`, then per entry `  "k": "v"` and `,\n` (the last one `\n`), then `}\n`.
    let len = 2 + entries
        .iter()
        .map(|e| 2 + escaped_len(e.key) + 2 + escaped_len(e.value) + 2)
        .sum::<usize>()
        - 1
        + 2;
    sized(len, |out| {
        out.extend_from_slice(b"{\n");
        for (i, e) in entries.iter().enumerate() {
            out.extend_from_slice(b"  ");
            push_escaped(out, e.key);
            out.extend_from_slice(b": ");
            push_escaped(out, e.value);
            out.extend_from_slice(if i + 1 < entries.len() { b",\n" } else { b"\n" });
        }
        out.extend_from_slice(b"}\n");
    })
}
