//! What a scrub run may be tuned with. Defaults are the safe choice; every
//! setting is checked once, in [`Config::validate`], before any image is read.

pub mod params;

pub use params::{ScaleParams, TextParams};
use std::fmt;

/// Settings for a [`Scrubber`](crate::Scrubber).
///
/// ```
/// use phiscrub::Config;
/// let mut config = Config::default();
/// config.face_threshold = 0.5;
/// assert!(config.validate().is_ok());
/// config.verify_threshold = 0.9; // verification less sensitive than detection
/// assert!(config.validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// CenterFace score above which a face is redacted. `1.0` detects nothing
    /// (verification still runs and refuses any image that shows a face).
    pub face_threshold: f32,
    /// Score above which a face found again in the redacted output refuses the
    /// image. Must not exceed `face_threshold`: the check has to be at least as
    /// sensitive as the detection it checks. Lower it for a stricter check
    /// (more refusals); see [`Config::verify_threshold_for`].
    pub verify_threshold: f32,
    /// Width and height of the filled box as multiples of the detected face
    /// box (CenterFace boxes run brow to chin; hair, ears and jaw lie outside).
    pub face_padding: (f32, f32),
    /// Fill the whole padded box, or the ellipse inscribed in it (about π/4
    /// of the area: less of the picture lost around each face).
    pub face_shape: crate::geometry::Shape,
    /// The whole-frame detection pass sees the image scaled down so that its
    /// longer side is at most this many pixels (never scaled up).
    pub detect_max_side: u32,
    /// The smallest face searched for, in image pixels (longer side). Images
    /// whose whole-frame pass is too coarse for it get a finer tiled pass.
    pub min_face: u32,
    /// Largest tile side of the finer pass, in network pixels.
    pub detect_tile: u32,
    /// JPEG quality (1–100) for re-encoded JPEG output. 95 keeps clinical
    /// detail and keeps verification stable: re-encoding moves weak detector
    /// scores about four times less than at 92.
    pub jpeg_quality: u8,
    /// ONNX Runtime intra-op threads per session. Parallelism comes from
    /// running one image per worker, so the default is 1.
    pub intra_threads: usize,
    /// Where the networks run: the CPU, or a CUDA GPU (which must run every
    /// node of every model, or the scrubber does not start).
    pub device: crate::detect::runtime::Device,
    /// Largest image accepted, in pixels (width × height). Larger files are
    /// reported as unreadable rather than exhausting memory.
    pub max_pixels: u64,
    /// Largest working memory one image may need, in bytes, estimated from
    /// its header before anything is decoded: pixels × bytes per pixel ×
    /// the copies the pipeline holds (see `image_io::working_bytes`). A
    /// larger image is refused as too large, however few pixels it declares.
    pub max_memory: u64,
    /// Output container; `None` keeps the input's.
    pub output_format: Option<crate::Format>,
    /// Let an output carry a colour profile phiscrub generates (its own
    /// Display P3, for an input whose profile shows colours as Display P3
    /// does), so wide-gamut colours stay right. Off, such pixels are
    /// converted to sRGB instead. The input's own profile is never written.
    pub keep_icc: bool,
    /// Always re-encode pixels, even when the lossless rewrite would do.
    pub reencode: bool,
    /// Export the first picture of a multi-frame file (animation, pages, MPF)
    /// instead of refusing the file.
    pub first_frame: bool,
    /// Look for faces. Off means metadata-only scrubbing: pixels are not
    /// checked, which only someone who has checked them by eye should ask for.
    pub detect_faces: bool,
    /// Look for text (and cover all of it: names, dates and record numbers
    /// alike). Off leaves every word readable; the command line warns.
    pub detect_text: bool,
    /// Look for barcodes and 2D codes.
    pub detect_codes: bool,
    /// Ask a second face detector of another family (BlazeFace) at every
    /// look, input and output alike, beside CenterFace: a face either sees is
    /// covered, or its image refused. Off only for measurements.
    pub second_face: bool,
    /// The BlazeFace score that counts as a CenterFace score of 0.2 (the
    /// default `face_threshold`): with the defaults, BlazeFace's faces above
    /// it are covered. Its other scores are mapped onto CenterFace's scale
    /// around this point, so `face_threshold` and `verify_threshold` apply
    /// to both networks (see [`crate::detect::ensemble`]).
    pub second_face_threshold: f32,
    /// Mean text probability above which a region is covered, and above
    /// which text still visible after redaction refuses the image.
    pub text_threshold: f32,
    /// Large photos are read for text scaled down so that their longer side
    /// is at most this many pixels (in tiles); more finds smaller text and
    /// costs time in proportion to the pixels.
    pub text_detail_side: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            face_threshold: 0.2,
            verify_threshold: Config::verify_threshold_for(0.2),
            face_padding: (1.4, 1.4),
            face_shape: crate::geometry::Shape::Box,
            detect_max_side: 1280,
            min_face: 16,
            detect_tile: 1024,
            jpeg_quality: 95,
            intra_threads: 1,
            device: crate::detect::runtime::Device::Cpu,
            max_pixels: 120_000_000,
            max_memory: 2 << 30,
            output_format: None,
            keep_icc: true,
            reencode: false,
            first_frame: false,
            detect_faces: true,
            detect_text: true,
            detect_codes: true,
            second_face: true,
            second_face_threshold: params::BLAZEFACE_THRESHOLD,
            text_threshold: TextParams::default().box_threshold,
            text_detail_side: TextParams::default().detail_side,
        }
    }
}

/// A setting outside its allowed range; the message names the setting.
///
/// ```
/// use phiscrub::Config;
/// let e = Config { text_threshold: 1.5, ..Config::default() }.validate().unwrap_err();
/// assert!(e.to_string().contains("1.5"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The face detector's pass layout for these settings.
    ///
    /// ```
    /// let config = phiscrub::Config { min_face: 24, ..Default::default() };
    /// assert_eq!(config.scale_params().min_face, 24);
    /// ```
    pub fn scale_params(&self) -> ScaleParams {
        ScaleParams {
            global_side: self.detect_max_side,
            min_face: self.min_face,
            tile: self.detect_tile,
            ..Default::default()
        }
    }

    /// The text detector's settings.
    ///
    /// ```
    /// let config = phiscrub::Config { text_detail_side: 4096, ..Default::default() };
    /// assert_eq!(config.text_params().detail_side, 4096);
    /// ```
    pub fn text_params(&self) -> TextParams {
        TextParams {
            box_threshold: self.text_threshold,
            detail_side: self.text_detail_side,
            ..Default::default()
        }
    }

    /// The settings of `phiscrub scrub --metadata-only`: metadata removed,
    /// pixels not examined, so no network is loaded (every detector off;
    /// switching faces off alone still reads text and codes).
    ///
    /// ```
    /// use phiscrub::Config;
    /// let config = Config::metadata_only();
    /// assert!(!config.examines_pixels());
    /// assert_eq!(config.jpeg_quality, Config::default().jpeg_quality);
    /// ```
    pub fn metadata_only() -> Config {
        Config {
            detect_faces: false,
            detect_text: false,
            detect_codes: false,
            ..Config::default()
        }
    }

    /// True when the pixels are examined at all (not metadata-only).
    ///
    /// ```
    /// use phiscrub::Config;
    /// assert!(Config::default().examines_pixels());
    /// assert!(!Config::metadata_only().examines_pixels());
    /// ```
    pub fn examines_pixels(&self) -> bool {
        self.detect_faces || self.detect_text || self.detect_codes
    }

    /// The default verification threshold for a face threshold: just below
    /// it. Every uncovered candidate between the two refuses the image, so the
    /// gap trades refusals for margin: a wider gap refuses many more crowd
    /// photos whose small faces score just under the face threshold.
    ///
    /// ```
    /// assert_eq!(phiscrub::Config::verify_threshold_for(0.2), 0.19);
    /// ```
    pub fn verify_threshold_for(face_threshold: f32) -> f32 {
        (face_threshold * 0.95 * 1000.0).round() / 1000.0
    }

    /// Checks every setting; the error says which one is wrong and what is allowed.
    ///
    /// ```
    /// use phiscrub::Config;
    /// assert!(Config::default().validate().is_ok());
    /// assert!(Config { face_threshold: 0.0, ..Config::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        use crate::t;
        let unit = |id: &str, v: f32| {
            if (0.0..=1.0).contains(&v) && v > 0.0 {
                Ok(())
            } else {
                Err(ConfigError(t!(id, value = v.to_string())))
            }
        };
        unit("cfg-face-threshold", self.face_threshold)?;
        unit("cfg-verify-threshold", self.verify_threshold)?;
        unit("cfg-text-threshold", self.text_threshold)?;
        unit("cfg-second-face-threshold", self.second_face_threshold)?;
        if !(256..=16384).contains(&self.text_detail_side) {
            return Err(ConfigError(t!(
                "cfg-text-detail",
                value = self.text_detail_side
            )));
        }
        if self.verify_threshold > self.face_threshold {
            return Err(ConfigError(t!(
                "cfg-verify-above-face",
                verify = self.verify_threshold.to_string(),
                face = self.face_threshold.to_string()
            )));
        }
        let (px, py) = self.face_padding;
        if !(1.0..=4.0).contains(&px) || !(1.0..=4.0).contains(&py) {
            return Err(ConfigError(t!("cfg-padding", value = format!("{px}×{py}"))));
        }
        if !(64..=16384).contains(&self.detect_max_side) {
            return Err(ConfigError(t!(
                "cfg-detect-size",
                value = self.detect_max_side
            )));
        }
        if !(4..=1024).contains(&self.min_face) {
            return Err(ConfigError(t!("cfg-min-face", value = self.min_face)));
        }
        if !(128..=4096).contains(&self.detect_tile) {
            return Err(ConfigError(t!("cfg-tile", value = self.detect_tile)));
        }
        if !(1..=100).contains(&self.jpeg_quality) {
            return Err(ConfigError(t!("cfg-quality", value = self.jpeg_quality)));
        }
        if self.intra_threads == 0 {
            return Err(ConfigError(t!("cfg-threads")));
        }
        if self.max_pixels == 0 {
            return Err(ConfigError(t!("cfg-pixels")));
        }
        if self.max_memory == 0 {
            return Err(ConfigError(t!("cfg-memory")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let c = Config {
            face_threshold: 0.0,
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.contains("face threshold"));
        let c = Config {
            jpeg_quality: 0,
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.contains("JPEG quality"));
        let c = Config {
            face_padding: (0.5, 1.0),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.contains("padding"));
    }
}
