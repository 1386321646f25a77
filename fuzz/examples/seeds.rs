//! Writes the fuzz targets' seed inputs that need the fixed identity: an age file sealed to it,
//! binary and armored, so the fuzzer starts inside a payload it can open, not only at headers.
//! `cargo run --example seeds -- corpus/unseal` (prints the identity's recipient and file text).

use std::path::Path;

use envmint::seal::{Recipient, keygen};
use rand::SeedableRng;
use secrecy::ExposeSecret;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: seeds DIR");
    // The same seed and time as the targets' IDENTITY.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(19);
    let pair = keygen::generate(&mut rng, jiff::Timestamp::UNIX_EPOCH);
    println!("{}", pair.recipient);
    eprint!("{}", pair.text.expose_secret());
    let recipient = Recipient::parse(&pair.recipient).expect("a generated recipient parses");
    for (name, armor) in [("seed-binary", false), ("seed-armored", true)] {
        let mut plain: &[u8] = b"SECRET_KEY=s3cr3t\n";
        let out = envmint::seal::encrypt(
            std::slice::from_ref(&recipient),
            armor,
            &mut plain,
            Path::new("seed"),
            Vec::new(),
            Path::new(name),
        )
        .expect("sealing to memory works");
        std::fs::write(format!("{dir}/{name}"), out).expect("writes the seed");
    }
}
