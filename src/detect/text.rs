//! Text detection with the PP-OCRv4 detector (a DBNet,
//! `models/ch_PP-OCRv4_det_infer.onnx`).
//!
//! The network takes BGR normalised to [-1, 1], NCHW, sides multiples of 32,
//! and answers a per-pixel text probability. Post-processing follows DB:
//! threshold the map, take connected regions, keep those whose mean
//! probability is high enough, and grow each by a margin proportional to its
//! area over its perimeter (text kernels are shrunk versions of the text).
//! Each region becomes the smaller of its axis-aligned box and its box along
//! its principal axis, so slanted lines get a slanted fill.
//!
//! Large photos are scaled down to `detail_side` and read in overlapping
//! tiles of at most `tile` network pixels; the detector remembers each tile's
//! pixels and answer, so a second look after filling reruns only the tiles
//! the fills touched.

use crate::detect::scales::spans;
use crate::detect::{Finding, FindingKind, TextDetect, same_region};
use crate::error::SetupError;
use crate::geometry::{BoxF, Quad, Rect, Sides, dilate, neighbours, quad_thickness};
use crate::models;
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

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

/// Images the first look enlarges by more than this factor get no second
/// look: enlarged further, they show texture the network reads as text (the
/// cat's fur in `fixtures/photos`, the black fills of a scrubbed picture
/// that `phiscrub check` looks at) rather than letters it missed.
const FIRST_LOOK_ENLARGES: f32 = 1.1;

/// One ONNX Runtime session of the text detector.
///
/// ```
/// use phiscrub::detect::text::{TextDetector, TextParams};
/// use phiscrub::TextDetect;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
/// let page = image::open(path)?.to_rgb8();
/// let mut detector = TextDetector::new(1, TextParams::default())?;
/// let lines = detector.detect(&page, 0.4, &[])?;
/// // Seven lines of print; each finding lies on the page.
/// assert!(lines.len() >= 7);
/// for line in &lines {
///     assert!(line.score > 0.4);
///     assert!(line.region(page.width(), page.height()).is_some());
/// }
/// // Blank paper holds no text.
/// let blank = image::RgbImage::from_pixel(384, 191, image::Rgb([235, 235, 230]));
/// assert!(detector.detect(&blank, 0.4, &[])?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TextDetector {
    session: Session,
    params: TextParams,
    resizer: Resizer,
    /// One per look (the first scale, the second, the second turned).
    memo: [Option<Memo>; 3],
    /// Where the second look saw text too thick for it (see
    /// [`TextParams::second_thickest`]) in the image of this call and the
    /// calls before it, since the last [`TextDetect::start`].
    doubt: Doubt,
    inferences: u64,
}

/// Places the second look has shown to misread, for one image.
#[derive(Default)]
struct Doubt {
    size: (u32, u32),
    zones: Vec<BoxF>,
}

impl Doubt {
    fn new(size: (u32, u32)) -> Doubt {
        Doubt {
            size,
            zones: Vec::new(),
        }
    }

    /// Called before each look at a `size` image. A new size starts an
    /// image, as [`TextDetect::start`] does: the places misread in another
    /// image say nothing about this one. Later rounds and the output's
    /// checks keep what earlier calls learnt. (Whether anything is covered
    /// says nothing: a first round may paint fills the input already had.)
    fn begin(&mut self, size: (u32, u32)) {
        if self.size != size {
            *self = Doubt::new(size);
        }
    }

    /// Drops from the second look's `found` (outlines in image pixels, with
    /// scores) every region thicker than `thickest` and every region centred
    /// where such a region lies, now or in an earlier call. Enlarged texture
    /// reads as thick blocks of text; what is left of such a block once
    /// fills beside it are painted over reads as thin fragments, one more
    /// after each fill, until the image is refused. Neither is kept: letters
    /// that large, and anything in such a place, the first look reads at
    /// its own scale.
    fn sift(&mut self, found: &mut Vec<(Quad, f32)>, thickest: f32) {
        self.zones.extend(
            found
                .iter()
                .filter(|(q, _)| quad_thickness(q) > thickest)
                .map(|(q, _)| BoxF::around(q)),
        );
        let zones = &self.zones;
        found.retain(|(q, _)| {
            let (cx, cy) = BoxF::around(q).center();
            !zones
                .iter()
                .any(|z| cx >= z.x && cx <= z.x2() && cy >= z.y && cy <= z.y2())
        });
    }
}

/// The last call's resized pixels and every tile's probability map.
struct Memo {
    size: (u32, u32),
    pixels: Vec<u8>,
    tiles: Vec<(u32, u32, u32, u32)>,
    maps: Vec<Map>,
}

/// A tile's text probability, `w` × `h` (the tile padded to multiples of 32).
#[derive(Clone)]
struct Map {
    w: usize,
    h: usize,
    prob: Vec<f32>,
}

impl TextDetector {
    /// Loads the embedded model.
    ///
    /// ```
    /// use phiscrub::detect::text::{TextDetector, TextParams};
    /// use phiscrub::{Config, FindingKind, TextDetect};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
    /// // The settings a scrubber with this configuration would use.
    /// let config = Config::default();
    /// let mut detector = TextDetector::new(config.intra_threads, config.text_params())?;
    /// let page = image::open(path)?.to_rgb8();
    /// let found = detector.detect(&page, config.text_threshold, &[])?;
    /// assert!(!found.is_empty() && found.iter().all(|f| f.kind == FindingKind::Text));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(intra_threads: usize, params: TextParams) -> Result<Self, SetupError> {
        let session = super::runtime::session(&models::PPOCR_DET, intra_threads)?;
        Ok(TextDetector {
            session,
            params,
            resizer: Resizer::new(),
            memo: [None, None, None],
            doubt: Doubt::default(),
            inferences: 0,
        })
    }

    /// Drops the memory of the last call (benchmarks measure a cold call).
    ///
    /// ```
    /// use phiscrub::detect::text::{TextDetector, TextParams};
    /// use phiscrub::TextDetect;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
    /// let page = image::open(path)?.to_rgb8();
    /// let mut detector = TextDetector::new(1, TextParams::default())?;
    /// let first = detector.detect(&page, 0.4, &[])?;
    /// let cold = detector.inferences();
    /// // A second look at the same pixels reuses every tile...
    /// assert_eq!(detector.detect(&page, 0.4, &[])?, first);
    /// assert_eq!(detector.inferences(), cold);
    /// // ...unless the detector was told to forget them.
    /// detector.forget();
    /// assert_eq!(detector.detect(&page, 0.4, &[])?, first);
    /// assert_eq!(detector.inferences(), 2 * cold);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn forget(&mut self) {
        self.memo = [None, None, None];
        self.doubt = Doubt::default();
    }

    /// Network runs so far (tiles reused from the last call do not count).
    ///
    /// ```
    /// use phiscrub::detect::text::{TextDetector, TextParams};
    /// use phiscrub::{Rect, TextDetect};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
    /// let page = image::open(path)?.to_rgb8();
    /// let mut detector = TextDetector::new(1, TextParams::default())?;
    /// detector.detect(&page, 0.4, &[])?;
    /// // The page, scaled up for reading, is two tiles wide.
    /// assert_eq!(detector.inferences(), 2);
    /// // After filling the left end of the first lines, only the tile that
    /// // saw them runs again.
    /// let filled = Rect { x0: 0, y0: 0, x1: 80, y1: 60, ..Default::default() };
    /// detector.detect(&page, 0.4, &[filled])?;
    /// assert_eq!(detector.inferences(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inferences(&self) -> u64 {
        self.inferences
    }

    fn resized(&mut self, img: &RgbImage, nw: u32, nh: u32) -> Result<Vec<u8>, String> {
        if (nw, nh) == img.dimensions() {
            return Ok(img.as_raw().clone());
        }
        let src = ImageRef::new(img.width(), img.height(), img.as_raw(), PixelType::U8x3)
            .map_err(|e| format!("resizing for text detection: {e}"))?;
        let mut dst = Image::new(nw, nh, PixelType::U8x3);
        let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
        self.resizer
            .resize(&src, &mut dst, &opts)
            .map_err(|e| format!("resizing for text detection: {e}"))?;
        Ok(dst.into_vec())
    }

    /// The probability map of one tile of the resized image.
    fn infer(
        &mut self,
        pixels: &[u8],
        stride: u32,
        (x, y, w, h): (u32, u32, u32, u32),
    ) -> Result<Map, String> {
        super::deadline::check()?;
        let (pw, ph) = (w.div_ceil(32) * 32, h.div_ceil(32) * 32);
        let input = normalise(pixels, stride, (x, y, w, h), pw, ph);
        let tensor = TensorRef::from_array_view(input.view()).map_err(|e| e.to_string())?;
        let started = std::time::Instant::now();
        let outputs = self
            .session
            .run(ort::inputs!["x" => tensor])
            .map_err(|e| e.to_string())?;
        let pixels = (pw * ph) as u64;
        super::tally::record(super::tally::Net::Text, 1, pixels, started.elapsed());
        self.inferences += 1;
        let (shape, prob) = outputs
            .get("sigmoid_0.tmp_0")
            .ok_or("the text detector gave no probability map")?
            .try_extract_tensor::<f32>()
            .map_err(|e| format!("text detector output: {e}"))?;
        if shape.len() != 4 || shape[2] as u32 != ph || shape[3] as u32 != pw {
            return Err(format!("text probability map has shape {shape:?}"));
        }
        if !prob.iter().all(|v| v.is_finite()) {
            return Err("the text detector produced non-finite scores".into());
        }
        Ok(Map {
            w: pw as usize,
            h: ph as usize,
            prob: prob.to_vec(),
        })
    }
}

impl TextDetect for TextDetector {
    fn start(&mut self) {
        self.doubt = Doubt::default();
    }

    fn detect(
        &mut self,
        img: &RgbImage,
        threshold: f32,
        covered: &[Rect],
    ) -> Result<Vec<Finding>, String> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        self.doubt.begin((w, h));
        let mut out = Vec::new();
        for (slot, look) in looks(w, h, &self.params).into_iter().enumerate() {
            out.extend(self.look(img, look, slot, threshold, covered)?);
        }
        Ok(out)
    }
}

impl TextDetector {
    /// One look at `img` resized to the look's size and, for the turned
    /// look, turned after resizing; remembered in `memo[slot]`.
    fn look(
        &mut self,
        img: &RgbImage,
        Look {
            size: (uw, uh),
            turned,
        }: Look,
        slot: usize,
        threshold: f32,
        covered: &[Rect],
    ) -> Result<Vec<Finding>, String> {
        let (w, h) = img.dimensions();
        let mut pixels = self.resized(img, uw, uh)?;
        let mut hidden = covered_cells(covered, (w, h), (uw, uh));
        if let Some(hidden) = &hidden {
            paint_over(&mut pixels, hidden, (uw, uh));
        }
        // From here on, network pixels are those of the image as the
        // network sees it: turned, for the turned look.
        let (nw, nh) = if turned {
            pixels = turn(&pixels, 3, (uw, uh));
            hidden = hidden.map(|cells| turn(&cells, 1, (uw, uh)));
            (uh, uw)
        } else {
            (uw, uh)
        };
        let (ov, tile) = (self.params.overlap, self.params.tile);
        let mut tiles = Vec::new();
        for &(ty, th) in &spans(nh, tile, ov) {
            for &(tx, tw) in &spans(nw, tile, ov) {
                tiles.push((tx, ty, tw, th));
            }
        }
        let previous = self.memo[slot]
            .take()
            .filter(|m| m.size == (nw, nh) && m.tiles == tiles);
        let mut maps = Vec::with_capacity(tiles.len());
        for &t in &tiles {
            let i = maps.len();
            match &previous {
                Some(m) if same_region(&m.pixels, &pixels, nw, t) => maps.push(m.maps[i].clone()),
                _ => maps.push(self.infer(&pixels, nw, t)?),
            }
        }
        let (fx, fy) = (w as f32 / uw as f32, h as f32 / uh as f32);
        let all = TextParams {
            box_threshold: threshold,
            ..self.params
        };
        let speck = speck(w, uw);
        let mut found = Vec::new();
        for (&(tx, ty, tw, th), map) in tiles.iter().zip(&maps) {
            let mut prob = map.prob.clone();
            if let Some(hidden) = &hidden {
                for row in 0..th as usize {
                    let from = (ty as usize + row) * nw as usize + tx as usize;
                    let cells = &hidden[from..from + tw as usize];
                    for (p, &off) in prob[row * map.w..].iter_mut().zip(cells) {
                        if off {
                            *p = 0.0;
                        }
                    }
                }
            }
            for (q, score) in regions(&prob, map.w, map.h, &all, speck) {
                let q = q.map(|[x, y]| [tx as f32 + x, ty as f32 + y]);
                let q = if turned { turned_back(q, uh) } else { q };
                found.push((q.map(|[x, y]| [x * fx, y * fy]), score));
            }
        }
        let thickest = match self.params.second_thickest {
            t if slot > 0 && t > 0 => Some(t as f32),
            _ => None,
        };
        keep(&mut found, turned, thickest, &mut self.doubt);
        let out = found
            .into_iter()
            .map(|(quad, score)| text_finding(quad, score, w, h))
            .collect();
        self.memo[slot] = Some(Memo {
            size: (nw, nh),
            pixels,
            tiles,
            maps,
        });
        Ok(out)
    }
}

/// What a look keeps of the regions it read (outlines in image pixels):
/// the turned look only lines that run up or down; a second look
/// (`thickest` set) nothing thicker than that, nor anything where such a
/// block lay (see [`Doubt::sift`]); and the turned look's lines widened
/// (see [`thickened`]).
fn keep(found: &mut Vec<(Quad, f32)>, turned: bool, thickest: Option<f32>, doubt: &mut Doubt) {
    if turned {
        // Before the doubt zones: turned, level print reads as thick
        // blocks, and a zone left by one would drop the level lines the
        // enlarged upright look reads there in later rounds.
        found.retain(|(q, _)| runs_up_or_down(q));
    }
    if let Some(t) = thickest {
        doubt.sift(found, t);
    }
    if turned {
        // After the thickness limit, which judges what the network saw.
        for (q, _) in found.iter_mut() {
            *q = thickened(*q, TURNED_LINE);
        }
    }
}

/// The cells of the `nw` × `nh` network image whose centres fall in a filled
/// region of the `w` × `h` image, row-major; `None` when nothing is filled.
///
/// Text already covered is not text to find again, and leaving it out keeps
/// the detector from joining filled lines and the paper between them into
/// one block: a second look at a filled receipt would otherwise black out
/// the sheet.
fn covered_cells(covered: &[Rect], (w, h): (u32, u32), (nw, nh): (u32, u32)) -> Option<Vec<bool>> {
    if covered.is_empty() {
        return None;
    }
    let (sx, sy) = (w as f32 / nw as f32, h as f32 / nh as f32);
    let mut cells = vec![false; nw as usize * nh as usize];
    for row in 0..nh {
        let y = (((row as f32 + 0.5) * sy) as u32).min(h - 1);
        let line = &mut cells[row as usize * nw as usize..][..nw as usize];
        for r in covered {
            if let Some((a, b)) = r.row_span(y) {
                // Columns whose centre x satisfies a <= x < b.
                let first = ((a as f32 / sx - 0.5).ceil().max(0.0)) as usize;
                let end = ((b as f32 / sx - 0.5).ceil().max(0.0) as usize).min(nw as usize);
                if first < end {
                    line[first..end].fill(true);
                }
            }
        }
    }
    Some(dilate(&cells, nw as usize, nh as usize, FILL_HALO))
}

/// Cells beside a fill hidden with it, in network pixels. Encoding rings
/// around a black fill for a few pixels; left in view, that halo reads as
/// text fragments at every fill's edge, each of which a look at the output
/// would fill, uncovering the next.
const FILL_HALO: usize = 2;

/// Paints the `hidden` cells of RGB `pixels` with the colour around them.
///
/// Filled regions are black; the paper left between filled lines then reads
/// to the detector as white text on black (probability near 1 over whole
/// receipts). Showing it the page without the bars keeps that from happening
/// while the ends of a line a fill cut short stay in view. Each connected
/// patch of hidden cells takes one colour, the median of the visible pixels
/// bordering it: painting row by row instead leaves horizontal stripes where
/// the background changes, and stripes read as text.
fn paint_over(pixels: &mut [u8], hidden: &[bool], (nw, nh): (u32, u32)) {
    let (nw, nh) = (nw as usize, nh as usize);
    let mut seen = vec![false; nw * nh];
    let (mut stack, mut members, mut ring) = (Vec::new(), Vec::new(), Vec::new());
    let mut border: [Vec<u8>; 3] = Default::default();
    for start in 0..nw * nh {
        if !hidden[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        members.clear();
        ring.clear();
        while let Some(i) = stack.pop() {
            members.push(i);
            for j in neighbours(i, nw, nh) {
                if !hidden[j] {
                    ring.push(j);
                } else if !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        ring.sort_unstable();
        ring.dedup();
        for c in &mut border {
            c.clear();
        }
        for &j in &ring {
            for (c, v) in border.iter_mut().zip(&pixels[j * 3..j * 3 + 3]) {
                c.push(*v);
            }
        }
        let colour = if ring.is_empty() {
            [128, 128, 128]
        } else {
            border.each_mut().map(|c| {
                let mid = c.len() / 2;
                *c.select_nth_unstable(mid).1
            })
        };
        for &i in &members {
            pixels[i * 3..i * 3 + 3].copy_from_slice(&colour);
        }
    }
}

/// A finding for a region outline in image pixels: its box is the outline's
/// bounds clipped to the image; axis-aligned outlines are left to the box.
fn text_finding(quad: Quad, score: f32, w: u32, h: u32) -> Finding {
    let bbox = BoxF::around(&quad).clipped(w, h);
    let aligned = quad[0][1] == quad[1][1] && quad[1][0] == quad[2][0];
    Finding {
        kind: FindingKind::Text,
        bbox,
        score,
        outline: (!aligned).then_some(quad),
    }
}

/// The resized image: scaled up so the shorter side reaches `min_side`, or
/// down so the longer fits `detail_side`. Tiles are padded to multiples of 32
/// when packed, so the size itself is not rounded.
fn network_size(w: u32, h: u32, p: &TextParams) -> (u32, u32) {
    let mut s = 1.0f32;
    if w.min(h) < p.min_side {
        s = p.min_side as f32 / w.min(h) as f32;
    }
    if w.max(h) as f32 * s > p.detail_side as f32 {
        s = p.detail_side as f32 / w.max(h) as f32;
    }
    let size = |v: u32| ((v as f32 * s).round() as u32).max(1);
    (size(w), size(h))
}

/// Regions thinner than this many image pixels are specks, not glyphs.
const SPECK: f32 = 2.0;

/// The thinnest region, in network pixels, that is not a speck when a
/// `w`-pixel-wide image is read `nw` network pixels wide. Specks are judged
/// in image pixels: enlarged, grain and JPEG ringing grow into regions the
/// size of a speck at the image's own scale. Never below [`SPECK`] network
/// pixels, for images read smaller than they are.
fn speck(w: u32, nw: u32) -> f32 {
    SPECK * (nw as f32 / w as f32).max(1.0)
}

/// How one look reads an image: resized to `size` (upright), and turned a
/// quarter clockwise after resizing when `turned`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Look {
    size: (u32, u32),
    turned: bool,
}

/// How a `w` × `h` image is read: the first look, and the second
/// (`second_side`, upright and, with `turned`, turned) when the image is
/// smaller than that and the first look barely enlarges it.
fn looks(w: u32, h: u32, p: &TextParams) -> Vec<Look> {
    let upright = |size| Look {
        size,
        turned: false,
    };
    let first = network_size(w, h, p);
    let near_native = w.min(h) as f32 * FIRST_LOOK_ENLARGES >= p.min_side as f32;
    if !near_native || w.min(h) >= p.second_side {
        return vec![upright(first)];
    }
    let up = TextParams {
        min_side: p.second_side,
        ..*p
    };
    let second = network_size(w, h, &up);
    if second == first {
        return vec![upright(first)];
    }
    let mut out = vec![upright(first), upright(second)];
    if p.turned {
        out.push(Look {
            size: second,
            turned: true,
        });
    }
    out
}

/// A line the turned look keeps is at least this many times longer than it
/// is thick (a word of three letters or more). Turned, pillars and shelf
/// edges read as "text" 2–2.9 times longer than thick, and the edges of the
/// fills put over them as more such blocks, a new one after each fill,
/// until the image is refused (two 1280×720 scenes of the shared text set);
/// the vertical words there came out 3.1–5.3 times longer than thick.
const TURNED_LINE: f32 = 3.0;

/// The shortest line, in image pixels, the turned look keeps. Shorter, it
/// reads folds in clothes and legs as "text": three such slivers on a
/// pair of trousers (img_0039 of the shared text set, 18–22 px long), once
/// filled, read as a block at the output's verification and refused the
/// photo. Words up a bottle or a bin there are 25–100 px long; a shorter
/// vertical word has letters too small to read.
const TURNED_SHORTEST: f32 = 24.0;

/// The most a turned line's fill is widened, as a multiple of the thickness
/// the network found: the blurred "mentos" of img_0029 (a 13 px core over
/// letters 22 px tall) need 1.8 times.
const TURNED_WIDEN: f32 = 2.0;

/// Whether an outline (in upright pixels) is a line running up or down, at
/// least [`TURNED_SHORTEST`] long: the turned look is there for those. Text
/// in a short or level block the upright looks read.
fn runs_up_or_down(q: &Quad) -> bool {
    let s = Sides::of(q);
    let along = if s.first_longer { s.first } else { s.second };
    along[1].abs() > along[0].abs() && s.long >= TURNED_LINE * s.thick && s.long >= TURNED_SHORTEST
}

/// An oriented outline widened about its long axis, where needed, to at
/// least its length over `ratio`. Blurred letters up a bottle or tube (the
/// turned look's lines) read as a thin core: a fill grown from it by the
/// usual margin covers 13 px of letters 22 px tall and leaves their edges
/// (img_0029 of the shared text set). A line the turned look keeps is at
/// least [`TURNED_LINE`] times longer than thick, so this is the widest
/// fill its shape allows. It grows to at most [`TURNED_WIDEN`] times the
/// thickness found: a long crisp line is read at its true thickness, and
/// widening it to a third of its length would fill a band beside it.
fn thickened(q: Quad, ratio: f32) -> Quad {
    let s = Sides::of(&q);
    let across = if s.first_longer { s.second } else { s.first };
    let want = (s.long / ratio).min(TURNED_WIDEN * s.thick);
    if s.thick <= 0.0 || want <= s.thick {
        return q;
    }
    // Each long side moves out by half the missing thickness.
    let g = (want - s.thick) / 2.0 / s.thick;
    let d = [across[0] * g, across[1] * g];
    let out = |p: [f32; 2], s: f32| [p[0] + s * d[0], p[1] + s * d[1]];
    if s.first_longer {
        [
            out(q[0], -1.0),
            out(q[1], -1.0),
            out(q[2], 1.0),
            out(q[3], 1.0),
        ]
    } else {
        [
            out(q[0], -1.0),
            out(q[1], 1.0),
            out(q[2], 1.0),
            out(q[3], -1.0),
        ]
    }
}

/// A `w` × `h` raster of `channels` values per pixel, turned a quarter
/// clockwise (`h` wide, `w` tall): the top row becomes the right column.
fn turn<T: Copy>(src: &[T], channels: usize, (w, h): (u32, u32)) -> Vec<T> {
    let (w, h) = (w as usize, h as usize);
    let mut out = Vec::with_capacity(src.len());
    for x in 0..w {
        for y in (0..h).rev() {
            let i = (y * w + x) * channels;
            out.extend_from_slice(&src[i..i + channels]);
        }
    }
    out
}

/// An outline found in the turned image (see [`turn`]) of an upright image
/// `h` pixels tall, in the upright image's pixels, corners again clockwise
/// from the top-left.
fn turned_back(q: Quad, h: u32) -> Quad {
    let [a, b, c, d] = q.map(|[x, y]| [y, h as f32 - x]);
    // The turned outline's top-left corner is the upright one's bottom-left.
    [b, c, d, a]
}

/// The `(x, y, w, h)` region of RGB bytes `stride` pixels wide, as NCHW
/// floats in [-1, 1], channels in BGR order (PaddleOCR trained on OpenCV's
/// BGR images), zero-padded to `pw` × `ph`.
fn normalise(
    rgb: &[u8],
    stride: u32,
    (x, y, w, h): (u32, u32, u32, u32),
    pw: u32,
    ph: u32,
) -> Array4<f32> {
    let (pw, ph) = (pw as usize, ph as usize);
    let mut arr = Array4::<f32>::zeros((1, 3, ph, pw));
    let plane = pw * ph;
    let data = arr
        .as_slice_mut()
        .expect("a freshly built array is contiguous");
    for row in 0..h as usize {
        let start = ((y as usize + row) * stride as usize + x as usize) * 3;
        let src = &rgb[start..start + w as usize * 3];
        for (col, px) in src.chunks_exact(3).enumerate() {
            let i = row * pw + col;
            for c in 0..3 {
                data[c * plane + i] = px[2 - c] as f32 / 127.5 - 1.0;
            }
        }
    }
    arr
}

/// DB post-processing of a `w`×`h` probability map: connected regions (8
/// neighbours) above the binary threshold, kept when their mean probability
/// exceeds the box threshold, each outlined by the smaller of its upright box
/// and its box along its principal axis, grown by the unclip margin. Outlines
/// are in map pixels, corners clockwise from the top-left.
pub(crate) fn regions(
    prob: &[f32],
    w: usize,
    h: usize,
    p: &TextParams,
    speck: f32,
) -> Vec<(Quad, f32)> {
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    let mut members = Vec::new();
    for start in 0..w * h {
        if seen[start] || prob[start] <= p.bin_threshold {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        members.clear();
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
        let mut sum = 0f64;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            members.push(i);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
            sum += prob[i] as f64;
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if !seen[j] && prob[j] > p.bin_threshold {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        let score = (sum / members.len() as f64) as f32;
        if bw.min(bh) < speck || score <= p.box_threshold {
            continue;
        }
        let upright = Oriented {
            centre: ((x0 + x1 + 1) as f32 / 2.0, (y0 + y1 + 1) as f32 / 2.0),
            axis: (1.0, 0.0),
            half: (bw / 2.0, bh / 2.0),
        };
        let turned = oriented(&members, w);
        let b = match turned {
            Some(t) if t.area() < 0.8 * upright.area() => t,
            _ => upright,
        };
        out.push((b.grown(p.unclip).corners(), score));
    }
    out
}

/// A rectangle along `axis` (a unit vector) about `centre`, `half` its
/// half-length along the axis and half-thickness across it.
#[derive(Clone, Copy, Debug)]
struct Oriented {
    centre: (f32, f32),
    axis: (f32, f32),
    half: (f32, f32),
}

impl Oriented {
    fn area(&self) -> f32 {
        4.0 * self.half.0 * self.half.1
    }

    /// DB's unclip: every side moves out by area × ratio / perimeter.
    fn grown(&self, unclip: f32) -> Oriented {
        let (l, t) = (2.0 * self.half.0, 2.0 * self.half.1);
        let g = l * t * unclip / (2.0 * (l + t));
        Oriented {
            half: (self.half.0 + g, self.half.1 + g),
            ..*self
        }
    }

    fn corners(&self) -> Quad {
        let ((cx, cy), (ux, uy), (a, b)) = (self.centre, self.axis, self.half);
        let (vx, vy) = (-uy, ux);
        let at = |s: f32, t: f32| [cx + s * a * ux + t * b * vx, cy + s * a * uy + t * b * vy];
        [at(-1.0, -1.0), at(1.0, -1.0), at(1.0, 1.0), at(-1.0, 1.0)]
    }
}

/// The rectangle along a region's principal axis (from its second moments)
/// that holds every one of its pixels, each taken as a whole square.
fn oriented(members: &[usize], w: usize) -> Option<Oriented> {
    let n = members.len() as f64;
    let (mut sx, mut sy) = (0f64, 0f64);
    for &i in members {
        sx += (i % w) as f64;
        sy += (i / w) as f64;
    }
    let (mx, my) = (sx / n, sy / n);
    let (mut cxx, mut cyy, mut cxy) = (0f64, 0f64, 0f64);
    for &i in members {
        let (dx, dy) = ((i % w) as f64 - mx, (i / w) as f64 - my);
        cxx += dx * dx;
        cyy += dy * dy;
        cxy += dx * dy;
    }
    if cxx + cyy <= 0.0 {
        return None;
    }
    let angle = 0.5 * (2.0 * cxy).atan2(cxx - cyy);
    let (ux, uy) = (angle.cos(), angle.sin());
    let (vx, vy) = (-uy, ux);
    let (mut umin, mut umax, mut vmin, mut vmax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &i in members {
        let (x, y) = ((i % w) as f64 + 0.5, (i / w) as f64 + 0.5);
        let (u, v) = (x * ux + y * uy, x * vx + y * vy);
        umin = umin.min(u);
        umax = umax.max(u);
        vmin = vmin.min(v);
        vmax = vmax.max(v);
    }
    // A pixel square reaches this far from its centre along any rotated axis.
    let r = 0.5 * (ux.abs() + uy.abs());
    let (umin, umax, vmin, vmax) = (umin - r, umax + r, vmin - r, vmax + r);
    let (cu, cv) = ((umin + umax) / 2.0, (vmin + vmax) / 2.0);
    Some(Oriented {
        centre: ((cu * ux + cv * vx) as f32, (cu * uy + cv * vy) as f32),
        axis: (ux as f32, uy as f32),
        half: (((umax - umin) / 2.0) as f32, ((vmax - vmin) / 2.0) as f32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Shape;

    #[test]
    fn only_photos_read_near_their_own_size_get_a_second_larger_look() {
        let p = TextParams::default();
        let sizes = |w, h, p: &TextParams| {
            let l = looks(w, h, p);
            let turned: Vec<bool> = l.iter().map(|l| l.turned).collect();
            (l.into_iter().map(|l| l.size).collect::<Vec<_>>(), turned)
        };
        // A 1280×720 frame: read at about its size, then at 1920×1080,
        // upright and turned.
        assert_eq!(
            sizes(1280, 720, &p),
            (
                vec![(1308, 736), (1920, 1080), (1920, 1080)],
                vec![false, false, true]
            )
        );
        // 512×600 is already enlarged 1.4× by the first look: one look (at
        // 2× more, fur and black fills read as text).
        assert_eq!(sizes(512, 600, &p), (vec![(736, 863)], vec![false]));
        // A 12 MP photo is larger than the second look asks for, and so
        // are the 1600×1200 synthetic wristband and screen scenes.
        assert_eq!(sizes(4032, 3024, &p), (vec![(2048, 1536)], vec![false]));
        assert_eq!(sizes(1600, 1200, &p), (vec![(1600, 1200)], vec![false]));
        // Switched off.
        let once = TextParams {
            second_side: 0,
            ..p
        };
        assert_eq!(sizes(1280, 720, &once), (vec![(1308, 736)], vec![false]));
        let upright = TextParams { turned: false, ..p };
        assert_eq!(
            sizes(1280, 720, &upright),
            (vec![(1308, 736), (1920, 1080)], vec![false, false])
        );
    }

    #[test]
    fn a_turned_look_maps_its_outlines_back_onto_the_upright_image() {
        // 3 wide, 2 tall, one value per pixel: turned, 2 wide and 3 tall,
        // the bottom row read upwards becomes the top row.
        let upright = [1, 2, 3, 4, 5, 6];
        assert_eq!(turn(&upright, 1, (3, 2)), vec![4, 1, 5, 2, 6, 3]);
        // Pixel (2, 0) of the upright image is pixel (1, 2) turned; the
        // outline of that pixel, turned back, is the upright pixel's, top-left
        // corner first.
        let seen = [[1.0, 2.0], [2.0, 2.0], [2.0, 3.0], [1.0, 3.0]];
        assert_eq!(
            turned_back(seen, 2),
            [[2.0, 0.0], [3.0, 0.0], [3.0, 1.0], [2.0, 1.0]]
        );
    }

    #[test]
    fn thin_turned_lines_are_widened_to_a_third_of_their_length_at_most_twice() {
        let near = |a: Quad, b: Quad| {
            let off = (0..4).map(|i| (a[i][0] - b[i][0]).abs() + (a[i][1] - b[i][1]).abs());
            assert!(off.fold(0.0, f32::max) < 1e-3, "{a:?} is not {b:?}");
        };
        // Blurred letters up a tube read as a core 13 px thick and 69 long;
        // its fill is widened about its axis to 23 px, both sides alike.
        let core = [
            [216.0, 636.0],
            [229.0, 636.0],
            [229.0, 705.0],
            [216.0, 705.0],
        ];
        near(
            thickened(core, TURNED_LINE),
            [
                [211.0, 636.0],
                [234.0, 636.0],
                [234.0, 705.0],
                [211.0, 705.0],
            ],
        );
        // Whichever side the outline lists first.
        let level = [[0.0, 0.0], [69.0, 0.0], [69.0, 13.0], [0.0, 13.0]];
        near(
            thickened(level, TURNED_LINE),
            [[0.0, -5.0], [69.0, -5.0], [69.0, 18.0], [0.0, 18.0]],
        );
        // An outline already a third as thick as long is left alone.
        let fat = [[0.0, 0.0], [30.0, 0.0], [30.0, 60.0], [0.0, 60.0]];
        assert_eq!(thickened(fat, TURNED_LINE), fat);
        // A long crisp line grows to twice its thickness, not to a third
        // of its length (67 px, a band of wall beside a 10 px line).
        let banner = [[0.0, 0.0], [10.0, 0.0], [10.0, 200.0], [0.0, 200.0]];
        near(
            thickened(banner, TURNED_LINE),
            [[-5.0, 0.0], [15.0, 0.0], [15.0, 200.0], [-5.0, 200.0]],
        );
    }

    #[test]
    fn a_look_judges_what_the_network_read_then_widens_turned_lines() {
        let upright = |x: f32, w: f32, h: f32| [[x, 0.0], [x + w, 0.0], [x + w, h], [x, h]];
        let mut doubt = Doubt::new((1280, 720));
        // Turned: a vertical line 40 px thick passes the 48 px limit as
        // read, and is widened to 66 px only after; a level block 60 px
        // thick is not a turned line, and leaves no zone.
        let line = upright(100.0, 40.0, 200.0);
        let block = upright(400.0, 160.0, 60.0);
        let mut found = vec![(line, 0.9), (block, 0.9)];
        keep(&mut found, true, Some(48.0), &mut doubt);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!((quad_thickness(&found[0].0) - 200.0 / 3.0).abs() < 1e-3);
        assert!(doubt.zones.is_empty(), "{:?}", doubt.zones);
        // Upright, the same block is too thick and leaves a zone, which
        // drops a thin fragment read there later.
        let mut found = vec![(block, 0.9)];
        keep(&mut found, false, Some(48.0), &mut doubt);
        assert!(found.is_empty());
        let mut later = vec![(upright(470.0, 20.0, 10.0), 0.9)];
        keep(&mut later, false, Some(48.0), &mut doubt);
        assert!(later.is_empty());
        // The first look (no limit) keeps what it read, as read.
        let mut first = vec![(block, 0.9), (line, 0.9)];
        keep(&mut first, false, None, &mut doubt);
        assert_eq!(first, vec![(block, 0.9), (line, 0.9)]);
    }

    #[test]
    fn the_turned_look_keeps_lines_that_run_up_or_down_only() {
        let upright = |w: f32, h: f32| [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]];
        // "mentos" up a sweet tube: 18 px thick, 76 px long.
        assert!(runs_up_or_down(&upright(18.0, 76.0)));
        // A level line, a block beside a fill as thick as it is long, and
        // a pillar's edge 2.5 times longer than thick.
        assert!(!runs_up_or_down(&upright(76.0, 18.0)));
        assert!(!runs_up_or_down(&upright(22.0, 18.0)));
        assert!(!runs_up_or_down(&upright(50.0, 126.0)));
        // A steep slanted line: along (12, 60), across (-15, 3).
        let steep = [[15.0, 0.0], [27.0, 60.0], [12.0, 63.0], [0.0, 3.0]];
        assert!(runs_up_or_down(&steep));
        // A sliver on a trouser leg: 5.5 px thick, but only 20 px long.
        assert!(!runs_up_or_down(&upright(5.5, 20.0)));
        assert!(runs_up_or_down(&upright(5.5, 25.0)));
    }

    #[test]
    fn a_fill_is_hidden_with_its_halo_and_nothing_else() {
        // A 40×20 image read at 20×10 network pixels: one network pixel is
        // 2×2 image pixels. A fill over image columns 10..20, rows 4..12.
        let fill = Rect {
            x0: 10,
            y0: 4,
            x1: 20,
            y1: 12,
            shape: Shape::Box,
        };
        assert!(covered_cells(&[], (40, 20), (20, 10)).is_none());
        let hidden = covered_cells(&[fill], (40, 20), (20, 10)).unwrap();
        let on = |x: usize, y: usize| hidden[y * 20 + x];
        // The fill is network columns 5..10, rows 2..6; the halo adds
        // FILL_HALO (2) on every side.
        for y in 0..10 {
            for x in 0..20 {
                let inside = (3..12).contains(&x) && (0..8).contains(&y);
                assert_eq!(on(x, y), inside, "cell {x},{y}");
            }
        }
    }

    #[test]
    fn hidden_patches_take_the_colour_that_borders_them() {
        // Left half red, right half blue, 8×4 pixels; one hidden patch in
        // each half and nothing else touched.
        let (w, h) = (8usize, 4usize);
        let mut px: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                if i % w < 4 {
                    [200, 10, 10]
                } else {
                    [10, 10, 200]
                }
            })
            .collect();
        let before = px.clone();
        let mut hidden = vec![false; w * h];
        for (x, y) in [(1, 1), (1, 2), (6, 1), (6, 2)] {
            hidden[y * w + x] = true;
        }
        // The patches were painted black by the fill: the median of their
        // border must not see that.
        for i in (0..w * h).filter(|&i| hidden[i]) {
            px[i * 3..i * 3 + 3].copy_from_slice(&[0, 0, 0]);
        }
        paint_over(&mut px, &hidden, (w as u32, h as u32));
        assert_eq!(px, before, "each patch got its own side's colour");
    }

    #[test]
    fn network_size_scales_small_images_up_and_large_down() {
        let p = TextParams::default();
        assert_eq!(network_size(384, 191, &p), (1480, 736));
        assert_eq!(network_size(4032, 3024, &p), (2048, 1536));
        assert_eq!(network_size(1000, 800, &p), (1000, 800));
    }

    fn bounds(q: &Quad) -> (f32, f32, f32, f32) {
        let f = |i: usize, m: fn(f32, f32) -> f32, init: f32| q.iter().map(|p| p[i]).fold(init, m);
        (
            f(0, f32::min, f32::MAX),
            f(1, f32::min, f32::MAX),
            f(0, f32::max, f32::MIN),
            f(1, f32::max, f32::MIN),
        )
    }

    #[test]
    fn regions_are_connected_thresholded_and_grown() {
        let (w, h) = (40, 20);
        let mut prob = vec![0.0f32; w * h];
        // A 10×4 line of text at (5, 5), strongly detected.
        for y in 5..9 {
            for x in 5..15 {
                prob[y * w + x] = 0.9;
            }
        }
        // A weak blob: above the binary threshold, below the box threshold.
        for y in 12..16 {
            for x in 25..30 {
                prob[y * w + x] = 0.35;
            }
        }
        let found = regions(&prob, w, h, &TextParams::default(), SPECK);
        assert_eq!(found.len(), 1);
        let (q, s) = found[0];
        assert!((s - 0.9).abs() < 1e-6);
        // Upright, grown by 10·4·2 / (2·14) ≈ 2.86 px on each side.
        let g = 10.0 * 4.0 * 2.0 / 28.0;
        let (x0, y0, x1, y1) = bounds(&q);
        for (got, want) in [(x0, 5.0 - g), (y0, 5.0 - g), (x1, 15.0 + g), (y1, 9.0 + g)] {
            assert!((got - want).abs() < 1e-3, "{q:?}");
        }
    }

    #[test]
    fn the_second_look_keeps_no_thick_block_nor_anything_where_one_was() {
        let quad = |x: f32, y: f32, w: f32, h: f32| -> (Quad, f32) {
            ([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], 0.9)
        };
        let mut doubt = Doubt::new((800, 600));
        // A block 150 px thick, a line inside it, a line elsewhere.
        let mut found = vec![
            quad(100.0, 100.0, 200.0, 150.0),
            quad(150.0, 150.0, 40.0, 8.0),
            quad(400.0, 400.0, 40.0, 8.0),
        ];
        doubt.sift(&mut found, 48.0);
        assert_eq!(found, vec![quad(400.0, 400.0, 40.0, 8.0)]);
        // A later look at the same image: a fragment where the block was
        // goes too, a line 48 px thick elsewhere stays.
        let mut later = vec![
            quad(280.0, 240.0, 6.0, 4.0),
            quad(500.0, 100.0, 300.0, 48.0),
        ];
        doubt.sift(&mut later, 48.0);
        assert_eq!(later, vec![quad(500.0, 100.0, 300.0, 48.0)]);
    }

    #[test]
    fn what_the_second_look_misread_is_kept_for_one_image_only() {
        let block = (
            [
                [100.0, 100.0],
                [300.0, 100.0],
                [300.0, 250.0],
                [100.0, 250.0],
            ],
            0.9,
        );
        let line = (
            [
                [150.0, 150.0],
                [190.0, 150.0],
                [190.0, 158.0],
                [150.0, 158.0],
            ],
            0.9,
        );
        let kept = |doubt: &mut Doubt| {
            let mut found = vec![line];
            doubt.sift(&mut found, 48.0);
            found.len()
        };
        let mut doubt = Doubt::default();
        doubt.begin((800, 600));
        doubt.sift(&mut vec![block], 48.0);
        // Later rounds of the same image: the place stays in doubt.
        doubt.begin((800, 600));
        assert_eq!(kept(&mut doubt), 0);
        // An image of another size starts afresh: its text there is read.
        doubt.begin((640, 480));
        assert_eq!(kept(&mut doubt), 1);
        // So does the next image of the same size once the detector is told
        // it starts (scrub does, before each image and each output look),
        // whatever a first round paints over.
        let mut det = TextDetector::new(1, TextParams::default()).unwrap();
        let page = RgbImage::from_pixel(800, 600, image::Rgb([230, 230, 230]));
        det.detect(&page, 0.4, &[]).unwrap();
        det.doubt.sift(&mut vec![block], 48.0);
        det.detect(&page, 0.4, &[]).unwrap();
        assert_eq!(kept(&mut det.doubt), 0, "a later round keeps the doubt");
        det.start();
        assert_eq!(kept(&mut det.doubt), 1, "a new image starts afresh");
    }

    #[test]
    fn specks_are_judged_in_image_pixels() {
        // Read at its own size or smaller: 2 network pixels.
        assert_eq!(speck(1280, 1308), 2.0 * 1308.0 / 1280.0);
        assert_eq!(speck(4032, 2048), 2.0);
        // Enlarged 1.5×: 3 network pixels, 2 image pixels.
        assert_eq!(speck(1280, 1920), 3.0);
        // A region 2 network pixels thick is kept at the first scale and a
        // speck at the second.
        let (w, h) = (20, 10);
        let mut prob = vec![0.0f32; w * h];
        for y in 4..6 {
            for x in 3..15 {
                prob[y * w + x] = 0.9;
            }
        }
        let p = TextParams::default();
        assert_eq!(regions(&prob, w, h, &p, speck(1280, 1280)).len(), 1);
        assert!(regions(&prob, w, h, &p, speck(1280, 1920)).is_empty());
    }

    #[test]
    fn a_slanted_line_gets_a_slanted_outline_that_holds_it() {
        let (w, h) = (120, 120);
        let mut prob = vec![0.0f32; w * h];
        // A line 3 px thick rising at 30° from (10, 90) for 80 px.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let mut on = Vec::new();
        for t in 0..800 {
            for d in -15..=15 {
                let (t, d) = (t as f32 / 10.0, d as f32 / 10.0);
                let (x, y) = (10.0 + t * c + d * s, 90.0 - t * s + d * c);
                let i = y as usize * w + x as usize;
                prob[i] = 0.9;
                on.push((x as usize, y as usize));
            }
        }
        let p = TextParams {
            unclip: 0.0,
            ..TextParams::default()
        };
        let found = regions(&prob, w, h, &p, SPECK);
        assert_eq!(found.len(), 1);
        let quad = found[0].0;
        let r = crate::geometry::Rect::from_quad(quad, w as u32, h as u32).unwrap();
        for &(x, y) in &on {
            assert!(
                r.contains(x as u32, y as u32),
                "({x}, {y}) outside {quad:?}"
            );
        }
        // Far less than the upright box around the line (70 × 41 px).
        let filled: u32 = (0..h as u32)
            .filter_map(|y| r.row_span(y))
            .map(|(a, b)| b - a)
            .sum();
        assert!(filled < 70 * 41 / 3, "{filled}");
    }
}
