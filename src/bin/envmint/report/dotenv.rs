//! Errors about a dotenv file's content that the binary builds: an edit the document refused,
//! a value whose `${...}` references would expand too far.

use envmint::Error;
use envmint::dotenv::EditError;
use envmint::error::{DotenvError, DotenvProblem};
use std::path::Path;

/// The path is made relative to the working directory where every error is printed.
pub fn edit_error(path: &Path, err: EditError) -> Error {
    DotenvError {
        path: path.to_path_buf(),
        problem: DotenvProblem::Edit(err),
    }
    .into()
}

/// The error for a value of `file` that its `${...}` references would make longer than
/// [`envmint::dotenv::interpolate::MAX_EXPANDED`], or that would take the expanded values
/// together past [`envmint::dotenv::interpolate::MAX_EXPANDED_TOTAL`] (run and export expand
/// them).
pub fn too_large(
    file: &std::path::Path,
    doc: &envmint::dotenv::Document,
    (key, limit): &(String, envmint::dotenv::interpolate::Limit),
) -> Error {
    use envmint::dotenv::interpolate::{Limit, MAX_EXPANDED, MAX_EXPANDED_TOTAL};
    let what = match limit {
        Limit::Value => format!(
            "`{key}` would be longer than {} MiB once its ${{...}} references are expanded",
            MAX_EXPANDED >> 20
        ),
        Limit::Total => format!(
            "`{key}` would take the file's values past {} MiB in all once their ${{...}} \
             references are expanded",
            MAX_EXPANDED_TOTAL >> 20
        ),
    };
    Error::data(
        envmint::error::Location::new(file, doc.line_of_key(key)),
        what,
    )
    .with_hint("check the references: each may only use values defined above it")
}
