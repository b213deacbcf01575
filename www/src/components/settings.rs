//! The settings panel: every window, threshold, weight and allowlist of the core's `Settings`,
//! editable. The form is generated from the settings' serialized JSON, so a field added to the
//! core appears here without a change to the page. A valid change is applied at once (the worker
//! re-scores what it holds, without re-reading the files); an invalid one is reported and not
//! applied. Settings export to and import from JSON (or TOML) files.

use std::collections::HashMap;

use serde_json::{Map, Value};
use sessionhunt::Settings;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::state::Shared;

/// Props of [`SettingsPanel`].
#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    /// The settings in force.
    pub settings: Shared<Settings>,
    /// New valid settings.
    pub on_change: Callback<Settings>,
}

/// Choices of the settings that are enums (a select instead of a text box).
fn choices(key: &str) -> Option<&'static [&'static str]> {
    match key {
        "ip_prevalence_scope" => Some(&["all-data", "candidates"]),
        "risky_min_level" => Some(&["low", "medium", "high", "never"]),
        _ => None,
    }
}

/// The core's settings source: its doc comments are the fields' documentation, and the page's
/// one-line help comes from them (one source for the docs and the form).
const SETTINGS_SOURCE: &str = include_str!("../../../src/settings.rs");

/// The doc comment and type of every field of every struct in the settings source, by (struct,
/// field): parsed once, because the panel asks for them on every render (the page renders on
/// every progress message, and a scan of the source per field cost the grid-scale test long
/// tasks).
fn field_docs() -> std::rc::Rc<HashMap<(String, String), (String, String)>> {
    thread_local! {
        static DOCS: std::rc::Rc<HashMap<(String, String), (String, String)>> =
            std::rc::Rc::new(parse_field_docs(SETTINGS_SOURCE));
    }
    DOCS.with(std::rc::Rc::clone)
}

fn parse_field_docs(source: &str) -> HashMap<(String, String), (String, String)> {
    let mut out = HashMap::new();
    let mut rest = source;
    while let Some(start) = rest.find("pub struct ") {
        let body = &rest[start + "pub struct ".len()..];
        let name = body.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or("");
        let end = body.find("\n}").unwrap_or(body.len());
        let mut doc: Vec<&str> = Vec::new();
        for line in body[..end].lines().skip(1) {
            let line = line.trim();
            if let Some(text) = line.strip_prefix("///") {
                doc.push(text.trim());
            } else if let Some(field) = line.strip_prefix("pub ") {
                if let Some((field, ty)) = field.split_once(':') {
                    let ty = ty.trim().trim_end_matches(',').to_owned();
                    out.entry((name.to_owned(), field.trim().to_owned()))
                        .or_insert((doc.join(" "), ty));
                }
                doc.clear();
            } else if !line.starts_with("#[") {
                doc.clear();
            }
        }
        rest = &body[end..];
    }
    out
}

/// The doc comment of field `field` of struct `strukt` in the settings source, and the field's
/// type name.
fn field_doc(strukt: &str, field: &str) -> Option<(String, String)> {
    field_docs().get(&(strukt.to_owned(), field.to_owned())).cloned()
}

/// The documentation of the setting at `path` (e.g. `weights.campaign`).
fn help(path: &[String]) -> Option<String> {
    let mut strukt = "Settings".to_owned();
    let mut doc = None;
    for key in path {
        let (text, ty) = field_doc(&strukt, key)?;
        doc = Some(text);
        strukt = ty;
    }
    doc
}

/// The first sentence of a doc comment (the one-line help).
fn first_sentence(doc: &str) -> String {
    let line = match doc.find(". ") {
        Some(i) => &doc[..=i],
        None => doc,
    };
    // Rustdoc's code marks are not for the page.
    line.replace('`', "")
}

/// A field's label: its name in words, abbreviations spelled as people write them, and the unit
/// its name ends with.
fn label(key: &str) -> String {
    const UNITS: [(&str, &str); 7] = [
        ("_days", "days"),
        ("_hours", "hours"),
        ("_minutes", "minutes"),
        ("_secs", "seconds"),
        ("_kmh", "km/h"),
        ("_km", "km"),
        ("_prefix", "bits"),
    ];
    let unit = UNITS.iter().find(|(suffix, _)| key.ends_with(suffix));
    let stem = match unit {
        Some((suffix, _)) if *suffix != "_prefix" => &key[..key.len() - suffix.len()],
        _ => key,
    };
    let words: Vec<String> = stem
        .split('_')
        .map(|w| match w {
            "ip" | "asn" | "ua" | "mfa" | "os" | "utc" => w.to_uppercase(),
            "ips" => "IPs".to_owned(),
            "cidrs" => "CIDRs".to_owned(),
            "uas" => "UAs".to_owned(),
            "asns" => "ASNs".to_owned(),
            "ipv4" => "IPv4".to_owned(),
            "ipv6" => "IPv6".to_owned(),
            "aitm" => "AiTM".to_owned(),
            "kmh" => "km/h".to_owned(),
            "km" => "km".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    let mut text = words.join(" ").replace("sign ins", "sign-ins").replace("sign in", "sign-in");
    if let Some(first) = text.get(..1)
        && first.chars().all(|c| c.is_ascii_lowercase())
    {
        text.replace_range(..1, &first.to_uppercase());
    }
    match unit {
        Some((_, unit)) => format!("{text} ({unit})"),
        None => text,
    }
}

/// The one-line help of every field under `path` in `value` (what the form shows).
fn helps(value: &Value, path: &mut Vec<String>, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        for (key, child) in map {
            path.push(key.clone());
            if let Some(doc) = help(path) {
                out.push(first_sentence(&doc));
            }
            helps(child, path, out);
            path.pop();
        }
    }
}

/// Sets `value` at `path` in `root`.
fn set_at(root: &mut Value, path: &[String], value: Value) {
    let mut node = root;
    for key in path {
        node = match node {
            Value::Object(map) => map.entry(key.clone()).or_insert(Value::Null),
            _ => return,
        };
    }
    *node = value;
}

/// The Rust type of the setting at `path`, as the settings source declares it (`u32`, `f64`,
/// `Option<u32>`, `Vec<u32>`, …).
fn field_type(path: &[String]) -> Option<String> {
    let mut strukt = "Settings".to_owned();
    for key in path {
        strukt = field_doc(&strukt, key)?.1;
    }
    Some(strukt)
}

/// What a number setting of type `ty` at `key` takes, and whether `n` is one: whole numbers in
/// the type's range, no negative distance, speed, threshold or session weight, prefix lengths
/// that an address has.
fn number_range(key: &str, ty: &str) -> Option<(f64, f64, bool, String)> {
    let ty = ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(ty);
    let (min, max, whole) = match ty {
        "u8" => (0.0, f64::from(u8::MAX), true),
        "u16" => (0.0, f64::from(u16::MAX), true),
        "u32" => (0.0, f64::from(u32::MAX), true),
        "u64" | "usize" => (0.0, 9.0e15, true),
        "i64" | "i32" => (-9.0e15, 9.0e15, true),
        "f64" | "f32" => (0.0, f64::MAX, false),
        _ => return None,
    };
    let max = match key {
        "ipv4_prefix" => 32.0,
        "ipv6_prefix" => 128.0,
        _ => max,
    };
    let what = match (whole, min < 0.0, max >= 1.0e9) {
        (true, true, _) => "a whole number (negative lowers the score)".to_owned(),
        (true, false, true) => "a whole number, 0 or more".to_owned(),
        (true, false, false) => format!("a whole number from 0 to {max}"),
        (false, _, _) => "a number, 0 or more".to_owned(),
    };
    Some((min, max, whole, what))
}

/// Why `value` cannot be the setting at `path`, in words, when the form can tell before the
/// core's parser does (which accepts, say, a negative distance).
fn refused(path: &[String], value: &Value) -> Option<String> {
    let key = path.last()?;
    let ty = field_type(path)?;
    let (min, max, whole, what) = number_range(key, &ty)?;
    let shown = match value {
        Value::Null if ty.starts_with("Option<") => return None,
        Value::Null => "an empty value".to_owned(),
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    let ok = value
        .as_f64()
        .is_some_and(|n| n.is_finite() && n >= min && n <= max && (!whole || n.fract() == 0.0));
    (!ok).then(|| format!("{shown} is not accepted: {} takes {what}.", label(key)))
}

/// Settings from `root` with `value` at `path`, or why not.
fn apply(root: &Value, path: &[String], value: Value) -> Result<Settings, String> {
    if let Some(why) = refused(path, &value) {
        return Err(why);
    }
    let mut next = root.clone();
    set_at(&mut next, path, value);
    serde_json::from_value::<Settings>(next).map_err(|e| format!("{}: {e}", path.join(".")))
}

/// The number in `text`, as an integer when it is one.
fn number(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    text.parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::from)
}

/// A list typed one entry per line: numbers when every line is one (ASNs), else strings; the
/// caller retries as strings if the settings want strings (e.g. user names that are digits).
fn lines(text: &str, as_strings: bool) -> Value {
    let items: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let numbers = if as_strings { None } else { items.iter().map(|l| number(l)).collect() };
    if let Some(numbers) = numbers {
        return Value::Array(numbers);
    }
    Value::Array(items.into_iter().map(|l| Value::String(l.to_owned())).collect())
}

struct Form<'a> {
    root: &'a Value,
    on_change: Callback<Settings>,
    /// The refused field's path (empty for an import) and why.
    error: UseStateHandle<Option<(String, String)>>,
    /// The refused field's path and the text typed into it, kept in the field so it can be
    /// corrected (the form would otherwise show the value in force again).
    typed: UseStateHandle<Option<(String, String)>>,
}

/// The text a candidate value was typed as.
fn typed_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

impl Form<'_> {
    fn commit(&self) -> Callback<(Vec<String>, Vec<Value>)> {
        let root = self.root.clone();
        let on_change = self.on_change.clone();
        let error = self.error.clone();
        let typed = self.typed.clone();
        // Candidates in order; the first the settings accept wins.
        Callback::from(move |(path, candidates): (Vec<String>, Vec<Value>)| {
            let text = candidates.first().map(typed_text).unwrap_or_default();
            let mut last = None;
            for value in candidates {
                match apply(&root, &path, value) {
                    Ok(settings) => {
                        error.set(None);
                        typed.set(None);
                        on_change.emit(settings);
                        return;
                    }
                    Err(e) => last = Some(e),
                }
            }
            // Refused, not applied: the message stands next to the field.
            typed.set(Some((path.join("."), text)));
            error.set(last.map(|e| (path.join("."), format!("Refused, not applied. {e}"))));
        })
    }

    fn field(&self, path: Vec<String>, value: &Value) -> Html {
        let key = path.last().cloned().unwrap_or_default();
        let id = format!("setting-{}", path.join("."));
        let commit = self.commit();
        let name = label(&key);
        let doc = help(&path).unwrap_or_default();
        let error = self
            .error
            .as_ref()
            .filter(|(p, _)| *p == path.join("."))
            .map(|(_, message)| message.clone());
        let input = self.input(path, value, &key, &id, &name, commit);
        if value.is_object() {
            return input;
        }
        html! {
            <div class={classes!("setting", error.is_some().then_some("invalid"))} title={doc.clone()}>
                { input }
                if !doc.is_empty() {
                    <small class="help muted">{crate::glossary::text(&first_sentence(&doc))}</small>
                }
                if let Some(message) = error {
                    <small class="field-error" role="alert" data-testid="settings-error">{message}</small>
                }
            </div>
        }
    }

    fn input(
        &self,
        path: Vec<String>,
        value: &Value,
        key: &str,
        id: &str,
        name: &str,
        commit: Callback<(Vec<String>, Vec<Value>)>,
    ) -> Html {
        let (key, id, name) = (key.to_owned(), id.to_owned(), name.to_owned());
        let typed =
            self.typed.as_ref().filter(|(p, _)| *p == path.join(".")).map(|(_, t)| t.clone());
        match value {
            Value::Object(map) => self.group(path, map, &name),
            Value::Bool(on) => {
                let onchange = Callback::from(move |e: Event| {
                    let input: HtmlInputElement = e.target_unchecked_into();
                    commit.emit((path.clone(), vec![Value::Bool(input.checked())]));
                });
                html! {
                    <label class="field check" for={id.clone()}>
                        <input type="checkbox" id={id.clone()} checked={*on} {onchange} data-testid={id} />
                        <span>{name}</span>
                    </label>
                }
            }
            Value::Number(_) | Value::Null => {
                let optional =
                    value.is_null() || key.ends_with("_days") || key.starts_with("baseline_max");
                let text = typed.unwrap_or_else(|| {
                    if let Value::Number(n) = value { n.to_string() } else { String::new() }
                });
                let onchange = Callback::from(move |e: Event| {
                    let input: HtmlInputElement = e.target_unchecked_into();
                    let text = input.value();
                    let candidates = if text.trim().is_empty() {
                        vec![Value::Null]
                    } else {
                        number(&text).map(|n| vec![n]).unwrap_or_else(|| vec![Value::String(text)])
                    };
                    commit.emit((path.clone(), candidates));
                });
                html! {
                    <label class="field" for={id.clone()}>
                        <span>{name}</span>
                        <input type="number" step="any" id={id.clone()} value={text} {onchange} data-testid={id}
                            placeholder={if optional { "none (whole span / no cap)" } else { "" }} />
                    </label>
                }
            }
            Value::String(current) => match choices(&key) {
                Some(options) => {
                    let onchange = Callback::from(move |e: Event| {
                        let select: HtmlSelectElement = e.target_unchecked_into();
                        commit.emit((path.clone(), vec![Value::String(select.value())]));
                    });
                    html! {
                        <label class="field" for={id.clone()}>
                            <span>{name}</span>
                            <select id={id.clone()} {onchange} data-testid={id}>
                                { for options.iter().map(|o| html! { <option value={*o} selected={o == current}>{*o}</option> }) }
                            </select>
                        </label>
                    }
                }
                None => {
                    let onchange = Callback::from(move |e: Event| {
                        let input: HtmlInputElement = e.target_unchecked_into();
                        commit.emit((path.clone(), vec![Value::String(input.value())]));
                    });
                    html! {
                        <label class="field" for={id.clone()}>
                            <span>{name}</span>
                            <input type="text" id={id.clone()} value={typed.unwrap_or_else(|| current.clone())} {onchange} data-testid={id} />
                        </label>
                    }
                }
            },
            Value::Array(items) => {
                let text = typed.unwrap_or_else(|| {
                    items
                        .iter()
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                let onchange = Callback::from(move |e: Event| {
                    let area: HtmlTextAreaElement = e.target_unchecked_into();
                    let text = area.value();
                    commit.emit((path.clone(), vec![lines(&text, false), lines(&text, true)]));
                });
                html! {
                    <label class="field list" for={id.clone()}>
                        <span>{name}<small class="muted">{" (one per line)"}</small></span>
                        <textarea id={id.clone()} rows="3" value={text} {onchange} data-testid={id} />
                    </label>
                }
            }
        }
    }

    fn group(&self, path: Vec<String>, map: &Map<String, Value>, name: &str) -> Html {
        let mut scalars = Vec::new();
        let mut groups = Vec::new();
        for (key, value) in map {
            let mut child = path.clone();
            child.push(key.clone());
            if value.is_object() {
                groups.push(self.field(child, value));
            } else {
                scalars.push(self.field(child, value));
            }
        }
        html! {
            <fieldset class="settings-group" data-testid={format!("settings-group-{}", if path.is_empty() { "general".to_owned() } else { path.join(".") })}>
                <legend>{name.to_owned()}</legend>
                <div class="fields">{ for scalars }</div>
                { for groups }
            </fieldset>
        }
    }
}

/// The settings panel.
#[component]
pub fn SettingsPanel(props: &SettingsProps) -> Html {
    let error = use_state(|| None::<(String, String)>);
    let root = serde_json::to_value(&*props.settings).unwrap_or(Value::Null);
    let typed = use_state(|| None::<(String, String)>);
    // The settings' shape never changes, nor their docs: their help lines are gathered once.
    let help_texts = use_memo((), |_| {
        let mut out = Vec::new();
        let root = serde_json::to_value(Settings::default()).unwrap_or(Value::Null);
        helps(&root, &mut Vec::new(), &mut out);
        out
    });
    let form = Form {
        root: &root,
        on_change: props.on_change.clone(),
        error: error.clone(),
        typed: typed.clone(),
    };
    let body = match &root {
        Value::Object(map) => form.group(Vec::new(), map, "General"),
        _ => html! {},
    };
    let on_export = {
        let settings = props.settings.clone();
        Callback::from(move |_| {
            let text = serde_json::to_string_pretty(&*settings).unwrap_or_default() + "\n";
            if let Err(err) =
                crate::format::download("sessionhunt-settings.json", "application/json", &text)
            {
                web_sys::console::error_2(&"sessionhunt: export failed".into(), &err);
            }
        })
    };
    let on_reset = {
        let on_change = props.on_change.clone();
        let error = error.clone();
        let typed = typed.clone();
        Callback::from(move |_| {
            error.set(None);
            typed.set(None);
            on_change.emit(Settings::default());
        })
    };
    let on_import = {
        let on_change = props.on_change.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let on_change = on_change.clone();
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let text = JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
                match text.map(|t| Settings::parse(&t)) {
                    Some(Ok(settings)) => {
                        error.set(None);
                        on_change.emit(settings);
                    }
                    Some(Err(e)) => error.set(Some((String::new(), format!("{name}: {e}")))),
                    None => error.set(Some((
                        String::new(),
                        format!("{name}: the browser could not read the file"),
                    ))),
                }
            });
        })
    };
    html! {
        <div class="settings-panel" data-testid="settings-panel">
            <p class="muted">{"Every window, threshold, weight and allowlist of the analysis. A change re-scores what is loaded at once, without reading the files again. Kept in this browser (local storage)."}</p>
            <div class="settings-actions">
                <button class="button" onclick={on_export} data-testid="settings-export">{"Export JSON"}</button>
                <label class="button">
                    {"Import JSON or TOML…"}
                    <input type="file" accept=".json,.toml,application/json" onchange={on_import} data-testid="settings-import" />
                </label>
                <button class="button" onclick={on_reset} data-testid="settings-reset">{"Reset to defaults"}</button>
            </div>
            <crate::glossary::Glossary texts={(*help_texts).clone()} />
            if let Some((path, message)) = &*error && path.is_empty() {
                <p class="status error" role="alert" data-testid="settings-error">{message.clone()}</p>
            }
            { body }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Value {
        serde_json::to_value(Settings::default()).unwrap()
    }

    #[test]
    fn labels_are_words_with_units_and_help_comes_from_the_core_docs() {
        assert_eq!(label("ipv4_prefix"), "IPv4 prefix (bits)");
        assert_eq!(label("asns"), "ASNs");
        assert_eq!(label("ips"), "IPs");
        assert_eq!(label("cidrs"), "CIDRs");
        assert_eq!(label("min_baseline_sign_ins"), "Min baseline sign-ins");
        assert_eq!(label("aitm_kit"), "AiTM kit");
        assert_eq!(label("nearby_interactive_hours"), "Nearby interactive (hours)");
        assert_eq!(label("impossible_travel_min_kmh"), "Impossible travel min (km/h)");
        assert_eq!(
            label("microsoft_refresh_max_delay_secs"),
            "Microsoft refresh max delay (seconds)"
        );
        let p = |s: &str| s.split('.').map(str::to_owned).collect::<Vec<_>>();
        assert!(help(&p("short_window_minutes")).is_some_and(|h| h.contains("in minutes")));
        assert!(
            help(&p("weights.token_from_unfamiliar_network"))
                .is_some_and(|h| h.contains("Default"))
        );
        assert!(
            help(&p("session_anomaly_weights.ips")).is_some_and(|h| h.starts_with("Distinct IPs"))
        );
        // Every field of the form has its help.
        fn walk(v: &Value, path: &mut Vec<String>, missing: &mut Vec<String>) {
            if let Value::Object(m) = v {
                for (k, c) in m {
                    path.push(k.clone());
                    if help(path).is_none_or(|h| h.is_empty()) {
                        missing.push(path.join("."));
                    }
                    walk(c, path, missing);
                    path.pop();
                }
            }
        }
        let mut missing = Vec::new();
        walk(&root(), &mut Vec::new(), &mut missing);
        assert_eq!(missing, Vec::<String>::new());
        assert_eq!(first_sentence("One. Two."), "One.");
    }

    #[test]
    fn invalid_numbers_are_refused_in_words() {
        let p = |s: &str| s.split('.').map(str::to_owned).collect::<Vec<_>>();
        let err = apply(&root(), &p("short_window_minutes"), Value::from(-5)).unwrap_err();
        assert_eq!(
            err,
            "-5 is not accepted: Short window (minutes) takes a whole number, 0 or more."
        );
        let err = apply(&root(), &p("impossible_travel_min_km"), Value::from(-5)).unwrap_err();
        assert!(err.contains("takes a number, 0 or more"), "{err}");
        let err = apply(&root(), &p("ipv4_prefix"), Value::from(33)).unwrap_err();
        assert!(err.contains("from 0 to 32"), "{err}");
        assert!(apply(&root(), &p("short_window_minutes"), Value::from(2.5)).is_err());
        assert!(apply(&root(), &p("short_window_minutes"), Value::from("ten")).is_err());
        // A negative weight is a choice (it lowers the score), and optional windows take none.
        assert!(apply(&root(), &p("weights.campaign"), Value::from(-5)).is_ok());
        assert!(apply(&root(), &p("detection_days"), Value::Null).is_ok());
        assert!(apply(&root(), &p("impossible_travel_min_km"), Value::from(250.5)).is_ok());
    }

    #[test]
    fn a_nested_weight_is_applied() {
        let path = vec!["weights".to_owned(), "campaign".to_owned()];
        let s = apply(&root(), &path, Value::from(99)).unwrap();
        assert_eq!(s.weights.campaign, 99);
    }

    #[test]
    fn optional_windows_take_null() {
        let path = vec!["detection_days".to_owned()];
        assert_eq!(apply(&root(), &path, Value::from(7)).unwrap().detection_days, Some(7));
        assert_eq!(apply(&root(), &path, Value::Null).unwrap().detection_days, None);
        assert!(apply(&root(), &path, Value::from(-1)).is_err(), "a negative day count is refused");
    }

    #[test]
    fn lists_are_numbers_or_strings_as_the_settings_want() {
        let asns = vec!["allow".to_owned(), "asns".to_owned()];
        let s = apply(&root(), &asns, lines("8075\n 14061 \n\n", false)).unwrap();
        assert_eq!(s.allow.asns, vec![8075, 14061]);
        let users = vec!["allow".to_owned(), "users".to_owned()];
        assert!(apply(&root(), &users, lines("12345", false)).is_err());
        let s = apply(&root(), &users, lines("12345\nA@x.com", true)).unwrap();
        assert_eq!(s.allow.users, vec!["12345".to_owned(), "A@x.com".to_owned()]);
    }

    #[test]
    fn every_settings_field_is_a_form_field() {
        // Walks the JSON the form is generated from: every leaf must be a kind the form edits.
        fn leaves(v: &Value, out: &mut usize) {
            match v {
                Value::Object(m) => m.values().for_each(|c| leaves(c, out)),
                Value::Bool(_)
                | Value::Number(_)
                | Value::Null
                | Value::String(_)
                | Value::Array(_) => *out += 1,
            }
        }
        let mut n = 0;
        leaves(&root(), &mut n);
        assert!(n >= 50, "{n} fields");
        for (key, value) in root().as_object().unwrap() {
            if let Value::String(s) = value {
                assert!(
                    choices(key).is_some_and(|c| c.contains(&s.as_str())),
                    "{key} has its choices listed"
                );
            }
        }
    }
}
