//! The grades file: an analyst's verdict on findings, shared between analysts and read by every
//! export (docs/exports.md, "The grades file").
//!
//! ```json
//! {"grades": [{"finding": "F-3f9a0c12", "grade": "true-positive", "note": "confirmed with the user"}]}
//! ```
//!
//! Findings are named by their stable id, which derives from the user and the origin, so a grade
//! survives a re-analysis with other settings. Unknown keys are ignored (a later version may add
//! some, such as who graded and when); an unknown grade or a finding graded twice is an error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An analyst's verdict on one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    /// The account was taken over: contain it, whatever the severity.
    TruePositive,
    /// Not an attack (travel, VPN, a new ISP): left out of every export's selection.
    FalsePositive,
    /// Real and as detected, but sanctioned (a red-team exercise, an admin's test): left out too.
    BenignTruePositive,
}

impl Grade {
    /// Every grade, in the order the page offers them.
    pub const ALL: [Grade; 3] =
        [Grade::TruePositive, Grade::FalsePositive, Grade::BenignTruePositive];

    /// Words for the analyst.
    pub fn label(self) -> &'static str {
        match self {
            Grade::TruePositive => "True positive",
            Grade::FalsePositive => "False positive",
            Grade::BenignTruePositive => "Benign true positive",
        }
    }

    /// The grade named `text` (as in the grades file).
    pub fn parse(text: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// The name used in the grades file and the exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::TruePositive => "true-positive",
            Grade::FalsePositive => "false-positive",
            Grade::BenignTruePositive => "benign-true-positive",
        }
    }
}

/// One graded finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeEntry {
    /// The finding's id, e.g. `F-3f9a0c12`.
    pub finding: String,
    /// The verdict.
    pub grade: Grade,
    /// Free text: why. Default: empty.
    #[serde(default)]
    pub note: String,
}

/// The grades file's top-level object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct GradesFile {
    grades: Vec<GradeEntry>,
}

/// Grades by finding id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grades(BTreeMap<String, GradeEntry>);

impl Grades {
    /// Parses a grades file. Errors name the problem (serde_json's line and column included).
    pub fn parse(text: &str) -> Result<Grades, String> {
        let file: GradesFile = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("grades file: {e}"))?;
        let mut map = BTreeMap::new();
        for entry in file.grades {
            let id = entry.finding.trim().to_owned();
            if id.is_empty() {
                return Err("grades file: an entry has an empty \"finding\"".to_owned());
            }
            if map.contains_key(&id) {
                return Err(format!("grades file: finding {id:?} is graded twice"));
            }
            map.insert(id, entry);
        }
        Ok(Grades(map))
    }

    /// The grades file's text (the same format [`Grades::parse`] reads), entries sorted by id.
    pub fn to_json(&self) -> String {
        let file = GradesFile { grades: self.0.values().cloned().collect() };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Grades a finding (replacing its grade), or takes its grade away with `None`.
    pub fn set(&mut self, finding: &str, grade: Option<(Grade, String)>) {
        match grade {
            Some((grade, note)) => {
                let entry = GradeEntry { finding: finding.to_owned(), grade, note };
                self.0.insert(finding.to_owned(), entry);
            }
            None => {
                self.0.remove(finding);
            }
        }
    }

    /// How many findings are graded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The grade of a finding, if any.
    pub fn get(&self, finding: &str) -> Option<&GradeEntry> {
        self.0.get(finding)
    }

    /// Every grade, by finding id.
    pub fn iter(&self) -> impl Iterator<Item = &GradeEntry> {
        self.0.values()
    }

    /// True when nothing is graded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_grade_and_round_trips() {
        let g = Grades::parse(
            "\u{feff}{\"grades\": [{\"finding\": \"F-2\", \"grade\": \"benign-true-positive\"},\
             {\"finding\": \"F-1\", \"grade\": \"true-positive\", \"note\": \"n\", \"by\": \"x\"},\
             {\"finding\": \"F-3\", \"grade\": \"false-positive\"}]}",
        )
        .unwrap();
        assert_eq!(
            g.get("F-1").map(|e| (e.grade, e.note.as_str())),
            Some((Grade::TruePositive, "n"))
        );
        assert_eq!(g.get("F-2").map(|e| e.grade), Some(Grade::BenignTruePositive));
        assert_eq!(g.get("F-3").map(|e| e.grade), Some(Grade::FalsePositive));
        assert_eq!(g.get("F-4"), None);
        assert_eq!(Grades::parse(&g.to_json()).unwrap(), g);
    }

    #[test]
    fn set_replaces_and_removes() {
        let mut g = Grades::default();
        g.set("F-1", Some((Grade::FalsePositive, "VPN".to_owned())));
        g.set("F-1", Some((Grade::TruePositive, "confirmed".to_owned())));
        assert_eq!(g.len(), 1);
        assert_eq!(
            g.get("F-1").map(|e| (e.grade, e.note.as_str())),
            Some((Grade::TruePositive, "confirmed"))
        );
        assert_eq!(Grades::parse(&g.to_json()).unwrap(), g);
        g.set("F-1", None);
        assert!(g.is_empty());
        for grade in Grade::ALL {
            assert_eq!(Grade::parse(grade.as_str()), Some(grade));
        }
    }

    #[test]
    fn rejects_unknown_grades_duplicates_and_empty_ids() {
        let bad = Grades::parse(r#"{"grades": [{"finding": "F-1", "grade": "maybe"}]}"#);
        assert!(bad.unwrap_err().contains("maybe"));
        let twice = Grades::parse(
            r#"{"grades": [{"finding": "F-1", "grade": "true-positive"},
                           {"finding": "F-1", "grade": "false-positive"}]}"#,
        );
        assert!(twice.unwrap_err().contains("twice"));
        let empty = Grades::parse(r#"{"grades": [{"finding": " ", "grade": "true-positive"}]}"#);
        assert!(empty.unwrap_err().contains("empty"));
        assert!(Grades::parse("[]").is_err());
    }
}
