//! Writing an output so that it appears whole or not at all: a temporary file
//! in the destination folder, renamed over the name once complete; and making
//! a run's outputs durable with one flush at the end.

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

/// Makes a run's outputs and the renames into their folders durable. On
/// Linux one `syncfs` per file system flushes them all at once: a flush per
/// file cost more than the rest of a metadata-only scrub. Elsewhere each file and folder is flushed. Until
/// then a crash can lose an output, never expose a partial one under its
/// name on a journalled file system, and never touch an input.
pub(crate) fn sync_outputs<'a>(files: impl IntoIterator<Item = &'a Path>) -> io::Result<()> {
    let files: Vec<&Path> = files.into_iter().collect();
    let mut dirs: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    dirs.sort();
    dirs.dedup();
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        use std::os::unix::io::AsRawFd;
        let mut devices = Vec::new();
        for dir in dirs {
            let d = fs::File::open(dir)?;
            let dev = d.metadata()?.dev();
            if !devices.contains(&dev) {
                devices.push(dev);
                // SAFETY: `d` is an open descriptor for the call's duration.
                if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        for f in &files {
            fs::File::open(f)?.sync_all()?;
        }
        for dir in dirs {
            let _ = fs::File::open(dir).and_then(|d| d.sync_all());
        }
    }
    Ok(())
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
