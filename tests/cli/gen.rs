//! End-to-end tests of `envmint gen`: the built binary in a temp directory.
//!
//! Alphabets and expected lengths are spelled out here rather than taken from the library, so
//! a change to a kind's characters or size arithmetic shows up as a failure.

use crate::common;

use base64::Engine as _;
use common::{BIN, Output, Test, envmint};
use snapbox::str;
use std::collections::HashSet;
use std::io::{BufReader, Read};

const HEX: &str = "0123456789abcdef";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const PASSWORD: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

// --- helpers ---------------------------------------------------------------------------------

/// Runs `envmint ARGS`, expects exit 0, and checks what every successful `gen` must do: stdout
/// is newline-terminated lines and nothing else, and no generated value appears on stderr.
#[track_caller]
fn ok<const N: usize>(args: [&str; N]) -> Output {
    let out = envmint(args).status(0);
    let stdout = out.stdout();
    assert!(
        stdout.is_empty() || stdout.ends_with('\n'),
        "stdout must end with a newline\n{}",
        out.describe()
    );
    assert!(
        !stdout.contains("\n\n") && !stdout.starts_with('\n'),
        "no blank lines on stdout\n{}",
        out.describe()
    );
    assert_no_value_on_stderr(&out);
    out
}

/// No generated value (or its JSON-escaped form) appears on stderr. Values under 8 characters
/// are skipped: they could match ordinary words by chance.
#[track_caller]
fn assert_no_value_on_stderr(out: &Output) {
    let stderr = out.stderr();
    let values: Vec<String> = if out.stdout().starts_with('{') {
        out.json()["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|v| v.as_str().expect("string value").to_owned())
            .collect()
    } else {
        out.lines().iter().map(|l| l.to_string()).collect()
    };
    for v in values.iter().filter(|v| v.len() >= 8) {
        assert!(
            !stderr.contains(v.as_str()),
            "a generated value leaked to stderr\n{}",
            out.describe()
        );
    }
}

/// Runs `envmint ARGS`, expects a usage refusal: exit 2, nothing on stdout. The words of each
/// kind of refusal are a case file in `tests/cli/cmd/gen/` (named beside each call).
#[track_caller]
fn refused<const N: usize>(args: [&str; N]) -> Output {
    let out = envmint(args).status(2);
    assert_eq!(out.stdout(), "", "nothing on stdout\n{}", out.describe());
    out
}

/// Every character of `value` is in `charset`.
#[track_caller]
fn assert_charset(value: &str, charset: &str) {
    if let Some(c) = value.chars().find(|&c| !charset.contains(c)) {
        panic!(
            "{c:?} is not in {charset:?} (value of length {})",
            value.len()
        );
    }
}

/// The set of characters used across `values`.
fn chars_used<'a>(values: impl IntoIterator<Item = &'a str>) -> HashSet<char> {
    values.into_iter().flat_map(str::chars).collect()
}

fn set(chars: &str) -> HashSet<char> {
    chars.chars().collect()
}

/// Strict RFC 4648 base32 without padding: only canonical encodings (unused trailing bits
/// zero, no impossible lengths) decode.
fn base32_decode(s: &str) -> Option<Vec<u8>> {
    if matches!(s.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut acc: u64 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = BASE32.bytes().position(|x| x == c)? as u64;
        acc = (acc << 5) | v;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
            acc &= (1 << nbits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

#[test]
fn strict_base32_decoder_agrees_with_rfc4648() {
    assert_eq!(base32_decode("MZXW6YTBOI").as_deref(), Some(&b"foobar"[..]));
    assert_eq!(base32_decode("MY").as_deref(), Some(&b"f"[..]));
    assert_eq!(base32_decode("MZ"), None, "non-zero trailing bits");
    assert_eq!(base32_decode("MZX"), None, "impossible length");
    assert_eq!(base32_decode("my"), None, "lower case");
}

/// Decodes a byte-kind value strictly; `None` when it is not a canonical encoding.
fn decode(kind: &str, value: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    match kind {
        "hex" => {
            assert_charset(value, HEX); // hex::decode would also take upper case
            hex::decode(value).ok()
        }
        "base64" => STANDARD.decode(value).ok(),
        "base64url" | "urlsafe" => URL_SAFE_NO_PAD.decode(value).ok(),
        "base32" => base32_decode(value),
        other => panic!("not a byte kind: {other}"),
    }
}

/// Encoded length of `n` bytes, computed independently of the implementation.
fn encoded_len(kind: &str, n: usize) -> usize {
    match kind {
        "hex" => 2 * n,
        "base64" => n.div_ceil(3) * 4,
        "base64url" => (4 * n).div_ceil(3),
        "base32" => (8 * n).div_ceil(5),
        other => panic!("not a byte kind: {other}"),
    }
}

fn charset_of(kind: &str) -> &'static str {
    match kind {
        "hex" => HEX,
        "base64" => BASE64,
        "base64url" => BASE64URL,
        "base32" => BASE32,
        "alnum" => ALNUM,
        "password" => PASSWORD,
        other => panic!("unknown kind {other}"),
    }
}

// --- defaults --------------------------------------------------------------------------------

#[test]
fn default_kind_is_base64url_of_32_bytes() {
    let out = ok(["gen"]);
    let lines = out.lines();
    assert_eq!(lines.len(), 1, "{}", out.describe());
    assert_eq!(lines[0].len(), 43);
    assert_charset(lines[0], BASE64URL);
    assert_eq!(decode("base64url", lines[0]).expect("base64url").len(), 32);
    assert_eq!(out.stderr(), "");
}

#[test]
fn urlsafe_is_an_alias_of_base64url() {
    let out = ok(["gen", "urlsafe", "-n", "20"]);
    for line in out.lines() {
        assert_eq!(line.len(), 43);
        assert_eq!(decode("base64url", line).expect("base64url").len(), 32);
    }
    let json = ok(["gen", "urlsafe", "--json"]).json();
    assert_eq!(json["kind"], "base64url");
}

#[test]
fn every_kind_defaults_to_at_least_256_bits() {
    // (kind, characters per value, bits as printed: rounded down to 2 decimals)
    let table = [
        ("hex", 64, 256.0),
        ("base64", 44, 256.0),
        ("base64url", 43, 256.0),
        ("base32", 52, 256.0),
        ("alnum", 43, 256.03), // 43 * log2(62) = 256.03; 42 chars would be 250.1
        ("password", 43, 258.96), // 43 * log2(65) = 258.96; 42 chars would be 252.9
    ];
    for (kind, len, bits) in table {
        let json = ok(["gen", kind, "--json"]).json();
        assert_eq!(json["kind"], kind);
        assert_eq!(json["bits"].as_f64(), Some(bits), "{kind}");
        let value = json["values"][0].as_str().expect("value");
        assert_eq!(value.len(), len, "{kind}");
    }
}

// --- byte kinds ------------------------------------------------------------------------------

#[test]
fn byte_kinds_have_their_length_alphabet_and_decoded_size() {
    for kind in ["hex", "base64", "base64url", "base32"] {
        for bytes in [1usize, 2, 3, 4, 5, 16, 17, 31, 32, 33, 64] {
            let n = bytes.to_string();
            let out = ok(["gen", kind, "--bytes", &n, "-n", "10", "--allow-weak"]);
            let lines = out.lines();
            assert_eq!(lines.len(), 10, "{kind} {bytes}");
            for line in lines {
                assert_eq!(
                    line.len(),
                    encoded_len(kind, bytes),
                    "{kind} {bytes}: {line}"
                );
                let alphabet = if kind == "base64" {
                    // Padding only at the end, only as much as the length needs.
                    let pad = (3 - bytes % 3) % 3;
                    assert_eq!(line.trim_end_matches('=').len(), line.len() - pad);
                    &line[..line.len() - pad]
                } else {
                    line
                };
                assert_charset(alphabet, charset_of(kind));
                let decoded = decode(kind, line)
                    .unwrap_or_else(|| panic!("{kind} {bytes}: not canonical: {line}"));
                assert_eq!(decoded.len(), bytes, "{kind}");
            }
        }
    }
}

#[test]
fn byte_kinds_use_their_whole_alphabet() {
    // 200 values of 32 bytes: the chance that a fair encoder misses one of 64 characters here
    // is below 1e-40.
    for kind in ["hex", "base64", "base64url", "base32"] {
        let out = ok(["gen", kind, "-n", "200"]);
        let mut used = chars_used(out.lines());
        used.remove(&'=');
        assert_eq!(used, set(charset_of(kind)), "{kind}");
    }
}

// --- alphabet kinds --------------------------------------------------------------------------

#[test]
fn alphabet_kinds_have_their_length_and_whole_alphabet() {
    for (kind, default_len) in [("alnum", 43), ("password", 43)] {
        let out = ok(["gen", kind, "-n", "200"]);
        let lines = out.lines();
        assert_eq!(lines.len(), 200);
        for line in &lines {
            assert_eq!(line.len(), default_len, "{kind}");
            assert_charset(line, charset_of(kind));
        }
        assert_eq!(chars_used(lines), set(charset_of(kind)), "{kind}");
        let out = ok(["gen", kind, "--length", "64"]);
        assert_eq!(out.lines()[0].len(), 64);
    }
}

#[test]
fn password_characters_are_bare_in_dotenv_and_unreserved_in_urls() {
    // The dotenv writer's bare set (src/dotenv/quote.rs) and RFC 3986's unreserved set, spelled
    // out here so that widening the alphabet shows up as a failure.
    let bare = format!("{ALNUM}-_.+:@/%^,=");
    let unreserved = format!("{ALNUM}-._~");
    for c in PASSWORD.chars() {
        assert!(bare.contains(c), "{c:?} would be quoted in a dotenv file");
        assert!(unreserved.contains(c), "{c:?} is not unreserved in a URL");
        assert!(
            !"$#\\'\"` ~*?[](){};&|<>!".contains(c),
            "{c:?} is special to sh"
        );
    }
}

/// Many generated passwords, default length and short (so every character also appears first
/// and last), from the built binary.
fn generated_passwords() -> Vec<String> {
    let mut values = Vec::new();
    for args in [
        &["gen", "password", "-n", "4000"][..],
        &[
            "gen",
            "password",
            "--length",
            "3",
            "--allow-weak",
            "-n",
            "4000",
        ][..],
    ] {
        let out = ok_slice(args);
        values.extend(out.lines().iter().map(|l| l.to_string()));
    }
    assert_eq!(chars_used(values.iter().map(String::as_str)), set(PASSWORD));
    values
}

fn ok_slice(args: &[&str]) -> Output {
    let out = envmint(args).status(0);
    assert_no_value_on_stderr(&out);
    out
}

/// Runs `program ARGS FILE` where FILE holds one password per line; the program prints the
/// number of values it checked and nothing else when all passed, or the failing values.
fn run_url_checker(program: &str, args: &[&str], values: &[String]) -> Option<String> {
    let test = Test::new().write("values.txt", values.join("\n") + "\n");
    let file = test.path("values.txt");
    let out = match std::process::Command::new(program)
        .args(args)
        .arg(&file)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            common::skip(&format!("{program} not available: {e}"));
            return None;
        }
    };
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("utf-8"))
}

#[test]
fn password_values_parse_unencoded_in_python_and_node_urls() {
    let values = generated_passwords();
    let want = format!("{}\n", values.len());
    // Python's urllib: the password part of userinfo, undecoded, and the host after it.
    let python = "import sys, urllib.parse\n\
        vals = open(sys.argv[1]).read().split('\\n')[:-1]\n\
        bad = []\n\
        for pw in vals:\n\
        \x20   u = urllib.parse.urlsplit('postgres://app:' + pw + '@db/app')\n\
        \x20   if (u.password, u.username, u.hostname, u.path) != (pw, 'app', 'db', '/app') \\\n\
        \x20           or urllib.parse.unquote(u.password) != pw:\n\
        \x20       bad.append(pw)\n\
        print(f'{len(bad)} of {len(vals)} misread, e.g. {bad[:3]}' if bad else len(vals))\n";
    if let Some(got) = run_url_checker("python3", &["-c", python], &values) {
        assert_eq!(got, want, "values Python's urlsplit misreads");
    }
    // WHATWG URL (Node): the password must come back as given, not percent-encoded.
    let node = "const fs = require('fs');\
        const vals = fs.readFileSync(process.argv[1], 'utf8').split('\\n').slice(0, -1);\
        const bad = vals.filter(pw => {\
          let u; try { u = new URL('postgres://app:' + pw + '@db/app'); } catch (e) { return true; }\
          return !(u.password === pw && decodeURIComponent(u.password) === pw &&\
                   u.username === 'app' && u.hostname === 'db' && u.pathname === '/app');\
        });\
        console.log(bad.length ? `${bad.length} of ${vals.length} misread, e.g. ${bad.slice(0, 3)}` : vals.length);";
    if let Some(got) = run_url_checker("node", &["-e", node], &values) {
        assert_eq!(got, want, "values Node's URL misreads");
    }
}

#[test]
fn password_values_read_back_unquoted_in_sh() {
    let values = generated_passwords();
    let file: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("P{i}={v}\n"))
        .collect();
    let out = Test::new()
        .write("pw.env", file)
        .program("sh")
        .args(["-c", "set -a; . ./pw.env; env"])
        .run();
    if out.code() != 0 && !out.stderr().is_empty() && out.stdout().is_empty() {
        return common::skip(&format!("sh failed: {}", out.stderr()));
    }
    assert_eq!(out.code(), 0, "{}", out.describe());
    let env: std::collections::HashMap<&str, &str> = out
        .lines()
        .into_iter()
        .filter_map(|l| l.split_once('='))
        .collect();
    for (i, v) in values.iter().enumerate() {
        assert_eq!(env.get(format!("P{i}").as_str()), Some(&v.as_str()));
    }
}

#[test]
fn custom_alphabet_draws_only_and_all_of_its_characters() {
    let out = ok(["gen", "--alphabet", "xyz#!", "--length", "500"]);
    let value = out.lines()[0];
    assert_eq!(value.len(), 500);
    assert_eq!(chars_used([value]), set("xyz#!"));
    // A leading hyphen is an alphabet, not a flag.
    let out = ok(["gen", "--alphabet", "-.ab", "--length", "200"]);
    assert_eq!(chars_used(out.lines()), set("-.ab"));
    let json = ok(["gen", "--alphabet", "-.ab", "--length", "64", "--json"]).json();
    assert_eq!(json["kind"], "alphabet");
    assert_eq!(json["bits"], 128);
}

// --- --bits arithmetic -----------------------------------------------------------------------

#[test]
fn bits_round_up_to_the_smallest_size_that_reaches_them() {
    // (args, characters per value, bits printed)
    let table: &[(&[&str], usize, f64)] = &[
        (&["hex", "--bits", "128"], 32, 128.0),
        (&["hex", "--bits", "129"], 34, 136.0), // 17 bytes
        (&["hex", "--bits", "127"], 32, 128.0), // rounds up past the floor: not weak
        (&["hex", "--bits", "256"], 64, 256.0),
        (&["base64", "--bits", "129"], 24, 136.0), // 17 bytes
        (&["base64url", "--bits", "128"], 22, 128.0),
        (&["base32", "--bits", "128"], 26, 128.0),
        (&["base32", "--bits", "129"], 28, 136.0),
        // log2(62) = 5.9542: 21 chars = 125.04 bits, 22 chars = 130.99 bits
        (&["alnum", "--bits", "128"], 22, 130.99),
        (&["alnum", "--bits", "126"], 22, 130.99),
        (&["alnum", "--bits", "131"], 23, 136.94),
        // log2(65) = 6.0224: 21 chars = 126.47 bits, 22 chars = 132.49 bits
        (&["password", "--bits", "128"], 22, 132.49),
        (&["password", "--bits", "133"], 23, 138.51),
        // A power-of-two alphabet divides exactly: no rounding up.
        (
            &["--alphabet", "0123456789abcdef", "--bits", "128"],
            32,
            128.0,
        ),
        (
            &["--alphabet", "0123456789abcdef", "--bits", "129"],
            33,
            132.0,
        ),
        (&["--alphabet", "01", "--bits", "128"], 128, 128.0),
        (&["--alphabet", "01234567", "--bits", "129"], 43, 129.0),
    ];
    for (args, len, bits) in table {
        let mut full = vec!["gen"];
        full.extend_from_slice(args);
        full.push("--json");
        let out = envmint(&full).status(0);
        let json = out.json();
        let value = json["values"][0].as_str().expect("value");
        assert_eq!(value.len(), *len, "{args:?}");
        let printed = json["bits"].as_f64().expect("bits is a number");
        assert_eq!(printed, *bits, "{args:?}");
        let requested: f64 = args[args.len() - 1].parse().unwrap();
        assert!(printed >= requested, "{args:?}: {printed} < {requested}");
    }
}

#[test]
fn bits_under_the_floor_are_weak_even_after_rounding() {
    // alnum --bits 125 -> 21 characters = 125.03 bits: still weak. The words: the case files
    // gen/weak_bits_said_in_characters and gen/weak_bytes.
    refused(["gen", "alnum", "--bits", "125"]);
    let out = ok(["gen", "alnum", "--bits", "125", "--allow-weak"]);
    assert_eq!(out.lines()[0].len(), 21);
    refused(["gen", "hex", "--bits", "120"]);
    let out = ok(["gen", "hex", "--bits", "120", "--allow-weak"]);
    assert_eq!(out.lines()[0].len(), 30);
}

// --- refusals --------------------------------------------------------------------------------

#[test]
fn fail_a_character_count_for_a_byte_kind() {
    // The words: the case file gen/length_on_a_byte_kind.
    for kind in ["hex", "base64", "base64url", "base32"] {
        refused(["gen", kind, "--length", "40"]);
    }
    // The alias is named by the kind it stands for.
    refused(["gen", "urlsafe", "--length", "40"]).stderr_is(str![[r#"
error: --length does not apply to base64url, a byte kind: its size is the number of random bytes
hint: use --bytes N or --bits N

"#]]);
    // No kind: the default kind is a byte kind.
    refused(["gen", "--length", "40"]);
}

#[test]
fn fail_a_byte_count_for_an_alphabet_kind() {
    // The words: the case files gen/bytes_on_an_alphabet_kind and
    // gen/bytes_on_a_custom_alphabet.
    for kind in ["alnum", "password"] {
        refused(["gen", kind, "--bytes", "32"]);
    }
    refused(["gen", "--alphabet", "abcdef", "--bytes", "32"]);
}

#[test]
fn fail_two_size_flags_at_once() {
    let pairs = [
        ["--bytes", "32", "--bits", "256"],
        ["--bits", "256", "--bytes", "32"],
        ["--bits", "256", "--length", "43"],
        ["--bytes", "32", "--length", "43"],
    ];
    // The words (clap's): the case file gen/bits_and_length.
    for [a, x, b, y] in pairs {
        refused(["gen", "hex", a, x, b, y]);
    }
}

#[test]
fn fail_bad_alphabets() {
    // The words: the case files gen/alphabet_* (repeats, of_one, not_ascii, with_a_newline).
    refused(["gen", "--alphabet", "abca"]);
    refused(["gen", "--alphabet", "a"]);
    refused(["gen", "--alphabet", ""]);
    refused(["gen", "--alphabet", "abé"]);
    refused(["gen", "--alphabet", "ab c"]);
    refused(["gen", "--alphabet", "ab\tc"]);
    refused(["gen", "--alphabet", "ab\nc"]);
}

#[cfg(unix)]
#[test]
fn fail_an_alphabet_that_is_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let out = Test::new()
        .args(["gen", "--alphabet"])
        .arg(OsStr::from_bytes(b"ab\xff"))
        .status(2);
    assert_eq!(out.stdout(), "");
    out.stderr_is(str![[r#"
error: invalid UTF-8 was detected in one or more arguments

Usage: envmint gen [OPTIONS] [KIND]

For more information, try '--help'.

"#]]);
}

#[test]
fn fail_an_alphabet_together_with_a_kind() {
    // The words (clap's): the case files gen/kind_and_alphabet and gen/alphabet_then_kind.
    refused(["gen", "hex", "--alphabet", "abc"]);
    refused(["gen", "--alphabet", "abc", "alnum"]);
}

#[test]
fn fail_weak_secrets_unless_allowed() {
    // (args, characters with --allow-weak). The words, with the size each kind needs: the
    // case files gen/weak_* (bytes, one_byte, length, password, alphabet).
    let table: &[(&[&str], usize)] = &[
        (&["hex", "--bytes", "15"], 30),
        (&["base64", "--bytes", "8"], 12),
        (&["base32", "--bytes", "1"], 2),
        (&["alnum", "--length", "21"], 21),
        (&["password", "--length", "21"], 21),
        (&["--alphabet", "01", "--length", "127"], 127),
    ];
    for (args, len) in table {
        let mut full = vec!["gen"];
        full.extend_from_slice(args);
        let out = envmint(&full).status(2);
        assert_eq!(out.stdout(), "", "{}", out.describe());
        full.push("--allow-weak");
        let out = envmint(&full).status(0);
        assert_eq!(out.lines().len(), 1);
        assert_eq!(out.lines()[0].len(), *len, "{args:?}");
        assert_eq!(out.stderr(), "");
    }
}

#[test]
fn fail_a_size_of_zero_even_with_allow_weak() {
    // The words: the case files gen/zero_bytes, gen/zero_length and gen/zero_bits.
    refused(["gen", "hex", "--bytes", "0"]);
    refused(["gen", "hex", "--bytes", "0", "--allow-weak"]);
    refused(["gen", "alnum", "--length", "0", "--allow-weak"]);
    refused(["gen", "--bits", "0", "--allow-weak"]);
}

#[test]
fn fail_sizes_that_are_not_numbers_or_too_large() {
    // The words: the case files gen/negative_size, gen/bytes_not_a_number, gen/too_many_bytes,
    // gen/length_too_large and gen/too_many_bits.
    refused(["gen", "--bytes", "-1"]);
    refused(["gen", "--bytes", "ten"]);
    refused(["gen", "--bytes", "1048577"]);
    refused(["gen", "alnum", "--length", "1048577"]);
    refused(["gen", "--bits", "18446744073709551615"]);
    refused(["gen", "-n", "-3"]);
}

#[test]
fn bits_limit_named_in_the_error_is_the_real_limit() {
    // The refusal of a huge --bits names a limit; asking for one more than that limit must be
    // refused too. Today it says "at most 1048576" but --bits up to 8388608 is accepted.
    let out = refused(["gen", "hex", "--bits", "100000000"]);
    let limit: u64 = out
        .stderr()
        .split("at most ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .expect("the message names a limit");
    let over = (limit + 1).to_string();
    envmint(["gen", "hex", "--bits", &over]).status(2);
}

#[test]
fn fail_unknown_kinds() {
    // The words (clap's): the case files gen/unknown_kind, gen/kind_in_capitals, gen/two_kinds.
    refused(["gen", "hax"]);
    refused(["gen", "HEX"]);
    refused(["gen", "base64url", "hex"]);
}

// --- --json ----------------------------------------------------------------------------------

#[test]
fn json_is_one_object_with_kind_bits_and_values() {
    let out = ok(["gen", "--json", "-n", "3"]);
    assert_eq!(out.stdout().lines().count(), 1, "one line of JSON");
    let json = out.json();
    let obj = json.as_object().expect("an object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["bits", "kind", "values"]);
    assert_eq!(json["kind"], "base64url");
    assert!(json["bits"].is_number());
    assert_eq!(json["bits"], 256);
    let values = json["values"].as_array().expect("values is an array");
    assert_eq!(values.len(), 3);
    let distinct: HashSet<&str> = values.iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 3);
    for v in distinct {
        assert_eq!(v.len(), 43);
        assert_charset(v, BASE64URL);
    }
}

#[test]
fn json_reports_each_kind_and_its_bits() {
    let table: &[(&[&str], &str, f64)] = &[
        (&["hex", "--bytes", "17"], "hex", 136.0),
        (&["base64", "--bits", "200"], "base64", 200.0),
        (&["base32"], "base32", 256.0),
        (&["alnum", "--length", "22"], "alnum", 130.99),
        (&["password", "--length", "22"], "password", 132.49),
        (&["--alphabet", "01", "--length", "300"], "alphabet", 300.0),
    ];
    for (args, kind, bits) in table {
        let mut full = vec!["gen", "--json"];
        full.extend_from_slice(args);
        let json = envmint(&full).status(0).json();
        assert_eq!(json["kind"], *kind, "{args:?}");
        assert_eq!(json["bits"].as_f64(), Some(*bits), "{args:?}");
    }
}

#[test]
fn json_stays_valid_with_quotes_and_backslashes_in_the_alphabet() {
    let out = ok([
        "gen",
        "--alphabet",
        "\"\\ab",
        "--length",
        "200",
        "-n",
        "20",
        "--json",
    ]);
    let json = out.json();
    let values = json["values"].as_array().unwrap();
    assert_eq!(values.len(), 20);
    let strings: Vec<&str> = values.iter().map(|v| v.as_str().unwrap()).collect();
    for s in &strings {
        assert_eq!(s.chars().count(), 200);
        assert_charset(s, "\"\\ab");
    }
    assert_eq!(chars_used(strings), set("\"\\ab"));
    assert_eq!(json["bits"], 400);
}

#[test]
fn json_with_a_count_of_zero_is_an_empty_list() {
    let json = ok(["gen", "--json", "-n", "0"]).json();
    assert_eq!(json["values"], serde_json::json!([]));
}

#[test]
fn json_across_many_output_blocks_is_valid() {
    // 64 KiB blocks: 3000 quoted 43-character values span three of them.
    let json = ok(["gen", "--json", "-n", "3000"]).json();
    let values = json["values"].as_array().unwrap();
    assert_eq!(values.len(), 3000);
    let distinct: HashSet<&str> = values.iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 3000);
}

// --- --count, -v, stdout ---------------------------------------------------------------------

#[test]
fn count_prints_that_many_distinct_lines() {
    for kind in ["base64url", "hex", "alnum", "password"] {
        // 3000 lines cross the 64 KiB output block several times.
        let out = ok(["gen", kind, "-n", "3000"]);
        let lines = out.lines();
        assert_eq!(lines.len(), 3000, "{kind}");
        let len = lines[0].len();
        assert!(
            lines.iter().all(|l| l.len() == len),
            "{kind}: equal lengths"
        );
        let distinct: HashSet<&&str> = lines.iter().collect();
        assert_eq!(distinct.len(), 3000, "{kind}: all distinct");
    }
    let out = ok(["gen", "--count", "2"]);
    assert_eq!(out.lines().len(), 2);
    let out = ok(["gen", "-n", "0"]);
    assert_eq!(out.stdout(), "");
}

#[test]
fn two_runs_give_different_values() {
    let a = ok(["gen"]).stdout().to_owned();
    let b = ok(["gen"]).stdout().to_owned();
    assert_ne!(a, b);
}

#[test]
fn verbose_writes_the_entropy_to_stderr_and_nothing_extra_to_stdout() {
    for args in [["gen", "hex", "-v"], ["-v", "gen", "hex"]] {
        let out = ok(args);
        assert_eq!(out.lines().len(), 1);
        assert_eq!(out.lines()[0].len(), 64);
        assert_charset(out.lines()[0], HEX);
        out.stderr_is("envmint: 1 secret of kind hex: 32 bytes, 256 bits of entropy\n");
    }
    let out = ok(["gen", "alnum", "--bits", "128", "-v", "-n", "5"]);
    assert_eq!(out.lines().len(), 5);
    out.stderr_is(str![[r#"
envmint: 5 secrets of kind alnum, 22 characters each, 130.99 bits of entropy per secret

"#]]);
    // With --json, stdout is still only the JSON document.
    let out = ok(["gen", "--json", "--verbose", "-n", "2"]);
    assert_eq!(out.json()["values"].as_array().unwrap().len(), 2);
    out.stderr_is(str![[r#"
envmint: 2 secrets of kind base64url, 32 bytes each, 256 bits of entropy per secret

"#]]);
}

#[test]
fn quiet_by_default_and_no_environment_needed() {
    let out = Test::new()
        .env("ENVMINT_BOGUS", "1")
        .args(["gen", "hex"])
        .status(0);
    assert_eq!(out.stderr(), "");
    assert_eq!(out.files(), Vec::<String>::new(), "gen writes no files");
}

// --- stdout closed or full -------------------------------------------------------------------

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    // u64::MAX secrets would never end: closing the pipe must stop the command at its next
    // write. The behaviour is the exit itself, not how fast it comes; `wait_or_kill` only
    // turns a command that runs on into a failure instead of a hung CI. (Throughput is
    // measured by scripts/bench.sh, section bench_throughput.)
    let forever = u64::MAX.to_string();
    let cases: [&[&str]; 3] = [
        &["gen", "-n", &forever],
        &["gen", "alnum", "-n", &forever],
        // JSON is one line: read a few bytes, like `| head -c 100`.
        &["gen", "--json", "-n", &forever],
    ];
    for args in cases {
        let mut child = envmint(args).spawn();
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = vec![0u8; 100];
        reader.read_exact(&mut first).expect("read 100 bytes");
        drop(reader); // like `| head -1`
        let status = common::wait_or_kill(&mut child, common::HANG);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("read stderr");
        assert_eq!(stderr, "", "{args:?}: no message on a closed pipe");
        assert_eq!(status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn a_closed_pipe_in_a_shell_pipeline_exits_0() {
    if std::process::Command::new("bash")
        .arg("-c")
        .arg("true")
        .status()
        .is_err()
    {
        return common::skip("no bash");
    }
    let script = r#"set -o pipefail; "$0" gen -n 1000000 2>err | head -1 >/dev/null; echo "${PIPESTATUS[0]}"; cat err"#;
    let test = Test::new();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(BIN)
        .current_dir(test.dir())
        .output()
        .expect("run bash");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_io_error() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        return common::skip("no /dev/full");
    };
    let out = Test::new()
        .args(["gen"])
        .command()
        .stdout(full)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(74));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "error: <stdout>: cannot write: No space left on device (os error 28)\n"
    );
}

/// Runs `envmint ARGS` with stdout redirected by sh as `redirect` (e.g. `>&-`).
fn with_stdout(redirect: &str, args: &[&str]) -> Output {
    let script = format!("exec \"$0\" \"$@\" {redirect}");
    Test::new()
        .wrapper(["sh", "-c", script.as_str()])
        .args(args)
        .run()
}

#[test]
fn fail_a_closed_stdout_is_exit_74() {
    // openssl rand -hex 32 >&- exits 1 too: the values went nowhere.
    for args in [&["gen", "hex"][..], &["gen", "--json", "-n", "3"][..]] {
        let out = with_stdout(">&-", args);
        assert_eq!(out.code(), 74, "{}", out.describe());
        assert_eq!(
            out.stderr(),
            "error: <stdout>: cannot write: Bad file descriptor (os error 9)\n",
            "{}",
            out.describe()
        );
    }
    // Open for reading only (`1</dev/null`, `1<file`): every write fails with EBADF, which the
    // Rust runtime treats as success; the secret would be lost with exit 0.
    for redirect in ["1</dev/null", "1<&0"] {
        let out = with_stdout(redirect, &["gen", "hex"]);
        assert_eq!(out.code(), 74, "{redirect}: {}", out.describe());
        assert_eq!(
            out.stderr(),
            "error: <stdout>: cannot write: Bad file descriptor (os error 9)\n",
            "{}",
            out.describe()
        );
    }
    // Redirected to /dev/null by the shell (write-only) is a choice, not a closed stdout.
    let out = with_stdout(">/dev/null", &["gen", "hex"]);
    assert_eq!(out.code(), 0, "{}", out.describe());
    assert_eq!(out.stderr(), "");
}

#[test]
fn fail_manifest_is_not_a_gen_flag() {
    // The words: the case files gen/manifest_after_gen and gen/manifest_before_gen.
    refused(["gen", "--manifest", "envmint.toml"]);
    refused(["--manifest", "envmint.toml", "gen"]);
}

#[test]
fn wording_is_singular_for_one() {
    let out = ok(["gen", "hex", "--bytes", "1", "--allow-weak", "-v"]);
    assert_eq!(
        out.stderr(),
        "envmint: 1 secret of kind hex: 1 byte, 8 bits of entropy\n"
    );
    let out = ok([
        "gen",
        "alnum",
        "--length",
        "1",
        "--allow-weak",
        "-v",
        "-n",
        "2",
    ]);
    out.stderr_is(str![[r#"
envmint: 2 secrets of kind alnum, 1 character each, 5.95 bits of entropy per secret

"#]]);
    // The refusals' words: the case files gen/weak_one_byte and gen/weak_length.
    refused(["gen", "hex", "--bytes", "1"]);
    refused(["gen", "alnum", "--length", "1"]);
}

#[test]
fn json_is_compact_with_snake_case_keys_like_every_command() {
    let out = ok(["gen", "hex", "--bytes", "16", "--json", "-n", "2"]);
    let text = out.stdout();
    assert!(
        text.starts_with("{\"kind\":\"hex\",\"bits\":128,\"values\":[\""),
        "{text}"
    );
    assert!(text.ends_with("\"]}\n"), "{text}");
}

#[test]
fn help_shows_examples_and_exits_0() {
    let out = envmint(["gen", "--help"]).status(0);
    assert!(out.stdout().contains("Examples:"));
    // Every kind is listed with what its values look like, from the library's one list.
    for line in [
        "- hex:",
        "- base64url:",
        "- password:  Letters, digits and `-_.`",
    ] {
        assert!(out.stdout().contains(line), "{line}\n{}", out.stdout());
    }
    assert!(out.stdout().contains("--allow-weak"));
    assert_eq!(out.stderr(), "");
}

/// gen reads no file, so a working directory that was deleted under it must not stop it: the
/// process context reads the working directory once but reports it only to commands that use it.
#[test]
fn gen_works_in_a_deleted_working_directory() {
    let test = Test::new();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"mkdir gone && cd gone && rmdir ../gone && exec "$0" gen --bits 128"#)
        .arg(BIN)
        .current_dir(test.dir())
        .output()
        .expect("run sh");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(out.stdout.len(), 23, "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}
