//! Building blocks shared by the wire types.

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
            other => std::borrow::Cow::Owned(other.to_string()),
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

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(deserializer)? {
            value @ (serde_json::Value::String(_)
            | serde_json::Value::Number(_)
            | serde_json::Value::Bool(_)) => Ok(Scalar(value)),
            other => Err(D::Error::custom(format!(
                "expected a string, number or boolean, got {other}"
            ))),
        }
    }
}
