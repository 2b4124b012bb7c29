//! Native libraries loaded at run time (libheif, libavif): where to find the
//! copy `build.rs` provisioned, or the one the user names instead.

use std::path::PathBuf;

/// Opens library `what` from `$env` when set, else from `build_path` (the
/// provisioned copy, empty when the build skipped it).
pub(crate) fn open(
    what: &str,
    env: &str,
    build_path: &str,
) -> Result<(libloading::Library, PathBuf), String> {
    let path = std::env::var_os(env)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| (!build_path.is_empty()).then(|| PathBuf::from(build_path)))
        .ok_or_else(|| {
            format!(
                "this phiscrub was built without {what} (its _SKIP variable was set at build \
                 time); rebuild without it, or set {env} to a copy of {what}"
            )
        })?;
    // SAFETY: loading runs the library's initialisers; it is the pinned,
    // checksummed copy, or the one the user named.
    let lib = unsafe { libloading::Library::new(&path) }
        .map_err(|e| format!("loading {what} from {}: {e}", path.display()))?;
    Ok((lib, path))
}
