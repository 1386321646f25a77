//! `envmint bootstrap` (being written).

use super::Global;
use crate::cli::BootstrapArgs;
use envmint::{Error, Exit, Result};

pub fn run(_global: &Global, _args: BootstrapArgs) -> Result<Exit> {
    Err(Error::usage("bootstrap is not built yet"))
}
