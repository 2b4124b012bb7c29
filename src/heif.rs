//! HEIC/HEIF photos, read through libheif (with the libde265 HEVC decoder).
//!
//! libheif is loaded at run time from the copy `build.rs` provisioned (pinned
//! and checksummed, like ONNX Runtime), so a fresh clone builds and runs with
//! no system package. The binding declares only the calls phiscrub makes:
//! open a file from memory, account for every picture it holds, read the
//! primary's metadata blocks and colour profile, decode the primary to 8-bit
//! RGB(A). libheif applies the file's own transformations (rotation, mirror,
//! crop) while decoding, so the pixels come out upright.
//!
//! The maintained Rust binding (`libheif-rs`) links at build time against
//! libheif ≥ 1.17; Debian 12 ships 1.15 and a vendored build still needs
//! cmake and libde265 from the system, which a fresh machine lacks.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::OnceLock;

/// Where `cargo build` stored libheif, or empty when built without it.
const BUILD_PATH: &str = env!("PHISCRUB_HEIF_DYLIB");

#[repr(C)]
#[derive(Clone, Copy)]
struct RawError {
    code: c_int,
    subcode: c_int,
    message: *const c_char,
}

type Ctx = c_void;
type Handle = c_void;
type Img = c_void;

const COLORSPACE_RGB: c_int = 1;
const CHROMA_INTERLEAVED_RGB: c_int = 10;
const CHROMA_INTERLEAVED_RGBA: c_int = 11;
const CHANNEL_INTERLEAVED: c_int = 10;
const AUX_OMIT_ALPHA: c_int = 1 << 1;
const AUX_OMIT_DEPTH: c_int = 2 << 1;

struct Api {
    // Kept alive for as long as the function pointers below are used.
    _lib: libloading::Library,
    context_alloc: unsafe extern "C" fn() -> *mut Ctx,
    context_free: unsafe extern "C" fn(*mut Ctx),
    read_from_memory:
        unsafe extern "C" fn(*mut Ctx, *const c_void, usize, *const c_void) -> RawError,
    top_level_count: unsafe extern "C" fn(*const Ctx) -> c_int,
    primary_handle: unsafe extern "C" fn(*const Ctx, *mut *mut Handle) -> RawError,
    handle_release: unsafe extern "C" fn(*const Handle),
    handle_width: unsafe extern "C" fn(*const Handle) -> c_int,
    handle_height: unsafe extern "C" fn(*const Handle) -> c_int,
    has_alpha: unsafe extern "C" fn(*const Handle) -> c_int,
    thumbnail_count: unsafe extern "C" fn(*const Handle) -> c_int,
    depth_count: unsafe extern "C" fn(*const Handle) -> c_int,
    aux_count: unsafe extern "C" fn(*const Handle, c_int) -> c_int,
    metadata_count: unsafe extern "C" fn(*const Handle, *const c_char) -> c_int,
    metadata_ids: unsafe extern "C" fn(*const Handle, *const c_char, *mut u32, c_int) -> c_int,
    metadata_type: unsafe extern "C" fn(*const Handle, u32) -> *const c_char,
    metadata_size: unsafe extern "C" fn(*const Handle, u32) -> usize,
    metadata: unsafe extern "C" fn(*const Handle, u32, *mut c_void) -> RawError,
    profile_type: unsafe extern "C" fn(*const Handle) -> u32,
    profile_size: unsafe extern "C" fn(*const Handle) -> usize,
    profile: unsafe extern "C" fn(*const Handle, *mut c_void) -> RawError,
    decode:
        unsafe extern "C" fn(*const Handle, *mut *mut Img, c_int, c_int, *const c_void) -> RawError,
    plane: unsafe extern "C" fn(*const Img, c_int, *mut c_int) -> *const u8,
    image_width: unsafe extern "C" fn(*const Img, c_int) -> c_int,
    image_height: unsafe extern "C" fn(*const Img, c_int) -> c_int,
    image_release: unsafe extern "C" fn(*const Img),
}

// The pointers are plain C functions; libheif's contexts are independent and
// it is initialised once, before any of them is called.
unsafe impl Send for Api {}
unsafe impl Sync for Api {}

fn api() -> Result<&'static Api, String> {
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Api, String> {
    // `PHISCRUB_HEIF_DYLIB` at run time names another copy (for installs that
    // move the binary to another machine).
    let (lib, path) = crate::native::open("libheif", "PHISCRUB_HEIF_DYLIB", BUILD_PATH)?;
    macro_rules! sym {
        ($name:literal) => {
            // SAFETY: the field types above are the C signatures of libheif 1.23.
            *unsafe { lib.get($name) }.map_err(|e| {
                format!(
                    "{} lacks {}: {e}",
                    path.display(),
                    String::from_utf8_lossy(&$name[..$name.len() - 1])
                )
            })?
        };
    }
    let init: unsafe extern "C" fn(*const c_void) -> RawError = sym!(b"heif_init\0");
    // SAFETY: heif_init takes an optional parameter block; null means none.
    let e = unsafe { init(std::ptr::null()) };
    if e.code != 0 {
        return Err(format!("libheif did not initialise: {}", message(e)));
    }
    Ok(Api {
        context_alloc: sym!(b"heif_context_alloc\0"),
        context_free: sym!(b"heif_context_free\0"),
        read_from_memory: sym!(b"heif_context_read_from_memory_without_copy\0"),
        top_level_count: sym!(b"heif_context_get_number_of_top_level_images\0"),
        primary_handle: sym!(b"heif_context_get_primary_image_handle\0"),
        handle_release: sym!(b"heif_image_handle_release\0"),
        handle_width: sym!(b"heif_image_handle_get_width\0"),
        handle_height: sym!(b"heif_image_handle_get_height\0"),
        has_alpha: sym!(b"heif_image_handle_has_alpha_channel\0"),
        thumbnail_count: sym!(b"heif_image_handle_get_number_of_thumbnails\0"),
        depth_count: sym!(b"heif_image_handle_get_number_of_depth_images\0"),
        aux_count: sym!(b"heif_image_handle_get_number_of_auxiliary_images\0"),
        metadata_count: sym!(b"heif_image_handle_get_number_of_metadata_blocks\0"),
        metadata_ids: sym!(b"heif_image_handle_get_list_of_metadata_block_IDs\0"),
        metadata_type: sym!(b"heif_image_handle_get_metadata_type\0"),
        metadata_size: sym!(b"heif_image_handle_get_metadata_size\0"),
        metadata: sym!(b"heif_image_handle_get_metadata\0"),
        profile_type: sym!(b"heif_image_handle_get_color_profile_type\0"),
        profile_size: sym!(b"heif_image_handle_get_raw_color_profile_size\0"),
        profile: sym!(b"heif_image_handle_get_raw_color_profile\0"),
        decode: sym!(b"heif_decode_image\0"),
        plane: sym!(b"heif_image_get_plane_readonly\0"),
        image_width: sym!(b"heif_image_get_width\0"),
        image_height: sym!(b"heif_image_get_height\0"),
        image_release: sym!(b"heif_image_release\0"),
        _lib: lib,
    })
}

fn message(e: RawError) -> String {
    if e.message.is_null() {
        return format!("libheif error {}.{}", e.code, e.subcode);
    }
    // SAFETY: libheif's messages are static or context-owned C strings,
    // valid until the context is freed, which has not happened yet here.
    unsafe { CStr::from_ptr(e.message) }
        .to_string_lossy()
        .into_owned()
}

fn check(e: RawError) -> Result<(), String> {
    if e.code == 0 { Ok(()) } else { Err(message(e)) }
}

/// An open HEIF file: its context and primary picture.
pub(crate) struct File<'a> {
    api: &'static Api,
    ctx: *mut Ctx,
    primary: *mut Handle,
    // libheif reads from the caller's bytes without copying them.
    _bytes: &'a [u8],
}

/// What a HEIF file holds besides its primary picture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Contents {
    /// Top-level pictures (a burst or a collection holds several).
    pub pictures: usize,
    pub width: u32,
    pub height: u32,
    pub thumbnails: usize,
    pub depth_maps: usize,
    /// Auxiliary images other than alpha and depth: gain maps, mattes.
    pub auxiliary: usize,
    /// The primary's metadata blocks: (type, e.g. "Exif" or "mime", bytes).
    pub metadata: Vec<(String, Vec<u8>)>,
}

impl<'a> File<'a> {
    pub(crate) fn open(bytes: &'a [u8]) -> Result<File<'a>, String> {
        let api = api()?;
        // SAFETY: every pointer passed is owned here; the context reads
        // `bytes`, which outlive it (`_bytes`).
        unsafe {
            let ctx = (api.context_alloc)();
            if ctx.is_null() {
                return Err("libheif could not allocate a context".into());
            }
            let mut file = File {
                api,
                ctx,
                primary: std::ptr::null_mut(),
                _bytes: bytes,
            };
            check((api.read_from_memory)(
                ctx,
                bytes.as_ptr().cast(),
                bytes.len(),
                std::ptr::null(),
            ))?;
            let mut h = std::ptr::null_mut();
            check((api.primary_handle)(ctx, &mut h))?;
            file.primary = h;
            Ok(file)
        }
    }

    pub(crate) fn contents(&self) -> Result<Contents, String> {
        let a = self.api;
        let h = self.primary;
        // SAFETY: `h` is the live primary handle of a live context.
        unsafe {
            let count = |n: c_int| usize::try_from(n).unwrap_or(0);
            let mut metadata = Vec::new();
            let n = (a.metadata_count)(h, std::ptr::null());
            let mut ids = vec![0u32; count(n)];
            let got = (a.metadata_ids)(h, std::ptr::null(), ids.as_mut_ptr(), n.max(0));
            ids.truncate(count(got));
            for id in ids {
                let kind = (a.metadata_type)(h, id);
                let kind = if kind.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr(kind).to_string_lossy().into_owned()
                };
                let size = (a.metadata_size)(h, id);
                if size > 64 << 20 {
                    return Err(format!("a {size}-byte metadata block"));
                }
                let mut data = vec![0u8; size];
                check((a.metadata)(h, id, data.as_mut_ptr().cast()))?;
                metadata.push((kind, data));
            }
            Ok(Contents {
                pictures: count((a.top_level_count)(self.ctx)),
                width: (a.handle_width)(h).max(0) as u32,
                height: (a.handle_height)(h).max(0) as u32,
                thumbnails: count((a.thumbnail_count)(h)),
                depth_maps: count((a.depth_count)(h)),
                auxiliary: count((a.aux_count)(h, AUX_OMIT_ALPHA | AUX_OMIT_DEPTH)),
                metadata,
            })
        }
    }

    /// The primary's ICC profile, when it carries one (not an nclx colour
    /// description, which names a colour space rather than embedding one).
    pub(crate) fn icc(&self) -> Option<Vec<u8>> {
        let a = self.api;
        // SAFETY: as in `contents`; the buffer has the size libheif gives.
        unsafe {
            let kind = (a.profile_type)(self.primary);
            if kind != u32::from_be_bytes(*b"prof") && kind != u32::from_be_bytes(*b"rICC") {
                return None;
            }
            let size = (a.profile_size)(self.primary);
            if size == 0 || size > 4 << 20 {
                return None;
            }
            let mut out = vec![0u8; size];
            check((a.profile)(self.primary, out.as_mut_ptr().cast())).ok()?;
            Some(out)
        }
    }

    /// Decodes the primary picture, upright, to 8-bit RGB or RGBA.
    pub(crate) fn decode(&self) -> Result<image::DynamicImage, String> {
        let a = self.api;
        // SAFETY: the decoded image is released on every path; rows are read
        // within the stride and height libheif reports.
        unsafe {
            let alpha = (a.has_alpha)(self.primary) != 0;
            let chroma = if alpha {
                CHROMA_INTERLEAVED_RGBA
            } else {
                CHROMA_INTERLEAVED_RGB
            };
            let mut img = std::ptr::null_mut();
            check((a.decode)(
                self.primary,
                &mut img,
                COLORSPACE_RGB,
                chroma,
                std::ptr::null(),
            ))?;
            let result = (|| {
                let w = (a.image_width)(img, CHANNEL_INTERLEAVED);
                let h = (a.image_height)(img, CHANNEL_INTERLEAVED);
                let mut stride: c_int = 0;
                let plane = (a.plane)(img, CHANNEL_INTERLEAVED, &mut stride);
                let channels = if alpha { 4 } else { 3 };
                let (w, h, stride) = (
                    usize::try_from(w).map_err(|_| "no width")?,
                    usize::try_from(h).map_err(|_| "no height")?,
                    usize::try_from(stride).map_err(|_| "no stride")?,
                );
                if plane.is_null() || w == 0 || h == 0 || stride < w * channels {
                    return Err("libheif gave no pixels".to_string());
                }
                let mut pixels = Vec::with_capacity(w * h * channels);
                for row in 0..h {
                    let line = std::slice::from_raw_parts(plane.add(row * stride), w * channels);
                    pixels.extend_from_slice(line);
                }
                let (w, h) = (w as u32, h as u32);
                let image = if alpha {
                    image::RgbaImage::from_raw(w, h, pixels).map(image::DynamicImage::ImageRgba8)
                } else {
                    image::RgbImage::from_raw(w, h, pixels).map(image::DynamicImage::ImageRgb8)
                };
                image.ok_or_else(|| "libheif's plane does not match its size".to_string())
            })();
            (a.image_release)(img);
            result
        }
    }
}

impl Drop for File<'_> {
    fn drop(&mut self) {
        // SAFETY: both were allocated by this file and are released once.
        unsafe {
            if !self.primary.is_null() {
                (self.api.handle_release)(self.primary);
            }
            (self.api.context_free)(self.ctx);
        }
    }
}

/// Whether HEIC files can be read by this build, and if not, why.
///
/// ```
/// // The default build provisions libheif; `PHISCRUB_HEIF_SKIP` builds without.
/// if let Err(why) = phiscrub::heif::available() {
///     assert!(why.contains("libheif"), "{why}");
/// }
/// ```
pub fn available() -> Result<(), String> {
    api().map(|_| ())
}
