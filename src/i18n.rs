//! The language of every message a person reads: errors, the command line's
//! help, progress and summary, and the review sheet. Messages live in Fluent
//! files (`locales/en.ftl`, `locales/fr.ftl`) compiled into the binary, so a
//! translator edits text, never code, and a missing translation falls back
//! to English rather than to nothing.
//!
//! A process has a default language: the command line sets it once from
//! `--lang` or the environment ([`set_lang`]), and messages built anywhere
//! (worker threads included) follow it. One call can speak another
//! ([`in_lang`]): the HTTP service answers each request in the language its
//! `Accept-Language` asks for. A library user who sets neither gets
//! English. Messages are rendered when shown (an error's `Display`), so
//! render them inside the call that chose the language. Machine-readable
//! output (the JSON report's fields and reason codes) never changes with
//! the language.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

/// A language phiscrub speaks.
///
/// ```
/// use phiscrub::i18n::Lang;
/// assert_eq!(Lang::from_locale("fr_CA.UTF-8"), Some(Lang::Fr));
/// assert_eq!(Lang::from_locale("C"), None);
/// assert_eq!(Lang::from_name("en"), Some(Lang::En));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English: the default, and what any missing translation falls back to.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// `en` or `fr` (as `--lang` takes them).
    ///
    /// ```
    /// use phiscrub::i18n::Lang;
    /// assert_eq!(Lang::from_name("fr"), Some(Lang::Fr));
    /// // Forgiving about case and stray spaces, as typed on a command line.
    /// assert_eq!(Lang::from_name(" EN "), Some(Lang::En));
    /// assert_eq!(Lang::from_name("de"), None);
    /// assert_eq!(Lang::from_name("french"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Lang> {
        match name.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The language of a POSIX locale name such as `fr_FR.UTF-8` or
    /// `en_GB`; `None` for `C`, `POSIX` and languages phiscrub does not speak.
    ///
    /// ```
    /// use phiscrub::i18n::Lang;
    /// assert_eq!(Lang::from_locale("fr_FR.UTF-8"), Some(Lang::Fr));
    /// assert_eq!(Lang::from_locale("en_GB"), Some(Lang::En));
    /// assert_eq!(Lang::from_locale("fr-CH"), Some(Lang::Fr));
    /// assert_eq!(Lang::from_locale("POSIX"), None);
    /// assert_eq!(Lang::from_locale("de_DE.UTF-8"), None);
    /// ```
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let lang = locale.split(['_', '.', '@', '-']).next()?;
        Lang::from_name(lang)
    }

    /// The language the environment asks for, in POSIX order of precedence:
    /// `LC_ALL`, then `LC_MESSAGES`, then `LANG`. English when none names a
    /// language phiscrub speaks.
    ///
    /// ```
    /// use phiscrub::i18n::Lang;
    /// // Changing the environment is unsafe while other threads read it;
    /// // each doc test runs alone in its own process.
    /// let set_var = |k: &str, v: &str| unsafe { std::env::set_var(k, v) };
    /// let remove_var = |k: &str| unsafe { std::env::remove_var(k) };
    /// set_var("LANG", "en_US.UTF-8");
    /// set_var("LC_ALL", "fr_FR.UTF-8");
    /// assert_eq!(Lang::from_env(), Lang::Fr, "LC_ALL outranks LANG");
    /// // The first variable set decides, even when phiscrub does not speak
    /// // its language: later ones are not consulted.
    /// set_var("LC_ALL", "de_DE.UTF-8");
    /// set_var("LC_MESSAGES", "fr_FR.UTF-8");
    /// assert_eq!(Lang::from_env(), Lang::En);
    /// remove_var("LC_ALL");
    /// assert_eq!(Lang::from_env(), Lang::Fr);
    /// remove_var("LC_MESSAGES");
    /// remove_var("LANG");
    /// assert_eq!(Lang::from_env(), Lang::En);
    /// ```
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            match std::env::var(var) {
                // The first one set decides, as for any POSIX program.
                Ok(v) if !v.is_empty() => return Lang::from_locale(&v).unwrap_or(Lang::En),
                _ => {}
            }
        }
        Lang::En
    }

    /// The language an HTTP `Accept-Language` header prefers among those
    /// phiscrub speaks (highest quality first, the header's order among
    /// equals; `q=0` refuses one), or `None` when it names neither.
    ///
    /// ```
    /// use phiscrub::i18n::Lang;
    /// assert_eq!(Lang::from_accept_language("fr-CH, fr;q=0.9, en;q=0.8"), Some(Lang::Fr));
    /// assert_eq!(Lang::from_accept_language("de-DE, en;q=0.5, fr;q=0.7"), Some(Lang::Fr));
    /// assert_eq!(Lang::from_accept_language("fr;q=0, en"), Some(Lang::En));
    /// assert_eq!(Lang::from_accept_language("de, *;q=0.1"), None);
    /// ```
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(|tag| Lang::from_locale(tag.trim())) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The BCP 47 tag, for HTML `lang` attributes.
    ///
    /// ```
    /// use phiscrub::i18n::Lang;
    /// let html = format!("<html lang=\"{}\">", Lang::Fr.tag());
    /// assert_eq!(html, r#"<html lang="fr">"#);
    /// // The tag is also the name `--lang` takes.
    /// for l in [Lang::En, Lang::Fr] {
    ///     assert_eq!(Lang::from_name(l.tag()), Some(l));
    /// }
    /// ```
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the process's default language: every message from now on, in
/// every thread, except inside a call that chose its own ([`in_lang`]).
///
/// ```
/// use phiscrub::i18n::{lang, set_lang, Lang};
/// set_lang(Lang::Fr);
/// // Messages built on other threads (the pipeline's workers) follow it.
/// let msg = std::thread::spawn(|| phiscrub::t!("file-not-found")).join().unwrap();
/// assert!(msg.starts_with("n'existe pas"), "{msg}");
/// set_lang(Lang::En);
/// assert_eq!(lang(), Lang::En);
/// ```
pub fn set_lang(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

thread_local! {
    /// The language of the call in progress on this thread, if it chose one.
    static CALL: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Runs `f` with every message this thread builds in `lang`, whatever the
/// process's default; other threads are not affected. Calls nest.
///
/// ```
/// use phiscrub::i18n::{in_lang, lang, Lang};
/// use phiscrub::{ScrubError, Unreadable};
/// let e = ScrubError::Unreadable(Unreadable::NotAnImage);
/// let fr = in_lang(Lang::Fr, || e.to_string());
/// let en = e.to_string();
/// assert_ne!(fr, en);
/// assert!(en.contains("not an image"), "{en}");
/// assert_eq!(lang(), Lang::En, "the default is left as it was");
/// ```
pub fn in_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            CALL.set(self.0);
        }
    }
    let _restore = Restore(CALL.replace(Some(lang)));
    f()
}

/// The language messages are written in here and now: the current call's
/// ([`in_lang`]), else the process's default ([`set_lang`]).
///
/// ```
/// use phiscrub::i18n::{lang, set_lang, Lang};
/// assert_eq!(lang(), Lang::En, "English until something sets it");
/// set_lang(Lang::Fr);
/// assert_eq!(lang(), Lang::Fr);
/// ```
pub fn lang() -> Lang {
    if let Some(lang) = CALL.get() {
        return lang;
    }
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Fr,
        _ => Lang::En,
    }
}

const EN: &str = include_str!("../locales/en.ftl");
const FR: &str = include_str!("../locales/fr.ftl");

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    BUNDLES[lang as usize].get_or_init(|| {
        let (id, text) = match lang {
            Lang::En => (unic_langid::langid!("en"), EN),
            Lang::Fr => (unic_langid::langid!("fr"), FR),
        };
        // The files are compiled in and checked by the tests below, so a
        // syntax error cannot reach a user; what parses is still used.
        let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
        let mut b = FluentBundle::new_concurrent(vec![id]);
        // Unicode isolation marks would show as stray characters in
        // terminals and logs.
        b.set_use_isolating(false);
        let _ = b.add_resource(resource);
        b
    })
}

/// One argument of a message.
///
/// ```
/// use phiscrub::i18n::{path_arg, tr_in, Arg, Lang};
/// let args: [Arg<'_>; 2] = [
///     ("path", path_arg(std::path::Path::new("run.json"))),
///     ("detail", "disk full".into()),
/// ];
/// let msg = tr_in(Lang::En, "report-write", &args);
/// assert!(msg.contains("run.json") && msg.contains("disk full"), "{msg}");
/// ```
pub type Arg<'a> = (&'a str, FluentValue<'a>);

/// The message `id` in the current language, with `args` filled in.
///
/// ```
/// use phiscrub::i18n::{tr_in, Lang};
/// let s = tr_in(Lang::Fr, "summary-counts", &[("total", 3.into()), ("exported", 2.into()),
///     ("refused", 1.into()), ("failed", 0.into())]);
/// assert!(s.contains("2 exportée"), "{s}");
/// ```
pub fn tr(id: &str, args: &[Arg<'_>]) -> String {
    tr_in(lang(), id, args)
}

/// The message `id` in `lang`; English when `lang` lacks it, the id itself
/// when no language has it (so a gap shows up, rather than an empty line).
///
/// ```
/// use phiscrub::i18n::{tr_in, Lang};
/// assert_eq!(tr_in(Lang::En, "file-not-found", &[]), "does not exist; check the path");
/// assert!(tr_in(Lang::Fr, "file-not-found", &[]).starts_with("n'existe pas"));
/// // An unknown id comes back as itself, so the gap is visible.
/// assert_eq!(tr_in(Lang::Fr, "no-such-message", &[]), "no-such-message");
/// ```
pub fn tr_in(lang: Lang, id: &str, args: &[Arg<'_>]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, v.clone());
    }
    for l in [lang, Lang::En] {
        let b = bundle(l);
        if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return b
                .format_pattern(pattern, Some(&fargs), &mut errors)
                .into_owned();
        }
    }
    id.to_string()
}

/// The message `id` with named arguments: `t!("id", n = 3, path = p)`.
/// Values may be anything `FluentValue` converts from (numbers, strings).
/// The language is the one chosen with [`set_lang`] (English by default).
///
/// ```
/// use phiscrub::i18n::{set_lang, Lang};
/// set_lang(Lang::En);
/// assert_eq!(phiscrub::t!("file-not-found"), "does not exist; check the path");
/// // Arguments fill the message's placeholders (and Fluent isolates them
/// // with invisible direction marks, so compare what is readable).
/// let line = phiscrub::t!("summary-counts", total = 3, exported = 2, refused = 1, failed = 0)
///     .replace(['\u{2068}', '\u{2069}'], "");
/// assert_eq!(line, "3 image(s): 2 exported, 1 refused, 0 failed");
/// ```
#[macro_export]
macro_rules! t {
    ($id:expr) => {
        $crate::i18n::tr($id, &[])
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::tr($id, &[$((stringify!($name), $crate::i18n::FluentValue::from($value))),+])
    };
}

pub use fluent_bundle::FluentValue;

/// Whether `lang` itself (not its English fallback) has message `id`.
///
/// ```
/// use phiscrub::i18n::{has_message, Lang};
/// assert!(has_message(Lang::Fr, "file-not-found"));
/// // The command line's help is in the code's doc comments in English, and
/// // a message only in other languages.
/// assert!(has_message(Lang::Fr, "about-scrub"));
/// assert!(!has_message(Lang::En, "about-scrub"));
/// ```
pub fn has_message(lang: Lang, id: &str) -> bool {
    bundle(lang).has_message(id)
}

/// A path as a message argument.
///
/// ```
/// use phiscrub::i18n::path_arg;
/// use std::path::Path;
/// let p = Path::new("clean").join("review.html");
/// let msg = phiscrub::t!("review-exists", path = path_arg(&p));
/// assert!(msg.contains(&p.display().to_string()), "{msg}");
/// ```
pub fn path_arg(p: &std::path::Path) -> FluentValue<'static> {
    FluentValue::from(p.display().to_string())
}

/// The ids a Fluent file defines, in order.
///
/// ```
/// use phiscrub::i18n::{has_message, message_ids, Lang};
/// let ids = message_ids(Lang::En);
/// assert!(ids.iter().any(|id| id == "file-not-found"));
/// // Every English message has a French translation.
/// let untranslated: Vec<_> = ids.iter().filter(|id| !has_message(Lang::Fr, id)).collect();
/// assert!(untranslated.is_empty(), "{untranslated:?}");
/// ```
pub fn message_ids(lang: Lang) -> Vec<String> {
    let text = match lang {
        Lang::En => EN,
        Lang::Fr => FR,
    };
    let Ok(res) = FluentResource::try_new(text.to_string()) else {
        return Vec::new();
    };
    res.entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_parse_and_define_the_same_messages() {
        for (name, text) in [("en", EN), ("fr", FR)] {
            if let Err((_, errors)) = FluentResource::try_new(text.to_string()) {
                panic!("locales/{name}.ftl does not parse: {errors:?}");
            }
        }
        let (en, fr) = (message_ids(Lang::En), message_ids(Lang::Fr));
        let missing: Vec<_> = en.iter().filter(|id| !fr.contains(id)).collect();
        // The command line's help is English in the code's doc comments;
        // only other languages carry it as messages (see phiscrub-cli's cli/help.rs).
        let extra: Vec<_> = fr
            .iter()
            .filter(|id| !en.contains(id))
            .filter(|id| !id.starts_with("help-") && !id.starts_with("about-"))
            .collect();
        assert!(
            missing.is_empty(),
            "not translated into French: {missing:?}"
        );
        assert!(extra.is_empty(), "only in French: {extra:?}");
    }

    /// The variables each message uses, by id.
    fn variables(text: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement};
        fn pattern(p: &Pattern<&str>, out: &mut Vec<String>) {
            for e in &p.elements {
                if let PatternElement::Placeable { expression } = e {
                    expr(expression, out);
                }
            }
        }
        fn inline(e: &InlineExpression<&str>, out: &mut Vec<String>) {
            match e {
                InlineExpression::VariableReference { id } => out.push(id.name.to_string()),
                InlineExpression::Placeable { expression } => expr(expression, out),
                _ => {}
            }
        }
        fn expr(e: &Expression<&str>, out: &mut Vec<String>) {
            match e {
                Expression::Inline(i) => inline(i, out),
                Expression::Select { selector, variants } => {
                    inline(selector, out);
                    for v in variants {
                        pattern(&v.value, out);
                    }
                }
            }
        }
        let res = fluent_syntax::parser::parse(text).expect("parses");
        let mut all = std::collections::BTreeMap::new();
        for e in &res.body {
            if let fluent_syntax::ast::Entry::Message(m) = e {
                let mut vars = Vec::new();
                if let Some(p) = &m.value {
                    pattern(p, &mut vars);
                }
                vars.sort();
                vars.dedup();
                all.insert(m.id.name.to_string(), vars);
            }
        }
        all
    }

    #[test]
    fn both_languages_use_the_same_arguments() {
        // A translation that drops { $path } would hide which file failed.
        let (en, fr) = (variables(EN), variables(FR));
        for (id, vars) in &en {
            assert_eq!(
                Some(vars),
                fr.get(id),
                "{id}: arguments differ between en and fr"
            );
        }
    }

    #[test]
    fn locales_pick_the_language() {
        assert_eq!(Lang::from_locale("fr_FR.UTF-8"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("fr"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale("de_DE.UTF-8"), None);
        assert_eq!(Lang::from_locale("C.UTF-8"), None);
    }

    #[test]
    fn french_plurals_treat_zero_and_one_alike() {
        let n = |v: usize| {
            tr_in(
                Lang::Fr,
                "summary-counts",
                &[
                    ("total", v.into()),
                    ("exported", v.into()),
                    ("refused", 0.into()),
                    ("failed", 0.into()),
                ],
            )
        };
        assert!(n(1).starts_with("1 image :"), "{}", n(1));
        assert!(n(0).starts_with("0 image :"), "{}", n(0));
        assert!(n(2).starts_with("2 images :"), "{}", n(2));
    }
}
