//! `envmint gen`: print random secrets, streaming.

use crate::cli::GenArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::output::bits_json;
use crate::output::stdout_error;
use crate::resolve::Global;
use envmint::Exit;
use envmint::generate::{
    Alphabet, Generator, Kind, Size, SizeUnit, Spec, SpecError, format_bits, reserve_zeroizing,
};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use std::cell::Cell;
use std::io::{self, Write};
use zeroize::Zeroizing;

/// Output is handed to stdout in blocks of about this size: big enough that a million secrets
/// cost a few hundred syscalls, small enough that memory stays flat for any `--count`.
const BLOCK: usize = 64 * 1024;

pub fn run(ctx: &mut Context, global: &Global, args: GenArgs) -> Result<Exit> {
    let spec = spec_from_args(&args)?;
    if spec.is_weak() && !args.allow_weak {
        return Err(weak_error(&spec));
    }
    if global.verbose {
        crate::output::say!("envmint: {}", describe(&spec, args.count));
    }
    // Before any value exists: `envmint gen >&-` must fail, not print into nothing.
    crate::output::check_stdout()?;
    let rng = &mut ctx.rng;
    let mut generator = Generator::new(spec);
    let mut out = Blocks::new(io::stdout().lock(), &generator);
    let written = if args.json {
        write_json(&mut out, &mut generator, rng, args.count)
    } else {
        write_lines(&mut out, &mut generator, rng, args.count)
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(Exit::Ok),
        Err(e) => match stdout_error(e) {
            None => Ok(Exit::Ok),
            Some(e) => Err(e),
        },
    }
}

fn spec_from_args(args: &GenArgs) -> Result<Spec> {
    let kind = match (&args.alphabet, &args.kind) {
        (Some(chars), _) => Kind::Custom(Alphabet::new(chars).map_err(|e| {
            Error::usage(format!("--alphabet: {e}"))
                .with_hint("give 2 to 94 distinct printable ASCII characters, e.g. --alphabet 0123456789abcdef")
        })?),
        (None, Some(k)) => k.0.clone(),
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

/// `1 secret`, `0 secrets`, `3 secrets`.
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The `-v` line: what will be printed, without any value.
fn describe(spec: &Spec, count: u64) -> String {
    let kind = spec.kind().name();
    let bits = format_bits(spec.bits());
    if count == 1 {
        format!(
            "1 secret of kind {kind}: {}, {bits} bits of entropy",
            spec.size_text()
        )
    } else {
        format!(
            "{} of kind {kind}, {} each, {bits} bits of entropy per secret",
            plural(count, "secret"),
            spec.size_text()
        )
    }
}

fn spec_error(err: SpecError) -> Error {
    envmint::Error::Size(envmint::error::SizeProblem::Spec(err)).into()
}

fn weak_error(spec: &Spec) -> Error {
    envmint::Error::Size(envmint::error::SizeProblem::Weak(spec.clone())).into()
}

/// An [`io::Write`] that collects output in one zeroizing block and hands it to `out` whenever
/// it passes [`BLOCK`] bytes, so neither memory nor leftover copies of secrets grow with the
/// count (a `BufWriter` would free its buffer without wiping it).
struct Blocks<W: Write> {
    out: W,
    block: Zeroizing<Vec<u8>>,
}

impl<W: Write> Blocks<W> {
    fn new(out: W, generator: &Generator) -> Self {
        let capacity = BLOCK + generator.spec().encoded_len() * 2 + 64;
        Blocks {
            out,
            block: Zeroizing::new(Vec::with_capacity(capacity)),
        }
    }

    /// Hands the block to `out` once it is full enough.
    fn spill(&mut self) -> io::Result<()> {
        if self.block.len() >= BLOCK {
            self.out.write_all(&self.block)?;
            self.block.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for Blocks<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        reserve_zeroizing(&mut self.block, buf.len());
        self.block.extend_from_slice(buf);
        self.spill()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.block)?;
        self.block.clear();
        self.out.flush()
    }
}

/// One secret per line, many per block.
fn write_lines<W: Write, R: rand::CryptoRng>(
    out: &mut Blocks<W>,
    generator: &mut Generator,
    rng: &mut R,
    count: u64,
) -> io::Result<()> {
    let per_block = (BLOCK / (generator.spec().encoded_len() + 1)).max(1) as u64;
    let mut left = count;
    while left > 0 {
        let n = left.min(per_block);
        left -= n;
        // `n <= per_block <= BLOCK`, so it fits a usize on every platform.
        generator.append_many(rng, &mut out.block, n as usize, b"\n");
        out.spill()?;
    }
    Ok(())
}

/// `gen --json`: one object, written as it is generated. The same shape as every other
/// command's JSON: a derived `Serialize` struct with snake_case keys.
#[derive(Serialize)]
struct GenReport<V> {
    /// The kind's name (`alphabet` for `--alphabet`).
    kind: &'static str,
    /// Entropy per value, as `-v` shows it.
    bits: serde_json::Value,
    /// The values, generated while they are serialized.
    values: V,
}

/// Serializes as a JSON array of `count` fresh secrets, each generated into one zeroizing
/// buffer and escaped by serde_json straight into the output block. Taken out of its cells by
/// the one serialization; a second one is an error, not a panic.
struct Values<'a, R> {
    generator: Cell<Option<&'a mut Generator>>,
    rng: Cell<Option<&'a mut R>>,
    count: u64,
}

impl<R: rand::CryptoRng> Serialize for Values<'_, R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let (Some(generator), Some(rng)) = (self.generator.take(), self.rng.take()) else {
            return Err(S::Error::custom("the values were already written"));
        };
        let mut seq = serializer.serialize_seq(usize::try_from(self.count).ok())?;
        let mut value = Zeroizing::new(Vec::with_capacity(generator.spec().encoded_len()));
        for _ in 0..self.count {
            value.clear();
            generator.append(rng, &mut value);
            // Every kind and alphabet is ASCII, so this never fails; if it did, it is an error.
            let text = std::str::from_utf8(&value).map_err(S::Error::custom)?;
            seq.serialize_element(text)?;
        }
        seq.end()
    }
}

fn write_json<W: Write, R: rand::CryptoRng>(
    out: &mut Blocks<W>,
    generator: &mut Generator,
    rng: &mut R,
    count: u64,
) -> io::Result<()> {
    let report = GenReport {
        kind: generator.spec().kind().name(),
        bits: bits_json(generator.spec().bits()),
        values: Values {
            generator: Cell::new(Some(generator)),
            rng: Cell::new(Some(rng)),
            count,
        },
    };
    // serde_json keeps the underlying io::Error (a closed pipe stays a closed pipe).
    serde_json::to_writer(&mut *out, &report)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use envmint::generate::Kind;
    use rand::SeedableRng;

    fn spec(kind: Kind, unit: SizeUnit, amount: u64) -> Spec {
        Spec::new(kind, Some(Size { unit, amount })).unwrap()
    }

    #[test]
    fn wording_is_singular_for_one() {
        let one_byte = spec(Kind::Hex, SizeUnit::Bytes, 1);
        assert_eq!(
            describe(&one_byte, 1),
            "1 secret of kind hex: 1 byte, 8 bits of entropy"
        );
        assert_eq!(
            describe(&one_byte, 2),
            "2 secrets of kind hex, 1 byte each, 8 bits of entropy per secret"
        );
        let alnum = spec(Kind::Alnum, SizeUnit::Length, 1);
        assert_eq!(alnum.size_text(), "1 character");
        assert!(describe(&alnum, 0).starts_with("0 secrets of kind alnum, 1 character each"));
        assert!(
            crate::report::render(&weak_error(&one_byte))
                .message
                .starts_with("hex of 1 byte has 8 bits")
        );
    }

    #[test]
    fn json_bits_are_the_number_format_bits_prints() {
        for kind in Kind::BUILTIN {
            for bits in [1u64, 7, 125, 128, 129, 130, 200, 255, 256, 257, 1000, 4097] {
                let s = spec(kind.clone(), SizeUnit::Bits, bits);
                let shown: f64 = format_bits(s.bits()).parse().unwrap();
                let json = bits_json(s.bits());
                assert_eq!(json.as_f64(), Some(shown), "{kind:?} {bits}");
                assert_eq!(json.is_u64(), s.bits().fract() == 0.0, "{kind:?} {bits}");
                assert_eq!(json.to_string().parse::<f64>().unwrap(), shown);
            }
        }
    }

    #[test]
    fn json_is_one_object_across_blocks_with_escaped_values() {
        let spec = spec(
            Kind::Custom(Alphabet::new("\"\\ab").unwrap()),
            SizeUnit::Length,
            64,
        );
        let mut generator = Generator::new(spec);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let mut sink = Vec::new();
        let mut out = Blocks::new(&mut sink, &generator);
        write_json(&mut out, &mut generator, &mut rng, 3000).unwrap();
        out.flush().unwrap();
        drop(out);
        let text = String::from_utf8(sink).unwrap();
        assert!(text.starts_with("{\"kind\":\"alphabet\",\"bits\":128,\"values\":[\""));
        assert!(text.ends_with("\"]}\n"));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let values = json["values"].as_array().unwrap();
        assert_eq!(values.len(), 3000);
        assert!(values.iter().all(|v| v.as_str().unwrap().len() == 64));
    }

    /// `gen --json` serializes its values once (no run serializes them twice); a second
    /// serialization is an error in words, not a panic and not a second set of values.
    #[test]
    fn values_serialized_twice_are_an_error_the_second_time() {
        let mut generator = Generator::new(spec(Kind::Hex, SizeUnit::Bytes, 16));
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let values = Values {
            generator: Cell::new(Some(&mut generator)),
            rng: Cell::new(Some(&mut rng)),
            count: 2,
        };
        let first = serde_json::to_string(&values).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<String>>(&first).unwrap().len(),
            2
        );
        let second = serde_json::to_string(&values).unwrap_err();
        assert_eq!(second.to_string(), "the values were already written");
    }
}
