//! `envmint gen`: print random secrets, streaming.

use super::{Global, os_rng, stdout_error};
use crate::cli::GenArgs;
use envmint::generate::{
    Alphabet, Generator, Kind, MIN_BITS, Size, SizeUnit, Spec, SpecError, format_bits,
    reserve_zeroizing,
};
use envmint::{Error, Exit, Result};
use std::io::{self, Write};
use zeroize::Zeroizing;

/// Output is handed to stdout in blocks of about this size: big enough that a million secrets
/// cost a few hundred syscalls, small enough that memory stays flat for any `--count`.
const BLOCK: usize = 64 * 1024;

pub fn run(global: &Global, args: GenArgs) -> Result<Exit> {
    let spec = spec_from_args(&args)?;
    if spec.is_weak() && !args.allow_weak {
        return Err(weak_error(&spec));
    }
    if global.verbose {
        super::say!(
            "envmint: {} secret(s) of kind {}, {} {} each, {} bits of entropy per secret",
            args.count,
            spec.kind().name(),
            spec.amount(),
            if spec.kind().is_byte_kind() {
                "bytes"
            } else {
                "characters"
            },
            format_bits(spec.bits())
        );
    }
    let mut rng = os_rng()?;
    let mut generator = Generator::new(spec);
    match write_all(&mut generator, &mut rng, args.count, args.json) {
        Ok(()) => Ok(Exit::Ok),
        Err(e) => match stdout_error(e) {
            None => Ok(Exit::Ok),
            Some(e) => Err(e),
        },
    }
}

fn spec_from_args(args: &GenArgs) -> Result<Spec> {
    let kind = match (&args.alphabet, args.kind) {
        (Some(chars), _) => Kind::Custom(Alphabet::new(chars).map_err(|e| {
            Error::usage(format!("--alphabet: {e}"))
                .with_hint("give 2 to 94 distinct printable ASCII characters, e.g. --alphabet 0123456789abcdef")
        })?),
        (None, Some(k)) => Kind::from_name(k.name()).expect("cli kinds are library kinds"),
        (None, None) => Kind::Base64Url,
    };
    let size = [
        (SizeUnit::Bytes, args.bytes),
        (SizeUnit::Bits, args.bits),
        (SizeUnit::Length, args.length),
    ]
    .into_iter()
    .find_map(|(unit, amount)| amount.map(|amount| Size { unit, amount }));
    Spec::new(kind, size).map_err(spec_error)
}

fn spec_error(err: SpecError) -> Error {
    match &err {
        SpecError::Mismatch {
            kind,
            given,
            expected,
        } => {
            let what = if *expected == SizeUnit::Bytes {
                "a byte kind: its size is the number of random bytes"
            } else {
                "an alphabet kind: its size is the number of characters"
            };
            Error::usage(format!(
                "--{} does not apply to {kind}, {what}",
                given.name()
            ))
            .with_hint(format!("use --{} N or --bits N", expected.name()))
        }
        SpecError::Zero(unit) | SpecError::TooLarge { unit, .. } => {
            Error::usage(format!("--{}: {err}", unit.name()))
        }
    }
}

fn weak_error(spec: &Spec) -> Error {
    let unit = spec.kind().native_unit().name();
    let what = if spec.kind().is_byte_kind() {
        "bytes"
    } else {
        "characters"
    };
    Error::usage(format!(
        "{} of {} {what} has {} bits of entropy, under the {MIN_BITS}-bit floor",
        spec.kind().name(),
        spec.amount(),
        format_bits(spec.bits())
    ))
    .with_hint(format!(
        "use --{unit} {} or more (or --bits 128), or pass --allow-weak if a legacy system needs it",
        spec.min_strong_amount()
    ))
}

/// Streams `count` secrets to stdout through one zeroizing block buffer, so neither memory nor
/// leftovers grow with the count.
fn write_all<R: rand::CryptoRng>(
    generator: &mut Generator,
    rng: &mut R,
    count: u64,
    json: bool,
) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    let mut block = Zeroizing::new(Vec::with_capacity(
        BLOCK + generator.spec().encoded_len() * 2 + 64,
    ));
    if json {
        let head = serde_json::json!(generator.spec().kind().name()).to_string();
        block.extend_from_slice(b"{\"kind\": ");
        block.extend_from_slice(head.as_bytes());
        block.extend_from_slice(b", \"bits\": ");
        block.extend_from_slice(format_bits(generator.spec().bits()).as_bytes());
        block.extend_from_slice(b", \"values\": [");
    }
    if json {
        for i in 0..count {
            if i > 0 {
                block.extend_from_slice(b", ");
            }
            block.push(b'"');
            let start = block.len();
            generator.append(rng, &mut block);
            escape_json_in_place(&mut block, start);
            block.push(b'"');
            if block.len() >= BLOCK {
                stdout.write_all(&block)?;
                block.clear();
            }
        }
    } else {
        let per_block = (BLOCK / (generator.spec().encoded_len() + 1)).max(1) as u64;
        let mut left = count;
        while left > 0 {
            let n = left.min(per_block);
            left -= n;
            generator.append_many(rng, &mut block, n as usize, b"\n");
            stdout.write_all(&block)?;
            block.clear();
        }
    }
    if json {
        block.extend_from_slice(b"]}\n");
    }
    stdout.write_all(&block)?;
    stdout.flush()
}

/// Secrets are printable ASCII; of those only `"` and `\` need escaping in a JSON string.
fn escape_json_in_place(block: &mut Zeroizing<Vec<u8>>, start: usize) {
    let extra = block[start..]
        .iter()
        .filter(|&&b| b == b'"' || b == b'\\')
        .count();
    if extra == 0 {
        return;
    }
    reserve_zeroizing(block, extra);
    let old_len = block.len();
    block.resize(old_len + extra, 0);
    // Shift right-to-left so no byte is overwritten before it is moved.
    let (mut src, mut dst) = (old_len, old_len + extra);
    while src > start {
        src -= 1;
        let b = block[src];
        dst -= 1;
        block[dst] = b;
        if b == b'"' || b == b'\\' {
            dst -= 1;
            block[dst] = b'\\';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escaping_handles_quotes_and_backslashes() {
        let mut b = Zeroizing::new(b"[\"a\"b\\c".to_vec());
        escape_json_in_place(&mut b, 2);
        assert_eq!(&b[..], b"[\"a\\\"b\\\\c");
    }
}
