//! Both languages are complete: the same messages with the same arguments, every id the sources use
//! exists, and every message formats without an error in both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use backprop_playground::i18n::{CHINESE_FTL, ENGLISH_FTL, Lang, Text, Translations};
use backprop_playground::text;
use fluent_syntax::ast;

/// Message id → the variables its value uses (selectors included).
fn messages(name: &str, source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((_, errors)) => panic!("{name} has syntax errors: {errors:?}"),
    };
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(pattern) = &m.value {
                    pattern_variables(pattern, &mut vars);
                }
                assert!(m.value.is_some(), "{name}: {} has no value", m.id.name);
                assert!(out.insert(m.id.name.to_string(), vars).is_none(), "{name}: {} is defined twice", m.id.name);
            }
            ast::Entry::Junk { content } => panic!("{name} has text it cannot read: {content}"),
            _ => {}
        }
    }
    out
}

fn pattern_variables(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, vars);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, vars);
            for v in variants {
                pattern_variables(&v.value, vars);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, vars),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, vars),
        _ => {}
    }
}

#[test]
fn both_languages_have_the_same_messages_with_the_same_arguments() {
    let en = messages("en.ftl", ENGLISH_FTL);
    let zh = messages("zh.ftl", CHINESE_FTL);
    let missing_in_zh: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let missing_in_en: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(missing_in_zh.is_empty(), "not translated into Chinese: {missing_in_zh:?}");
    assert!(missing_in_en.is_empty(), "only in Chinese: {missing_in_en:?}");
    for (id, vars) in &en {
        assert_eq!(Some(vars), zh.get(id), "{id}: the two languages use different arguments");
    }
    assert!(en.len() > 250, "only {} messages: the files were cut short?", en.len());
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals that follow `prefix` in `code` (`text!("id"`, `.t("id")`, `hint="id"`).
fn literals_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix).filter_map(|(i, _)| code[i + prefix.len()..].split('"').next()).collect()
}

#[test]
fn every_message_the_code_names_exists_and_every_message_is_used() {
    let en = messages("en.ftl", ENGLISH_FTL);
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    assert!(files.len() > 30);
    let code: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<Vec<_>>().join("\n");
    let mut named = BTreeSet::new();
    for prefix in ["text!(\"", "Text::new(\"", ".t(\"", "hint=\"", "row(\""] {
        named.extend(literals_after(&code, prefix));
    }
    // Ids kept in tables: the backprop phases (`const PHASES`) and the shortcut list (`("S", "shortcut-step")`).
    for line in code.lines().filter(|l| l.trim_start().starts_with("const PHASES")) {
        named.extend(line.split('"').skip(1).step_by(2).filter(|id| id.starts_with("phase-")));
    }
    // Ids chosen by dataset: `worded_for(dataset, "confusion-hint", "confusion-hint-fashion")`.
    for (i, _) in code.match_indices("worded_for(") {
        named.extend(code[i..].split(')').next().unwrap_or("").split('"').skip(1).step_by(2));
    }
    for (i, _) in code.match_indices("\", \"shortcut-") {
        named.extend(code[i + 4..].split('"').next());
    }
    let unknown: Vec<_> = named.iter().filter(|id| !en.contains_key(**id)).collect();
    assert!(unknown.is_empty(), "the code names messages that no .ftl file has: {unknown:?}");
    assert!(named.len() > 200, "only {} ids found in the code: is the scan broken?", named.len());
    let unused: Vec<_> = en.keys().filter(|id| !code.contains(&format!("\"{id}\""))).collect();
    assert!(unused.is_empty(), "messages no code uses: {unused:?}");
}

#[test]
fn every_message_formats_in_both_languages_without_an_error() {
    let en = messages("en.ftl", ENGLISH_FTL);
    for (lang, source) in [("en", ENGLISH_FTL), ("zh", CHINESE_FTL)] {
        let resource = fluent_bundle::FluentResource::try_new(source.to_string()).unwrap_or_else(|_| panic!("{lang} does not parse"));
        let mut bundle = fluent_bundle::FluentBundle::new(vec![lang.parse().unwrap()]);
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).unwrap();
        for (id, vars) in &en {
            for count in [1.0, 2.0] {
                let mut args = fluent_bundle::FluentArgs::new();
                for v in vars {
                    // Numbers select plural forms; words select the other variants.
                    if ["optimizer"].contains(&v.as_str()) {
                        args.set(v.as_str(), if count == 1.0 { "adam" } else { "sgd" });
                    } else {
                        args.set(v.as_str(), count);
                    }
                }
                let message = bundle.get_message(id).unwrap_or_else(|| panic!("{lang}: {id} missing"));
                let mut errors = Vec::new();
                let text = bundle.format_pattern(message.value().unwrap(), Some(&args), &mut errors);
                assert!(errors.is_empty(), "{lang} {id}: {errors:?}");
                assert!(id == "empty" || !text.trim().is_empty(), "{lang} {id} formats to nothing");
            }
        }
    }
}

#[test]
fn plural_forms_and_nested_texts_read_naturally_in_both_languages() {
    let t = Translations::new();
    let undo = |steps: usize| text!("undo-offer", because = text!("because-reset"), steps = steps);
    assert_eq!(t.format(Lang::En, &undo(1)), "the model before “Reset” (1 step)");
    assert_eq!(t.format(Lang::En, &undo(2)), "the model before “Reset” (2 steps)");
    assert_eq!(t.format(Lang::Zh, &undo(2)), "“重置”之前的模型（2 步）");
    // A message missing from a language falls back to English, then to its id.
    assert_eq!(t.format(Lang::Zh, &Text::new("no-such-message")), "no-such-message");
    assert_eq!(t.format(Lang::Zh, &Text::verbatim("HTTP 404")), "HTTP 404");
    // No Unicode isolation marks around arguments.
    assert!(!t.format(Lang::En, &text!("weights-loaded", name = "a.safetensors")).contains('\u{2068}'));
}

#[test]
fn a_text_crosses_the_worker_boundary_intact() {
    use backprop_playground::protocol::{Event, decode, encode};
    let event = Event::Error(text!("weights-not-loaded", name = "x.safetensors", reason = text!("data-not-loaded")));
    let bytes = encode(&event).unwrap();
    assert_eq!(decode::<Event>(&bytes).unwrap(), event);
}

#[test]
fn the_language_comes_from_the_first_preferred_one_the_page_speaks() {
    assert_eq!(Lang::negotiate(["fr-FR", "zh-CN", "en"]), Lang::Zh);
    assert_eq!(Lang::negotiate(["en-GB", "zh"]), Lang::En);
    assert_eq!(Lang::negotiate(["zh-Hans-CN"]), Lang::Zh);
    assert_eq!(Lang::negotiate(["de", "fr"]), Lang::En);
    assert_eq!(Lang::negotiate([]), Lang::En);
    assert_eq!(Lang::from_tag("ZH_tw"), Some(Lang::Zh));
    assert_eq!(Lang::from_tag("es"), None);
}
