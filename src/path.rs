//! Paths as people read them. The library never reads the working directory; the binary passes
//! it in as `base`, and every message, summary and error names files through [`shown`].

use std::path::Path;

/// `path` as shown to the user: relative to `base` (the working directory) when it lies inside
/// it, `.` for `base` itself (a lock on the current folder), else unchanged.
///
/// Only a prefix is removed, never `..` added: `../envmint.toml` reads as a path people can
/// retype, but a file outside the working directory is clearer named in full.
pub fn shown<'a>(path: &'a Path, base: &Path) -> &'a Path {
    match path.strip_prefix(base) {
        Ok(rel) if rel.as_os_str().is_empty() => Path::new("."),
        Ok(rel) => rel,
        Err(_) => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_base_lose_it_and_others_stay_whole() {
        let base = Path::new("/home/me/app");
        for (path, want) in [
            ("/home/me/app/.env", ".env"),
            ("/home/me/app/a/.env", "a/.env"),
            ("/home/me/app", "."),
            ("/home/me/app/", "."),
            ("/home/me/application/.env", "/home/me/application/.env"),
            ("/elsewhere/x.env", "/elsewhere/x.env"),
            ("relative/.env", "relative/.env"),
        ] {
            assert_eq!(shown(Path::new(path), base), Path::new(want), "{path}");
        }
    }
}
