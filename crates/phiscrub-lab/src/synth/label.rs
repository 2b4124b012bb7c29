//! Flat artwork before it is bent into a scene: wristband labels and monitor
//! screens, drawn with real fonts and real codes, each text line and code
//! recorded as a *part* with the exact pixels of its ink.
//!
//! Every name, date and number is invented from syllables and random digits;
//! nothing here resembles a real record.

use super::Rng;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{Rgb, RgbImage};
use rxing::{BarcodeFormat, MultiFormatWriter, Writer};

/// What a part of the artwork is.
///
/// ```
/// use phiscrub_lab::synth::label::{band, PartKind};
/// use phiscrub_lab::synth::Rng;
/// let flat = band(&mut Rng::new(5));
/// // Name, date of birth and record number at least, and one or two codes.
/// let lines = flat.parts.iter().filter(|&&k| k == PartKind::Text).count();
/// let codes = flat.parts.iter().filter(|&&k| k == PartKind::Code).count();
/// assert!(lines >= 3 && (1..=2).contains(&codes));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// One line of text; its ink is glyph pixels at least 35 % covered.
    Text,
    /// One barcode or 2D code; its ink is the dark modules (no quiet zone).
    Code,
}

/// Artwork in its own flat coordinates: pixels, and for every pixel the
/// part (1-based; 0 for none) whose ink it holds.
///
/// ```
/// use phiscrub_lab::synth::{label::screen, Rng};
/// let flat = screen(&mut Rng::new(9));
/// let (w, h) = flat.rgb.dimensions();
/// assert_eq!(flat.ink.len(), (w * h) as usize);
/// // Part `k` is `parts[k - 1]`, and every part has ink of its own.
/// for k in 1..=flat.parts.len() as u32 {
///     assert!(flat.ink.contains(&k), "part {k}");
/// }
/// assert!(flat.ink.iter().all(|&k| k as usize <= flat.parts.len()));
/// // The bezel's corner is no part's ink.
/// assert_eq!(flat.ink[0], 0);
/// ```
pub struct Flat {
    /// The artwork's pixels, unbent (band or bezel and screen included).
    pub rgb: RgbImage,
    /// Per pixel of `rgb`, row by row: 0, or the 1-based part whose ink it
    /// holds (where parts overlap, the one drawn last).
    pub ink: Vec<u32>,
    /// `parts[k - 1]` is the kind of part `k`, in drawing order.
    pub parts: Vec<PartKind>,
}

/// A glyph pixel counts as ink from this coverage on: fainter anti-aliased
/// fringes carry no readable shape.
const INK_COVERAGE: f32 = 0.35;

static FONTS: [&[u8]; 3] = [
    include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSerif.ttf"),
];

fn font(i: usize) -> FontRef<'static> {
    FontRef::try_from_slice(FONTS[i % FONTS.len()]).expect("the bundled fonts parse")
}

impl Flat {
    fn new(w: u32, h: u32, bg: [u8; 3]) -> Flat {
        Flat {
            rgb: RgbImage::from_pixel(w, h, Rgb(bg)),
            ink: vec![0; (w * h) as usize],
            parts: Vec::new(),
        }
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, color: [u8; 3]) {
        for yy in y..(y + h).min(self.rgb.height()) {
            for xx in x..(x + w).min(self.rgb.width()) {
                self.rgb.put_pixel(xx, yy, Rgb(color));
            }
        }
    }

    /// Draws one line of text as a new part; returns its width.
    fn text(
        &mut self,
        f: &FontRef<'_>,
        px: f32,
        x: f32,
        baseline: f32,
        s: &str,
        ink: [u8; 3],
    ) -> f32 {
        self.parts.push(PartKind::Text);
        let id = self.parts.len() as u32;
        let scaled = f.as_scaled(PxScale::from(px));
        let mut caret = x;
        let (w, h) = self.rgb.dimensions();
        for c in s.chars() {
            let gid = scaled.glyph_id(c);
            let glyph = gid.with_scale_and_position(px, ab_glyph::point(caret, baseline));
            caret += scaled.h_advance(gid);
            let Some(outline) = f.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                let (px_, py_) = (b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64);
                if px_ < 0 || py_ < 0 || px_ >= w as i64 || py_ >= h as i64 || cov <= 0.0 {
                    return;
                }
                let (px_, py_) = (px_ as u32, py_ as u32);
                let p = self.rgb.get_pixel_mut(px_, py_);
                for c in 0..3 {
                    p[c] = (p[c] as f32 * (1.0 - cov) + ink[c] as f32 * cov).round() as u8;
                }
                if cov >= INK_COVERAGE {
                    self.ink[(py_ * w + px_) as usize] = id;
                }
            });
        }
        caret - x
    }

    /// Draws a code's modules (`true` = dark) as a new part.
    fn code(
        &mut self,
        modules: &[Vec<bool>],
        x: u32,
        y: u32,
        module: u32,
        bar_height: Option<u32>,
    ) {
        self.parts.push(PartKind::Code);
        let id = self.parts.len() as u32;
        let (w, h) = self.rgb.dimensions();
        let rows: Vec<&Vec<bool>> = match bar_height {
            // A 1D code is one row of modules drawn as tall bars.
            Some(bh) => std::iter::repeat_n(&modules[0], (bh / module).max(1) as usize).collect(),
            None => modules.iter().collect(),
        };
        for (r, row) in rows.iter().enumerate() {
            for (c, &dark) in row.iter().enumerate() {
                if !dark {
                    continue;
                }
                for dy in 0..module {
                    for dx in 0..module {
                        let (px, py) = (x + c as u32 * module + dx, y + r as u32 * module + dy);
                        if px < w && py < h {
                            self.rgb.put_pixel(px, py, Rgb([20, 20, 24]));
                            self.ink[(py * w + px) as usize] = id;
                        }
                    }
                }
            }
        }
    }
}

fn measure(f: &FontRef<'_>, px: f32, s: &str) -> f32 {
    let scaled = f.as_scaled(PxScale::from(px));
    s.chars()
        .map(|c| scaled.h_advance(scaled.glyph_id(c)))
        .sum()
}

/// Encodes `contents` and returns the symbol's modules, row by row, without
/// any quiet zone rxing adds (the artwork leaves its own).
fn modules(contents: &str, format: BarcodeFormat) -> Vec<Vec<bool>> {
    let m = MultiFormatWriter
        .encode(contents, &format, 0, 0)
        .expect("rxing encodes short ASCII contents");
    let (w, h) = (m.getWidth(), m.getHeight());
    let rows: Vec<Vec<bool>> = (0..h)
        .map(|y| (0..w).map(|x| m.get(x, y)).collect())
        .collect();
    let first = (0..w as usize)
        .find(|&x| rows.iter().any(|r| r[x]))
        .unwrap_or(0);
    let last = (0..w as usize)
        .rev()
        .find(|&x| rows.iter().any(|r| r[x]))
        .unwrap_or(0);
    rows.into_iter()
        .filter(|r| r.iter().any(|&b| b))
        .map(|r| r[first..=last].to_vec())
        .collect()
}

fn syllables(rng: &mut Rng, n: usize) -> String {
    const S: [&str; 24] = [
        "ka", "lo", "mi", "ren", "dus", "vel", "tor", "sa", "ni", "bo", "qua", "zel", "fi", "mar",
        "te", "jun", "pol", "xi", "ra", "vo", "lin", "de", "gor", "su",
    ];
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(S[rng.below(S.len() as u64) as usize]);
    }
    s
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn date(rng: &mut Rng) -> String {
    format!(
        "{:02}/{:02}/{}",
        1 + rng.below(28),
        1 + rng.below(12),
        1930 + rng.below(90)
    )
}

/// A fake patient: "LASTNAME, First", date of birth, record number.
struct Patient {
    name: String,
    dob: String,
    record: String,
}

fn patient(rng: &mut Rng) -> Patient {
    let n = 2 + rng.below(2) as usize;
    let last = syllables(rng, n).to_uppercase();
    let n = 1 + rng.below(2) as usize;
    let first = capitalised(&syllables(rng, n));
    let n = 7 + rng.below(4) as usize;
    Patient {
        name: format!("{last}, {first}"),
        dob: date(rng),
        record: digits(rng, n),
    }
}

/// The printable colours of wristbands: white, yellow, red (allergy; the
/// label is a white sticker on it), and a pale blue.
const BANDS: [[u8; 3]; 4] = [
    [244, 244, 238],
    [246, 214, 60],
    [206, 40, 44],
    [170, 200, 232],
];

/// A wristband strip: the label (name, date of birth, record number, maybe a
/// ward line) with a Code 128 and/or a DataMatrix code, on a longer band.
///
/// ```
/// use phiscrub_lab::synth::label::{band, PartKind};
/// use phiscrub_lab::synth::Rng;
/// let flat = band(&mut Rng::new(11));
/// // A strip: wider than tall, with the label in the middle.
/// let (w, h) = flat.rgb.dimensions();
/// assert!(w > 2 * h);
/// assert_eq!(flat.parts[..3], [PartKind::Text; 3]);
/// assert!(flat.parts.contains(&PartKind::Code));
/// // The same generator state gives the same band.
/// assert_eq!(band(&mut Rng::new(11)).rgb, flat.rgb);
/// ```
pub fn band(rng: &mut Rng) -> Flat {
    let p = patient(rng);
    let px = rng.range(16.0, 30.0);
    let bold = font(0);
    let body = font(rng.below(3) as usize);
    let mut lines = vec![
        (p.name.clone(), &bold, px * 1.15),
        (
            format!("DOB {}  {}", p.dob, ["F", "M", "X"][rng.below(3) as usize]),
            &body,
            px,
        ),
        (format!("MRN {}", p.record), &body, px),
    ];
    if rng.below(2) == 0 {
        lines.push((
            format!(
                "Unit {}{}  Bed {}",
                1 + rng.below(9),
                ["A", "B", "C"][rng.below(3) as usize],
                1 + rng.below(40)
            ),
            &body,
            px * 0.9,
        ));
    }
    let line_gap = 1.35;
    let text_w = lines
        .iter()
        .map(|(s, f, sz)| measure(f, *sz, s))
        .fold(0.0, f32::max);
    let text_h: f32 = lines.iter().map(|(_, _, sz)| sz * line_gap).sum();
    let module = 2 + rng.below(2) as u32;
    let want_1d = rng.below(10) < 7;
    let want_2d = !want_1d || rng.below(2) == 0;
    let linear = want_1d.then(|| modules(&p.record, BarcodeFormat::CODE_128));
    let matrix = want_2d.then(|| {
        modules(
            &format!("{}|{}", p.record, p.dob),
            BarcodeFormat::DATA_MATRIX,
        )
    });
    let bar_h = (text_h * 0.6).max(30.0) as u32;
    let code_w = linear.as_ref().map_or(0, |m| m[0].len() as u32 * module);
    let dm_w = matrix.as_ref().map_or(0, |m| m[0].len() as u32 * module);
    let margin = (px * 0.8) as u32;
    let label_w = margin * 4 + text_w as u32 + code_w.max(dm_w * 2);
    let label_h = (text_h as u32 + 2 * margin).max(bar_h + 2 * margin);
    let band_color = BANDS[rng.below(BANDS.len() as u64) as usize];
    let extra = label_w / 3;
    let mut flat = Flat::new(label_w + 2 * extra, label_h + label_h / 5, band_color);
    let (lx, ly) = (extra, label_h / 10);
    if band_color == BANDS[2] {
        flat.rect(lx, ly, label_w, label_h, [248, 248, 248]);
    }
    let mut y = ly as f32 + margin as f32;
    for (s, f, sz) in &lines {
        y += sz * 1.0;
        flat.text(f, *sz, (lx + margin) as f32, y, s, [18, 18, 22]);
        y += sz * (line_gap - 1.0);
    }
    let cx = lx + 2 * margin + text_w as u32;
    if let Some(m) = &linear {
        flat.code(m, cx + margin, ly + margin, module, Some(bar_h));
    }
    if let Some(m) = &matrix {
        let x = cx
            + margin
            + if linear.is_some() {
                code_w.saturating_sub(dm_w)
            } else {
                0
            };
        let y = if linear.is_some() {
            ly + margin + bar_h + module * 2
        } else {
            ly + margin
        };
        if y + dm_w < flat.rgb.height() {
            flat.code(m, x, y, module, None);
        }
    }
    flat
}

/// A bedside monitor or chart screen: lines of vitals and chart text on a
/// dark or white background, in a bezel.
///
/// ```
/// use phiscrub_lab::synth::label::{screen, PartKind};
/// use phiscrub_lab::synth::Rng;
/// let flat = screen(&mut Rng::new(4));
/// // Five lines of header and vitals and at least three chart lines; no codes.
/// assert!(flat.parts.len() >= 8);
/// assert!(flat.parts.iter().all(|&k| k == PartKind::Text));
/// // Inside a dark grey bezel.
/// assert_eq!(flat.rgb.get_pixel(0, 0).0, [34, 34, 38]);
/// ```
pub fn screen(rng: &mut Rng) -> Flat {
    let p = patient(rng);
    let px = rng.range(16.0, 28.0);
    let dark = rng.below(3) != 0;
    let (bg, inks): ([u8; 3], &[[u8; 3]]) = if dark {
        (
            [14, 18, 24],
            &[
                [80, 230, 90],
                [240, 220, 60],
                [90, 220, 240],
                [235, 235, 235],
                [250, 150, 60],
            ],
        )
    } else {
        (
            [246, 247, 250],
            &[[20, 20, 30], [30, 60, 160], [150, 20, 20]],
        )
    };
    let f = font(rng.below(3) as usize);
    const WORDS: [&str; 16] = [
        "stable",
        "post-op",
        "day",
        "wound",
        "dressing",
        "changed",
        "pain",
        "score",
        "review",
        "fluids",
        "oral",
        "intake",
        "mobilised",
        "chair",
        "obs",
        "hourly",
    ];
    let mut lines = vec![
        format!("{}   MRN {}", p.name, p.record),
        format!("DOB {}   Adm {}", p.dob, date(rng)),
        format!(
            "HR {} bpm   SpO2 {} %   RR {}",
            55 + rng.below(60),
            88 + rng.below(12),
            10 + rng.below(20)
        ),
        format!(
            "NIBP {}/{} ({})",
            95 + rng.below(60),
            50 + rng.below(40),
            65 + rng.below(30)
        ),
        format!(
            "Temp {}.{} C   Dr {}",
            36 + rng.below(3),
            rng.below(10),
            capitalised(&syllables(rng, 3))
        ),
    ];
    for _ in 0..3 + rng.below(8) {
        let n = 3 + rng.below(5) as usize;
        let words: Vec<&str> = (0..n)
            .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
            .collect();
        lines.push(format!("{} {}", date(rng), words.join(" ")));
    }
    let text_w = lines.iter().map(|s| measure(&f, px, s)).fold(0.0, f32::max);
    let bezel = (px * 1.2) as u32;
    let (w, h) = (
        text_w as u32 + 4 * bezel,
        ((lines.len() as f32 + 1.0) * px * 1.5) as u32 + 2 * bezel,
    );
    let mut flat = Flat::new(w, h, [34, 34, 38]);
    flat.rect(bezel, bezel, w - 2 * bezel, h - 2 * bezel, bg);
    let mut y = bezel as f32 + px * 1.5;
    for s in &lines {
        let ink = inks[rng.below(inks.len() as u64) as usize];
        flat.text(&f, px, (2 * bezel) as f32, y, s, ink);
        y += px * 1.5;
    }
    flat
}
