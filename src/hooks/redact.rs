//! Redaction of a hook's output as it streams: every value of the store replaced by
//! `[KEY redacted]`, even when a value arrives split across two reads.

use aho_corasick::{AhoCorasick, MatchKind};
use zeroize::Zeroizing;

/// Values shorter than this are not redacted: `1`, `on` or `dev` would turn every such word of
/// a hook's output into a marker, and hide nothing a guess would not find.
pub const MIN_REDACTED_LEN: usize = 4;

/// Replaces values in a byte stream. Feed it what a hook writes, in whatever pieces the reads
/// give; it holds back at most the longest value's length minus one byte, so a value cut in
/// two by a read boundary is still found. Its buffer is zeroized when dropped.
pub struct Redactor {
    matcher: Option<AhoCorasick>,
    markers: Vec<Vec<u8>>,
    longest: usize,
    held: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("values", &self.markers.len())
            .finish_non_exhaustive()
    }
}

impl Redactor {
    /// A redactor of `values`, each `(KEY, value)`; values shorter than [`MIN_REDACTED_LEN`]
    /// are left alone. Where two values overlap, the longest match wins, so no tail of a
    /// longer value is left behind a shorter one's marker.
    pub fn new<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>) -> Redactor {
        let mut patterns: Vec<&[u8]> = Vec::new();
        let mut markers = Vec::new();
        for (key, whole) in values {
            // A list value (a keyring `KEY_PREVIOUS=old1,old2`) is redacted whole and element by
            // element: a hook that prints one element must not show that key.
            let pieces = whole.contains(',').then(|| whole.split(','));
            for value in std::iter::once(whole).chain(pieces.into_iter().flatten()) {
                let value = value.trim();
                if value.len() < MIN_REDACTED_LEN || patterns.contains(&value.as_bytes()) {
                    continue;
                }
                patterns.push(value.as_bytes());
                markers.push(format!("[{key} redacted]").into_bytes());
            }
        }
        let longest = patterns.iter().map(|p| p.len()).max().unwrap_or(0);
        let matcher = (!patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .expect("literal patterns of at most 64 KiB each build")
        });
        Redactor {
            matcher,
            markers,
            longest,
            held: Zeroizing::new(Vec::new()),
        }
    }

    /// Takes `input` and appends to `out` what is safe to show so far.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        crate::secret::reserve_zeroizing(&mut self.held, input.len());
        self.held.extend_from_slice(input);
        // A match starting at or after `safe` might still grow with the next read.
        let safe = self
            .held
            .len()
            .saturating_sub(self.longest.saturating_sub(1));
        self.drain(safe, out);
    }

    /// Appends to `out` everything still held (the stream ended).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let all = self.held.len();
        self.drain(all, out);
    }

    /// Writes out the held bytes before `safe`, and any match that starts before it.
    fn drain(&mut self, safe: usize, out: &mut Vec<u8>) {
        let mut pos = 0;
        if let Some(matcher) = &self.matcher {
            for m in matcher.find_iter(&self.held[..]) {
                if m.start() >= safe {
                    break;
                }
                out.extend_from_slice(&self.held[pos..m.start()]);
                out.extend_from_slice(&self.markers[m.pattern().as_usize()]);
                pos = m.end();
            }
        }
        let end = safe.max(pos);
        if end > pos {
            out.extend_from_slice(&self.held[pos..end]);
        }
        // Shift what is left to the front in place: no copy of a value is left behind.
        let len = self.held.len();
        self.held.copy_within(end..len, 0);
        let rest = len - end;
        for b in &mut self.held[rest..] {
            *b = 0;
        }
        self.held.truncate(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[(&str, &str)], pieces: &[&[u8]]) -> String {
        let mut r = Redactor::new(values.iter().copied());
        let mut out = Vec::new();
        for p in pieces {
            r.feed(p, &mut out);
        }
        r.finish(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_are_replaced_by_their_key() {
        let v = [("DB_PASSWORD", "s3cretvalue"), ("API", "tok-123")];
        assert_eq!(
            run(&v, &[b"pw=s3cretvalue api=tok-123 done\n"]),
            "pw=[DB_PASSWORD redacted] api=[API redacted] done\n"
        );
    }

    /// A keyring's elements, printed one by one (`tr , '\n'`), are each redacted.
    #[test]
    fn each_element_of_a_list_value_is_redacted() {
        let v = [("KEY_PREVIOUS", "aaaa1111,bbbb2222, cccc3333")];
        assert_eq!(
            run(
                &v,
                &[b"aaaa1111\nbbbb2222\ncccc3333\naaaa1111,bbbb2222, cccc3333\n"]
            ),
            "[KEY_PREVIOUS redacted]\n[KEY_PREVIOUS redacted]\n[KEY_PREVIOUS redacted]\n\
             [KEY_PREVIOUS redacted]\n"
        );
    }

    #[test]
    fn a_value_split_across_reads_is_still_redacted() {
        let v = [("K", "abcdefghij")];
        let text = b"xx abcdefghij yy abcdefghij";
        // Every way of cutting the text in two, and one byte at a time.
        for cut in 0..=text.len() {
            let (a, b) = text.split_at(cut);
            assert_eq!(
                run(&v, &[a, b]),
                "xx [K redacted] yy [K redacted]",
                "cut at {cut}"
            );
        }
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(run(&v, &bytes), "xx [K redacted] yy [K redacted]");
    }

    #[test]
    fn the_longest_overlapping_value_wins_and_short_values_stay() {
        let v = [("A", "abcd"), ("B", "abcdefgh"), ("C", "on")];
        assert_eq!(
            run(&v, &[b"abcdefgh abcd on"]),
            "[B redacted] [A redacted] on"
        );
        assert_eq!(run(&v, &[b"abcdef", b"gh"]), "[B redacted]");
        assert_eq!(run(&[], &[b"nothing"]), "nothing");
    }

    #[test]
    fn debug_shows_no_value() {
        let r = Redactor::new([("K", "supersecret")]);
        assert!(!format!("{r:?}").contains("supersecret"));
    }
}
