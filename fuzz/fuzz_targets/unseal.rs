//! `unseal` on arbitrary bytes: the age header and payload, armored and binary, with a fixed
//! identity. No panic, no allocation past the limit; what opens is read to its end.
#![no_main]

use std::sync::LazyLock;

use envmint::error::Location;
use envmint::seal::{Identity, Opened, PassphrasePrompt, identities, keygen};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use secrecy::ExposeSecret;

static IDENTITY: LazyLock<Vec<Identity>> = LazyLock::new(|| {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(19);
    let pair = keygen::generate(&mut rng, jiff::Timestamp::UNIX_EPOCH);
    identities::parse(
        pair.text.expose_secret(),
        &Location::new("fuzz-identity", None),
        "fuzz-identity",
        &PassphrasePrompt::none(),
    )
    .expect("a generated identity parses")
});

fuzz_target!(|data: &[u8]| {
    let Ok(opened) = Opened::new(data, "fuzz.age") else {
        return;
    };
    let _ = opened.stanza_types();
    // A passphrase file would cost scrypt work per input; its header parse above is what is
    // untrusted, the work factor cap is unit-tested.
    if opened.is_passphrase() {
        return;
    }
    if let Ok(plain) = opened.with_identities(&IDENTITY) {
        let _ = plain.read_all(1 << 20);
    }
});
