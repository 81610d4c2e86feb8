//! A document as the contract prints it (pretty, every object's keys in
//! byte order) written directly, without first building a
//! `serde_json::Value` of the whole document, which was most of the time
//! and memory of a big one (a 10,000-task `waves --json`).
//!
//! The top-level object's fields are gathered, each written on its own,
//! and put in order (a document is the `schema_version` beside its body's
//! fields, which come after it or before it). Inside them, objects must
//! already come out in order, as they do when their fields are declared
//! alphabetically. A value with anything a detour through a Value would
//! print differently is taken back and written through a Value instead,
//! one value at a time ([`write_value`]); only a top level that is not an
//! object of distinct string keys sends the whole document that way
//! ([`super::to_string_pretty`]). The output is the same bytes either way.

use serde::Serialize;
use serde::ser::{Error as _, Impossible, SerializeMap, SerializeStruct};
// The escapes and numbers as serde_json writes them by default.
use serde_json::ser::CompactFormatter as Plain;

type Result<T> = std::result::Result<T, serde_json::Error>;

/// Why the direct way was refused (never shown: the caller falls back).
fn refused() -> serde_json::Error {
    serde_json::Error::custom("not printable directly")
}

/// `doc` as the contract prints it, without the trailing newline; `None`
/// when it must go through a Value instead.
pub(super) fn to_string_pretty<T: ?Sized + Serialize>(doc: &T) -> Option<String> {
    let mut fields = doc.serialize(Top).ok()?;
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    // A Value keeps one of equal keys.
    if fields.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    if fields.is_empty() {
        return Some("{}".to_string());
    }
    let mut out = Vec::with_capacity(fields.iter().map(|f| f.0.len() + f.1.len() + 8).sum());
    out.push(b'{');
    for (k, (key, value)) in fields.iter().enumerate() {
        out.extend_from_slice(if k == 0 { b"\n  " } else { b",\n  " });
        out.extend_from_slice(&serde_json::to_vec(key).ok()?);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
    }
    out.extend_from_slice(b"\n}");
    String::from_utf8(out).ok()
}

/// Write `value` to `out` as the contract prints it at nesting `level`
/// (0 for a whole document): directly when its objects come out with
/// their keys in order, else (taking back what was written) through a
/// Value, whose maps are sorted. The same bytes either way.
pub(super) fn write_value<V: ?Sized + Serialize>(
    out: &mut Vec<u8>,
    value: &V,
    level: usize,
) -> Result<()> {
    let mark = out.len();
    if write_with(out, value, SortedPretty::at(level, true)).is_ok() {
        return Ok(());
    }
    out.truncate(mark);
    let value = serde_json::to_value(value)?;
    write_with(out, &value, SortedPretty::at(level, false))
}

fn write_with<V: ?Sized + Serialize>(
    out: &mut Vec<u8>,
    value: &V,
    formatter: SortedPretty,
) -> Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
}

/// Serialises the top-level object into its (key, value text) fields.
struct Top;

/// The top-level object's fields so far.
#[derive(Default)]
struct Fields {
    fields: Vec<(String, Vec<u8>)>,
    key: Option<String>,
}

impl SerializeMap for Fields {
    type Ok = Vec<(String, Vec<u8>)>;
    type Error = serde_json::Error;

    fn serialize_key<K: ?Sized + Serialize>(&mut self, key: &K) -> Result<()> {
        match serde_json::to_value(key)? {
            serde_json::Value::String(s) => {
                self.key = Some(s);
                Ok(())
            }
            _ => Err(refused()),
        }
    }

    fn serialize_value<V: ?Sized + Serialize>(&mut self, value: &V) -> Result<()> {
        let key = self.key.take().ok_or_else(refused)?;
        let mut text = Vec::new();
        write_value(&mut text, value, 1)?;
        self.fields.push((key, text));
        Ok(())
    }

    fn end(self) -> Result<Self::Ok> {
        Ok(self.fields)
    }
}

impl SerializeStruct for Fields {
    type Ok = Vec<(String, Vec<u8>)>;
    type Error = serde_json::Error;

    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<()> {
        let mut text = Vec::new();
        write_value(&mut text, value, 1)?;
        self.fields.push((key.to_string(), text));
        Ok(())
    }

    fn end(self) -> Result<Self::Ok> {
        Ok(self.fields)
    }
}

/// Only an object (a map or a struct) at the top: anything else is refused.
impl serde::Serializer for Top {
    type Ok = Vec<(String, Vec<u8>)>;
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<Self::Ok, Self::Error>;
    type SerializeTuple = Impossible<Self::Ok, Self::Error>;
    type SerializeTupleStruct = Impossible<Self::Ok, Self::Error>;
    type SerializeTupleVariant = Impossible<Self::Ok, Self::Error>;
    type SerializeMap = Fields;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Impossible<Self::Ok, Self::Error>;

    fn serialize_map(self, _: Option<usize>) -> Result<Fields> {
        Ok(Fields::default())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields> {
        Ok(Fields::default())
    }
    fn serialize_bool(self, _: bool) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_i8(self, _: i8) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_i16(self, _: i16) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_i32(self, _: i32) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_i64(self, _: i64) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_u8(self, _: u8) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_u16(self, _: u16) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_u32(self, _: u32) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_u64(self, _: u64) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_f32(self, _: f32) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_f64(self, _: f64) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_char(self, _: char) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_str(self, _: &str) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_none(self) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_some<V: ?Sized + Serialize>(self, _: &V) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_unit(self) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &V,
    ) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<Self::Ok> {
        Err(refused())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(refused())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(refused())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(refused())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(refused())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(refused())
    }
}

/// serde_json's pretty layout (two spaces a level), from nesting `level`.
/// When checking, it refuses (with an I/O error, which stops the
/// serialisation at once) what a Value would print differently: an object
/// key not strictly after the one before it in byte order (a Value sorts
/// keys and keeps one of equal ones), a key with an escape or that is not
/// a string (its order as printed might not be its order as a string), and
/// numbers a Value stores otherwise (an f32 becomes an f64; 128-bit
/// integers, raw numbers).
struct SortedPretty {
    level: usize,
    /// Whether the array or object being written has a value yet.
    has_value: bool,
    check: bool,
    /// The last key of each object being written, outermost first; the
    /// buffers stay allocated for the next object at that depth.
    last: Vec<Vec<u8>>,
    /// How many objects are open (`last[..depth]` are theirs).
    depth: usize,
    /// Whether a key is being written.
    in_key: bool,
    /// The key being written.
    key: Vec<u8>,
}

impl SortedPretty {
    fn at(level: usize, check: bool) -> SortedPretty {
        SortedPretty {
            level,
            has_value: false,
            check,
            last: Vec::new(),
            depth: 0,
            in_key: false,
            key: Vec::new(),
        }
    }

    fn refuse(&self) -> std::io::Result<()> {
        if self.check {
            Err(std::io::Error::other("not in sorted order"))
        } else {
            Ok(())
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for SortedPretty {
    fn write_f32<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f32) -> std::io::Result<()> {
        self.refuse()?;
        Plain.write_f32(w, v)
    }
    fn write_i128<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        v: i128,
    ) -> std::io::Result<()> {
        self.refuse()?;
        Plain.write_i128(w, v)
    }
    fn write_u128<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        v: u128,
    ) -> std::io::Result<()> {
        self.refuse()?;
        Plain.write_u128(w, v)
    }
    fn write_number_str<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        v: &str,
    ) -> std::io::Result<()> {
        self.refuse()?;
        Plain.write_number_str(w, v)
    }
    fn write_raw_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        v: &str,
    ) -> std::io::Result<()> {
        self.refuse()?;
        Plain.write_raw_fragment(w, v)
    }
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if self.in_key {
            self.key.extend_from_slice(fragment.as_bytes());
        }
        w.write_all(fragment.as_bytes())
    }
    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        if self.in_key {
            self.refuse()?;
        }
        Plain.write_char_escape(w, escape)
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.check {
            if self.last.len() == self.depth {
                self.last.push(Vec::new());
            }
            if let Some(last) = self.last.get_mut(self.depth) {
                last.clear();
            }
            self.depth += 1;
        }
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.key.clear();
        self.in_key = self.check;
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        if !self.in_key {
            return Ok(());
        }
        self.in_key = false;
        let Some(last) = self.depth.checked_sub(1).and_then(|d| self.last.get_mut(d)) else {
            return Err(std::io::Error::other("a key outside an object"));
        };
        // After the empty key that starts each object: an empty key (or
        // one that is not a string, so nothing was gathered) is refused.
        if self.key.as_slice() <= last.as_slice() {
            return Err(std::io::Error::other("not in sorted order"));
        }
        last.clear();
        last.extend_from_slice(&self.key);
        Ok(())
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    /// What the contract printed before this module: through a Value.
    fn through_value<T: Serialize>(doc: &T) -> String {
        serde_json::to_string_pretty(&serde_json::to_value(doc).unwrap()).unwrap()
    }

    #[derive(Serialize)]
    struct Sorted {
        alpha: u32,
        beta: Vec<Inner>,
        #[serde(rename = "gamma")]
        last: Option<String>,
    }

    #[derive(Serialize)]
    struct Inner {
        x: &'static str,
        y: BTreeMap<String, u8>,
    }

    #[derive(Serialize)]
    struct Unsorted {
        zeta: u8,
        alpha: u8,
    }

    #[derive(Serialize)]
    struct Doc<T> {
        schema_version: u32,
        #[serde(flatten)]
        body: T,
    }

    #[test]
    fn a_sorted_document_is_written_directly_as_a_value_would_print_it() {
        let doc = Doc {
            schema_version: 1,
            body: Sorted {
                alpha: 7,
                beta: vec![
                    Inner {
                        x: "line\nbreak \"quoted\"",
                        y: [("k".to_string(), 1), ("l".to_string(), 2)].into(),
                    },
                    Inner {
                        x: "",
                        y: BTreeMap::new(),
                    },
                ],
                last: None,
            },
        };
        assert!(direct(&doc.body), "sorted: written directly");
        assert_eq!(to_string_pretty(&doc).unwrap(), through_value(&doc));
    }

    /// Whether `value` is written directly (not through a Value).
    fn direct<V: Serialize>(value: &V) -> bool {
        write_with(&mut Vec::new(), value, SortedPretty::at(0, true)).is_ok()
    }

    #[test]
    fn what_a_value_would_print_otherwise_goes_through_one() {
        // Fields out of order, a nested key that needs an escape, an f32,
        // a 128-bit integer: refused directly, and then written through a
        // Value, so the document is what it always was.
        let unsorted = Unsorted { zeta: 1, alpha: 2 };
        let escaped = BTreeMap::from([("a\"b", 1), ("c", 2)]);
        assert!(!direct(&unsorted));
        assert!(!direct(&BTreeMap::from([("k", &escaped)])));
        assert!(!direct(&0.1f32));
        assert!(!direct(&1u128));
        assert!(direct(&BTreeMap::from([("k", 1.5f64)])));
        let doc = Doc {
            schema_version: 1,
            body: BTreeMap::from([("inner", unsorted)]),
        };
        assert_eq!(to_string_pretty(&doc).unwrap(), through_value(&doc));
        let nested = BTreeMap::from([("k", escaped)]);
        assert_eq!(to_string_pretty(&nested).unwrap(), through_value(&nested));
        let float = BTreeMap::from([("f", 0.1f32)]);
        assert_eq!(to_string_pretty(&float).unwrap(), through_value(&float));
        // The same key twice at the top (a Value keeps one), and no object
        // at the top: the whole document goes through a Value.
        let twice = Doc {
            schema_version: 1,
            body: BTreeMap::from([("schema_version", 2)]),
        };
        assert_eq!(to_string_pretty(&twice), None);
        assert_eq!(to_string_pretty(&vec![1, 2]), None);
        // An escaped key at the top is fine: sorted as a string, as a
        // Value sorts it.
        let top = BTreeMap::from([("a\"b", 1), ("a", 2), ("b\n", 3)]);
        assert_eq!(to_string_pretty(&top).unwrap(), through_value(&top));
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            "(?s).{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,6}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any object of sorted maps (a Value's own) is written directly,
        /// and exactly as serde_json prints the Value: the layout of
        /// nested arrays and objects, empty ones, strings with line
        /// ends, numbers.
        #[test]
        fn sorted_objects_print_as_serde_json_prints_them(
            top in prop::collection::btree_map("[a-z_]{1,6}", any_value(), 0..6)
        ) {
            let value = Value::Object(top.into_iter().collect());
            prop_assert!(direct(&value));
            prop_assert_eq!(to_string_pretty(&value), Some(serde_json::to_string_pretty(&value).unwrap()));
        }
    }
}
