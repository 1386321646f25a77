//! `envmint init` (being written).

use super::Global;
use crate::cli::InitArgs;
use envmint::{Error, Exit, Result};

pub fn run(_global: &Global, _args: InitArgs) -> Result<Exit> {
    Err(Error::usage("init is not built yet"))
}
