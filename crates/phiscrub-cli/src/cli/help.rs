//! The command line's help in the user's language (part of the `phiscrub`
//! binary). English help is the doc comments on the argument structs;
//! other languages take each text from the Fluent files by a key derived
//! from the argument: `help-<command>-<argument>` when a flag means
//! something particular to one command, else `help-<argument>`; commands
//! take `about-<command>`. A test checks that no key is missing.

use clap::Command;
use phiscrub::i18n::{Lang, has_message, tr_in};
use std::ffi::OsString;

/// `--lang X` or `--lang=X` anywhere on the command line, when X is a
/// language phiscrub speaks (anything else is left for clap to reject).
pub fn lang_in_args(argv: &[OsString]) -> Option<Lang> {
    let mut it = argv.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            return it.next().and_then(|v| Lang::from_name(&v));
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            return Lang::from_name(v);
        }
    }
    None
}

/// `cmd` with its texts in `lang`.
pub fn localize(mut cmd: Command, lang: Lang) -> Command {
    let exits = tr_in(lang, "cli-after-help", &[]);
    cmd = cmd
        .about(tr_in(lang, "cli-about", &[]))
        .after_help(exits.clone());
    // The exit codes matter most to whoever scripts `scrub` or `check`.
    for sub in ["scrub", "check"] {
        let exits = exits.clone();
        cmd = cmd.mut_subcommand(sub, |c| c.after_help(exits));
    }
    if lang == Lang::En {
        return cmd;
    }
    // Built so that clap's own --help, --version and `help` exist to be
    // translated too.
    cmd.build();
    translate(cmd, lang, None)
}

/// The key of an argument's help: the command-specific one when the
/// language has it, else the shared one.
pub fn arg_key(lang: Lang, command: &str, arg: &str) -> String {
    let specific = format!("help-{command}-{arg}");
    if has_message(lang, &specific) {
        specific
    } else {
        format!("help-{arg}")
    }
}

/// `about-<path>` for a command at `path` (subcommands joined by `-`).
pub fn about_key(path: &str) -> String {
    format!("about-{path}")
}

fn translate(mut cmd: Command, lang: Lang, here: Option<String>) -> Command {
    if let Some(h) = &here {
        if has_message(lang, &about_key(h)) {
            let about = tr_in(lang, &about_key(h), &[]);
            cmd = cmd.about(about.clone()).long_about(about);
        }
    }
    let command = here.as_deref().unwrap_or("phiscrub");
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let key = arg_key(lang, command, &id.replace('_', "-"));
        if has_message(lang, &key) {
            let text = tr_in(lang, &key, &[]);
            cmd = cmd.mut_arg(id.as_str(), |a| {
                // clap writes "[default: …]" and "[possible values: …]" in
                // English: hidden, and said again in `lang`.
                let mut text = text;
                let defaults: Vec<String> = a
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect();
                if !defaults.is_empty() {
                    let list = defaults.join(", ");
                    text = format!(
                        "{text} {}",
                        tr_in(lang, "cli-default", &[("value", list.into())])
                    );
                }
                let values: Vec<String> = a
                    .get_possible_values()
                    .iter()
                    .filter(|v| !v.is_hide_set())
                    .map(|v| v.get_name().to_string())
                    .collect();
                if !values.is_empty() && a.get_action().takes_values() {
                    let list = values.join(", ");
                    text = format!(
                        "{text} {}",
                        tr_in(lang, "cli-possible", &[("values", list.into())])
                    );
                }
                a.help(text)
                    .long_help(None::<&str>)
                    .hide_default_value(true)
                    .hide_possible_values(true)
            });
        }
    }
    let layout = template(&cmd, lang);
    cmd = cmd.help_template(layout);
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for sub in subs {
        if sub == "help" {
            // clap's `help` lists copies of the commands; only its own
            // line is shown.
            cmd = cmd.mut_subcommand(sub, |c| translate_about(c, lang, "help"));
            continue;
        }
        let child = match &here {
            None => sub.clone(),
            Some(h) => format!("{h}-{sub}"),
        };
        cmd = cmd.mut_subcommand(sub, |c| translate(c, lang, Some(child)));
    }
    cmd
}

fn translate_about(cmd: Command, lang: Lang, key: &str) -> Command {
    let about = tr_in(lang, &about_key(key), &[]);
    cmd.about(about)
}

/// Every help key `cmd` needs in a language other than English, with the
/// command it belongs to.
#[cfg(test)]
pub fn needed_keys(cmd: &Command, lang: Lang) -> Vec<String> {
    fn walk(cmd: &Command, lang: Lang, here: Option<String>, out: &mut Vec<String>) {
        if let Some(h) = &here {
            out.push(about_key(h));
        }
        let command = here.as_deref().unwrap_or("phiscrub");
        for a in cmd.get_arguments() {
            out.push(arg_key(
                lang,
                command,
                &a.get_id().to_string().replace('_', "-"),
            ));
        }
        for sub in cmd.get_subcommands() {
            let name = sub.get_name().to_string();
            if name == "help" {
                out.push(about_key("help"));
                continue;
            }
            let child = match &here {
                None => name,
                Some(h) => format!("{h}-{name}"),
            };
            walk(sub, lang, Some(child), out);
        }
    }
    let mut out = Vec::new();
    walk(cmd, lang, None, &mut out);
    out.sort();
    out.dedup();
    out
}

/// clap's help layout with its section headings in `lang`; only the
/// sections this command has.
fn template(cmd: &Command, lang: Lang) -> String {
    let h = |id: &str| tr_in(lang, id, &[]);
    let mut t = format!(
        "{{about-with-newline}}\n{} {{usage}}\n",
        h("cli-usage-heading")
    );
    if cmd.has_subcommands() {
        t.push_str(&format!(
            "\n{}\n{{subcommands}}\n",
            h("cli-commands-heading")
        ));
    }
    if cmd.get_positionals().next().is_some() {
        t.push_str(&format!(
            "\n{}\n{{positionals}}\n",
            h("cli-arguments-heading")
        ));
    }
    t.push_str(&format!(
        "\n{}\n{{options}}{{after-help}}",
        h("cli-options-heading")
    ));
    t
}
