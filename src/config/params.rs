//! The detectors' parameters, held by the configuration so that it needs
//! nothing from the detectors: the face detector's pass layout, the text
//! detector's settings and the second face family's threshold. `detect::scales` and `detect::text` re-export
//! them under their old paths.

/// How a detector lays out its passes.
///
/// ```
/// use phiscrub::detect::scales::{plan, ScaleParams};
/// let defaults = ScaleParams::default();
/// // A 640×480 photo fits the whole-frame pass unscaled; two coarse passes
/// // (480 and 320 px wide) look for a face filling the frame, and a finer
/// // pass at the small-photo budget (1.6×) for faces of a few pixels.
/// let passes = plan(640, 480, &defaults);
/// assert_eq!(passes.len(), 4);
/// assert_eq!((passes[1].width, passes[2].width), (480, 320));
/// assert!((passes[3].scale - 1.6).abs() < 1e-4);
/// // Without the budget the whole-frame pass already finds 16 px faces.
/// let plain = ScaleParams { small_budget: 0, ..defaults };
/// assert_eq!(plan(640, 480, &plain).len(), 3);
///
/// // Asking for 4 px faces adds a finer pass, enlarged at most `max_upscale`
/// // times and cut into tiles no larger than `tile`.
/// let tiny = ScaleParams { min_face: 4, tile: 512, ..defaults };
/// let passes = plan(640, 480, &tiny);
/// assert_eq!(passes.len(), 4);
/// let fine = passes.last().unwrap();
/// assert_eq!(fine.scale, tiny.max_upscale);
/// assert!(fine.tiles.iter().all(|&(_, _, w, h)| w <= 512 && h <= 512));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaleParams {
    /// The whole-frame pass sees the image scaled down so that its longer side
    /// is at most this (never scaled up).
    pub global_side: u32,
    /// The smallest face, in image pixels, to be searched for.
    pub min_face: u32,
    /// The largest tile side of the finer pass, in network pixels.
    pub tile: u32,
    /// The finer pass never enlarges the image more than this.
    pub max_upscale: f32,
    /// Longer sides of the coarse whole-frame passes, largest first: the
    /// frame shrunk so that a face filling it is as large as the faces the
    /// network was trained on (it finds faces of a few hundred network pixels
    /// at most; a close-up seen at 1280 px has a face of a thousand). A
    /// side is skipped when the image is not at least 15 % larger.
    pub coarse_sides: [u32; 2],
    /// Network pixels the finer pass of a small image may take: an image of
    /// fewer pixels is enlarged to about this many (at most `max_upscale`
    /// times), finding faces smaller than `min_face`. 0 turns it off.
    pub small_budget: u64,
}

impl Default for ScaleParams {
    fn default() -> Self {
        ScaleParams {
            global_side: 1280,
            min_face: 16,
            tile: 1024,
            max_upscale: 2.0,
            coarse_sides: [480, 320],
            small_budget: 1024 * 768,
        }
    }
}

/// Detection settings. The defaults favour recall over RapidOCR's (box
/// threshold 0.5, unclip 1.6): a missed name is worse than a filled margin.
///
/// ```
/// use phiscrub::detect::text::{TextDetector, TextParams};
/// use phiscrub::TextDetect;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
/// let page = image::open(path)?.to_rgb8(); // 384 × 191
/// // Small tiles: the page, scaled up to `min_side` on its shorter side, is
/// // read in several overlapping pieces rather than two.
/// let params = TextParams { tile: 512, overlap: 64, ..TextParams::default() };
/// assert!(params.bin_threshold < params.box_threshold);
/// let mut detector = TextDetector::new(1, params)?;
/// let lines = detector.detect(&page, params.box_threshold, &[])?;
/// assert!(lines.len() >= 7);
/// assert_eq!(detector.inferences(), 4 * 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextParams {
    /// Pixels above this probability form text regions. RapidOCR's 0.3:
    /// 0.2 found a little more real text (shared text set: scene text
    /// 0.861 → 0.871) but lost 10 screen lines and refused a screen for
    /// residual fragments at a fill's edge (BENCHMARKS.md, issue 9).
    pub bin_threshold: f32,
    /// A region is text when its mean probability exceeds this.
    pub box_threshold: f32,
    /// Growth of each region: `area × unclip / perimeter` on every side.
    pub unclip: f32,
    /// Images whose shorter side is smaller are scaled up to it.
    pub min_side: u32,
    /// Images whose shorter side is smaller get a second look, scaled up so
    /// that it reaches this (within `detail_side`); what either look finds
    /// is text. Small photos (a 1280×720 phone frame) hold signs and labels
    /// whose letters are 8–16 px tall, at the edge of what the network
    /// reads; larger letters read better at the first scale. Images the
    /// first look already enlarges (shorter side under about `min_side` / 1.1)
    /// are read once. 0: one look.
    pub second_side: u32,
    /// The second look keeps only regions at most this thick, in image
    /// pixels (the outline, padding included), and none where it saw a
    /// thicker one earlier in the same image: it is there for small
    /// letters. Enlarged, a crowd, a ceiling or a shop window reads as
    /// blocks of text hundreds of pixels thick, while letters that large
    /// read at the first look. 0: no limit.
    pub second_thickest: u32,
    /// The second look also reads the image turned a quarter clockwise:
    /// lines that run up or down (names on bottles, tubes and spines) the
    /// network does not read upright, and reads turned only at the second
    /// look's scale (at the first, the turned image shows it too little).
    /// That look keeps only such lines (see `runs_up_or_down`), within the
    /// second look's thickness limit and at least 24 px long, and fills
    /// each at least a third as thick as it is long (at most twice as thick
    /// as it was read). Only images that get a second look get it.
    /// Lines that run downwards it sees upside down and reads as well: a
    /// fourth look, turned the other way, found one more region of the
    /// shared text set's 72 small photos and took 1.47× as long.
    pub turned: bool,
    /// Larger images are scaled down so that their longer side is this.
    pub detail_side: u32,
    /// Largest tile side, in network pixels.
    pub tile: u32,
    /// Overlap of neighbouring tiles, in network pixels: a line of text up
    /// to this tall that a tile edge cuts is seen whole in one of them.
    pub overlap: u32,
}

impl Default for TextParams {
    fn default() -> Self {
        TextParams {
            bin_threshold: 0.3,
            box_threshold: 0.4,
            unclip: 2.0,
            min_side: 736,
            second_side: 1080,
            second_thickest: 48,
            turned: true,
            detail_side: 2048,
            tile: 1024,
            overlap: 96,
        }
    }
}

/// The score above which BlazeFace's face is covered. MediaPipe's default
/// (0.5) is set for selfie cameras; on crowded street photos it calls dark
/// coats and torsos faces, and their scores wander across any threshold as
/// fills change the frame around them, refusing the image. At 0.7 those
/// are gone and most close-up faces are still seen (BENCHMARKS.md); CenterFace remains the first detector.
///
/// ```
/// use phiscrub::config::params::BLAZEFACE_THRESHOLD;
/// // What a scrubber uses unless told otherwise.
/// assert_eq!(phiscrub::Config::default().second_face_threshold, BLAZEFACE_THRESHOLD);
/// ```
pub const BLAZEFACE_THRESHOLD: f32 = 0.7;
