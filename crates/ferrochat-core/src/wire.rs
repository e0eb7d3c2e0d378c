//! Building blocks shared by the wire types.

use serde_json::Value;

/// Declares a string enum of the wire: the known values, each with the one
/// spelling it is written as and any others it is read from, plus `Other`,
/// which keeps a value this version does not know exactly as received, so a
/// newer server never breaks an older widget.
///
/// Construct values with the variants or `from_wire`; `Other` is for values
/// that no variant names.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as received.
            Other(String),
        }

        impl $name {
            /// The spelling written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(value) => value,
                }
            }

            /// Reads any accepted spelling; an unknown one becomes `Other`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire $(| $alias)* => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_wire(&value))
            }
        }

        impl $crate::wire::FromJson for $name {
            fn from_json(value: ::serde_json::Value) -> Result<Self, String> {
                <String as $crate::wire::FromJson>::from_json(value).map(|value| Self::from_wire(&value))
            }
        }
    };
}

pub(crate) use wire_enum;

/// A JSON object, with keys in sorted order so that output is deterministic.
pub type Map = serde_json::Map<String, serde_json::Value>;

/// A field that may be absent, present as `null`, or present with a value,
/// and is written back exactly as it was read. For fields Chatwoot writes as
/// `null` in some payloads and leaves out of others; use it with
/// `#[serde(default, skip_serializing_if = "Field::is_absent")]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// The value, if there is one.
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Value(value) => Some(value),
            Field::Absent | Field::Null => None,
        }
    }

    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Value(value) => Some(value),
            Field::Absent | Field::Null => None,
        }
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `Some` is a value; `None` is absent.
    fn from(value: Option<T>) -> Self {
        value.map_or(Field::Absent, Field::Value)
    }
}

impl<T: serde::Serialize> serde::Serialize for Field<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(value) => value.serialize(serializer),
            Field::Absent | Field::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Field<T> {
    /// Called only for a field that is present; `#[serde(default)]` makes a
    /// missing one `Absent`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Field::Null, Field::Value))
    }
}

/// A JSON string, number or boolean, kept as its JSON type: bots send
/// quick-reply values as numbers as often as strings, and Chatwoot stores
/// whatever they send.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scalar(serde_json::Value);

impl Scalar {
    /// The value as text: a string as it is, a number or boolean as JSON
    /// writes it.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            serde_json::Value::String(text) => std::borrow::Cow::Borrowed(text),
            // Not `Value`'s `Display`, which would bring its pretty printer
            // into the widget's wasm: a scalar is one of these.
            serde_json::Value::Number(number) => std::borrow::Cow::Owned(number.to_string()),
            serde_json::Value::Bool(true) => std::borrow::Cow::Borrowed("true"),
            serde_json::Value::Bool(false) => std::borrow::Cow::Borrowed("false"),
            _ => std::borrow::Cow::Borrowed("null"),
        }
    }

    pub fn as_json(&self) -> &serde_json::Value {
        &self.0
    }
}

impl From<String> for Scalar {
    fn from(text: String) -> Self {
        Scalar(serde_json::Value::String(text))
    }
}

impl From<&str> for Scalar {
    fn from(text: &str) -> Self {
        Scalar(serde_json::Value::String(text.to_owned()))
    }
}

impl serde::Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Reads a wire type out of a JSON value, by hand.
///
/// For the types the widget parses most (content attributes): serde's derived
/// `Deserialize` costs each type a field visitor and a map visitor per
/// deserializer it meets, which weighs more in the widget's wasm than the
/// rest of the type's code together. These readers take the [`Value`] every
/// JSON input already becomes, and [`deserialize_from_json`] gives the types
/// a `Deserialize` that goes through them, so there is one parser per type.
/// Errors name the path to the bad value (`items: [1]: title: …`).
pub(crate) trait FromJson: Sized {
    fn from_json(value: Value) -> Result<Self, String>;
}

/// `Deserialize` through [`FromJson`], for each type listed.
macro_rules! deserialize_from_json {
    ($($name:ty),+ $(,)?) => {$(
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                <$name as $crate::wire::FromJson>::from_json(value)
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    )+};
}

pub(crate) use deserialize_from_json;

/// How serde's messages name a value of the wrong type.
fn unexpected(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(value) => format!("boolean `{value}`"),
        Value::Number(number) => format!("number `{number}`"),
        // Not `{:?}`: its escaping would cost the wasm Unicode tables.
        Value::String(text) => format!("string \"{text}\""),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

pub(crate) fn invalid(value: &Value, expected: &str) -> String {
    format!("invalid type: {}, expected {expected}", unexpected(value))
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, String> {
        Ok(value)
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::String(text) => Ok(text),
            other => Err(invalid(&other, "a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, String> {
        value.as_bool().ok_or_else(|| invalid(&value, "a boolean"))
    }
}

/// Integers as serde reads them from JSON: a number without a fraction
/// that fits the type.
macro_rules! from_json_integer {
    ($($integer:ty),+) => {$(
        impl FromJson for $integer {
            fn from_json(value: Value) -> Result<Self, String> {
                let number = value
                    .as_u64()
                    .and_then(|number| <$integer>::try_from(number).ok())
                    .or_else(|| value.as_i64().and_then(|number| <$integer>::try_from(number).ok()));
                number.ok_or_else(|| invalid(&value, concat!("an integer that fits ", stringify!($integer))))
            }
        }
    )+};
}

from_json_integer!(u8, u32, u64, i64);

impl FromJson for Map {
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::Object(map) => Ok(map),
            other => Err(invalid(&other, "a map")),
        }
    }
}

impl FromJson for Scalar {
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(Scalar(value)),
            other => Err(invalid(&other, "a string, number or boolean")),
        }
    }
}

deserialize_from_json!(Scalar);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    T::from_json(item).map_err(|error| format!("[{index}]: {error}"))
                })
                .collect(),
            other => Err(invalid(&other, "a sequence")),
        }
    }
}

/// The fields of a JSON object, taken out one by one; what is left over is
/// a type's `extra`.
///
/// A taken field is left in the map as `null` and noted, rather than
/// removed: a `BTreeMap`'s removal (its rebalancing) would cost the widget's
/// wasm more than this note.
pub(crate) struct Fields {
    map: Map,
    taken: Vec<&'static str>,
}

impl Fields {
    /// `value` must be an object; `name` says what it should have been.
    pub(crate) fn of(value: Value, name: &str) -> Result<Fields, String> {
        match value {
            Value::Object(map) => Ok(Fields {
                map,
                taken: Vec::new(),
            }),
            other => Err(invalid(&other, name)),
        }
    }

    fn take(&mut self, key: &'static str) -> Option<Value> {
        let value = self.map.get_mut(key)?.take();
        self.taken.push(key);
        Some(value)
    }

    /// A field that must be there.
    pub(crate) fn required<T: FromJson>(&mut self, key: &'static str) -> Result<T, String> {
        match self.take(key) {
            Some(value) => read(key, value),
            None => Err(format!("missing field `{key}`")),
        }
    }

    /// A field that may be missing or `null` (serde's `#[serde(default)]`
    /// on an `Option`).
    pub(crate) fn optional<T: FromJson>(&mut self, key: &'static str) -> Result<Option<T>, String> {
        self.or_default(key)
    }

    /// A field that is `T::default()` when missing (but must be a `T` when
    /// there: a `null` list is an error, as with serde).
    pub(crate) fn or_default<T: FromJson + Default>(
        &mut self,
        key: &'static str,
    ) -> Result<T, String> {
        self.take(key)
            .map_or_else(|| Ok(T::default()), |value| read(key, value))
    }

    /// A [`Field`]: missing, `null`, or a value.
    pub(crate) fn field<T: FromJson>(&mut self, key: &'static str) -> Result<Field<T>, String> {
        match self.take(key) {
            None => Ok(Field::Absent),
            Some(Value::Null) => Ok(Field::Null),
            Some(value) => read(key, value).map(Field::Value),
        }
    }

    /// The fields not taken.
    pub(crate) fn rest(self) -> Map {
        if self.taken.is_empty() {
            return self.map;
        }
        let mut rest = Map::new();
        for (key, value) in self.map {
            if !self.taken.contains(&key.as_str()) {
                rest.insert(key, value);
            }
        }
        rest
    }
}

/// Field `key`'s value as a `T`, its error prefixed with the key.
fn read<T: FromJson>(key: &str, value: Value) -> Result<T, String> {
    T::from_json(value).map_err(|error| format!("{key}: {error}"))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::{Field, Fields, FromJson};
    use crate::chatwoot::Message;

    #[test]
    fn errors_name_the_path_to_the_bad_value() {
        let message = json!({
            "id": 1, "content": "hi", "message_type": 1, "created_at": 0,
            "conversation_id": 3,
            "attachments": [
                {"id": 1, "message_id": 1, "file_type": "image", "account_id": 1, "data_url": null},
                {"id": "two", "message_id": 1, "file_type": "image", "account_id": 1, "data_url": null}
            ]
        });
        let error = Message::from_json(message).unwrap_err();
        assert_eq!(
            error,
            "attachments: [1]: id: invalid type: string \"two\", expected an integer that fits u64"
        );
        let error = Message::from_json(json!({"id": 1})).unwrap_err();
        assert_eq!(error, "missing field `message_type`");
        let error = Message::from_json(json!([1])).unwrap_err();
        assert_eq!(error, "invalid type: sequence, expected struct Message");
    }

    #[test]
    fn missing_null_and_present_fields_read_as_serde_reads_them() {
        let mut fields = Fields::of(
            json!({"a": null, "b": 2, "list": null, "n": -1, "big": 300, "x": 1}),
            "test",
        )
        .unwrap();
        assert_eq!(fields.optional::<u64>("a"), Ok(None));
        assert_eq!(fields.optional::<u64>("missing"), Ok(None));
        assert_eq!(fields.field::<u64>("b"), Ok(Field::Value(2)));
        assert!(fields.or_default::<Vec<u64>>("list").is_err());
        assert_eq!(fields.or_default::<Vec<u64>>("gone"), Ok(Vec::new()));
        assert_eq!(fields.required::<i64>("n"), Ok(-1));
        assert!(fields.required::<u8>("big").is_err());
        assert_eq!(fields.field::<u64>("none"), Ok(Field::Absent));
        assert_eq!(fields.rest(), json!({"x": 1}).as_object().unwrap().clone());
        let mut nulls = Fields::of(json!({"f": null}), "test").unwrap();
        assert_eq!(nulls.field::<String>("f"), Ok(Field::Null));
    }

    #[test]
    fn integers_must_fit_and_have_no_fraction() {
        assert_eq!(u64::from_json(json!(7)), Ok(7));
        assert!(u64::from_json(json!(-7)).is_err());
        assert!(u64::from_json(json!(7.5)).is_err());
        assert!(u32::from_json(json!(u64::from(u32::MAX) + 1)).is_err());
        assert_eq!(i64::from_json(json!(-7)), Ok(-7));
        assert!(i64::from_json(json!(u64::MAX)).is_err());
        assert!(u8::from_json(json!("7")).is_err());
    }
}
