//! Errors about a dotenv file's content that the binary builds (an edit the document refused,
//! a value whose `${...}` references would expand too far), and the advice for the dotenv
//! area's errors.

use crate::error::Error;
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

/// The advice for a [`DotenvError`] (what is wrong is the library's words).
pub(super) fn hint(e: &DotenvError) -> Option<String> {
    Some(match &e.problem {
        DotenvProblem::NotUtf8 { .. } => {
            "envmint edits UTF-8 dotenv files only; convert it with iconv first".to_string()
        }
        DotenvProblem::NotADotenvFile { environment, .. } => format!(
            "check `file` of [environments.{environment}] in the manifest; envmint only adds to \
             dotenv files (an empty file is fine)"
        ),
        DotenvProblem::Edit(err) => edit_hint(err),
        DotenvProblem::IsTheManifest { .. } => "secrets go in their own dotenv file; remove the \
                                                link or change `file` in the manifest"
            .to_string(),
        _ => return None,
    })
}

/// The advice for a refused edit.
fn edit_hint(err: &EditError) -> String {
    match err {
        EditError::UnterminatedQuote { line } => format!(
            "close the quote that opens on line {line}; a line appended after it could be read \
             as part of its value"
        ),
        EditError::KeyOnUnparsableLine { line, .. } => {
            format!("fix line {line} so that it reads KEY=value, then run again")
        }
        _ => "the file was left untouched".to_string(),
    }
}
