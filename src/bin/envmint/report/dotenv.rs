//! The advice for the dotenv area's errors (what is wrong is the library's words), and the
//! framing of an edit the document refused with the file it was made to.

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
        DotenvProblem::ExpandsTooFar { .. } => {
            "check the references: each may only use values defined above it".to_string()
        }
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
