//! Messages in French and English: chosen from LC_ALL / LC_MESSAGES / LANG,
//! overridden by --lang, for the summary, a typical error and the help.

use crate::common::*;
use std::process::Command;

/// `cmd` with only `LANG` set among the locale variables.
fn with_lang(mut cmd: Command, lang: &str) -> Command {
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang);
    cmd
}

fn scrub_one_good_one_bad(out: &std::path::Path) -> Command {
    let mut c = scrub(fixture("photos/chelsea.png"), out);
    c.arg(fixture("bad/not-an-image.jpg"))
        .args(["--no-text", "--no-codes"]);
    c
}

#[test]
fn french_from_lang_summary_and_error() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&mut with_lang(
        scrub_one_good_one_bad(out.path()),
        "fr_FR.UTF-8",
    ));
    assert_eq!(o.status.code(), Some(4));
    let (so, se) = (stdout(&o), stderr(&o));
    assert!(
        so.starts_with("2 images : 1 exportée, 0 refusée, 1 en échec ; rien à masquer"),
        "{so}"
    );
    assert!(so.contains("tatouages"), "the limits of detection: {so}");
    assert!(
        se.contains("not-an-image.jpg: ce n'est pas une image") && se.contains("convertissez-le"),
        "the error names the file and says what to do, in French: {se}"
    );
    // The warning of a switched-off detector too.
    assert!(
        se.contains(
            "attention : texte (noms, dates, numéros de dossier), codes-barres NON masqués"
        ),
        "{se}"
    );
    assert!(out.path().join("chelsea.png").is_file());
}

#[test]
fn english_by_default_and_when_asked() {
    for (lang, extra) in [("C", None), ("fr_FR.UTF-8", Some("--lang=en"))] {
        let out = tempfile::tempdir().unwrap();
        let mut cmd = with_lang(scrub_one_good_one_bad(out.path()), lang);
        if let Some(a) = extra {
            cmd.arg(a);
        }
        let o = run(&mut cmd);
        let (so, se) = (stdout(&o), stderr(&o));
        assert!(
            so.starts_with("2 image(s): 1 exported, 0 refused, 1 failed; nothing covered"),
            "{lang}: {so}"
        );
        assert!(so.contains("tattoos"), "{so}");
        assert!(se.contains("not-an-image.jpg: not an image"), "{se}");
    }
}

#[test]
fn lc_all_outranks_lang_and_lang_flag_outranks_both() {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = scrub_one_good_one_bad(out.path());
    cmd.env("LC_ALL", "en_US.UTF-8").env("LANG", "fr_FR.UTF-8");
    assert!(stdout(&run(&mut cmd)).contains("1 exported"));

    let out = tempfile::tempdir().unwrap();
    let mut cmd = scrub_one_good_one_bad(out.path());
    cmd.env("LC_ALL", "en_US.UTF-8").args(["--lang", "fr"]);
    assert!(stdout(&run(&mut cmd)).contains("1 exportée"));
}

#[test]
fn check_speaks_both_languages() {
    let mut fr = with_lang(phiscrub(), "fr_CA.UTF-8");
    fr.args(["check", "--no-text", "--no-codes"])
        .arg(fixture("photos/grace_hopper.jpg"));
    let o = run(&mut fr);
    assert_eq!(o.status.code(), Some(3));
    let so = stdout(&o);
    assert!(
        so.contains("grace_hopper.jpg: FUIRAIT : montre ") && so.contains(" visage"),
        "{so}"
    );
    assert!(
        so.contains("1 image vérifiée : 1 fuirait, 0 propre, 0 illisible"),
        "{so}"
    );

    let mut en = with_lang(phiscrub(), "en_GB.UTF-8");
    en.args(["check", "--no-text", "--no-codes"])
        .arg(fixture("photos/grace_hopper.jpg"));
    let so = stdout(&run(&mut en));
    assert!(
        so.contains("grace_hopper.jpg: WOULD LEAK: shows ") && so.contains(" face"),
        "{so}"
    );
    assert!(
        so.contains("1 image(s) checked: 1 would leak, 0 clean, 0 could not be read"),
        "{so}"
    );
}

#[test]
fn help_and_usage_errors_in_french() {
    let o = run(with_lang(phiscrub(), "fr_FR.UTF-8").args(["scrub", "--help"]));
    assert_eq!(o.status.code(), Some(0));
    let so = stdout(&o);
    assert!(so.contains("Utilisation :"), "{so}");
    assert!(so.contains("Dossier de sortie."), "{so}");
    assert!(so.contains("--allow-nested"), "{so}");
    assert!(so.contains("Codes de sortie"), "{so}");
    assert!(so.contains("[par défaut : 0.2]"), "{so}");
    assert!(!so.contains("[default:"), "{so}");

    // A missing --out: clap's wording, then ours in French, exit 2.
    let o = run(with_lang(phiscrub(), "fr_FR.UTF-8").args(["scrub", "x.jpg"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("la ligne de commande n'est pas correcte"));

    // An unknown language is a usage error, not a silent fallback.
    let o = run(phiscrub().args(["--lang", "de", "doctor"]));
    assert_eq!(o.status.code(), Some(2));
}
