//! Finding and loading ONNX Runtime. The library is provisioned at build time
//! (see `build.rs`); this module only looks in known places, never downloads.

use crate::i18n::path_arg;
use crate::t;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Why ONNX Runtime, or a model in it, could not be loaded. Its own type,
/// so that the runtime depends on nothing of the pipeline's; a
/// [`SetupError`](crate::SetupError) carries it.
///
/// ```
/// use phiscrub::detect::runtime::{locate, RuntimeError};
/// use std::error::Error;
/// // Safe here: each doc test runs alone in its own process.
/// unsafe { std::env::set_var("ORT_DYLIB_PATH", "/nowhere/libonnxruntime.so") };
/// let e = locate().unwrap_err();
/// assert_eq!(e.code(), "runtime_not_found");
/// assert!(matches!(&e, RuntimeError::NotFound { tried } if tried.len() == 1));
/// assert!(e.to_string().contains("ORT_DYLIB_PATH"), "the message says what to do");
/// assert!(e.source().is_none(), "nothing failed: nothing was there");
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// No runtime library in any place phiscrub looks.
    #[error("{}", not_found_message(tried))]
    NotFound {
        /// Every place looked at, with the reason it was.
        tried: Vec<(PathBuf, &'static str)>,
    },
    /// The library was found but would not load.
    #[error("{}", t!("rt-load", path = path_arg(path), detail = source.to_string(), lib = LIB_NAME))]
    Load {
        /// The library.
        path: PathBuf,
        /// ONNX Runtime's own error.
        source: Cause,
    },
    /// The library loaded but its environment would not start.
    #[error("{}", t!("rt-start", path = path_arg(path), detail = source.to_string()))]
    Start {
        /// The library.
        path: PathBuf,
        /// ONNX Runtime's own error.
        source: Cause,
    },
    /// The device asked for (`--device cuda`) cannot run a model: its
    /// execution provider did not register, or some of the model would run
    /// on the CPU instead. Never a silent fallback.
    #[error("{}", t!("rt-device", device = device.to_string(), model = *model, detail = source.to_string().trim().trim_end_matches('.').to_string()))]
    Device {
        /// The device asked for.
        device: Device,
        /// The model that would not run on it.
        model: &'static str,
        /// ONNX Runtime's own error.
        source: Cause,
    },
    /// An embedded model would not load into the runtime.
    #[error("{}", t!("setup-model", model = *model, detail = source.to_string()))]
    Model {
        /// The model's short name ([`Model::name`](crate::models::Model::name)).
        model: &'static str,
        /// ONNX Runtime's own error.
        source: Cause,
    },
}

/// The runtime's own error beneath a [`RuntimeError`] (its `source()`).
///
/// ```
/// use phiscrub::detect::runtime::{Cause, RuntimeError};
/// use std::error::Error;
/// let cause: Cause = std::sync::Arc::new(std::io::Error::other("no such symbol"));
/// let e = RuntimeError::Model { model: "CenterFace", source: cause };
/// assert_eq!(e.source().unwrap().to_string(), "no such symbol");
/// assert!(e.to_string().contains("CenterFace"));
/// ```
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

impl RuntimeError {
    /// A short, stable name of what went wrong, for programs and logs:
    /// `runtime_not_found`, `runtime_load`, `runtime_start` or `model`.
    ///
    /// ```
    /// use phiscrub::detect::runtime::RuntimeError;
    /// let e = RuntimeError::NotFound { tried: Vec::new() };
    /// assert_eq!(e.code(), "runtime_not_found");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            RuntimeError::NotFound { .. } => "runtime_not_found",
            RuntimeError::Load { .. } => "runtime_load",
            RuntimeError::Start { .. } => "runtime_start",
            RuntimeError::Model { .. } => "model",
            RuntimeError::Device { .. } => "device",
        }
    }
}

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
/// # unsafe { std::env::remove_var("ORT_DYLIB_PATH") };
/// // `cargo build` provisioned the library, so it is found.
/// assert!(locate()?.is_file());
///
/// // A wrong override is an error naming where it looked, with no fallback.
/// // Safe here: each doc test runs alone in its own process.
/// unsafe { std::env::set_var("ORT_DYLIB_PATH", "/nowhere/libonnxruntime.so") };
/// let e = locate().unwrap_err();
/// assert!(e.to_string().contains("/nowhere/libonnxruntime.so"), "{e}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn locate() -> Result<PathBuf, RuntimeError> {
    let tried = candidates();
    match tried.iter().find(|(p, _)| p.is_file()) {
        Some((p, _)) => Ok(p.clone()),
        None => Err(RuntimeError::NotFound { tried }),
    }
}

fn not_found_message(cands: &[(PathBuf, &'static str)]) -> String {
    let looked: Vec<String> = cands
        .iter()
        .map(|(p, why)| format!("{} ({why})", p.display()))
        .collect();
    t!(
        "rt-not-found",
        version = ORT_VERSION,
        looked = looked.join(", "),
        lib = LIB_NAME
    )
}

static ENV: OnceLock<Result<ort::environment::Environment, RuntimeError>> = OnceLock::new();

/// Loads the runtime once per process and returns its environment.
///
/// ```
/// use phiscrub::detect::runtime::environment;
/// let first = environment()?;
/// // Later calls share the one environment: the library is loaded once.
/// assert!(std::ptr::eq(first, environment()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn environment() -> Result<&'static ort::environment::Environment, RuntimeError> {
    ENV.get_or_init(|| {
        let path = locate()?;
        let builder = ort::init_from(&path).map_err(|e| RuntimeError::Load {
            path: path.clone(),
            source: Arc::new(e),
        })?;
        builder
            .with_name("phiscrub")
            .with_telemetry(false)
            .build()
            .map_err(|e| RuntimeError::Start {
                path,
                source: Arc::new(e),
            })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Where the networks run.
///
/// ```
/// use phiscrub::detect::runtime::Device;
/// assert_eq!(Device::parse("cuda:1"), Ok(Device::Cuda(1)));
/// assert_eq!(Device::parse("cuda"), Ok(Device::Cuda(0)));
/// assert_eq!(Device::parse("cpu"), Ok(Device::Cpu));
/// assert!(Device::parse("gpu").is_err());
/// assert_eq!(Device::Cuda(2).to_string(), "cuda:2");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum Device {
    /// ONNX Runtime's CPU provider (the default, and all CI uses).
    #[default]
    Cpu,
    /// ONNX Runtime's CUDA provider on GPU `N`; needs an ONNX Runtime built
    /// with CUDA (`--features cuda`) and the CUDA 13 and cuDNN 9 libraries.
    Cuda(u32),
}

impl Device {
    /// Parses `cpu`, `cuda` or `cuda:N`.
    ///
    /// ```
    /// use phiscrub::detect::runtime::Device;
    /// assert_eq!(Device::parse("cuda:3")?, Device::Cuda(3));
    /// assert!(Device::parse("cuda:x").unwrap_err().contains("cpu, cuda or cuda:N"));
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(s: &str) -> Result<Device, String> {
        match s {
            "cpu" => Ok(Device::Cpu),
            "cuda" => Ok(Device::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(Device::Cuda)
                .ok_or_else(|| format!("\"{s}\" is not a device: give cpu, cuda or cuda:N")),
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            Device::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
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
) -> Result<ort::session::Session, RuntimeError> {
    session_on(model, intra_threads, Device::Cpu)
}

/// [`session`] on `device`. On CUDA the provider must register and every
/// node of the model must run on it (ONNX Runtime's CPU fallback is
/// switched off): otherwise [`RuntimeError::Device`], never a session that
/// quietly runs elsewhere.
///
/// ```
/// use phiscrub::detect::runtime::{session_on, Device, RuntimeError};
/// use phiscrub::models::CENTERFACE;
/// // The CPU build of ONNX Runtime that CI uses has no CUDA provider.
/// match session_on(&CENTERFACE, 1, Device::Cuda(0)) {
///     Err(e @ RuntimeError::Device { .. }) => assert_eq!(e.code(), "device"),
///     Err(other) => panic!("{other}"),
///     Ok(_) => {} // a CUDA build on a GPU machine
/// }
/// ```
pub fn session_on(
    model: &'static crate::models::Model,
    intra_threads: usize,
    device: Device,
) -> Result<ort::session::Session, RuntimeError> {
    let env = environment()?;
    let model_err = |e: ort::Error| RuntimeError::Model {
        model: model.name,
        source: Arc::new(e),
    };
    let device_err = |e: ort::Error| RuntimeError::Device {
        device,
        model: model.name,
        source: Arc::new(e),
    };
    let mut builder = ort::session::Session::builder(env)
        .map_err(model_err)?
        .with_intra_threads(intra_threads)
        .map_err(|e| model_err(e.into()))?
        .with_inter_threads(1)
        .map_err(|e| model_err(e.into()))?;
    if let Device::Cuda(n) = device {
        let cuda = ort::ep::CUDA::default()
            .with_device_id(n as i32)
            .build()
            .error_on_failure();
        builder = builder
            .with_execution_providers([cuda])
            .map_err(|e| device_err(e.into()))?
            .with_disable_cpu_fallback()
            .map_err(|e| device_err(e.into()))?;
        return builder.commit_from_memory(model.bytes).map_err(device_err);
    }
    builder.commit_from_memory(model.bytes).map_err(model_err)
}
