//! The HTML case report (placeholder while being written).

use super::Selection;
use crate::report::Report;

/// The case report.
pub fn html(report: &Report, selection: &Selection) -> String {
    let _ = (report, selection);
    String::new()
}
