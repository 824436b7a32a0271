//! Moving files without losing or overwriting one: listing the inbox oldest
//! first, claiming a file by an atomic rename, filing it away under the first
//! free numbered name, and writing a new file (a `.reason`) only where no file
//! is.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};

use crate::source::article_file::is_hidden_or_temporary;

/// The regular files and symbolic links directly in `dir` (hidden and
/// temporary names left out), oldest modification first, then by name. Links
/// are listed, not followed: reading refuses them, so they end in `failed/`
/// with a reason instead of staying unexplained in the inbox.
pub(super) async fn list_files(dir: &Path) -> io::Result<Vec<(PathBuf, std::fs::Metadata)>> {
    let mut files = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        if is_hidden_or_temporary(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        match tokio::fs::symlink_metadata(&path).await {
            Ok(meta) if is_candidate(&meta) => files.push((path, meta)),
            _ => {}
        }
    }
    files.sort_by(|(a, am), (b, bm)| (am.modified().ok(), a).cmp(&(bm.modified().ok(), b)));
    Ok(files)
}

/// A directory entry the drop folder handles (from `symlink_metadata`): a
/// regular file, or a link it will refuse. Folders are left alone.
pub(super) fn is_candidate(meta: &std::fs::Metadata) -> bool {
    meta.is_file() || meta.file_type().is_symlink()
}

/// `NAME`, then `STEM-1.EXT`, `STEM-2.EXT`, ...
fn numbered_name(name: &OsStr, n: u32) -> OsString {
    if n == 0 {
        return name.to_os_string();
    }
    let path = Path::new(name);
    let stem = path.file_stem().unwrap_or(name);
    let mut out = stem.to_os_string();
    out.push(format!("-{n}"));
    if let Some(ext) = path.extension() {
        out.push(".");
        out.push(ext);
    }
    out
}

/// How many numbered names to try before giving up.
const MAX_NUMBERED: u32 = 10_000;

async fn exists(path: &Path) -> io::Result<bool> {
    match tokio::fs::symlink_metadata(path).await {
        Ok(_) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

fn no_free_name(dir: &Path, name: &OsStr) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "no free name for {} in {}",
            Path::new(name).display(),
            dir.display()
        ),
    )
}

/// Claims `file` by renaming it into the claim folder under a free name. A rename
/// is atomic: if two claimers race, one gets `NotFound`.
pub(super) async fn claim(file: &Path, claim_dir: &Path, name: &OsStr) -> io::Result<PathBuf> {
    for n in 0..MAX_NUMBERED {
        let dest = claim_dir.join(numbered_name(name, n));
        if !exists(&dest).await? {
            tokio::fs::rename(file, &dest).await?;
            return Ok(dest);
        }
    }
    Err(no_free_name(claim_dir, name))
}

/// Moves `file` into `dir` as `name` or the first free numbered name, never
/// replacing a file: a hard link fails if the name is taken, then the original is
/// removed. Where hard links are not supported, renames to a name checked free.
pub(super) async fn file_away(file: &Path, dir: &Path, name: &OsStr) -> io::Result<PathBuf> {
    for n in 0..MAX_NUMBERED {
        let dest = dir.join(numbered_name(name, n));
        match tokio::fs::hard_link(file, &dest).await {
            Ok(()) => {
                tokio::fs::remove_file(file).await?;
                return Ok(dest);
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Err(err),
            Err(_) => {
                if !exists(&dest).await? {
                    tokio::fs::rename(file, &dest).await?;
                    return Ok(dest);
                }
            }
        }
    }
    Err(no_free_name(dir, name))
}

/// Writes `body` to a new file `dir/NAME`, or `NAME.1`, `NAME.2`, ... if the
/// name is taken. A file already there (a dropped `x.txt.reason`) is never
/// replaced, even by a race, and no reader ever sees the file half written:
/// the body goes to a hidden temporary first, which is then hard-linked into
/// place (a link fails on an existing name). Where the filesystem has no hard
/// links, the file is created with `create_new` and written in place.
pub(super) async fn write_new(dir: &Path, name: &OsStr, body: &[u8]) -> io::Result<PathBuf> {
    let tmp = write_temporary(dir, name, body).await?;
    let mut linked = Err(no_free_name(dir, name));
    for n in 0..MAX_NUMBERED {
        let dest = dir.join(candidate(name, n));
        match tokio::fs::hard_link(&tmp, &dest).await {
            Ok(()) => {
                linked = Ok(dest);
                break;
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                linked = write_in_place(dir, name, body).await;
                break;
            }
        }
    }
    // The temporary goes either way; failing to remove it loses nothing.
    let _ = tokio::fs::remove_file(&tmp).await;
    linked
}

/// `NAME`, then `NAME.1`, `NAME.2`, ...
fn candidate(name: &OsStr, n: u32) -> OsString {
    let mut candidate = name.to_os_string();
    if n > 0 {
        candidate.push(format!(".{n}"));
    }
    candidate
}

/// `body` in a new hidden file of `dir` (".NAME.<pid>-<n>.partial"), which
/// the inbox listing leaves alone.
async fn write_temporary(dir: &Path, name: &OsStr, body: &[u8]) -> io::Result<PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}-{n}.partial", std::process::id()));
        let tmp = dir.join(tmp_name);
        if create_with(&tmp, body).await? {
            return Ok(tmp);
        }
    }
}

/// `write_new` without links: created with `create_new`, then written.
async fn write_in_place(dir: &Path, name: &OsStr, body: &[u8]) -> io::Result<PathBuf> {
    for n in 0..MAX_NUMBERED {
        let dest = dir.join(candidate(name, n));
        if create_with(&dest, body).await? {
            return Ok(dest);
        }
    }
    Err(no_free_name(dir, name))
}

/// Creates `path` (never over an existing file) holding `body`; `false` when
/// the name is taken.
async fn create_with(path: &Path, body: &[u8]) -> io::Result<bool> {
    use tokio::io::AsyncWriteExt;
    let opened = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await;
    match opened {
        Ok(mut file) => {
            file.write_all(body).await?;
            file.flush().await?;
            Ok(true)
        }
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_names_keep_the_extension() {
        let cases = [
            ("a.txt", 0, "a.txt"),
            ("a.txt", 1, "a-1.txt"),
            ("story.final.html", 2, "story.final-2.html"),
            ("README", 3, "README-3"),
        ];
        for (name, n, expected) in cases {
            assert_eq!(numbered_name(OsStr::new(name), n), OsString::from(expected));
        }
    }

    #[tokio::test]
    async fn moves_never_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("done");
        std::fs::create_dir(&dest).unwrap();
        for (i, expected) in ["a.txt", "a-1.txt", "a-2.txt"].iter().enumerate() {
            let src = tmp.path().join("a.txt");
            std::fs::write(&src, i.to_string()).unwrap();
            let moved = file_away(&src, &dest, OsStr::new("a.txt")).await.unwrap();
            assert_eq!(moved, dest.join(expected));
            assert!(!src.exists());
        }
        assert_eq!(std::fs::read_to_string(dest.join("a.txt")).unwrap(), "0");
        assert_eq!(std::fs::read_to_string(dest.join("a-2.txt")).unwrap(), "2");

        let src = tmp.path().join("a.txt");
        std::fs::write(&src, "claimed").unwrap();
        let claimed = claim(&src, &dest, OsStr::new("a.txt")).await.unwrap();
        assert_eq!(claimed, dest.join("a-3.txt"));
        let gone = claim(&src, &dest, OsStr::new("a.txt")).await.unwrap_err();
        assert_eq!(gone.kind(), io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn new_files_take_a_numbered_name_rather_than_replace_one() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("x.txt.reason"), "dropped").unwrap();
        for (body, expected) in [("one", "x.txt.reason.1"), ("two", "x.txt.reason.2")] {
            let written = write_new(tmp.path(), OsStr::new("x.txt.reason"), body.as_bytes())
                .await
                .unwrap();
            assert_eq!(written, tmp.path().join(expected));
            assert_eq!(std::fs::read_to_string(&written).unwrap(), body);
        }
        let kept = std::fs::read_to_string(tmp.path().join("x.txt.reason")).unwrap();
        assert_eq!(kept, "dropped");
        // The temporaries the files were written through are gone.
        let mut names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["x.txt.reason", "x.txt.reason.1", "x.txt.reason.2"]);
    }

    #[tokio::test]
    async fn a_new_file_appears_whole() {
        // Readers racing the writer see no file or the whole body, never a
        // created but still empty one.
        let tmp = tempfile::tempdir().unwrap();
        let body = "reason line\nreason: empty\n".repeat(2000);
        let dir = tmp.path().to_path_buf();
        let watcher = std::thread::spawn({
            let dir = dir.clone();
            let len = body.len();
            move || {
                let path = dir.join("r.reason");
                for _ in 0..200_000 {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        assert_eq!(text.len(), len, "read a partial file");
                        return true;
                    }
                }
                false
            }
        });
        write_new(&dir, OsStr::new("r.reason"), body.as_bytes())
            .await
            .unwrap();
        assert!(watcher.join().unwrap(), "the file never appeared");
    }
}
