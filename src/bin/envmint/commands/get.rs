//! `envmint get ENV KEY`: one value on stdout, for scripts.

use crate::cli::GetArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::target::Target;
use envmint::error::Location;
use envmint::kv::{self, Lookup};
use envmint::{Exit, store};

pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: GetArgs) -> Result<Exit> {
    let target = Target::of(ctx, resolved)?;
    let key = args.key.as_str();
    // Files may hold keys envmint does not write (`a.b`, `x-y`), so those can be read; anything
    // else is refused before a "not found" could echo a pasted `KEY=secret`.
    let readable = |b: u8| b.is_ascii_alphanumeric() || b"_.-".contains(&b);
    if key.is_empty() || !key.bytes().all(readable) {
        crate::target::check_key(key)?;
    }
    // Reading takes no lock: the atomic writer renames whole files, so a read sees one version.
    let snapshot = store::peek(target.storage()?, &target.options(ctx)?)?;
    if !snapshot.exists() {
        return Err(Error::MissingInput {
            path: target.env.store_path().to_path_buf(),
            what: format!("the file of environment `{}`", target.env.name),
            hint: Some(format!(
                "envmint bootstrap {} creates it; envmint set {} {key} adds one value",
                target.env.name, target.env.name
            )),
        });
    }
    let doc = snapshot.document()?;
    match kv::get(&doc, key) {
        Lookup::Value(value) => {
            crate::output::print_line(value)?;
            Ok(Exit::Ok)
        }
        Lookup::Absent => Err(Error::MissingInput {
            path: target.env.store_path().to_path_buf(),
            what: format!("`{key}`"),
            hint: Some(format!(
                "envmint set {} {key} adds it (the value from stdin)",
                target.env.name
            )),
        }),
        Lookup::Unreadable(line) => Err(Error::data(
            Location::new(target.env.store_path(), Some(line)),
            format!("`{key}` is on a line envmint cannot read, so its value is unclear"),
        )
        .with_hint(format!(
            "fix line {line} so that it reads {key}=value (envmint edit {})",
            target.env.name
        ))),
    }
}
