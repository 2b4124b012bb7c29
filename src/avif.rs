//! AVIF pictures, decoded by libavif 1.4 (with its built-in dav1d).
//!
//! Like libheif (`heif.rs`), libavif is loaded at run time from the copy
//! `build.rs` provisioned from a pinned wheel (Pillow's, which carries a
//! self-contained libavif). The binding declares the few calls phiscrub makes
//! and reads two C structures by their documented layout; a check after each
//! call (the sizes and row length libavif writes back) refuses the picture if
//! the layout were ever not the one expected. Turns and mirrors (`irot`,
//! `imir`) are read from the container by `metadata::avif` and applied here:
//! libavif leaves them to its caller.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::OnceLock;

/// Where `cargo build` stored libavif, or empty when built without it.
const BUILD_PATH: &str = env!("PHISCRUB_AVIF_DYLIB");

struct Api {
    _lib: libloading::Library,
    decoder_create: unsafe extern "C" fn() -> *mut c_void,
    decoder_destroy: unsafe extern "C" fn(*mut c_void),
    read_memory: unsafe extern "C" fn(*mut c_void, *mut c_void, *const u8, usize) -> c_int,
    image_create_empty: unsafe extern "C" fn() -> *mut c_void,
    image_destroy: unsafe extern "C" fn(*mut c_void),
    rgb_defaults: unsafe extern "C" fn(*mut c_void, *const c_void),
    rgb_allocate: unsafe extern "C" fn(*mut c_void) -> c_int,
    rgb_free: unsafe extern "C" fn(*mut c_void),
    yuv_to_rgb: unsafe extern "C" fn(*const c_void, *mut c_void) -> c_int,
    result_string: unsafe extern "C" fn(c_int) -> *const c_char,
}

// Plain C functions; each call below works on objects it owns.
unsafe impl Send for Api {}
unsafe impl Sync for Api {}

fn api() -> Result<&'static Api, String> {
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Api, String> {
    let (lib, path) = crate::native::open("libavif", "PHISCRUB_AVIF_DYLIB", BUILD_PATH)?;
    macro_rules! sym {
        ($name:literal) => {
            // SAFETY: the field types above are libavif 1.4's C signatures.
            *unsafe { lib.get($name) }
                .map_err(|e| format!("{} lacks a symbol: {e}", path.display()))?
        };
    }
    Ok(Api {
        decoder_create: sym!(b"avifDecoderCreate\0"),
        decoder_destroy: sym!(b"avifDecoderDestroy\0"),
        read_memory: sym!(b"avifDecoderReadMemory\0"),
        image_create_empty: sym!(b"avifImageCreateEmpty\0"),
        image_destroy: sym!(b"avifImageDestroy\0"),
        rgb_defaults: sym!(b"avifRGBImageSetDefaults\0"),
        rgb_allocate: sym!(b"avifRGBImageAllocatePixels\0"),
        rgb_free: sym!(b"avifRGBImageFreePixels\0"),
        yuv_to_rgb: sym!(b"avifImageYUVToRGB\0"),
        result_string: sym!(b"avifResultToString\0"),
        _lib: lib,
    })
}

/// `avifRGBImage` (libavif 1.x): eleven 32-bit fields (width, height, depth,
/// format, chroma up- and downsampling, four flags, threads), then the pixel
/// pointer and the row length. Allocated larger than that, zeroed.
#[repr(C, align(8))]
struct RgbImage([u8; 256]);

const RGB_DEPTH: usize = 8;
const RGB_FORMAT: usize = 12;
const RGB_PIXELS: usize = 48;
const RGB_ROW_BYTES: usize = 56;
const AVIF_RGB_FORMAT_RGB: u32 = 0;

impl RgbImage {
    fn u32_at(&self, at: usize) -> u32 {
        u32::from_ne_bytes(self.0[at..at + 4].try_into().unwrap_or_default())
    }
    fn set_u32(&mut self, at: usize, v: u32) {
        self.0[at..at + 4].copy_from_slice(&v.to_ne_bytes());
    }
    fn pointer(&self, at: usize) -> *const u8 {
        usize::from_ne_bytes(self.0[at..at + 8].try_into().unwrap_or_default()) as *const u8
    }
}

/// Decodes the primary picture of an AVIF file to 8-bit RGB, in its stored
/// orientation (the caller applies `irot`/`imir`).
pub(crate) fn decode(bytes: &[u8]) -> Result<image::RgbImage, String> {
    let a = api()?;
    // SAFETY: decoder, image and RGB buffer are created here and destroyed
    // on every path; pixels are read within the size libavif reports, after
    // checking it wrote back the sizes it was given.
    unsafe {
        let decoder = (a.decoder_create)();
        let img = (a.image_create_empty)();
        if decoder.is_null() || img.is_null() {
            if !decoder.is_null() {
                (a.decoder_destroy)(decoder);
            }
            if !img.is_null() {
                (a.image_destroy)(img);
            }
            return Err("libavif could not allocate a decoder".into());
        }
        let result = (|| {
            let r = (a.read_memory)(decoder, img, bytes.as_ptr(), bytes.len());
            if r != 0 {
                let why = (a.result_string)(r);
                let why = if why.is_null() {
                    format!("error {r}")
                } else {
                    CStr::from_ptr(why).to_string_lossy().into_owned()
                };
                return Err(format!("libavif: {why}"));
            }
            // avifImage starts with width, height, depth.
            let head = std::slice::from_raw_parts(img as *const u32, 3);
            let (w, h) = (head[0], head[1]);
            let mut rgb = RgbImage([0; 256]);
            let rgb_ptr = (&mut rgb as *mut RgbImage).cast::<c_void>();
            (a.rgb_defaults)(rgb_ptr, img);
            if (rgb.u32_at(0), rgb.u32_at(4)) != (w, h) || w == 0 || h == 0 {
                return Err("libavif's RGB image is not laid out as expected".into());
            }
            rgb.set_u32(RGB_DEPTH, 8);
            rgb.set_u32(RGB_FORMAT, AVIF_RGB_FORMAT_RGB);
            if (a.rgb_allocate)(rgb_ptr) != 0 {
                return Err("libavif could not allocate the picture".into());
            }
            let out = (|| {
                let row = rgb.u32_at(RGB_ROW_BYTES) as usize;
                let pixels = rgb.pointer(RGB_PIXELS);
                if pixels.is_null() || row != w as usize * 3 {
                    return Err("libavif's RGB image is not laid out as expected".to_string());
                }
                if (a.yuv_to_rgb)(img, rgb_ptr) != 0 {
                    return Err("libavif could not convert the picture to RGB".to_string());
                }
                let data = std::slice::from_raw_parts(pixels, row * h as usize).to_vec();
                image::RgbImage::from_raw(w, h, data)
                    .ok_or_else(|| "libavif's picture does not match its size".to_string())
            })();
            (a.rgb_free)(rgb_ptr);
            out
        })();
        (a.image_destroy)(img);
        (a.decoder_destroy)(decoder);
        result
    }
}

/// Applies a HEIF `irot` (anti-clockwise quarter turns) then `imir` (0:
/// top and bottom exchanged, 1: left and right).
pub(crate) fn upright(img: image::RgbImage, rotation: u8, mirror: Option<u8>) -> image::RgbImage {
    use image::imageops;
    let img = match rotation & 3 {
        1 => imageops::rotate270(&img),
        2 => imageops::rotate180(&img),
        3 => imageops::rotate90(&img),
        _ => img,
    };
    match mirror {
        Some(0) => imageops::flip_vertical(&img),
        Some(_) => imageops::flip_horizontal(&img),
        None => img,
    }
}

/// Whether AVIF files can be read by this build, and if not, why.
///
/// ```
/// // The default build provisions libavif; `PHISCRUB_AVIF_SKIP` builds without.
/// if let Err(why) = phiscrub::avif::available() {
///     assert!(why.contains("libavif"), "{why}");
/// }
/// ```
pub fn available() -> Result<(), String> {
    api().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_turns_are_anti_clockwise_and_mirrors_follow_the_spec() {
        // 2×1: red then green.
        let mut img = image::RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([255, 0, 0]));
        img.put_pixel(1, 0, image::Rgb([0, 255, 0]));
        // A quarter turn anti-clockwise puts the right-hand pixel on top.
        let turned = upright(img.clone(), 1, None);
        assert_eq!(turned.dimensions(), (1, 2));
        assert_eq!(turned.get_pixel(0, 0).0, [0, 255, 0]);
        // Mirror 1 exchanges left and right.
        assert_eq!(
            upright(img.clone(), 0, Some(1)).get_pixel(0, 0).0,
            [0, 255, 0]
        );
        assert_eq!(upright(img, 0, Some(0)).get_pixel(0, 0).0, [255, 0, 0]);
    }
}
