//! The settings panel: every window, threshold, weight and allowlist of the core's `Settings`,
//! editable. The form is generated from the settings' serialized JSON, so a field added to the
//! core appears here without a change to the page. A valid change is applied at once (the worker
//! re-scores what it holds, without re-reading the files); an invalid one is reported and not
//! applied. Settings export to and import from JSON (or TOML) files.

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

fn label(key: &str) -> String {
    let text = key.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
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

/// Settings from `root` with `value` at `path`, or why not.
fn apply(root: &Value, path: &[String], value: Value) -> Result<Settings, String> {
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
    error: UseStateHandle<Option<String>>,
}

impl Form<'_> {
    fn commit(&self) -> Callback<(Vec<String>, Vec<Value>)> {
        let root = self.root.clone();
        let on_change = self.on_change.clone();
        let error = self.error.clone();
        // Candidates in order; the first the settings accept wins.
        Callback::from(move |(path, candidates): (Vec<String>, Vec<Value>)| {
            let mut last = None;
            for value in candidates {
                match apply(&root, &path, value) {
                    Ok(settings) => {
                        error.set(None);
                        on_change.emit(settings);
                        return;
                    }
                    Err(e) => last = Some(e),
                }
            }
            error.set(last);
        })
    }

    fn field(&self, path: Vec<String>, value: &Value) -> Html {
        let key = path.last().cloned().unwrap_or_default();
        let id = format!("setting-{}", path.join("."));
        let commit = self.commit();
        let name = label(&key);
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
                let text = if let Value::Number(n) = value { n.to_string() } else { String::new() };
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
                            <input type="text" id={id.clone()} value={current.clone()} {onchange} data-testid={id} />
                        </label>
                    }
                }
            },
            Value::Array(items) => {
                let text = items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
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
    let error = use_state(|| None::<String>);
    let root = serde_json::to_value(&*props.settings).unwrap_or(Value::Null);
    let form = Form { root: &root, on_change: props.on_change.clone(), error: error.clone() };
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
        Callback::from(move |_| {
            error.set(None);
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
                    Some(Err(e)) => error.set(Some(format!("{name}: {e}"))),
                    None => error.set(Some(format!("{name}: the browser could not read the file"))),
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
            if let Some(message) = &*error {
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
