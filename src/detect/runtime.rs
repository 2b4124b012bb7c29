//! Finding and loading ONNX Runtime. The library is provisioned at build time
//! (see `build.rs`); this module only looks in known places, never downloads.

use crate::error::SetupError;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The ONNX Runtime version this build was made and tested with.
pub const ORT_VERSION: &str = "1.31.1";
const LIB_NAME: &str = "libonnxruntime.so.1.31.1";

/// Where `cargo build` stored the runtime library, or empty when the build
/// was told not to provision it.
const BUILD_PATH: &str = env!("PHISCRUB_ORT_DYLIB");

/// Where the runtime library was looked for, in order, with the reason each
/// candidate was chosen.
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
