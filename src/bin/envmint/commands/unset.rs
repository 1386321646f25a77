//! `envmint unset ENV KEY`: remove every definition of a key, with its record lines.

use crate::cli::UnsetArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::target::{Target, check_key};
use envmint::{Exit, kv};

pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: UnsetArgs) -> Result<Exit> {
    let target = Target::of(ctx, resolved)?;
    let key = args.key.as_str();
    check_key(key)?;
    if args.json {
        crate::output::check_stdout()?;
    }
    let file = target.open(ctx)?;
    let removed = if file.exists() {
        let mut doc = file.snapshot().document()?;
        let removed = kv::unset(&mut doc, key).map_err(|e| target.edit_error(e))?;
        if removed {
            target.save(&file, &doc)?;
        }
        removed
    } else {
        false
    };
    drop(file);

    if !removed && !args.if_exists {
        return Err(Error::MissingInput {
            path: target.env.store_path().to_path_buf(),
            what: format!("`{key}`"),
            hint: Some("--if-exists makes a missing key succeed".into()),
        });
    }
    let action = if removed { "removed" } else { "absent" };
    if args.json {
        target.print_json(key, action, &[])?;
    } else if removed {
        crate::output::say!("{}: {}: {key} removed", target.env.name, target.file());
    } else {
        crate::output::say!(
            "{}: {}: {key} is not there; nothing changed",
            target.env.name,
            target.file()
        );
    }
    Ok(Exit::Ok)
}
