//! The manifest loader (`envmint.toml` is hostile input in a cloned repository): no panic.
#![no_main]

use std::path::Path;

use envmint::manifest::Manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = Manifest::parse(text, Path::new("/fuzz/envmint.toml"), Path::new("/fuzz")) {
        for env in m.environments() {
            let _ = m.secrets_for(&env.name).count();
            let _ = env.store_path();
        }
        for secret in m.secrets() {
            let _ = m.secrets_for(&secret.key).count();
        }
    }
});
