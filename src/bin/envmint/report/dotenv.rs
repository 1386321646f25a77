//! Errors about a dotenv file's content that the binary builds: an edit the document refused,
//! a value whose `${...}` references would expand too far.

use envmint::Error;
use envmint::dotenv::EditError;
use envmint::error::{DotenvError, DotenvProblem};
use std::path::Path;

use super::Rendered;
use envmint::error::Location;

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

/// Writes a [`DotenvError`] in words, after `FILE:LINE:`.
pub(super) fn dotenv(e: &DotenvError) -> Rendered {
    let location = Location::new(&e.path, e.line());
    let (what, hint) = match &e.problem {
        DotenvProblem::NotUtf8 { .. } => (
            "the file is not valid UTF-8".to_string(),
            "envmint edits UTF-8 dotenv files only; convert it with iconv first".to_string(),
        ),
        DotenvProblem::NotADotenvFile { environment, .. } => (
            "not a dotenv file: no line reads KEY=value, so envmint will not write to it"
                .to_string(),
            format!(
                "check `file` of [environments.{environment}] in the manifest; envmint only \
                 adds to dotenv files (an empty file is fine)"
            ),
        ),
        DotenvProblem::Edit(err) => (edit(err), edit_hint(err)),
        DotenvProblem::IsTheManifest { environment } => (
            format!(
                "the file of [environments.{environment}] is the manifest itself, under another name"
            ),
            "secrets go in their own dotenv file; remove the link or change `file` in the \
             manifest"
                .to_string(),
        ),
    };
    Rendered {
        message: format!("{location}: {what}"),
        hint: Some(hint),
    }
}

/// What a refused edit says. It names keys and lines, never a value; the line itself is in
/// the `FILE:LINE:` before it.
pub fn edit(err: &EditError) -> String {
    match err {
        EditError::InvalidKey { key } if showable(key) => format!(
            "`{key}` is not a valid key: use ASCII letters, digits and `_`, not starting with a \
             digit"
        ),
        EditError::InvalidKey { key } => format!(
            "a {}-byte key is not valid (not shown: it contains `=`, whitespace or control \
             characters, or is long): use ASCII letters, digits and `_`, not starting with a \
             digit",
            key.len()
        ),
        EditError::UnsafeValue { key, char } => format!(
            "the value for `{key}` contains {char}, which envmint does not write into dotenv \
             files"
        ),
        EditError::KeyOnUnparsableLine { key, .. } => {
            format!("`{key}` is on a line envmint cannot read; fix or remove that line first")
        }
        EditError::UnterminatedQuote { .. } => "a quote opened on this line is never closed; \
                                                envmint will not write after it, since a later \
                                                quote would swallow the new line"
            .to_string(),
        EditError::KeyMissing { key } => format!("`{key}` is not defined"),
        EditError::InvalidRecord { key } => format!(
            "the `# envmint:` record for `{key}` holds a line break or control character; a \
             record is one comment line"
        ),
        EditError::KeyExists { key, line } => format!("`{key}` already exists (line {line})"),
    }
}

/// The advice for a refused edit.
pub(super) fn edit_hint(err: &EditError) -> String {
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

/// Whether a refused key can be shown: one with `=`, whitespace or control characters may be a
/// whole `KEY=secret` pasted where a name was expected.
pub(super) fn showable(key: &str) -> bool {
    key.len() <= 64
        && !key
            .chars()
            .any(|c| c == '=' || c.is_whitespace() || c.is_control())
}
