//! The digest of a manifest's hooks: what `--allow-hooks` allows on this machine (see
//! [`Hooks`](super::Hooks)), so any change to a hook's text needs a new allowance.

use super::Manifest;
use sha2::{Digest, Sha256};

/// A digest of every hook of `manifest` (each secret's hooks and alternate users, each
/// environment's `after`, with their timeouts), or `None` when it declares none: what the user
/// allows with `--allow-hooks`, so any change to a hook needs a new allowance.
pub fn digest(manifest: &Manifest) -> Option<String> {
    let mut h = Sha256::new();
    let mut any = false;
    // Length-prefixed fields: no two different sets of hooks read as the same bytes.
    let field = |h: &mut Sha256, text: &str| {
        h.update((text.len() as u64).to_be_bytes());
        h.update(text.as_bytes());
    };
    for decl in manifest.secrets() {
        let Some(hooks) = &decl.hooks else { continue };
        any = true;
        field(&mut h, "secret");
        field(&mut h, &decl.key);
        for (name, text) in [
            ("set", &hooks.set),
            ("test", &hooks.test),
            ("retire", &hooks.retire),
            ("reencrypt", &hooks.reencrypt),
        ] {
            field(&mut h, name);
            field(&mut h, text.as_deref().unwrap_or(""));
        }
        if let Some(a) = &hooks.alternate {
            field(&mut h, "alternate");
            field(&mut h, &a.user);
            field(&mut h, &a.names[0]);
            field(&mut h, &a.names[1]);
        }
        field(&mut h, &hooks.timeout.as_secs().to_string());
    }
    for env in manifest.environments() {
        let Some(after) = &env.after else { continue };
        any = true;
        field(&mut h, "after");
        field(&mut h, &env.name);
        field(&mut h, after);
        field(&mut h, &env.hook_timeout.as_secs().to_string());
    }
    any.then(|| hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_to_a_hook_changes_the_digest() {
        let base = "[environments.production]\n\
                    [secrets.DB_PASSWORD]\nrole = \"credential\"\n\
                    [secrets.DB_PASSWORD.hooks]\nset = 'echo set'\n";
        let parse =
            |t: &str| Manifest::parse(t, std::path::Path::new("m.toml"), "/p".as_ref()).unwrap();
        let a = digest(&parse(base)).unwrap();
        assert_eq!(digest(&parse(base)).unwrap(), a);
        let changed = base.replace("echo set", "echo set ");
        assert_ne!(digest(&parse(&changed)).unwrap(), a);
        let test = format!("{base}test = 'true'\n");
        assert_ne!(digest(&parse(&test)).unwrap(), a);
        let after = base.replace(
            "[environments.production]\n",
            "[environments.production]\nafter = 'true'\n",
        );
        assert_ne!(digest(&parse(&after)).unwrap(), a);
        assert_eq!(
            digest(&parse("[environments.production]\n[secrets.A]\n")),
            None
        );
    }
}
