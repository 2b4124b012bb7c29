//! Provisions ONNX Runtime at build time so that a fresh clone needs no manual step.
//!
//! The runtime library comes from one pinned file of the official Microsoft wheel
//! `onnxruntime==1.31.1` on PyPI: the wheel and the library inside it are both
//! checked against pinned SHA-256 sums. The library is stored in a per-user cache
//! (so `cargo clean` or a second clone does not fetch it again) and its absolute
//! path is compiled into the crate as `PHISCRUB_ORT_DYLIB`. Nothing is fetched at
//! run time.
//!
//! Offline builds: point `PHISCRUB_ORT_WHEEL` at a downloaded copy of the wheel or
//! `PHISCRUB_ORT_LIB` at `libonnxruntime.so.1.31.1`; both are checksum-verified too.

use std::env;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const ORT_VERSION: &str = "1.31.1";
const LIB_NAME: &str = "libonnxruntime.so.1.31.1";
const LIB_SHA256: &str = "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3";
const WHEEL_URL: &str = "https://files.pythonhosted.org/packages/b4/1d/0f85ee31a3d93f2243a5cc29252becf858f53ac5cfa6c9c15d9ffe107eea/onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl";
const WHEEL_SHA256: &str = "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f";
const WHEEL_MEMBER: &str = "onnxruntime/capi/libonnxruntime.so.1.31.1";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for var in [
        "PHISCRUB_ORT_WHEEL",
        "PHISCRUB_ORT_LIB",
        "PHISCRUB_ORT_CACHE",
        "PHISCRUB_ORT_SKIP",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let target = env::var("TARGET").unwrap_or_default();
    if target != "x86_64-unknown-linux-gnu" {
        println!(
            "cargo:warning=phiscrub pins ONNX Runtime {ORT_VERSION} for x86_64 Linux only; \
             on {target} set ORT_DYLIB_PATH to an ONNX Runtime 1.31 library at run time"
        );
        println!("cargo:rustc-env=PHISCRUB_ORT_DYLIB=");
        return;
    }
    if env::var_os("PHISCRUB_ORT_SKIP").is_some() {
        println!(
            "cargo:warning=PHISCRUB_ORT_SKIP is set: ONNX Runtime not provisioned; \
             set ORT_DYLIB_PATH at run time"
        );
        println!("cargo:rustc-env=PHISCRUB_ORT_DYLIB=");
        return;
    }

    match provision() {
        Ok(path) => {
            // Re-run when the provisioned file is deleted or replaced, so that
            // "run cargo build again" really repairs a missing runtime.
            println!("cargo:rerun-if-changed={}", path.display());
            println!("cargo:rustc-env=PHISCRUB_ORT_DYLIB={}", path.display());
        }
        Err(msg) => {
            eprintln!(
                "\nphiscrub build: could not provision ONNX Runtime {ORT_VERSION}: {msg}\n\
                 Fix one of:\n  \
                 - build once with access to files.pythonhosted.org (the wheel is fetched and checksummed);\n  \
                 - download onnxruntime-{ORT_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl elsewhere \
                 (`pip download --no-deps --only-binary=:all: onnxruntime=={ORT_VERSION}`) and set PHISCRUB_ORT_WHEEL=/path/to/it;\n  \
                 - set PHISCRUB_ORT_LIB=/path/to/{LIB_NAME};\n  \
                 - or set PHISCRUB_ORT_SKIP=1 and give ORT_DYLIB_PATH at run time.\n"
            );
            std::process::exit(1);
        }
    }
}

fn provision() -> Result<PathBuf, String> {
    let dir = cache_dir().join(format!("onnxruntime-{ORT_VERSION}"));
    let dest = dir.join(LIB_NAME);
    if let Ok(bytes) = fs::read(&dest) {
        if sha256_hex(&bytes) == LIB_SHA256 {
            return Ok(dest);
        }
        println!(
            "cargo:warning=cached {} has the wrong checksum; fetching it again",
            dest.display()
        );
    }

    let lib = if let Some(path) = env::var_os("PHISCRUB_ORT_LIB") {
        fs::read(&path).map_err(|e| format!("reading PHISCRUB_ORT_LIB={path:?}: {e}"))?
    } else {
        let wheel = match env::var_os("PHISCRUB_ORT_WHEEL") {
            Some(path) => {
                fs::read(&path).map_err(|e| format!("reading PHISCRUB_ORT_WHEEL={path:?}: {e}"))?
            }
            None => download(WHEEL_URL)?,
        };
        let got = sha256_hex(&wheel);
        if got != WHEEL_SHA256 {
            return Err(format!(
                "the wheel's sha256 is {got}, expected {WHEEL_SHA256}"
            ));
        }
        extract(&wheel, WHEEL_MEMBER)?
    };
    let got = sha256_hex(&lib);
    if got != LIB_SHA256 {
        return Err(format!(
            "{LIB_NAME} has sha256 {got}, expected {LIB_SHA256}"
        ));
    }

    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    // Write beside the target and rename, so a concurrent or interrupted build
    // never leaves a truncated library that a later build would trust.
    let tmp = dir.join(format!(".{LIB_NAME}.{}.tmp", std::process::id()));
    let mut f = fs::File::create(&tmp).map_err(|e| format!("creating {}: {e}", tmp.display()))?;
    f.write_all(&lib)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
    fs::rename(&tmp, &dest).map_err(|e| format!("renaming to {}: {e}", dest.display()))?;
    Ok(dest)
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

fn download(url: &str) -> Result<Vec<u8>, String> {
    // No cargo:warning here: cargo replays build-script warnings on every
    // later build, which would claim a download that is not happening.
    eprintln!("fetching ONNX Runtime {ORT_VERSION} (24 MB, once) from {url}");
    let resp = ureq::get(url)
        .timeout(std::time::Duration::from_secs(300))
        .call()
        .map_err(|e| format!("downloading {url}: {e}"))?;
    let mut bytes = Vec::with_capacity(24 << 20);
    resp.into_reader()
        .take(64 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("downloading {url}: {e}"))?;
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
