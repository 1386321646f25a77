//! A tiny age plugin for envmint's tests, built with the `age-plugin` crate: `envminttest`.
//!
//! NOT SECURE: a stanza `envminttest TAG` carries the file key XORed with a key derived from the
//! 16 bytes both the recipient and the identity encode. It exists so the tests can run a real
//! plugin binary (`age-plugin-envminttest` on PATH, as age and envmint look for plugins) without
//! hardware: `--generate` prints a new identity and its recipient; unwrapping first sends the
//! client the message `touch the test key`, as a hardware key's plugin asks for a touch, and
//! with `ENVMINTTEST_ASK=confirm` or `=public` asks a question the user must answer.

use age_core::format::{FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use age_plugin::{
    Callbacks, PluginHandler,
    identity::{self, IdentityPluginV1},
    recipient::{self, RecipientPluginV1},
    run_state_machine,
};
use std::collections::{HashMap, HashSet};
use std::io;

const NAME: &str = "envminttest";

/// The pad for `secret`: what XORs the file key (insecure by design).
fn pad(secret: &[u8]) -> [u8; 16] {
    use sha2::Digest;
    let d = sha2::Sha256::digest([b"envminttest".as_slice(), secret].concat());
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

/// The stanza tag that tells which key a stanza is for.
fn tag(secret: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest([b"tag".as_slice(), secret].concat())[..4])
}

struct Handler;

impl PluginHandler for Handler {
    type RecipientV1 = Recipients;
    type IdentityV1 = Identities;

    fn recipient_v1(self) -> io::Result<Recipients> {
        Ok(Recipients(Vec::new()))
    }

    fn identity_v1(self) -> io::Result<Identities> {
        Ok(Identities(Vec::new()))
    }
}

struct Recipients(Vec<Vec<u8>>);

impl RecipientPluginV1 for Recipients {
    fn add_recipient(
        &mut self,
        index: usize,
        _: &str,
        bytes: &[u8],
    ) -> Result<(), recipient::Error> {
        if bytes.len() != 16 {
            return Err(recipient::Error::Recipient {
                index,
                message: "not an envminttest recipient".into(),
            });
        }
        self.0.push(bytes.to_vec());
        Ok(())
    }

    fn add_identity(
        &mut self,
        index: usize,
        _: &str,
        bytes: &[u8],
    ) -> Result<(), recipient::Error> {
        self.add_recipient(index, NAME, bytes)
    }

    fn labels(&mut self) -> HashSet<String> {
        HashSet::new()
    }

    fn wrap_file_keys(
        &mut self,
        file_keys: Vec<FileKey>,
        _: impl Callbacks<recipient::Error>,
    ) -> io::Result<Result<Vec<Vec<Stanza>>, Vec<recipient::Error>>> {
        Ok(Ok(file_keys
            .iter()
            .map(|key| {
                self.0
                    .iter()
                    .map(|secret| {
                        let p = pad(secret);
                        Stanza {
                            tag: NAME.into(),
                            args: vec![tag(secret)],
                            body: key
                                .expose_secret()
                                .iter()
                                .zip(p)
                                .map(|(a, b)| a ^ b)
                                .collect(),
                        }
                    })
                    .collect()
            })
            .collect()))
    }
}

struct Identities(Vec<Vec<u8>>);

impl IdentityPluginV1 for Identities {
    fn add_identity(&mut self, index: usize, _: &str, bytes: &[u8]) -> Result<(), identity::Error> {
        if bytes.len() != 16 {
            return Err(identity::Error::Identity {
                index,
                message: "not an envminttest identity".into(),
            });
        }
        self.0.push(bytes.to_vec());
        Ok(())
    }

    fn unwrap_file_keys(
        &mut self,
        files: Vec<Vec<Stanza>>,
        mut callbacks: impl Callbacks<identity::Error>,
    ) -> io::Result<HashMap<usize, Result<FileKey, Vec<identity::Error>>>> {
        let mut out = HashMap::new();
        for (i, stanzas) in files.iter().enumerate() {
            for stanza in stanzas.iter().filter(|s| s.tag == NAME) {
                let Some(secret) = self.0.iter().find(|s| stanza.args.first() == Some(&tag(s)))
                else {
                    continue;
                };
                if stanza.body.len() != 16 {
                    continue;
                }
                let _ = callbacks.message("touch the test key")?;
                // ENVMINTTEST_ASK makes it ask as a hardware key's plugin may: a confirmation
                // ("confirm": only `yes` unlocks) or a public string ("public": only `slot-1`).
                let answered = match std::env::var("ENVMINTTEST_ASK").as_deref() {
                    Ok("confirm") => {
                        matches!(
                            callbacks.confirm("use the test key?", "yes", Some("no"))?,
                            Ok(true)
                        )
                    }
                    Ok("public") => {
                        matches!(
                            callbacks.request_public("which slot?")?.as_deref(),
                            Ok("slot-1")
                        )
                    }
                    _ => true,
                };
                if !answered {
                    let message = "the test key was not unlocked".to_string();
                    out.insert(i, Err(vec![identity::Error::Internal { message }]));
                    break;
                }
                let mut key = [0u8; 16];
                for (k, (a, b)) in key.iter_mut().zip(stanza.body.iter().zip(pad(secret))) {
                    *k = a ^ b;
                }
                out.insert(i, Ok(FileKey::new(Box::new(key))));
                break;
            }
        }
        Ok(out)
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(machine) = args.iter().find_map(|a| a.strip_prefix("--age-plugin=")) {
        return run_state_machine(machine, Handler);
    }
    if args.iter().any(|a| a == "--generate") {
        let mut secret = [0u8; 16];
        rand::fill(&mut secret);
        age_plugin::print_new_identity(NAME, &secret, &secret);
        return Ok(());
    }
    eprintln!("usage: age-plugin-envminttest --generate (a test plugin; not secure)");
    std::process::exit(2)
}
