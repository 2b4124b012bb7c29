//! Wristbands and labels: text and codes that sit together on one strip are
//! one thing to cover. Filling each glyph box leaves the strip between them,
//! with fragments of glyphs the detector cut short; covering the whole strip
//! leaves nothing to read.
//!
//! A group forms around every code decoded or found by its bars (unless the
//! bars lie inside a longer line of text: letters pass for bars), and around
//! a square the matrix finder reports when two lines of text lie beside it
//! (one glyph passes for modules; a name over a date beside one is a label):
//! text boxes within reach of it, or of text already in the group, join. Reach scales with the size of the text
//! (line height) so that the rule holds at any distance from the camera.
//! Text without a code nearby stays text: a whiteboard is not a wristband.

use crate::detect::{Finding, FindingKind};
use crate::geometry::{BoxF, quad_thickness};

/// Gap, in multiples of the smaller line height (or code thickness), across
/// which two findings count as neighbours on one label.
const REACH: f32 = 1.5;

/// The strip around a group reaches this many median line heights beyond
/// its outermost findings.
const MARGIN: f32 = 0.5;

/// A label holds a few lines (name, date of birth, record number, ward) and
/// its codes: a group stacked deeper than this many median line heights
/// across its text is a page, a receipt or a form, whose lines are covered
/// one by one rather than by blacking out the whole sheet.
const LABEL_DEPTH: f32 = 8.0;

/// A square the matrix finder reports (not decoded, no bars) starts a group
/// only with at least this many lines of text within reach: one word beside a
/// glyph that passes for modules is not a label, a name over a date of birth
/// beside a symbol is.
const SQUARE_LINES: usize = 2;

/// A strip covering more than this share of the photo is kept only when one
/// of its codes decoded. A wristband, even photographed close, is a strip
/// of the picture; a larger group of undecoded "codes" and text is fabric,
/// blinds or a facade beside a sign, and blacking it out loses the photo.
/// Its text and codes are then covered one by one.
const LARGE_STRIP: f32 = 0.1;

/// A code found by its bars or modules this much inside a text finding ...
const LINE_COVER: f32 = 0.8;

/// ... whose line is this many times longer than the code is, is strokes of
/// that line's glyphs (see `within_a_line`).
const LINE_RUN: f32 = 2.0;

/// Replaces each group of codes and nearby text by one wristband finding
/// covering the strip; other findings pass through unchanged.
///
/// ```
/// use phiscrub::{BoxF, Finding, FindingKind};
/// use phiscrub::detect::wristband::group;
/// let code = Finding::new(FindingKind::Code, BoxF::new(100.0, 50.0, 80.0, 20.0), 1.0);
/// let name = Finding::new(FindingKind::Text, BoxF::new(10.0, 52.0, 85.0, 14.0), 0.8);
/// let sign = Finding::new(FindingKind::Text, BoxF::new(10.0, 400.0, 85.0, 14.0), 0.8);
/// let out = group(vec![code, name, sign], 640, 480);
/// assert_eq!(out.len(), 2);
/// let band = out.iter().find(|f| f.kind == FindingKind::Wristband).unwrap();
/// assert!(band.bbox.x < 10.0 && band.bbox.x2() > 180.0);
/// ```
pub fn group(findings: Vec<Finding>, width: u32, height: u32) -> Vec<Finding> {
    group_among(findings, &[], width, height)
}

/// [`group`], with `earlier` findings (text already filled in an earlier
/// round) counted as text around an undecoded code, never grouped or
/// returned: a look at the output sees only what its fills left, and a
/// cluster of characters the input's words explained must not return as a
/// code once the words are black.
///
/// ```
/// use phiscrub::detect::code::MATRIX_SCORE;
/// use phiscrub::detect::wristband::group_among;
/// use phiscrub::{BoxF, Finding, FindingKind};
/// let square = Finding::new(FindingKind::Code, BoxF::new(120.0, 0.0, 24.0, 24.0), MATRIX_SCORE);
/// // Alone, a square of modules is not taken for a code ...
/// assert!(group_among(vec![square.clone()], &[], 1200, 800).is_empty());
/// // ... beside a name already filled, it is.
/// let name = Finding::new(FindingKind::Text, BoxF::new(0.0, 6.0, 110.0, 12.0), 0.8);
/// assert_eq!(group_among(vec![square.clone()], &[name], 1200, 800), vec![square]);
/// ```
pub fn group_among(
    findings: Vec<Finding>,
    earlier: &[Finding],
    width: u32,
    height: u32,
) -> Vec<Finding> {
    let around: Vec<Finding> = findings
        .iter()
        .chain(earlier)
        .filter(|f| f.kind == FindingKind::Text)
        .cloned()
        .collect();
    let member = |f: &Finding| matches!(f.kind, FindingKind::Text | FindingKind::Code);
    let n = findings.len();
    let mut label: Vec<Option<usize>> = vec![None; n];
    for seed in 0..n {
        let seeds = findings[seed].kind == FindingKind::Code
            && (findings[seed].score > crate::detect::code::MATRIX_SCORE
                || text_beside(&findings[seed], &around) >= SQUARE_LINES)
            && !glyphs(&findings[seed], &around);
        if !seeds || label[seed].is_some() {
            continue;
        }
        label[seed] = Some(seed);
        let mut frontier = vec![seed];
        while let Some(i) = frontier.pop() {
            for j in 0..n {
                if label[j].is_none() && member(&findings[j]) && near(&findings[i], &findings[j]) {
                    label[j] = Some(seed);
                    frontier.push(j);
                }
            }
        }
    }
    let mut out = Vec::with_capacity(n);
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        match label[i] {
            // Strokes of a line of text, or characters among words: the
            // text's own fills cover them.
            None if f.kind == FindingKind::Code && glyphs(f, &around) => {}
            // A square of modules with no text beside it: a code that
            // carries a patient's identity is printed with their name (a
            // band, a tube or a chart label), while dense glyphs, patterned
            // fabric and clutter pass the module test alone.
            None if f.kind == FindingKind::Code
                && f.score <= crate::detect::code::MATRIX_SCORE
                && text_beside(f, &around) == 0 => {}
            None => out.push(f.clone()),
            Some(g) => match groups.iter_mut().find(|(s, _)| *s == g) {
                Some((_, m)) => m.push(i),
                None => groups.push((g, vec![i])),
            },
        }
    }
    for (_, members) in groups {
        // Codes with no text beside them are codes, not a label.
        if !members
            .iter()
            .any(|&i| findings[i].kind == FindingKind::Text)
        {
            out.extend(members.iter().map(|&i| findings[i].clone()));
            continue;
        }
        let mut heights: Vec<f32> = members.iter().map(|&i| thickness(&findings[i])).collect();
        heights.sort_by(f32::total_cmp);
        let line = heights[heights.len() / 2];
        if depth(&members, &findings) > LABEL_DEPTH * line {
            out.extend(members.iter().map(|&i| findings[i].clone()));
            continue;
        }
        let m = MARGIN * line;
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        let mut score = 0f32;
        for &i in &members {
            let b = findings[i].bbox;
            x0 = x0.min(b.x);
            y0 = y0.min(b.y);
            x1 = x1.max(b.x2());
            y1 = y1.max(b.y2());
            score = score.max(findings[i].score);
        }
        let bbox = BoxF::from_corners(x0 - m, y0 - m, x1 + m, y1 + m).clipped(width, height);
        let decoded = members.iter().any(|&i| findings[i].score >= 1.0);
        if !decoded && bbox.area() > LARGE_STRIP * (width * height) as f32 {
            out.extend(members.iter().map(|&i| findings[i].clone()));
            continue;
        }
        out.push(Finding::new(FindingKind::Wristband, bbox, score));
    }
    out
}

/// Whether `code`, found by its bars or modules and not decoded, is glyph
/// strokes in a line of text: a text finding covers most of it and runs on
/// well past it. The bar finder reads letters such as "NDE", "www" or
/// "SANJIE" as bars (receipts and a street sign of the shared text set), the
/// module finder dense characters on packaging, and a group started there
/// blacks out the lines around them as a label strip. A barcode the text
/// detector boxes on its own is not inside a longer line, and a decoded code
/// is a code wherever it lies.
fn within_a_line(code: &Finding, findings: &[Finding]) -> bool {
    let long = |b: &BoxF| b.w.max(b.h);
    let c = code.bbox;
    code.kind == FindingKind::Code
        && code.score < 1.0
        && findings.iter().any(|t| {
            t.kind == FindingKind::Text
                && t.bbox.intersection(&c) >= LINE_COVER * c.area()
                && long(&t.bbox) >= LINE_RUN * long(&c)
        })
}

/// Whether an undecoded code is glyphs of the text around it rather than a
/// code: bars inside a longer line, or a square of modules among words.
fn glyphs(code: &Finding, findings: &[Finding]) -> bool {
    within_a_line(code, findings)
        || (code.score <= crate::detect::code::MATRIX_SCORE && amid_text(code, findings))
}

/// Whether text findings cover more than a quarter of a square the module
/// finder reported: dense characters (packaging, a page), whose own fills
/// cover most of the square. The text detector boxes the words beside a
/// label's code, not the code.
fn amid_text(square: &Finding, findings: &[Finding]) -> bool {
    let b = square.bbox;
    let (x0, y0) = (b.x.floor() as i64, b.y.floor() as i64);
    let (x1, y1) = (b.x2().ceil() as i64, b.y2().ceil() as i64);
    let texts: Vec<BoxF> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::Text)
        .map(|f| f.bbox)
        .collect();
    let (mut total, mut covered) = (0u64, 0u64);
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            total += 1;
            covered += texts
                .iter()
                .any(|t| px >= t.x && px < t.x2() && py >= t.y && py < t.y2())
                as u64;
        }
    }
    covered * 4 > total
}

/// How many text findings lie within reach of `code`.
fn text_beside(code: &Finding, findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.kind == FindingKind::Text && near(code, f))
        .count()
}

/// A finding's line height: the shorter side of its outline or box.
fn thickness(f: &Finding) -> f32 {
    match f.outline {
        Some(q) => quad_thickness(&q),
        None => f.bbox.w.min(f.bbox.h),
    }
}

/// How deep a group is across its text: the spread of its members' corners
/// along the normal of the lines (the mean direction of the slanted outlines,
/// horizontal when every member is upright).
fn depth(members: &[usize], findings: &[Finding]) -> f32 {
    let (mut ax, mut ay) = (0f32, 0f32);
    for f in members.iter().map(|&i| &findings[i]) {
        if let (Some(q), FindingKind::Text) = (f.outline, f.kind) {
            let (mut dx, mut dy) = (q[1][0] - q[0][0], q[1][1] - q[0][1]);
            if (q[2][0] - q[1][0]).hypot(q[2][1] - q[1][1]) > dx.hypot(dy) {
                (dx, dy) = (q[2][0] - q[1][0], q[2][1] - q[1][1]);
            }
            // Directions, not vectors: fold them into one half-plane.
            if dx < 0.0 || (dx == 0.0 && dy < 0.0) {
                (dx, dy) = (-dx, -dy);
            }
            let len = dx.hypot(dy).max(f32::EPSILON);
            ax += dx / len;
            ay += dy / len;
        }
    }
    let (nx, ny) = if ax == 0.0 && ay == 0.0 {
        (0.0, 1.0)
    } else {
        let len = ax.hypot(ay);
        (-ay / len, ax / len)
    };
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for f in members.iter().map(|&i| &findings[i]) {
        let b = f.bbox;
        let corners =
            f.outline
                .unwrap_or([[b.x, b.y], [b.x2(), b.y], [b.x2(), b.y2()], [b.x, b.y2()]]);
        for [x, y] in corners {
            let v = x * nx + y * ny;
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    hi - lo
}

/// True when the gap between two findings' boxes is within reach of the
/// smaller one's line height.
fn near(a: &Finding, b: &Finding) -> bool {
    let reach = REACH * thickness(a).min(thickness(b)).max(1.0);
    let gap_x = (a.bbox.x.max(b.bbox.x) - a.bbox.x2().min(b.bbox.x2())).max(0.0);
    let gap_y = (a.bbox.y.max(b.bbox.y) - a.bbox.y2().min(b.bbox.y2())).max(0.0);
    gap_x <= reach && gap_y <= reach
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(x: f32, y: f32, w: f32, h: f32) -> Finding {
        Finding::new(FindingKind::Text, BoxF::new(x, y, w, h), 0.7)
    }

    #[test]
    fn text_chains_to_the_code_line_by_line_and_faces_stay_apart() {
        let code = Finding::new(FindingKind::Code, BoxF::new(200.0, 100.0, 60.0, 30.0), 1.0);
        let name = text(40.0, 100.0, 150.0, 12.0); // gap 10 px to the code
        let dob = text(40.0, 116.0, 90.0, 12.0); // 4 px under the name
        let far = text(40.0, 300.0, 90.0, 12.0);
        let face = Finding::new(FindingKind::Face, BoxF::new(190.0, 60.0, 40.0, 40.0), 0.9);
        let out = group(vec![name, code, dob, far.clone(), face.clone()], 640, 480);
        assert_eq!(out.len(), 3);
        assert!(out.contains(&far) && out.contains(&face));
        let band = out
            .iter()
            .find(|f| f.kind == FindingKind::Wristband)
            .unwrap();
        // Union 40..260 × 100..130, grown by half the median height (12).
        assert_eq!(band.bbox, BoxF::from_corners(34.0, 94.0, 266.0, 136.0));
    }

    #[test]
    fn text_alone_or_codes_alone_are_not_a_wristband() {
        let lines = vec![text(0.0, 0.0, 100.0, 10.0), text(0.0, 12.0, 100.0, 10.0)];
        assert_eq!(group(lines.clone(), 100, 100), lines);
        // One code found twice (decoded, and by its bars).
        let code = |x| Finding::new(FindingKind::Code, BoxF::new(x, 0.0, 60.0, 30.0), 1.0);
        let codes = vec![code(10.0), code(12.0)];
        assert_eq!(group(codes.clone(), 100, 100), codes);
    }

    #[test]
    fn a_receipt_with_a_code_keeps_its_lines_apart() {
        // Twenty lines 12 px tall, 4 px apart, and a code under them: far
        // deeper than a label, so nothing is blacked out between the lines.
        let mut found: Vec<Finding> = (0..20)
            .map(|i| text(20.0, 10.0 + 16.0 * i as f32, 200.0, 12.0))
            .collect();
        found.push(Finding::new(
            FindingKind::Code,
            BoxF::new(40.0, 332.0, 120.0, 30.0),
            1.0,
        ));
        let out = group(found.clone(), 300, 400);
        assert_eq!(out, found);
    }

    #[test]
    fn a_slanted_label_is_measured_across_its_lines() {
        // Four lines 12 px thick rising at 40°, stacked 16 px apart, with a
        // code at their end: the upright box is deep, the label is not.
        let (c, s) = (40f32.to_radians().cos(), 40f32.to_radians().sin());
        let line = |k: f32, len: f32| {
            let (ox, oy) = (100.0 + k * 16.0 * s, 300.0 + k * 16.0 * c);
            let at = |u: f32, v: f32| [ox + u * c + v * s, oy - u * s + v * c];
            let q = [at(0.0, 0.0), at(len, 0.0), at(len, 12.0), at(0.0, 12.0)];
            Finding {
                kind: FindingKind::Text,
                bbox: BoxF::around(&q),
                score: 0.7,
                outline: Some(q),
            }
        };
        let mut found: Vec<Finding> = (0..4).map(|k| line(k as f32, 200.0)).collect();
        let end = BoxF::around(&line(1.0, 260.0).outline.unwrap());
        found.push(Finding::new(
            FindingKind::Code,
            BoxF::new(end.x2() - 40.0, end.y, 40.0, 40.0),
            1.0,
        ));
        let out = group(found, 600, 600);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].kind, FindingKind::Wristband);
    }

    #[test]
    fn a_square_of_modules_starts_a_label_only_beside_two_lines() {
        use crate::detect::code::MATRIX_SCORE;
        // A DataMatrix too small to decode, right of a name and a date of
        // birth (synthetic band scene 19 of seed 1 left the sex letter after
        // the date showing when the lines were filled one by one).
        let square = Finding::new(
            FindingKind::Code,
            BoxF::new(130.0, 10.0, 24.0, 24.0),
            MATRIX_SCORE,
        );
        let name = text(10.0, 8.0, 110.0, 12.0);
        let dob = text(10.0, 24.0, 106.0, 12.0);
        // One word beside the square stays a word and a square.
        let alone = vec![name.clone(), square.clone()];
        assert_eq!(group(alone.clone(), 1200, 800), alone);
        // Two lines beside it are a label: one strip holds lines and square.
        let out = group(vec![name.clone(), dob.clone(), square.clone()], 1200, 800);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].kind, FindingKind::Wristband);
        let b = out[0].bbox;
        assert!(b.x <= 10.0 && b.y <= 8.0 && b.x2() >= 154.0 && b.y2() >= 36.0);
        // Beside one word, a barcode starts the label the square joins.
        let bars = Finding::new(FindingKind::Code, BoxF::new(160.0, 10.0, 80.0, 24.0), 0.5);
        let out = group(vec![square.clone(), name, bars], 1200, 800);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, FindingKind::Wristband);
        // With no text beside it, a square of modules is not a code at all:
        // glyphs, fabric and clutter pass the module test alone.
        assert!(group(vec![square.clone()], 1200, 800).is_empty());
        // Nor is one lying among words that cover most of it (dense
        // characters on packaging): their fills cover it.
        let words = vec![text(125.0, 8.0, 40.0, 14.0), text(125.0, 22.0, 40.0, 14.0)];
        let mut amid = words.clone();
        amid.push(square.clone());
        assert_eq!(group(amid, 1200, 800), words);
        // The same label filling most of a small photo, none of its codes
        // decoded, is covered line by line and code by code, not as one
        // strip: no strip hides a large part of a picture on an undecoded
        // code's word.
        let out = group(vec![text(10.0, 8.0, 110.0, 12.0), dob, square], 300, 100);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out.iter().all(|f| f.kind != FindingKind::Wristband));
    }

    #[test]
    fn bars_read_in_the_letters_of_a_line_start_no_label() {
        // "TENDERED:" on a receipt, with the lines above and below it; the
        // bar finder reads "NDE" as a short run of bars.
        let above = text(250.0, 100.0, 240.0, 40.0);
        let line = text(250.0, 145.0, 240.0, 40.0);
        let below = text(250.0, 190.0, 240.0, 40.0);
        let strokes = Finding::new(FindingKind::Code, BoxF::new(300.0, 148.0, 70.0, 34.0), 0.5);
        let lines = vec![above.clone(), line.clone(), below.clone()];
        let mut found = lines.clone();
        found.push(strokes.clone());
        let out = group(found, 800, 600);
        assert!(
            out.iter().all(|f| f.kind != FindingKind::Wristband),
            "{out:?}"
        );
        // The strokes are not a code either: the line's fill covers them.
        assert_eq!(out.len(), 3);
        // A barcode the text detector also boxes on its own (the box no
        // longer than the bars) is a code, and starts the label.
        let barcode = Finding::new(FindingKind::Code, BoxF::new(250.0, 240.0, 200.0, 40.0), 0.5);
        let read_as_text = text(245.0, 238.0, 215.0, 44.0);
        let out = group(vec![below.clone(), read_as_text, barcode], 800, 600);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].kind, FindingKind::Wristband);
        // So does a code that decoded, wherever it lies.
        let decoded = Finding {
            score: 1.0,
            ..strokes
        };
        let mut found = lines;
        found.push(decoded);
        let out = group(found, 800, 600);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].kind, FindingKind::Wristband);
    }
}
