//! Small text helpers shared by the readers of files (manifest, dotenv files) for messages.

/// `text` as a message shows it: control characters escaped (`\n`, `\u{1b}`), at most `max`
/// characters, and `…` when it was cut. What is shown is often whatever a file or a script
/// gave (a key, a path, an argument), and a message is one line that must not carry terminal
/// escapes nor flood the terminal.
pub fn shown(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The 1-based line on which byte `offset` of `bytes` sits: one more than the line feeds
/// before it. An offset past the end counts the whole input, so a message can name the last
/// line; a carriage return alone does not start a line here.
pub fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Public keys shortened for a message (`age1zvky…nujwj`, `ssh-ed25519 AAAA…isGN`): enough to
/// tell them apart, not a wall of base64.
pub fn short_keys(keys: &[String]) -> String {
    keys.iter()
        .map(|k| short_key(k))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One public key shortened (see [`short_keys`]).
pub fn short_key(key: &str) -> String {
    let (kind, body) = match key.split_once(' ') {
        Some((kind, body)) => (format!("{kind} "), body),
        None => (String::new(), key),
    };
    let chars: Vec<char> = body.chars().filter(|c| c.is_ascii_graphic()).collect();
    if chars.len() <= 20 {
        return format!("{kind}{}", chars.iter().collect::<String>());
    }
    let head: String = chars[..12].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{kind}{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_control_characters_and_cuts_long_text() {
        assert_eq!(shown("KEY", 10), "KEY");
        assert_eq!(shown("a\nb\u{1b}[2J", 40), "a\\nb\\u{1b}[2J");
        assert_eq!(shown("abcdef", 3), "abc…");
        assert_eq!(shown("abc", 3), "abc", "exactly max characters is not cut");
        assert_eq!(shown("ééé", 2), "éé…", "characters, not bytes");
    }

    #[test]
    fn lines_count_from_one_and_a_line_feed_belongs_to_its_line() {
        let text = b"a=1\nb=2\r\n\nc";
        assert_eq!(line_of_offset(text, 0), 1);
        assert_eq!(line_of_offset(text, 3), 1, "the line feed ends line 1");
        assert_eq!(line_of_offset(text, 4), 2);
        assert_eq!(
            line_of_offset(text, 8),
            2,
            "CRLF: the CR is still on line 2"
        );
        assert_eq!(line_of_offset(text, 9), 3);
        assert_eq!(line_of_offset(text, 10), 4);
    }

    #[test]
    fn empty_input_and_offsets_past_the_end() {
        assert_eq!(line_of_offset(b"", 0), 1);
        assert_eq!(line_of_offset(b"", 5), 1);
        assert_eq!(line_of_offset(b"x\ny\n", usize::MAX), 3);
    }

    #[test]
    fn a_lone_carriage_return_is_not_a_new_line() {
        assert_eq!(line_of_offset(b"a\rb", 2), 1);
    }
}
