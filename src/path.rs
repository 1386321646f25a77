//! Paths as people read them. The library never reads the working directory; the binary passes
//! it in as `base`, and messages, summaries and errors ([`crate::Error::relative_to`]) name
//! files through [`shown`].

use std::path::{Path, PathBuf};

/// `path` as shown to the user: relative to `base` (the working directory) when it lies inside
/// it, `.` for `base` itself (a lock on the current folder), else unchanged.
///
/// Only a prefix is removed, never `..` added: error messages and summaries name a file outside
/// the working directory in full. [`relative`] is for the one line that wants `..`.
pub fn shown<'a>(path: &'a Path, base: &Path) -> &'a Path {
    match path.strip_prefix(base) {
        Ok(rel) if rel.as_os_str().is_empty() => Path::new("."),
        Ok(rel) => rel,
        Err(_) => path,
    }
}

/// `path` relative to `base`, with `..` for a file in a parent folder (the manifest a search
/// found above the working directory: `using ../envmint.toml`); absolute when the two share
/// nothing but the root, or when `path` is relative already.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let (p, b): (Vec<_>, Vec<_>) = (path.components().collect(), base.components().collect());
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common <= 1 || !path.is_absolute() {
        return path.to_path_buf();
    }
    let mut out: PathBuf = b[common..].iter().map(|_| "..").collect();
    out.extend(&p[common..]);
    out
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

    #[test]
    fn manifest_paths_are_relative_to_the_cwd() {
        let cwd = Path::new("/home/me/app/src");
        for (path, want) in [
            ("/home/me/app/src/envmint.toml", "envmint.toml"),
            ("/home/me/app/envmint.toml", "../envmint.toml"),
            ("/home/me/app/cfg/envmint.toml", "../cfg/envmint.toml"),
            ("/etc/envmint.toml", "/etc/envmint.toml"),
        ] {
            assert_eq!(relative(Path::new(path), cwd), Path::new(want), "{path}");
        }
    }
}
