//! The terms of docs/detection.md the page's sentences use without saying what they are ("H1",
//! "H2", the confidence "ladder" and its "rungs"): each is explained where it appears, as a
//! tooltip on the word and as a short line under the text that uses it (issue 21). The wording is
//! docs/detection.md's own (§5, §7.1, §7.2), so the page and the specification say the same.

use yew::prelude::*;

/// A term, the words that name it in a sentence, and its one-line explanation.
pub struct Term {
    /// The term as the glossary line names it.
    pub name: &'static str,
    /// Words in a sentence that stand for it (whole words, case kept for H1 and H2).
    pub words: &'static [&'static str],
    /// What it is, in a line.
    pub text: &'static str,
}

/// Every explained term.
pub static TERMS: [Term; 3] = [
    Term {
        name: "H1",
        words: &["H1"],
        text: "reference hunt H1, \"AiTM session hijacking\" (Microsoft Sentinel KQL): a \
               successful non-interactive sign-in from an IP whose address and /24 are both \
               absent from the user's interactive baseline, enriched by how many users share the \
               IP, nearby interactive sign-ins and Entra risk (docs/detection.md §7.1).",
    },
    Term {
        name: "H2",
        words: &["H2"],
        text: "reference hunt H2, \"short-window interactive / non-interactive mismatch\": an \
               interactive sign-in followed within 10 minutes by a non-interactive one of the same \
               user from another IP and another ASN (docs/detection.md §7.2).",
    },
    Term {
        name: "ladder",
        words: &["ladder", "rung", "rungs", "Ladder", "Rung"],
        text: "the confidence ladder places each finding on one rung, critical, high, medium, low \
               or info, from the classes of evidence its rules found (an unfamiliar origin, \
               corroboration, an attacker-typical action); the score only orders findings within \
               a rung (docs/detection.md §5).",
    },
];

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The next whole-word occurrence of a term in `text` from byte `from`: (start, end, term).
fn next(text: &str, from: usize) -> Option<(usize, usize, &'static Term)> {
    let mut best: Option<(usize, usize, &'static Term)> = None;
    for term in &TERMS {
        for word in term.words {
            let mut at = from;
            while let Some(i) = text[at..].find(word) {
                let (s, e) = (at + i, at + i + word.len());
                let before = text[..s].chars().next_back().is_none_or(|c| !is_word(c));
                let after = text[e..].chars().next().is_none_or(|c| !is_word(c));
                if before && after {
                    if best.is_none_or(|(b, be, _)| s < b || (s == b && e > be)) {
                        best = Some((s, e, term));
                    }
                    break;
                }
                at = e;
            }
        }
    }
    best
}

/// The terms `texts` use, in the glossary's order.
pub fn used<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<&'static Term> {
    let mut found = [false; TERMS.len()];
    for text in texts {
        let mut at = 0;
        while let Some((_, e, term)) = next(text, at) {
            if let Some(i) = TERMS.iter().position(|t| std::ptr::eq(t, term)) {
                found[i] = true;
            }
            at = e;
        }
    }
    TERMS.iter().zip(found).filter(|(_, f)| *f).map(|(t, _)| t).collect()
}

/// `text` as text nodes, each term in it an `<abbr>` whose tooltip explains it.
pub fn text(text: &str) -> Html {
    let mut parts: Vec<Html> = Vec::new();
    let mut at = 0;
    while let Some((s, e, term)) = next(text, at) {
        if s > at {
            parts.push(Html::from(text[at..s].to_owned()));
        }
        parts.push(html! {
            <abbr class="term" title={format!("{}: {}", term.name, term.text)}>{text[s..e].to_owned()}</abbr>
        });
        at = e;
    }
    if at < text.len() {
        parts.push(Html::from(text[at..].to_owned()));
    }
    html! { <>{ for parts }</> }
}

/// Props of [`Glossary`].
#[derive(Properties, PartialEq)]
pub struct GlossaryProps {
    /// The texts shown nearby; the line explains the terms they use (nothing when none).
    pub texts: Vec<String>,
}

/// A short line explaining the terms the nearby texts use.
#[component]
pub fn Glossary(props: &GlossaryProps) -> Html {
    let terms = used(props.texts.iter().map(String::as_str));
    if terms.is_empty() {
        return Html::default();
    }
    html! {
        <dl class="glossary" data-testid="glossary">
            { for terms.iter().map(|t| html! {
                <><dt>{t.name}</dt><dd>{t.text}</dd></>
            }) }
        </dl>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        let names = |t: &str| used([t]).iter().map(|t| t.name).collect::<Vec<_>>();
        assert_eq!(names("another ASN within 10 minutes (H2)."), ["H2"]);
        assert_eq!(names("like H1, which drops them; H2 cannot fire"), ["H1", "H2"]);
        assert_eq!(names("the ladder ranks these"), ["ladder"]);
        assert_eq!(names("SHA1 H12 ladders H1x"), Vec::<&str>::new());
        assert_eq!(names("the rung's reason"), ["ladder"]);
    }

    #[test]
    fn every_term_cites_the_specification() {
        for t in &TERMS {
            assert!(t.text.contains("docs/detection.md §"), "{}", t.name);
        }
    }
}
