//! The review sheet: one self-contained HTML page a person looks through
//! before sharing a folder. Thumbnails are made from the exported files as
//! written (never from an input), with every covered region outlined and
//! labelled by kind; refused and failed files are listed with their reason
//! and no picture at all. The page has no script and loads nothing: images
//! are inlined as data URIs, so it opens the same from a USB stick.

use crate::detect::FindingKind;
use crate::geometry::BoxF;
use crate::report::{FileReport, Status, Summary};
use crate::t;
use base64::Engine;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// Longest side of a thumbnail, in pixels: enough to see that a face box
/// sits on the face, small enough for hundreds in one page.
///
/// ```
/// use base64::Engine;
/// use phiscrub::report::{FileReport, Status};
/// use phiscrub::review::{render, THUMB_SIDE};
/// # let dir = tempfile::tempdir()?;
/// let exported = dir.path().join("wide.png");
/// image::RgbImage::new(1200, 600).save(&exported)?;
/// let report = FileReport { input: "in/wide.png".into(), relative: "wide.png".into(),
///     output: Some(exported), status: Status::Exported, message: None, reason: None,
///     findings: vec![], done: None, elapsed: Default::default() };
/// let html = render(&[report], dir.path(), &[]);
/// // The one thumbnail in the page, decoded back.
/// let data = html.split("data:image/jpeg;base64,").nth(1).unwrap().split('"').next().unwrap();
/// let thumb = image::load_from_memory(&base64::engine::general_purpose::STANDARD.decode(data)?)?;
/// // Its longest side is THUMB_SIDE; the shape is kept.
/// assert_eq!((thumb.width(), thumb.height()), (THUMB_SIDE, THUMB_SIDE / 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const THUMB_SIDE: u32 = 480;

/// The review sheet of a finished run, in the current language
/// ([`crate::i18n`]). `out_dir` is shown as the output folder; `warnings`
/// (detectors switched off) are shown at the top.
///
/// ```
/// use phiscrub::report::{FileReport, Status};
/// let refused = FileReport {
///     input: "in/bed 3.jpg".into(),
///     relative: "bed 3.jpg".into(),
///     output: None,
///     status: Status::Refused,
///     message: Some("refused: <a face> is still visible".into()),
///     reason: Some("residual"),
///     findings: vec![],
///     done: None,
///     elapsed: Default::default(),
/// };
/// let html = phiscrub::review::render(&[refused], std::path::Path::new("clean"), &[]);
/// assert!(html.contains("bed 3.jpg"));
/// assert!(html.contains("&lt;a face&gt;"), "names and reasons are escaped");
/// assert!(!html.contains("<img"), "no picture of what was not exported");
/// ```
pub fn render(reports: &[FileReport], out_dir: &Path, warnings: &[String]) -> String {
    let summary = Summary::from_statuses(reports.iter().map(|r| r.status));
    // Thumbnails are the slow part (one decode each): all cores share them.
    let figures: Vec<String> = reports
        .par_iter()
        .filter(|r| r.status == Status::Exported)
        .map(figure)
        .collect();

    let mut h = String::with_capacity(4096 + figures.iter().map(String::len).sum::<usize>());
    let lang = crate::i18n::lang().tag();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\n\
         <h1>{title}</h1>\n<p>{intro}</p>\n<p id=\"run\">{run}</p>\n",
        title = esc(&t!("review-title")),
        intro = esc(&t!("review-intro")),
        run = esc(&t!(
            "review-run",
            total = summary.total(),
            exported = summary.exported,
            refused = summary.refused,
            failed = summary.failed,
            out = crate::i18n::path_arg(out_dir)
        )),
    );
    for w in warnings {
        let _ = writeln!(
            h,
            "<p class=\"warning\">{}</p>",
            esc(&t!("review-warning", text = w.as_str()))
        );
    }
    let _ = writeln!(h, "<p class=\"limits\">{}</p>", esc(&t!("summary-limits")));

    let _ = writeln!(
        h,
        "<h2 id=\"exported\">{} ({})</h2>",
        esc(&t!("review-exported")),
        summary.exported
    );
    if figures.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&t!("review-none")));
    } else {
        h.push_str("<div class=\"sheet\">\n");
        for f in &figures {
            h.push_str(f);
        }
        h.push_str("</div>\n");
    }

    let not_exported: Vec<&FileReport> = reports
        .iter()
        .filter(|r| r.status != Status::Exported)
        .collect();
    let _ = writeln!(
        h,
        "<h2 id=\"not-exported\">{} ({})</h2>",
        esc(&t!("review-not-exported")),
        not_exported.len()
    );
    if not_exported.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&t!("review-none")));
    } else {
        let _ = writeln!(
            h,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(&t!("review-col-file")),
            esc(&t!("review-col-status")),
            esc(&t!("review-col-reason"))
        );
        for r in not_exported {
            let status = match r.status {
                Status::Refused => t!("review-status-refused"),
                _ => t!("review-status-failed"),
            };
            let _ = writeln!(
                h,
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.status.as_str(),
                esc(&r.relative.display().to_string()),
                esc(&status),
                esc(r.message.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</body></html>\n");
    h
}

/// One exported image: its thumbnail with outlines, its name, what was
/// covered and which metadata went.
fn figure(r: &FileReport) -> String {
    let name = esc(&r.relative.display().to_string());
    let mut covered = std::collections::BTreeMap::new();
    for f in &r.findings {
        *covered.entry(f.kind.as_str()).or_insert(0usize) += 1;
    }
    let covered = if covered.is_empty() {
        t!("review-nothing-covered")
    } else {
        covered
            .iter()
            .map(|(k, n)| t!("kind-count", n = *n, kind = *k))
            .collect::<Vec<_>>()
            .join(&t!("list-sep"))
    };
    let removed: Vec<&str> = r
        .done
        .iter()
        .flat_map(|d| d.removed.iter().map(|c| c.as_str()))
        .collect();
    let metadata = if removed.is_empty() {
        t!("review-no-metadata")
    } else {
        t!("review-metadata", list = removed.join(", "))
    };
    let picture = match thumbnail(r) {
        Ok(p) => p,
        Err(detail) => format!(
            "<p class=\"missing\">{}</p>",
            esc(&t!("review-thumb-missing", detail = detail))
        ),
    };
    format!(
        "<figure data-findings=\"{}\">{picture}<figcaption><b>{name}</b><br>{}<br>{}</figcaption></figure>\n",
        r.findings.len(),
        esc(&covered),
        esc(&metadata)
    )
}

/// The exported file, read back from disk and shrunk, with an SVG layer of
/// labelled outlines in the image's own coordinates.
fn thumbnail(r: &FileReport) -> Result<String, String> {
    let path = r.output.as_deref().ok_or("no output file")?;
    let img = image::open(path).map_err(|e| e.to_string())?;
    let (w, h) = match &r.done {
        Some(d) => (d.width, d.height),
        None => (img.width(), img.height()),
    };
    let scale = (THUMB_SIDE as f32 / w.max(h) as f32).min(1.0);
    let (tw, th) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    let small = image::imageops::thumbnail(&img.to_rgb8(), tw, th);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&small)
        .map_err(|e| e.to_string())?;
    let data = base64::engine::general_purpose::STANDARD.encode(&jpeg);
    // Outlines stay readable at thumbnail size whatever the photo's size.
    let stroke = (2.0 / scale).max(1.0);
    let font = (13.0 / scale).max(8.0);
    let filled = r.done.as_ref().map(|d| d.filled.as_slice()).unwrap_or(&[]);
    let mut svg = String::new();
    for (i, f) in r.findings.iter().enumerate() {
        // The filled region is what the outline shows; the detector's box
        // when no fill is known.
        let b = match filled.get(i) {
            Some(rect) => BoxF {
                x: rect.x0 as f32,
                y: rect.y0 as f32,
                w: rect.x1.saturating_sub(rect.x0) as f32,
                h: rect.y1.saturating_sub(rect.y0) as f32,
            },
            None => f.bbox,
        };
        svg.push_str(&outline(f.kind, &b, stroke, font));
    }
    Ok(format!(
        "<div class=\"thumb\" style=\"aspect-ratio:{w}/{h}\"><img alt=\"\" src=\"data:image/jpeg;base64,{data}\">\
         <svg viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"none\">{svg}</svg></div>"
    ))
}

fn outline(kind: FindingKind, b: &BoxF, stroke: f32, font: f32) -> String {
    let (id, class) = match kind {
        FindingKind::Face => ("review-label-face", "face"),
        FindingKind::Text => ("review-label-text", "text"),
        FindingKind::Code => ("review-label-code", "code"),
        FindingKind::Wristband => ("review-label-wristband", "wristband"),
    };
    // The label sits above the box, or inside it at the top edge.
    let ty = if b.y > font { b.y - stroke } else { b.y + font };
    format!(
        "<g class=\"{class}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
         stroke-width=\"{stroke:.1}\"/><text x=\"{:.1}\" y=\"{ty:.1}\" font-size=\"{font:.1}\">{}</text></g>",
        b.x,
        b.y,
        b.w,
        b.h,
        b.x,
        esc(&t!(id))
    )
}

/// Text safe inside HTML elements and quoted attributes.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Writes the sheet whole or not at all; an existing file is replaced only
/// when `overwrite`.
///
/// ```
/// use phiscrub::review::{render, write};
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("review.html");
/// let html = render(&[], dir.path(), &[]);
/// write(&path, &html, false)?;
/// assert_eq!(std::fs::read_to_string(&path)?, html);
/// // A sheet someone may be reading is not replaced unless asked.
/// let e = write(&path, "<p>newer</p>", false).unwrap_err();
/// assert!(e.to_string().contains("--force"), "{e}");
/// write(&path, "<p>newer</p>", true)?;
/// assert_eq!(std::fs::read_to_string(&path)?, "<p>newer</p>");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write(path: &Path, html: &str, overwrite: bool) -> Result<(), crate::error::SaveError> {
    crate::error::SaveError::save("review", path, html.as_bytes(), overwrite)
}

const STYLE: &str = "body{font:15px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}\
.warning{background:#fde2e2;border-left:4px solid #c00;padding:.5em}\
.limits{background:#fff6d6;border-left:4px solid #b80;padding:.5em}\
.sheet{display:flex;flex-wrap:wrap;gap:1em}\
figure{margin:0;width:480px;max-width:100%}\
.thumb{position:relative;width:100%;background:#eee}\
.thumb img,.thumb svg{position:absolute;inset:0;width:100%;height:100%}\
svg rect{fill:none}svg text{font-family:sans-serif;font-weight:bold}\
.face rect{stroke:#e00000}.face text{fill:#e00000}\
.text rect{stroke:#0050e0}.text text{fill:#0050e0}\
.code rect{stroke:#e07000}.code text{fill:#e07000}\
.wristband rect{stroke:#9000c0}.wristband text{fill:#9000c0}\
figcaption{font-size:.9em;margin-top:.3em}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
.missing{color:#c00}";

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<img src="x" onerror='y'>&"#),
            "&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;"
        );
    }
}
