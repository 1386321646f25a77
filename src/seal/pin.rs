//! The recipient pin: the set of recipients a sealed store was last written to, kept inside its
//! encrypted payload so that it travels with the store and cannot be changed without a key.
//!
//! age files do not name their recipients (an X25519 stanza is anonymous), so without a pin a
//! pull request that adds a key to the committed recipients list would get every secret of the
//! store on its next write, silently. With the pin, a write whose recipients differ from the
//! pinned set is refused ([`super::SealError::RecipientsChanged`], exit 77) and only `envmint
//! rekey` changes them, showing the difference first.
//!
//! The pin is a block of comment lines at the very top of the plaintext, one per recipient in
//! canonical form (see [`super::Recipient`]'s `Display`):
//!
//! ```text
//! # envmint: sealed-to age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
//! # envmint: sealed-to ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN
//! ```
//!
//! A dotenv reader sees comments (python-dotenv, Node dotenv and `sh` skip them), and the `age`
//! CLI decrypts the store as before. The store strips the block when it decrypts a store and
//! writes it when it encrypts one, so no document, command or editor ever sees it: a pin edited
//! in an unsealed copy has no effect.
//!
//! What the pin cannot do: anyone holding only the public recipients can write a whole new store,
//! pin included, and age cannot tell who wrote a file. The pin catches a change of the recipients
//! list that comes without a new store; review of `*.age` changes covers the rest.

use super::Recipient;

/// The start of every pin line.
pub const PREFIX: &str = "# envmint: sealed-to ";

/// The pin lines at the top of `plaintext`: how many bytes they take, and the recipient text of
/// each line (as written, trimmed). Stops at the first line that is not a pin line.
pub fn split(plaintext: &[u8]) -> (usize, Vec<String>) {
    let mut end = 0;
    let mut lines = Vec::new();
    while let Some(rest) = plaintext[end..].strip_prefix(PREFIX.as_bytes()) {
        let Some(len) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        let text = String::from_utf8_lossy(&rest[..len]).trim().to_string();
        lines.push(text);
        end += PREFIX.len() + len + 1;
    }
    (end, lines)
}

/// The pin block for `recipients`, each once, in canonical form.
pub fn render(recipients: &[Recipient]) -> String {
    let mut out = String::new();
    for text in canonical(recipients) {
        out.push_str(PREFIX);
        out.push_str(&text);
        out.push('\n');
    }
    out
}

/// The canonical text of each recipient, each once, sorted: the set a pin compares.
pub fn canonical(recipients: &[Recipient]) -> Vec<String> {
    let mut out: Vec<String> = recipients.iter().map(ToString::to_string).collect();
    out.sort();
    out.dedup();
    out
}

/// The recipients pinned by the lines of [`split`], canonical and sorted; the 1-based number
/// of the first line that is not a recipient when one is not (a pin is written by envmint,
/// so one that does not parse was made by hand).
pub fn parse(lines: &[String]) -> Result<Vec<String>, usize> {
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let r = Recipient::parse(line).map_err(|_| i + 1)?;
        out.push(r.to_string());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// What changes from the `pinned` set to `now` (both canonical): `(added, removed)`.
pub fn diff(pinned: &[String], now: &[String]) -> (Vec<String>, Vec<String>) {
    let added = now
        .iter()
        .filter(|r| !pinned.contains(r))
        .cloned()
        .collect();
    let removed = pinned
        .iter()
        .filter(|r| !now.contains(r))
        .cloned()
        .collect();
    (added, removed)
}

/// The stanza type an age header gives `recipient` (`X25519`, `ssh-ed25519`, `ssh-rsa`, a
/// plugin's name): what
/// can be compared with a store that has no pin yet.
pub fn stanza_type(recipient: &Recipient) -> String {
    match recipient {
        Recipient::X25519(_) => "X25519".into(),
        Recipient::Ssh(_) if recipient.to_string().starts_with("ssh-rsa") => "ssh-rsa".into(),
        Recipient::Ssh(_) => "ssh-ed25519".into(),
        // Each plugin picks its own stanza type (`piv-p256` for YubiKeys); its name is the
        // best guess (a store sealed to it before pins may then need `rekey`).
        Recipient::Plugin(r) => r.plugin().to_string(),
    }
}

/// Whether a store with no pin, whose header holds stanzas of the types `stanzas`, was sealed to
/// as many recipients of each type as `recipients` has: the only check possible before the first
/// pin (one key replaced by another of the same type cannot be told apart).
pub fn stanzas_match(stanzas: &[String], recipients: &[Recipient]) -> bool {
    let mut had: Vec<&str> = stanzas.iter().map(String::as_str).collect();
    let want: Vec<String> = recipients.iter().map(stanza_type).collect();
    let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
    had.sort_unstable();
    want.sort_unstable();
    had == want
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";

    fn r(text: &str) -> Recipient {
        Recipient::parse(text).unwrap()
    }

    #[test]
    fn a_pin_renders_splits_and_parses_back() {
        let pin = render(&[r(ED), r(A), r(A)]);
        assert_eq!(pin.lines().count(), 2, "{pin}");
        let text = format!("{pin}# envmint: generated=2026-01-01T00:00:00Z\nKEY=v\n");
        let (end, lines) = split(text.as_bytes());
        assert_eq!(
            &text[end..],
            "# envmint: generated=2026-01-01T00:00:00Z\nKEY=v\n"
        );
        assert_eq!(parse(&lines).unwrap(), canonical(&[r(A), r(ED)]));
        // No pin, a pin line without its line break, a pin further down: not a pin.
        assert_eq!(split(b"KEY=v\n").0, 0);
        assert_eq!(split(format!("{PREFIX}{A}").as_bytes()).0, 0);
        assert_eq!(split(format!("KEY=v\n{PREFIX}{A}\n").as_bytes()).0, 0);
        assert_eq!(parse(&["not-a-key".into()]), Err(1));
    }

    #[test]
    fn the_difference_names_added_and_removed_keys() {
        let pinned = canonical(&[r(A)]);
        let now = canonical(&[r(ED)]);
        assert_eq!(
            diff(&pinned, &now),
            (vec![now[0].clone()], vec![A.to_string()])
        );
        assert_eq!(diff(&pinned, &pinned), (vec![], vec![]));
    }

    #[test]
    fn unpinned_stores_compare_stanza_types() {
        let types = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(stanzas_match(
            &types(&["ssh-ed25519", "X25519"]),
            &[r(A), r(ED)]
        ));
        assert!(!stanzas_match(&types(&["X25519"]), &[r(A), r(ED)]));
        assert!(!stanzas_match(&types(&["X25519", "X25519"]), &[r(A)]));
    }
}
