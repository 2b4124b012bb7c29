//! Finding and loading ONNX Runtime. The library is provisioned at build time
//! (see `build.rs`); this module only looks in known places, never downloads.

use crate::error::SetupError;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The ONNX Runtime version this build was made and tested with.
///
/// ```
/// use phiscrub::detect::runtime::{candidates, ORT_VERSION};
/// # unsafe { std::env::remove_var("ORT_DYLIB_PATH") };
/// // Beside the binary, the library is looked for under its versioned name.
/// let versioned = format!("libonnxruntime.so.{ORT_VERSION}");
/// assert!(candidates().iter().any(|(p, _)| p.ends_with(&versioned)));
/// ```
pub const ORT_VERSION: &str = "1.31.1";
const LIB_NAME: &str = "libonnxruntime.so.1.31.1";

/// Where `cargo build` stored the runtime library, or empty when the build
/// was told not to provision it.
const BUILD_PATH: &str = env!("PHISCRUB_ORT_DYLIB");

/// Where the runtime library was looked for, in order, with the reason each
/// candidate was chosen.
///
/// ```
/// use phiscrub::detect::runtime::candidates;
/// use std::path::PathBuf;
/// # unsafe { std::env::remove_var("ORT_DYLIB_PATH") };
/// // By default: beside the running binary first.
/// let exe_dir = std::env::current_exe()?.parent().unwrap().to_path_buf();
/// assert!(candidates()[0].0.starts_with(&exe_dir));
///
/// // An explicit ORT_DYLIB_PATH is the only place looked at.
/// // Safe here: each doc test runs alone in its own process.
/// unsafe { std::env::set_var("ORT_DYLIB_PATH", "/opt/ort/libonnxruntime.so") };
/// assert_eq!(
///     candidates(),
///     vec![(PathBuf::from("/opt/ort/libonnxruntime.so"), "ORT_DYLIB_PATH")]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn candidates() -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        out.push((PathBuf::from(p), "ORT_DYLIB_PATH"));
        // An explicit override is the only candidate: silently falling back
        // would hide a typo in a deployment script.
        return out;
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push((dir.join(LIB_NAME), "beside the phiscrub binary"));
        out.push((dir.join("libonnxruntime.so"), "beside the phiscrub binary"));
    }
    if !BUILD_PATH.is_empty() {
        out.push((PathBuf::from(BUILD_PATH), "provisioned by cargo build"));
    }
    out
}

/// Locates the runtime library without loading it.
///
/// ```
/// use phiscrub::detect::runtime::locate;
/// use phiscrub::SetupError;
/// # unsafe { std::env::remove_var("ORT_DYLIB_PATH") };
/// // `cargo build` provisioned the library, so it is found.
/// assert!(locate()?.is_file());
///
/// // A wrong override is an error naming where it looked, with no fallback.
/// // Safe here: each doc test runs alone in its own process.
/// unsafe { std::env::set_var("ORT_DYLIB_PATH", "/nowhere/libonnxruntime.so") };
/// match locate() {
///     Err(SetupError::Runtime(msg)) => assert!(msg.contains("/nowhere/libonnxruntime.so")),
///     other => panic!("expected a runtime error, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn locate() -> Result<PathBuf, SetupError> {
    let cands = candidates();
    cands
        .iter()
        .find(|(p, _)| p.is_file())
        .map(|(p, _)| p.clone())
        .ok_or_else(|| SetupError::Runtime(not_found_message(&cands)))
}

fn not_found_message(cands: &[(PathBuf, &'static str)]) -> String {
    let looked: Vec<String> = cands
        .iter()
        .map(|(p, why)| format!("{} ({why})", p.display()))
        .collect();
    crate::t!(
        "rt-not-found",
        version = ORT_VERSION,
        looked = looked.join(", "),
        lib = LIB_NAME
    )
}

static ENV: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();

/// Loads the runtime once per process and returns its environment.
///
/// ```
/// use phiscrub::detect::runtime::environment;
/// let first = environment()?;
/// // Later calls share the one environment: the library is loaded once.
/// assert!(std::ptr::eq(first, environment()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn environment() -> Result<&'static ort::environment::Environment, SetupError> {
    ENV.get_or_init(|| {
        let path = locate().map_err(|e| e.to_string())?;
        let builder = ort::init_from(&path).map_err(|e| {
            crate::t!(
                "rt-load",
                path = crate::i18n::path_arg(&path),
                detail = e.to_string(),
                lib = LIB_NAME
            )
        })?;
        builder
            .with_name("phiscrub")
            .with_telemetry(false)
            .build()
            .map_err(|e| {
                crate::t!(
                    "rt-start",
                    path = crate::i18n::path_arg(&path),
                    detail = e.to_string()
                )
            })
    })
    .as_ref()
    .map_err(|e| SetupError::Runtime(e.clone()))
}

/// A session of an embedded model with `intra_threads` ONNX Runtime
/// threads and no inter-op parallelism (workers give the parallelism).
///
/// ```
/// use phiscrub::detect::runtime::session;
/// use phiscrub::models::CENTERFACE;
/// let face_net = session(&CENTERFACE, 1)?;
/// // The model's own input and output names, ready for `Session::run`.
/// assert_eq!(face_net.inputs()[0].name(), "input.1");
/// assert!(face_net.outputs().iter().any(|o| o.name() == "537"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn session(
    model: &'static crate::models::Model,
    intra_threads: usize,
) -> Result<ort::session::Session, SetupError> {
    let env = environment()?;
    let model_err = |e: &dyn std::fmt::Display| SetupError::Model {
        model: model.name,
        detail: e.to_string(),
    };
    ort::session::Session::builder(env)
        .map_err(|e| model_err(&e))?
        .with_intra_threads(intra_threads)
        .map_err(|e| model_err(&e))?
        .with_inter_threads(1)
        .map_err(|e| model_err(&e))?
        .commit_from_memory(model.bytes)
        .map_err(|e| model_err(&e))
}
