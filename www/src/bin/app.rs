//! Page entry point.
fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<sessionhunt_www::App>::new().render();
}
