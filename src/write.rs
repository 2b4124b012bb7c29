//! Writing an output so that it appears whole or not at all: a temporary file
//! in the destination folder, flushed to disk, then renamed over the name.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// What happened to an existing file at the destination.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// The destination exists and overwriting was not allowed.
    Exists,
    Io(io::Error),
}

pub(crate) fn atomic_write(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(WriteError::Io)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".phiscrub-").suffix(".part");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Like any new file: 0666 less the umask, not tempfile's private 0600.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(WriteError::Io)?;
    tmp.write_all(bytes).map_err(WriteError::Io)?;
    tmp.as_file().sync_all().map_err(WriteError::Io)?;
    let persisted = if overwrite {
        tmp.persist(path).map(|_| ())
    } else {
        tmp.persist_noclobber(path).map(|_| ())
    };
    if let Err(e) = persisted {
        // The temporary file is removed when `e.file` drops.
        return Err(if e.error.kind() == io::ErrorKind::AlreadyExists {
            WriteError::Exists
        } else {
            WriteError::Io(e.error)
        });
    }
    Ok(())
}

/// Makes the renames into each folder durable: one flush per folder at the
/// end of a run rather than one per file, which on a batch of small photos
/// cost as much as the rest of the write.
pub(crate) fn sync_dirs<'a>(files: impl IntoIterator<Item = &'a Path>) {
    let mut dirs: Vec<&Path> = files.into_iter().filter_map(Path::parent).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.jpg");
        atomic_write(&p, b"one", false).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        assert!(matches!(
            atomic_write(&p, b"two", false),
            Err(WriteError::Exists)
        ));
        assert_eq!(fs::read(&p).unwrap(), b"one");
        atomic_write(&p, b"two", true).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.jpg")]);
    }
}
