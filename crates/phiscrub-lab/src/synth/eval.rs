//! Scores the scrubber on synthetic scenes: how much of every band's and
//! screen's ink the fills cover, from the scrubber's own fill regions and the
//! scene's exact masks.

use super::label::PartKind;
use super::{SceneKind, scene};
use image::RgbImage;
use phiscrub::Scrubber;
use phiscrub::detect::FindingKind;
use phiscrub::error::ScrubError;
use rayon::prelude::*;
use std::time::Instant;

/// A band (or screen, or line) counts as covered when at least this share of
/// its ink pixels lies under fills.
///
/// ```
/// use phiscrub_lab::synth::eval::{run, SynthRun, COVERED};
/// use phiscrub_lab::synth::SceneKind;
/// use phiscrub::{Config, Scrubber};
/// // A screen has no face; the text detector is what covers it.
/// let scrubber = Scrubber::new(Config { detect_faces: false, ..Config::default() })?;
/// let plan = SynthRun {
///     kind: SceneKind::Screens,
///     count: 1,
///     seed: 1,
///     backgrounds: &[],
///     size: (640, 480),
///     threads: 1,
///     save: None,
/// };
/// let s = run(&scrubber, &plan)?;
/// assert_eq!((s.exported, s.objects), (1, 1), "{:?}", s.problems);
/// // The screen counts as covered: at least `COVERED` of its ink lies under fills.
/// assert!(s.ink_covered >= COVERED, "{}", s.ink_covered);
/// assert_eq!(s.objects_covered, 1);
/// assert_eq!(s.lines_covered, s.lines);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const COVERED: f64 = 0.99;

/// Results of one synthetic run.
///
/// ```
/// use phiscrub_lab::synth::eval::{run, SynthRun, SynthScores};
/// use phiscrub_lab::synth::SceneKind;
/// use phiscrub::{Config, Scrubber};
/// // A baseline: a scrubber that looks at no pixels (metadata only).
/// let blind = Scrubber::new(Config {
///     detect_faces: false,
///     detect_text: false,
///     detect_codes: false,
///     ..Config::default()
/// })?;
/// let plan = SynthRun {
///     kind: SceneKind::Bands,
///     count: 3,
///     seed: 2,
///     backgrounds: &[],
///     size: (400, 300),
///     threads: 1,
///     save: None,
/// };
/// let s: SynthScores = run(&blind, &plan)?;
/// assert_eq!((s.kind, s.seed, s.images, s.exported), ("bands", 2, 3, 3));
/// // Every band carries at least three lines of text and a code,
/// assert!(s.objects >= 3 && s.lines >= 3 * s.objects && s.codes >= s.objects);
/// // and this scrubber covers none of them.
/// assert_eq!((s.objects_covered, s.lines_covered, s.codes_covered), (0, 0, 0));
/// // Every scene was exported, so every band counts over exported scenes too.
/// assert_eq!((s.objects_exported, s.lines_exported), (s.objects, s.lines));
/// assert_eq!((s.ink_covered, s.area_away), (0.0, 0.0));
/// assert!(s.findings.is_empty());
/// // Each band left uncovered is listed with what fell short.
/// assert_eq!(s.problems.len(), s.objects);
/// assert!(s.problems[0].contains("not covered"), "{}", s.problems[0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SynthScores {
    /// The scene kind's name (`"bands"` or `"screens"`).
    pub kind: &'static str,
    /// The seed the scenes were generated from: the same seed gives the same
    /// scenes.
    pub seed: u64,
    /// Scenes generated and scrubbed ([`SynthRun::count`]).
    pub images: usize,
    /// Scenes the scrubber exported.
    pub exported: usize,
    /// Refused because verification still found something.
    pub refused_residual: usize,
    /// Not exported for any other reason: a refusal other than residual
    /// findings, unreadable input or an internal error.
    pub refused_other: usize,
    /// Residual findings over the refused images.
    pub residual_findings: usize,
    /// Bands or screens, and those with ≥ 99 % of their ink covered
    /// (objects in refused images count as not covered: nothing was exported).
    pub objects: usize,
    /// Of `objects`, those whose parts' ink, taken together, is at least
    /// [`COVERED`] under fills (face fills included).
    pub objects_covered: usize,
    /// Text lines and codes, and those with ≥ 99 % of their ink covered.
    pub lines: usize,
    /// Of `lines`, those with at least [`COVERED`] of their own ink under fills.
    pub lines_covered: usize,
    /// Codes in all scenes, refused ones included (there, not covered).
    pub codes: usize,
    /// Of `codes`, those with at least [`COVERED`] of their modules under fills.
    pub codes_covered: usize,
    /// Of `objects`, those in exported scenes: the denominator of the
    /// coverage over exported images, as `textcover.py` and `facerecall.py`
    /// count it. A refused scene leaks nothing, but its picture is lost,
    /// so both figures are reported.
    pub objects_exported: usize,
    /// Of `lines`, those in exported scenes.
    pub lines_exported: usize,
    /// Of `codes`, those in exported scenes.
    pub codes_exported: usize,
    /// Ink pixels covered, pooled over exported images.
    pub ink_covered: f64,
    /// Share of image area filled for text, codes or wristbands away from
    /// any band or screen (faces in the backgrounds are not counted), over
    /// exported images: a refused scene filled nothing anyone sees.
    pub area_away: f64,
    /// Findings by kind over exported images.
    pub findings: std::collections::BTreeMap<&'static str, usize>,
    /// Wall-clock seconds of the whole run: generating, scrubbing, saving and
    /// scoring, on all workers.
    pub seconds: f64,
    /// One line per image not exported, and one per band or screen left
    /// uncovered in an exported image (naming the parts that fell short).
    pub problems: Vec<String>,
}

/// What to generate and how to run it.
///
/// ```
/// use phiscrub_lab::synth::eval::{run, SynthRun};
/// use phiscrub_lab::synth::SceneKind;
/// use phiscrub::{Config, Scrubber};
/// # let cat = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/photos/chelsea.png");
/// // Two small band scenes on a photo, kept for a look afterwards.
/// let backgrounds = [image::open(cat)?.to_rgb8()];
/// let dir = tempfile::tempdir()?;
/// let plan = SynthRun {
///     kind: SceneKind::Bands,
///     count: 2,
///     seed: 9,
///     backgrounds: &backgrounds,
///     size: (320, 240),
///     threads: 2,
///     save: Some(dir.path()),
/// };
/// // (Metadata only here, to keep the example quick.)
/// let blind = Scrubber::new(Config {
///     detect_faces: false,
///     detect_text: false,
///     detect_codes: false,
///     ..Config::default()
/// })?;
/// let scores = run(&blind, &plan)?;
/// assert_eq!((scores.kind, scores.seed, scores.images), ("bands", 9, 2));
/// // Each scene and its scrubbed output are saved under the scene's name.
/// assert!(dir.path().join("bands_9_0001.jpg").is_file());
/// assert!(dir.path().join("bands_9_0001_scrubbed.jpg").is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SynthRun<'a> {
    /// Wristbands or screens.
    pub kind: SceneKind,
    /// Scenes to generate: indices `0..count` of `seed`.
    pub count: usize,
    /// Seed of the scenes: scene `i` is the same for the same seed, `kind`,
    /// `backgrounds` and `size`, whatever `threads`.
    pub seed: u64,
    /// Photos to place the objects on, scaled and cropped to cover `size`;
    /// empty for plain gradient backgrounds.
    pub backgrounds: &'a [RgbImage],
    /// `(width, height)` of every scene, in pixels.
    pub size: (u32, u32),
    /// Worker threads scrubbing scenes in parallel (0 is taken as 1).
    pub threads: usize,
    /// Folder to write every scene and its scrubbed output into.
    pub save: Option<&'a std::path::Path>,
}

/// Generates `run.count` scenes, scrubs each, and scores.
///
/// ```
/// use phiscrub_lab::synth::{eval, SceneKind};
/// use phiscrub::{Config, Scrubber};
/// // With every detector off nothing is covered: the score must say so.
/// let blind = Config { detect_faces: false, detect_text: false, detect_codes: false, ..Config::default() };
/// let scrubber = Scrubber::new(blind)?;
/// let run = eval::SynthRun {
///     kind: SceneKind::Bands, count: 2, seed: 1, backgrounds: &[],
///     size: (640, 480), threads: 1, save: None,
/// };
/// let scores = eval::run(&scrubber, &run)?;
/// assert_eq!(scores.exported, 2);
/// assert!(scores.objects >= 2 && scores.lines > 0);
/// assert_eq!((scores.objects_covered, scores.lines_covered), (0, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(scrubber: &Scrubber, run: &SynthRun<'_>) -> Result<SynthScores, String> {
    let SynthRun {
        kind,
        count,
        seed,
        backgrounds,
        size,
        threads,
        save,
    } = *run;
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| format!("could not start worker threads: {e}"))?;
    let per_image: Vec<Tally> = pool.install(|| {
        (0..count)
            .into_par_iter()
            .map(|i| {
                let s = scene(kind, seed, i as u64, backgrounds, size);
                let result = scrubber.scrub(&s.jpeg);
                if let Some(dir) = save {
                    let name = format!("{}_{seed}_{i:04}", kind.as_str());
                    let _ = std::fs::write(dir.join(format!("{name}.jpg")), &s.jpeg);
                    if let Ok(out) = &result {
                        let _ =
                            std::fs::write(dir.join(format!("{name}_scrubbed.jpg")), &out.bytes);
                    }
                }
                score_one(&s, result, i)
            })
            .collect()
    });
    let mut total = SynthScores {
        kind: kind.as_str(),
        seed,
        images: count,
        ..Default::default()
    };
    let (mut ink, mut ink_hit, mut away, mut area) = (0u64, 0u64, 0u64, 0u64);
    for Tally {
        scores: s,
        ink: i,
        ink_hit: ih,
        away: aw,
        area: ar,
    } in per_image
    {
        (ink, ink_hit, away, area) = (ink + i, ink_hit + ih, away + aw, area + ar);
        total.exported += s.exported;
        total.refused_residual += s.refused_residual;
        total.refused_other += s.refused_other;
        total.residual_findings += s.residual_findings;
        total.objects += s.objects;
        total.objects_covered += s.objects_covered;
        total.lines += s.lines;
        total.lines_covered += s.lines_covered;
        total.codes += s.codes;
        total.codes_covered += s.codes_covered;
        total.objects_exported += s.objects_exported;
        total.lines_exported += s.lines_exported;
        total.codes_exported += s.codes_exported;
        for (k, n) in s.findings {
            *total.findings.entry(k).or_insert(0) += n;
        }
        total.problems.extend(s.problems);
    }
    total.ink_covered = ink_hit as f64 / ink.max(1) as f64;
    total.area_away = away as f64 / area.max(1) as f64;
    total.seconds = start.elapsed().as_secs_f64();
    Ok(total)
}

/// One image's counts, and the pixel counts behind the pooled shares.
struct Tally {
    scores: SynthScores,
    ink: u64,
    ink_hit: u64,
    away: u64,
    area: u64,
}

fn score_one(s: &super::Scene, result: Result<phiscrub::Scrubbed, ScrubError>, i: usize) -> Tally {
    let mut out = SynthScores {
        objects: s.objects,
        ..Default::default()
    };
    let area = s.width as u64 * s.height as u64;
    let parts = &s.parts;
    out.lines = parts.iter().filter(|p| p.0 == PartKind::Text).count();
    out.codes = parts.iter().filter(|p| p.0 == PartKind::Code).count();
    let scrubbed = match result {
        Ok(r) => r,
        Err(e) => {
            match &e {
                ScrubError::Refused(r) if r.reason == phiscrub::RefusalReason::Residual => {
                    out.refused_residual = 1;
                    out.residual_findings = r.residual.len();
                }
                _ => out.refused_other = 1,
            }
            out.problems.push(format!("scene {i}: {e}"));
            return Tally {
                scores: out,
                ink: 0,
                ink_hit: 0,
                away: 0,
                area: 0,
            };
        }
    };
    out.exported = 1;
    (out.objects_exported, out.lines_exported, out.codes_exported) =
        (out.objects, out.lines, out.codes);
    let (w, h) = (s.width, s.height);
    let mut filled = vec![false; (w * h) as usize];
    let mut pixel_fill = vec![false; (w * h) as usize];
    for (f, r) in scrubbed.findings.iter().zip(&scrubbed.filled) {
        for y in r.y0..r.y1 {
            if let Some((a, b)) = r.row_span(y) {
                for x in a..b {
                    let i = (y * w + x) as usize;
                    filled[i] = true;
                    if f.kind != FindingKind::Face {
                        pixel_fill[i] = true;
                    }
                }
            }
        }
    }
    for f in &scrubbed.findings {
        *out.findings.entry(f.kind.as_str()).or_insert(0) += 1;
    }
    let n = parts.len();
    let (mut part_ink, mut part_hit) = (vec![0u64; n], vec![0u64; n]);
    for (i, &k) in s.ink.iter().enumerate() {
        if k != 0 {
            part_ink[k as usize - 1] += 1;
            part_hit[k as usize - 1] += filled[i] as u64;
        }
    }
    let covered = |ink: u64, hit: u64| ink == 0 || hit as f64 >= COVERED * ink as f64;
    for (k, &(kind, _)) in parts.iter().enumerate() {
        if covered(part_ink[k], part_hit[k]) {
            match kind {
                PartKind::Text => out.lines_covered += 1,
                PartKind::Code => out.codes_covered += 1,
            }
        }
    }
    for object in 0..s.objects {
        let (ink, hit) = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.1 == object)
            .fold((0, 0), |(a, b), (k, _)| (a + part_ink[k], b + part_hit[k]));
        if covered(ink, hit) {
            out.objects_covered += 1;
            continue;
        }
        // Say which parts fell short: a miss is tuned away only once it
        // is known whether whole lines or a code's edge are left.
        let short: Vec<String> = parts
            .iter()
            .enumerate()
            .filter(|(k, p)| p.1 == object && !covered(part_ink[*k], part_hit[*k]))
            .map(|(k, p)| {
                let kind = match p.0 {
                    PartKind::Text => "line",
                    PartKind::Code => "code",
                };
                let share = part_hit[k] as f64 / part_ink[k] as f64;
                format!("{kind} {:.0} % of {} px", 100.0 * share, part_ink[k])
            })
            .collect();
        out.problems.push(format!(
            "scene {i}: object {object} not covered: {}",
            short.join(", ")
        ));
    }
    let away = pixel_fill
        .iter()
        .zip(&s.footprint)
        .filter(|&(&f, &on)| f && !on)
        .count() as u64;
    Tally {
        scores: out,
        ink: part_ink.iter().sum(),
        ink_hit: part_hit.iter().sum(),
        away,
        area,
    }
}
