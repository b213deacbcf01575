//! Session, request, correlation and token ids kept as 16 bytes when they have a usual shape.

use super::{Interner, Sym};

/// A session, request, correlation or token id, as the reader normalized it.
///
/// These ids are unique, or nearly, per row: interning their text cost a lookup in a table of
/// millions of strings per id per row (a third of ingest time, most of it cache misses) and about
/// 50 bytes per id. Nearly all of them have one of two shapes that hold exactly 16 bytes: a GUID
/// in canonical lower-case form (request, correlation, session and record ids) or 22 characters
/// of unpadded base64url (the `uti` claim). Those are kept as their 16 bytes; any other text is
/// interned. Exact either way: a text gives one `Id` ([`Interner::id`]) and the `Id` gives the
/// text back ([`Interner::id_text`]), so two ids of a dataset are equal exactly when their texts
/// are. The derived order is for grouping only; [`Interner::cmp_ids`] orders by text.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Id {
    form: IdForm,
    bytes: [u8; 16],
}

#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
enum IdForm {
    /// Absent (the empty text).
    #[default]
    None,
    /// Interned text: the `Sym`'s number in the first 4 bytes.
    Text,
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex, its 16 bytes in text order.
    Guid,
    /// 22 characters of unpadded base64url whose last character carries no stray bits.
    Token,
}

impl Id {
    /// The absent id.
    pub const NONE: Id = Id { form: IdForm::None, bytes: [0; 16] };

    /// True for the absent id.
    pub fn is_empty(self) -> bool {
        self.form == IdForm::None
    }

    fn text(sym: Sym) -> Id {
        if sym.is_empty() {
            return Id::NONE;
        }
        let mut bytes = [0; 16];
        bytes[..4].copy_from_slice(&sym.0.to_le_bytes());
        Id { form: IdForm::Text, bytes }
    }

    /// The interned text's symbol, for an id kept as text.
    fn sym(self) -> Option<Sym> {
        let n = u32::from_le_bytes([self.bytes[0], self.bytes[1], self.bytes[2], self.bytes[3]]);
        (self.form == IdForm::Text).then_some(Sym(n))
    }

    /// The same id with its text's symbol mapped (joining a part's dataset).
    pub(crate) fn map_sym(self, f: impl FnOnce(Sym) -> Sym) -> Id {
        self.sym().map_or(self, |s| Id::text(f(s)))
    }
}

/// Each byte's value as a lower-case hex digit, 0x80 for anything else.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 16 {
        t[b"0123456789abcdef"[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The 16 bytes of a canonical lower-case GUID, in text order. Hand-written: GUID crates accept
/// every spelling (braces, upper case, no dashes), and exactness needs exactly one; and this runs
/// up to four times per row.
fn parse_guid(s: &[u8]) -> Option<[u8; 16]> {
    /// Where each byte's two hex digits start.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let s: &[u8; 36] = s.try_into().ok()?;
    if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return None;
    }
    let mut out = [0u8; 16];
    let mut bad = 0;
    for (o, &i) in out.iter_mut().zip(&AT) {
        let (hi, lo) = (HEX_VALUE[usize::from(s[i])], HEX_VALUE[usize::from(s[i + 1])]);
        bad |= hi | lo;
        *o = hi << 4 | lo;
    }
    (bad & 0x80 == 0).then_some(out)
}

fn write_guid(bytes: &[u8; 16], out: &mut [u8; 36]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut at = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out[at] = b'-';
            at += 1;
        }
        out[at] = HEX[usize::from(b >> 4)];
        out[at + 1] = HEX[usize::from(b & 15)];
        at += 2;
    }
}

/// The 16 bytes of a 22-character unpadded base64url token that re-encodes to itself.
fn parse_token(s: &[u8]) -> Option<[u8; 16]> {
    use base64::Engine;
    if s.len() != 22 {
        return None;
    }
    let mut out = [0u8; 16];
    // The engine rejects padding and non-zero trailing bits, so the decoding is one-to-one.
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode_slice(s, &mut out).ok()?;
    (n == 16).then_some(out)
}

/// An id's text: borrowed from the interner, or written out from its 16 bytes.
#[derive(Clone, Copy)]
pub struct IdText<'a> {
    text: Option<&'a str>,
    buf: [u8; 36],
    len: u8,
}

impl std::ops::Deref for IdText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self.text {
            Some(t) => t,
            // Only ASCII is ever written into `buf`.
            None => std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl std::fmt::Debug for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

// The interner's side of ids: an id is kept as its bytes or as interned text.
impl Interner {
    /// The [`Id`] of an id's text (already trimmed and, where the field calls for it,
    /// lower-cased): its 16 bytes when it is a canonical GUID or a 22-character base64url token,
    /// else its interned text.
    pub fn id(&mut self, s: &str) -> Id {
        if s.is_empty() {
            Id::NONE
        } else if let Some(bytes) = parse_guid(s.as_bytes()) {
            Id { form: IdForm::Guid, bytes }
        } else if let Some(bytes) = parse_token(s.as_bytes()) {
            Id { form: IdForm::Token, bytes }
        } else {
            Id::text(self.intern(s))
        }
    }

    /// The [`Id`] a text would get from [`Interner::id`], without interning anything: `None`
    /// when the text is neither a canonical GUID, a base64url token nor an interned string (so
    /// no event of the dataset carries it).
    pub fn find_id(&self, s: &str) -> Option<Id> {
        if s.is_empty() {
            Some(Id::NONE)
        } else if let Some(bytes) = parse_guid(s.as_bytes()) {
            Some(Id { form: IdForm::Guid, bytes })
        } else if let Some(bytes) = parse_token(s.as_bytes()) {
            Some(Id { form: IdForm::Token, bytes })
        } else {
            self.get(s).map(Id::text)
        }
    }

    /// The text of an id.
    pub fn id_text(&self, id: Id) -> IdText<'_> {
        let mut out = IdText { text: None, buf: [0; 36], len: 0 };
        match id.form {
            IdForm::None => out.text = Some(""),
            IdForm::Text => out.text = id.sym().map(|s| self.resolve(s)),
            IdForm::Guid => {
                write_guid(&id.bytes, &mut out.buf);
                out.len = 36;
            }
            IdForm::Token => {
                use base64::Engine;
                let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let n = engine.encode_slice(id.bytes, &mut out.buf).unwrap_or(0);
                out.len = u8::try_from(n).unwrap_or(0);
            }
        }
        out
    }

    /// Orders two ids by their texts.
    pub fn cmp_ids(&self, a: Id, b: Id) -> std::cmp::Ordering {
        if a == b {
            return std::cmp::Ordering::Equal;
        }
        // Lower-case hex with dashes in the same places sorts as the bytes it spells.
        if a.form == IdForm::Guid && b.form == IdForm::Guid {
            return a.bytes.cmp(&b.bytes);
        }
        (*self.id_text(a)).cmp(&*self.id_text(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts shaped like ids, and near misses of each shape.
    fn id_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[0-9a-fA-F]{8}-[0-9a-f]{4}-[0-9a-fG]{4}-[0-9a-f]{4}-[0-9a-f]{11,13}",
            "[0-9a-f-]{36}",
            "[A-Za-z0-9_-]{21}[AQgw]",
            "[A-Za-z0-9_=+/-]{20,23}",
            ".{0,40}",
        ]
    }

    proptest::proptest! {
        /// An id gives its text back, and two ids are equal exactly when their texts are; the
        /// text order agrees with the texts'.
        #[test]
        fn ids_are_exact(a in id_like(), b in id_like()) {
            let mut st = Interner::default();
            let (x, y) = (st.id(&a), st.id(&b));
            proptest::prop_assert_eq!(&*st.id_text(x), a.as_str());
            proptest::prop_assert_eq!(&*st.id_text(y), b.as_str());
            proptest::prop_assert_eq!(x == y, a == b);
            proptest::prop_assert_eq!(st.cmp_ids(x, y), a.cmp(&b));
            // Asking again numbers nothing new and gives the same id.
            let strings = st.len();
            proptest::prop_assert_eq!(st.id(&a), x);
            proptest::prop_assert_eq!(st.len(), strings);
        }
    }

    #[test]
    fn ids_of_the_usual_shapes_are_not_interned() {
        let mut st = Interner::default();
        let guid = st.id("5d1c2b3a-0000-4000-8000-00000000abcd");
        let token = st.id("Bz1hOI89WU2reqpL121fAA");
        assert_eq!(st.len(), 1, "only the empty string is interned");
        assert_eq!(guid.form, IdForm::Guid);
        assert_eq!(token.form, IdForm::Token);
        // Upper case, braces, stray bits in a token's last character: kept as text.
        for text in [
            "5D1C2B3A-0000-4000-8000-00000000ABCD",
            "{5d1c2b3a-0000-4000-8000-00000000abcd}",
            "Bz1hOI89WU2reqpL121fAB",
        ] {
            let id = st.id(text);
            assert_eq!(id.form, IdForm::Text, "{text}");
            assert_eq!(&*st.id_text(id), text);
        }
        assert_eq!(st.id(""), Id::NONE);
    }
}
