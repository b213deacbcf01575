//! Worker entry point: the analysis runs here, off the page's main thread.
fn main() {
    console_error_panic_hook::set_once();
    sessionhunt_www::worker::start();
}
