//! The review sheet (`--review FILE.html`), loaded in headless Chromium: what
//! a person sees, not only what the file says. Chromium is Debian's
//! `chromium`; without it these tests skip, unless PHISCRUB_REQUIRE_CHROMIUM
//! is set (as in CI), when its absence fails them.

use crate::common::*;
use base64::Engine;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).is_file() {
            return Some(c.into());
        }
    }
    assert!(
        std::env::var_os("PHISCRUB_REQUIRE_CHROMIUM").is_none(),
        "PHISCRUB_REQUIRE_CHROMIUM is set but chromium is not installed"
    );
    eprintln!("chromium not installed: review sheet rendering not tested");
    None
}

/// Chromium, headless, quiet and off the network, with a fresh profile.
fn headless(bin: &Path, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The inputs: a portrait (face to cover), a photo with camera metadata,
/// an animation (refused: several pictures), and a file that is not an
/// image (failed), one of them with markup in its name.
fn inputs(dir: &Path) {
    fs::copy(
        fixture("photos/grace_hopper.jpg"),
        dir.join("grace_hopper.jpg"),
    )
    .unwrap();
    fs::copy(
        fixture("metadata/jpeg_camera_everything.jpg"),
        dir.join("camera.jpg"),
    )
    .unwrap();
    fs::copy(
        fixture("metadata/gif_animated.gif"),
        dir.join("animated.gif"),
    )
    .unwrap();
    fs::copy(
        fixture("bad/not-an-image.jpg"),
        dir.join("bed <3> & Dupont.jpg"),
    )
    .unwrap();
}

#[test]
fn the_review_sheet_shows_outlined_outputs_and_lists_what_was_not_exported() {
    let Some(bin) = chromium() else { return };
    let d = tempfile::tempdir().unwrap();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    fs::create_dir(&input).unwrap();
    inputs(&input);
    let sheet = d.path().join("sheet.html");
    let o = run(scrub(&input, &out)
        .arg("--review")
        .arg(&sheet)
        .args(["--lang", "en"]));
    assert_eq!(o.status.code(), Some(4), "one file failed");
    assert!(stdout(&o).contains("review sheet:"));

    // The thumbnails are the scrubbed outputs: the face is dark in the
    // portrait's thumbnail too.
    let html = fs::read_to_string(&sheet).unwrap();
    let thumbs: Vec<&str> = html.split("data:image/jpeg;base64,").skip(1).collect();
    assert_eq!(thumbs.len(), 2, "one thumbnail per exported picture");
    let portrait = html
        .split("<figure")
        .find(|f| f.contains("grace_hopper.jpg"))
        .expect("the portrait has a figure");
    let b64 = portrait.split("data:image/jpeg;base64,").nth(1).unwrap();
    let b64 = &b64[..b64.find('"').unwrap()];
    let thumb = image::load_from_memory(
        &base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
    .to_rgb8();
    let full = rgb(&fixture("photos/grace_hopper.jpg"));
    let s = thumb.width() as f32 / full.width() as f32;
    let (x, y, w, h) = HOPPER_FACE;
    let face = (
        (x as f32 * s) as u32 + 2,
        (y as f32 * s) as u32 + 2,
        (w as f32 * s) as u32 - 4,
        (h as f32 * s) as u32 - 4,
    );
    let m = max_in(&thumb, face);
    assert!(m < 40, "the thumbnail shows the face (max channel {m})");

    // What Chromium shows.
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", sheet.display());
    let dom = headless(&bin, profile.path())
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium starts");
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(
        dom.contains("phiscrub review sheet"),
        "page did not load: {dom:.300}"
    );
    assert_eq!(
        dom.matches("<figure").count(),
        2,
        "two exported pictures shown"
    );
    assert!(dom.contains("<g class=\"face\">"), "the face is outlined");
    assert!(
        dom.contains(">face</text>"),
        "the outline is labelled by kind"
    );
    assert!(
        dom.contains("metadata removed:"),
        "camera metadata is reported"
    );
    // Refused and failed: listed with their reason, never pictured.
    let row = |name: &str| {
        let at = dom
            .find(name)
            .unwrap_or_else(|| panic!("{name} not listed"));
        dom[at..at + dom[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("animated.gif").contains("--first-frame"));
    assert!(row("bed &lt;3&gt; &amp; Dupont.jpg").contains("not an image"));
    assert!(!dom.contains("bed <3>"), "file names are not markup");
    for name in ["animated.gif", "Dupont.jpg"] {
        let at = dom.find(name).unwrap();
        assert!(at > dom.rfind("<figure").unwrap(), "{name} has a thumbnail");
    }

    // And it is drawn: a screenshot holds the red of the face outline.
    let shot = std::env::var_os("PHISCRUB_KEEP_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| d.path().join("shot.png"));
    let st = headless(&bin, profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,1400")
        .arg(&url)
        .output()
        .expect("chromium starts");
    assert!(shot.is_file(), "no screenshot: {st:?}");
    let shot = rgb(&shot);
    let red = shot
        .pixels()
        .filter(|p| p.0[0] > 190 && p.0[1] < 50 && p.0[2] < 50)
        .count();
    assert!(red > 200, "no face outline drawn ({red} red pixels)");
}

#[test]
fn the_review_sheet_speaks_french() {
    let Some(bin) = chromium() else { return };
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let sheet = d.path().join("fiche.html");
    let o = run(scrub(fixture("photos/grace_hopper.jpg"), &out)
        .arg(fixture("bad/not-an-image.jpg"))
        .arg("--review")
        .arg(&sheet)
        .env("LANG", "fr_FR.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES"));
    assert_eq!(o.status.code(), Some(4));
    let profile = tempfile::tempdir().unwrap();
    let dom = headless(&bin, profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", sheet.display()))
        .output()
        .expect("chromium starts");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("<html lang=\"fr\">"), "{dom:.200}");
    assert!(dom.contains("Fiche de relecture phiscrub"));
    assert!(dom.contains(">visage</text>"));
    assert!(dom.contains("ce n'est pas une image"));
    assert!(
        dom.contains("tatouages"),
        "the limits of detection are stated"
    );
}

#[test]
fn an_existing_review_sheet_is_not_replaced_without_force() {
    let d = tempfile::tempdir().unwrap();
    let sheet = d.path().join("sheet.html");
    fs::write(&sheet, "earlier").unwrap();
    let o = run(scrub(fixture("photos/chelsea.png"), &d.path().join("out"))
        .arg("--review")
        .arg(&sheet)
        .args(["--lang", "en"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sheet.html already exists"));
    assert_eq!(fs::read_to_string(&sheet).unwrap(), "earlier");
    assert!(
        !d.path().join("out").exists(),
        "nothing done before refusing"
    );
}
