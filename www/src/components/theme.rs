//! Light, dark, or the system's choice: a button that cycles through them, remembered in this
//! browser. It sets `data-theme` on the root element; `style.css` holds both palettes.

use gloo::storage::{LocalStorage, Storage};
use yew::prelude::*;

const THEME_KEY: &str = "sessionhunt.theme";
const THEMES: [&str; 3] = ["auto", "light", "dark"];

fn apply(theme: &str) {
    if let Some(root) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
    {
        let _ = if theme == "auto" {
            root.remove_attribute("data-theme")
        } else {
            root.set_attribute("data-theme", theme)
        };
    }
}

/// The theme button.
#[component]
pub fn ThemeToggle() -> Html {
    let theme = use_state(|| {
        LocalStorage::get::<String>(THEME_KEY)
            .ok()
            .filter(|t| THEMES.contains(&t.as_str()))
            .unwrap_or_else(|| "auto".to_owned())
    });
    {
        let current = (*theme).clone();
        use_effect_with(current, |t| apply(t));
    }
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let i = THEMES.iter().position(|t| *t == theme.as_str()).unwrap_or(0);
            let next = THEMES[(i + 1) % THEMES.len()].to_owned();
            let _ = LocalStorage::set(THEME_KEY, &next);
            theme.set(next);
        })
    };
    html! {
        <button class="button small" {onclick} data-testid="theme-toggle"
            title="Theme: follow the system, light, or dark">{format!("Theme: {}", *theme)}</button>
    }
}
