//! Canonical JPEG rebuild: the quantised DCT coefficients are read with
//! libjpeg (mozjpeg's build of libjpeg-turbo) and written into a new file,
//! with the standard Huffman tables and no marker of the input copied.
//!
//! Filtering an input's segments keeps whatever hides inside the parts it
//! keeps (bytes after a scan's last MCU, a second frame before the end
//! marker, a payload past a known header). A file rebuilt from the
//! coefficients holds exactly one picture and only what libjpeg itself writes
//! (SOI, JFIF or Adobe, tables, one frame, scans, EOI). The coefficients are
//! untouched, so the rebuild is lossless; an oriented photo is turned with
//! libjpeg's own lossless transform when its size allows it (`None`
//! otherwise, and the caller re-encodes from pixels).
//!
//! libjpeg reports errors by calling a function that must not return; ours
//! unwinds (mozjpeg-sys builds the C code with unwinding support) back to
//! [`jpeg`], which turns it into an `Err`. Warnings (bytes between a scan and
//! the next marker, damaged data libjpeg papers over) are counted, not
//! printed: the rebuild holds only what libjpeg read, and the caller either
//! proves it decodes to the pixels that were examined or reports the file.

use mozjpeg_sys as j;
use std::ffi::{c_int, c_ulong, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

/// More scans than any encoder writes; a file with thousands of tiny
/// progressive scans costs minutes to read (libjpeg-turbo's own limit).
const MAX_SCANS: c_int = 500;

unsafe extern "C" {
    fn free(ptr: *mut c_void);
}

/// The message libjpeg raised, carried through the unwind.
struct LibjpegError(String);

fn message(cinfo: &mut j::jpeg_common_struct) -> String {
    let buf = [0u8; 80];
    // SAFETY: `err` points at the error manager set up in `jpeg`, whose
    // `format_message` is libjpeg's own and writes at most 80 bytes.
    unsafe {
        if let Some(format) = (*cinfo.err).format_message {
            format(cinfo, &buf);
        }
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

unsafe extern "C-unwind" fn error_exit(cinfo: &mut j::jpeg_common_struct) {
    // `resume_unwind` skips the panic hook: a refused file is not a crash.
    resume_unwind(Box::new(LibjpegError(message(cinfo))))
}

unsafe extern "C-unwind" fn emit_message(cinfo: &mut j::jpeg_common_struct, level: c_int) {
    if level < 0 {
        // SAFETY: `err` points at the session's error manager.
        unsafe { (*cinfo.err).num_warnings += 1 };
    }
}

unsafe extern "C-unwind" fn progress_monitor(cinfo: &mut j::jpeg_common_struct) {
    if cinfo.is_decompressor != 0 {
        // SAFETY: a decompressor's common struct is the head of its
        // `jpeg_decompress_struct`.
        let d =
            unsafe { &*(cinfo as *mut j::jpeg_common_struct as *const j::jpeg_decompress_struct) };
        if d.input_scan_number > MAX_SCANS {
            resume_unwind(Box::new(LibjpegError(format!(
                "more than {MAX_SCANS} scans"
            ))))
        }
    }
}

/// The lossless transform that makes a photo with this EXIF orientation
/// upright (the same turn `image_io::orient` applies to pixels).
fn transform(orientation: u16) -> j::JXFORM_CODE {
    match orientation {
        2 => j::JXFORM_CODE_JXFORM_FLIP_H,
        3 => j::JXFORM_CODE_JXFORM_ROT_180,
        4 => j::JXFORM_CODE_JXFORM_FLIP_V,
        5 => j::JXFORM_CODE_JXFORM_TRANSPOSE,
        6 => j::JXFORM_CODE_JXFORM_ROT_90,
        7 => j::JXFORM_CODE_JXFORM_TRANSVERSE,
        8 => j::JXFORM_CODE_JXFORM_ROT_270,
        _ => j::JXFORM_CODE_JXFORM_NONE,
    }
}

/// Everything libjpeg allocates for one rebuild, released in `Drop` however
/// the rebuild ends.
struct Session {
    err: j::jpeg_error_mgr,
    progress: j::jpeg_progress_mgr,
    d: j::jpeg_decompress_struct,
    c: j::jpeg_compress_struct,
    d_made: bool,
    c_made: bool,
    out: *mut u8,
    out_len: c_ulong,
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: each struct is destroyed only if it was created; the output
        // buffer was allocated by libjpeg's memory destination with malloc.
        unsafe {
            if self.c_made {
                j::jpeg_destroy_compress(&mut self.c);
            }
            if self.d_made {
                j::jpeg_destroy_decompress(&mut self.d);
            }
            if !self.out.is_null() {
                free(self.out.cast());
            }
        }
    }
}

/// A rebuilt JPEG.
pub(crate) struct Rebuilt {
    /// The new file.
    pub(crate) bytes: Vec<u8>,
    /// libjpeg warned while reading the input: bytes it skipped, or damage
    /// it papered over. The rebuild holds only what it read.
    pub(crate) warned: bool,
}

/// Rebuilds a JPEG from its coefficients, turned upright for `orientation`
/// (an EXIF value; 1 or anything unknown leaves it as stored). Returns
/// `Ok(None)` when the turn cannot be lossless (partial blocks at an edge
/// that would have to move) and `Err` with libjpeg's message when the file
/// does not read (a second frame header, a truncated header, too many scans).
pub(crate) fn jpeg(bytes: &[u8], orientation: u16) -> Result<Option<Rebuilt>, String> {
    // SAFETY: all-zero is the state libjpeg expects before `jpeg_create_*`
    // (which initialises every field it uses); the `Session` is boxed so the
    // pointers libjpeg keeps to `err` and `progress` stay valid.
    let mut s: Box<Session> = Box::new(unsafe { std::mem::zeroed() });
    let run = catch_unwind(AssertUnwindSafe(|| unsafe {
        rebuild(&mut s, bytes, orientation)
    }));
    match run {
        Ok(out) => Ok(out),
        Err(payload) => match payload.downcast::<LibjpegError>() {
            Ok(e) => Err(e.0),
            Err(other) => resume_unwind(other),
        },
    }
}

unsafe fn rebuild(s: &mut Session, bytes: &[u8], orientation: u16) -> Option<Rebuilt> {
    unsafe {
        j::jpeg_std_error(&mut s.err);
        s.err.error_exit = Some(error_exit);
        s.err.emit_message = Some(emit_message);
        s.progress.progress_monitor = Some(progress_monitor);

        s.d.common.err = &mut s.err;
        j::jpeg_create_decompress(&mut s.d);
        s.d_made = true;
        s.d.common.progress = &mut s.progress;
        j::jpeg_mem_src(&mut s.d, bytes.as_ptr(), bytes.len() as c_ulong);
        j::jpeg_read_header(&mut s.d, 1);

        let mut info: j::jpeg_transform_info = std::mem::zeroed();
        info.transform = transform(orientation);
        info.perfect = 1;
        if j::jtransform_request_workspace(&mut s.d, &mut info) == 0 {
            return None;
        }
        let coefficients = j::jpeg_read_coefficients(&mut s.d);
        // The whole input (to its end marker) has been read; the compressor
        // resets the shared error manager's count when it starts.
        let warned = s.err.num_warnings > 0;

        s.c.common.err = &mut s.err;
        j::jpeg_create_compress(&mut s.c);
        s.c_made = true;
        // libjpeg-turbo's defaults (baseline), not mozjpeg's search for the
        // smallest progressive scans: the rebuild is on every lossless path.
        j::jpeg_c_set_int_param(
            &mut s.c,
            j::J_INT_PARAM::JINT_COMPRESS_PROFILE,
            j::JINT_COMPRESS_PROFILE_VALUE::JCP_FASTEST as c_int,
        );
        j::jpeg_copy_critical_parameters(&s.d, &mut s.c);
        // Standard Huffman tables: optimised ones cost a second pass over
        // every block for an output a few per cent smaller (BENCHMARKS.md).
        s.c.optimize_coding = 0;
        let turned = j::jtransform_adjust_parameters(&mut s.d, &mut s.c, coefficients, &mut info);
        j::jpeg_mem_dest(&mut s.c, &mut s.out, &mut s.out_len);
        j::jpeg_write_coefficients(&mut s.c, turned);
        j::jtransform_execute_transformation(&mut s.d, &mut s.c, coefficients, &mut info);
        j::jpeg_finish_compress(&mut s.c);
        j::jpeg_finish_decompress(&mut s.d);
        Some(Rebuilt {
            bytes: std::slice::from_raw_parts(s.out, s.out_len as usize).to_vec(),
            warned,
        })
    }
}

/// Inserts `icc` (a profile phiscrub generated) into a JPEG libjpeg wrote:
/// APP2 `ICC_PROFILE` segments right after SOI and the JFIF segment.
pub(crate) fn with_profile(jpeg: &[u8], icc: &[u8]) -> Vec<u8> {
    const CHUNK: usize = 65_519;
    let mut at = 2;
    if jpeg.get(2..4) == Some(&[0xFF, 0xE0]) {
        at = 4 + u16::from_be_bytes([jpeg[4], jpeg[5]]) as usize;
    }
    let chunks: Vec<&[u8]> = icc.chunks(CHUNK).collect();
    let mut out = Vec::with_capacity(jpeg.len() + icc.len() + 18 * chunks.len());
    out.extend_from_slice(&jpeg[..at]);
    for (i, chunk) in chunks.iter().enumerate() {
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&((chunk.len() + 16) as u16).to_be_bytes());
        out.extend_from_slice(b"ICC_PROFILE\0");
        out.extend_from_slice(&[(i + 1) as u8, chunks.len() as u8]);
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&jpeg[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata;

    fn photo() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/metadata/jpeg_multisegment_icc.jpg"
        ))
        .unwrap()
    }

    #[test]
    fn rebuild_keeps_the_pixels_and_drops_every_marker() {
        let input = photo();
        let out = jpeg(&input, 1).unwrap().unwrap();
        assert!(!out.warned);
        let out = out.bytes;
        let c = metadata::examine(&out, crate::format::Format::Jpeg).unwrap();
        assert!(c.hazards.is_empty() && !c.has_icc && c.frames == 1);
        let a = image::load_from_memory(&input).unwrap();
        let b = image::load_from_memory(&out).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
    }

    #[test]
    fn a_profile_goes_in_after_jfif_and_reads_back_whole() {
        let out = jpeg(&photo(), 1).unwrap().unwrap().bytes;
        let icc = crate::colour::own_display_p3();
        let with = with_profile(&out, icc);
        let mut dec = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&with)).unwrap();
        assert_eq!(
            image::ImageDecoder::icc_profile(&mut dec)
                .unwrap()
                .as_deref(),
            Some(icc)
        );
        let c = metadata::examine(&with, crate::format::Format::Jpeg).unwrap();
        assert!(c.hazards.is_empty() && c.has_icc);
    }

    #[test]
    fn damage_is_an_error_or_a_warning_and_skipped_bytes_do_not_come_through() {
        // A plain baseline JPEG whose last bytes are entropy-coded data.
        let img =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        let mut input = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut input, 90),
            &img,
            64,
            48,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
        assert!(jpeg(b"\xff\xd8\xff\xd9", 1).is_err());
        assert!(jpeg(b"not a jpeg", 1).is_err());
        // Truncated: libjpeg warns and fills the rest.
        assert!(jpeg(&input[..input.len() - 50], 1).unwrap().unwrap().warned);
        // Bytes between the scan and the end marker: warned, and dropped.
        let mut planted = input.clone();
        let end = planted.len() - 2;
        planted.splice(end..end, b"J. Doe, 1974".iter().copied());
        let r = jpeg(&planted, 1).unwrap().unwrap();
        assert!(r.warned);
        assert!(!r.bytes.windows(6).any(|w| w == b"J. Doe"));
        // A second frame header before the end is an error.
        let mut two = input.clone();
        let sof = two.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let len = u16::from_be_bytes([two[sof + 2], two[sof + 3]]) as usize;
        let frame = two[sof..sof + 2 + len].to_vec();
        let end = two.len() - 2;
        two.splice(end..end, frame);
        assert!(jpeg(&two, 1).is_err());
    }
}
