//! Plan files (`envmint apply FILE`): no panic on any bytes, sealed or not; a sealed part is
//! opened with a fixed identity.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use envmint::error::Location;
use envmint::seal::{Identity, PassphrasePrompt, identities, keygen};
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
    let path = Path::new("fuzz.plan");
    let _ = envmint::plan::file::looks_like_plan(data);
    if let Ok(plan) = envmint::plan::file::parse(path, data) {
        for env in plan.environments {
            let _ = env.is_sealed();
            let _ = env.open(path, &IDENTITY);
        }
    }
});
