//! An XML part rebuilt event by event: elements a rule names are dropped with
//! everything inside them, or unwrapped (their tags dropped, their content
//! kept); attributes a rule names are dropped. Everything else is written
//! again by the serializer, not copied.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

/// What to do with one element (the rule sees its qualified name and
/// attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    Keep,
    /// The element and everything inside it.
    Drop,
    /// The start and end tags only.
    Unwrap,
}

/// Rebuilds `xml` under `element` and `attribute` rules; returns the new
/// bytes and how many elements were dropped or unwrapped.
pub(crate) fn rewrite(
    xml: &[u8],
    element: &dyn Fn(&BytesStart<'_>) -> Rule,
    attribute: &dyn Fn(&[u8]) -> bool,
) -> Result<(Vec<u8>, usize), String> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    let mut buf = Vec::new();
    // Depth inside a dropped element (0: not dropping), and the stack of
    // open elements' rules, so that an unwrapped element's end tag is skipped.
    let mut dropping = 0usize;
    let mut stack: Vec<Rule> = Vec::new();
    let mut changed = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                if dropping > 0 {
                    dropping += 1;
                    continue;
                }
                let rule = element(&e);
                match rule {
                    Rule::Drop => {
                        dropping = 1;
                        changed += 1;
                    }
                    Rule::Unwrap => {
                        changed += 1;
                        stack.push(rule);
                    }
                    Rule::Keep => {
                        stack.push(rule);
                        write(&mut writer, Event::Start(filtered(&e, attribute)?))?;
                    }
                }
            }
            Event::End(e) => {
                if dropping > 0 {
                    dropping -= 1;
                    continue;
                }
                if stack.pop() == Some(Rule::Keep) {
                    write(&mut writer, Event::End(e))?;
                }
            }
            Event::Empty(e) => {
                if dropping > 0 {
                    continue;
                }
                match element(&e) {
                    Rule::Keep => write(&mut writer, Event::Empty(filtered(&e, attribute)?))?,
                    _ => changed += 1,
                }
            }
            // Comments, processing instructions and a DOCTYPE are read by
            // no office application as content, and can carry anything (an
            // author's name in a comment, text in an entity declaration):
            // never written again.
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => changed += 1,
            other => {
                if dropping == 0 {
                    write(&mut writer, other)?;
                }
            }
        }
        buf.clear();
    }
    if dropping > 0 || !stack.is_empty() {
        return Err("XML ends inside an element".into());
    }
    Ok((writer.into_inner(), changed))
}

fn write(w: &mut Writer<Vec<u8>>, e: Event<'_>) -> Result<(), String> {
    w.write_event(e).map_err(|e| format!("writing XML: {e}"))
}

fn filtered<'a>(
    e: &BytesStart<'a>,
    drop: &dyn Fn(&[u8]) -> bool,
) -> Result<BytesStart<'static>, String> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut out = BytesStart::new(name);
    for a in e.attributes() {
        let a = a.map_err(|e| format!("XML attribute: {e}"))?;
        if !drop(a.key.as_ref()) {
            out.push_attribute(a);
        }
    }
    Ok(out)
}

/// The value of attribute `key` of `e`, unescaped.
pub(crate) fn attr(e: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    let a = e.try_get_attribute(key).ok()??;
    a.unescape_value().ok().map(|v| v.into_owned())
}

/// Values of `attr` on every element named `element`, in document order.
pub(crate) fn values(xml: &[u8], element: &[u8], attr: &[u8]) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error: {e}"))?
        {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == element => {
                if let Some(a) = e.try_get_attribute(attr).map_err(|e| e.to_string())? {
                    out.push(a.unescape_value().map_err(|e| e.to_string())?.into_owned());
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// The first answer `look` gives for an element of `xml` (start or empty
/// tag), in document order.
pub(crate) fn first(
    xml: &[u8],
    look: &dyn Fn(&BytesStart<'_>) -> Option<String>,
) -> Result<Option<String>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error: {e}"))?
        {
            Event::Eof => return Ok(None),
            Event::Start(e) | Event::Empty(e) => {
                if let Some(found) = look(&e) {
                    return Ok(Some(found));
                }
            }
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_elements_vanish_with_their_content_and_unwrapped_ones_keep_it() {
        let xml = br#"<w:p><w:ins w:author="Dr Dupont"><w:r><w:t>kept</w:t></w:r></w:ins><w:del w:author="Dr Dupont"><w:r><w:delText>gone</w:delText></w:r></w:del><w:r w:rsidR="00AB12"><w:t>plain</w:t></w:r></w:p>"#;
        let rule = |e: &BytesStart<'_>| match e.name().as_ref() {
            b"w:del" => Rule::Drop,
            b"w:ins" => Rule::Unwrap,
            _ => Rule::Keep,
        };
        let (out, changed) = rewrite(xml, &rule, &|a| a.starts_with(b"w:rsid")).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(changed, 2);
        assert!(out.contains("kept") && out.contains("plain"), "{out}");
        assert!(!out.contains("gone") && !out.contains("Dupont"), "{out}");
        assert!(!out.contains("rsid"), "{out}");
        assert!(rewrite(b"<a><b></a>", &rule, &|_| false).is_err());
    }

    #[test]
    fn comments_doctypes_and_processing_instructions_are_not_written_again() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE a [<!ENTITY n "Jean Dupont">]><?note Jean Dupont?><a><!-- Jean Dupont --><b>kept &amp; shown</b></a>"#;
        let (out, _) = rewrite(xml, &|_| Rule::Keep, &|_| false).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("Dupont"), "{out}");
        assert!(
            out.starts_with("<?xml") && out.contains("kept &amp; shown"),
            "{out}"
        );
    }
}
