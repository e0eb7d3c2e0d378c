//! The body of `POST /v3.0/chats/search`.
//!
//! The seeds list the parameters and operators but not the body's shape.
//! ferrochat's shape: a list of conditions, each `{param, operator, value}`,
//! combined by `condition`, `AND` (the default) or `OR`:
//!
//! ```json
//! {"condition": "AND", "conditions": [
//!   {"param": "status", "operator": "not_eq", "value": "closed"},
//!   {"param": "created_at", "operator": "gte", "value": "2024-05-01T00:00:00.000Z"}
//! ]}
//! ```
//!
//! Each way a body can be wrong has its own status code from the seeds.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::chat::{Channel, ChatStatus};
use super::status::StatusCode;
use crate::time::UtcMillis;

/// A search names at most this many conditions.
pub const SEARCH_MAX_CONDITIONS: usize = 20;

/// What a search filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterParam {
    Status,
    CreatedAt,
    UpdatedAt,
    Channel,
    Tag,
    Assignee,
    FacebookPsid,
    TwitterId,
    EmailId,
    Mobile,
    LivechatId,
    AbcUserId,
    WhatsappMobileNumber,
    /// ABC only.
    Intent,
    /// ABC only.
    Group,
}

impl FilterParam {
    pub const ALL: [FilterParam; 15] = [
        FilterParam::Status,
        FilterParam::CreatedAt,
        FilterParam::UpdatedAt,
        FilterParam::Channel,
        FilterParam::Tag,
        FilterParam::Assignee,
        FilterParam::FacebookPsid,
        FilterParam::TwitterId,
        FilterParam::EmailId,
        FilterParam::Mobile,
        FilterParam::LivechatId,
        FilterParam::AbcUserId,
        FilterParam::WhatsappMobileNumber,
        FilterParam::Intent,
        FilterParam::Group,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FilterParam::Status => "status",
            FilterParam::CreatedAt => "created_at",
            FilterParam::UpdatedAt => "updated_at",
            FilterParam::Channel => "channel",
            FilterParam::Tag => "tag",
            FilterParam::Assignee => "assignee",
            FilterParam::FacebookPsid => "facebook_psid",
            FilterParam::TwitterId => "twitter_id",
            FilterParam::EmailId => "email_id",
            FilterParam::Mobile => "mobile",
            FilterParam::LivechatId => "livechat_id",
            FilterParam::AbcUserId => "abc_user_id",
            FilterParam::WhatsappMobileNumber => "whatsapp_mobile_number",
            FilterParam::Intent => "intent",
            FilterParam::Group => "group",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|param| param.as_str() == name)
    }

    /// The operators the seeds allow on this parameter.
    pub fn operators(self) -> &'static [Operator] {
        use Operator::{Eq, Gt, Gte, Lt, Lte, NotEq};
        match self {
            FilterParam::Status => &[Eq, NotEq],
            FilterParam::CreatedAt | FilterParam::UpdatedAt => &[Eq, Lt, Gt, Lte, Gte],
            _ => &[Eq],
        }
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    Eq,
    NotEq,
    Lt,
    Gt,
    Lte,
    Gte,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "eq",
            Operator::NotEq => "not_eq",
            Operator::Lt => "lt",
            Operator::Gt => "gt",
            Operator::Lte => "lte",
            Operator::Gte => "gte",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        use Operator::{Eq, Gt, Gte, Lt, Lte, NotEq};
        [Eq, NotEq, Lt, Gt, Lte, Gte]
            .into_iter()
            .find(|operator| operator.as_str() == name)
    }
}

/// A condition's value, typed by its parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterValue {
    Status(ChatStatus),
    Time(UtcMillis),
    Channel(Channel),
    Text(String),
}

/// One condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub param: FilterParam,
    pub operator: Operator,
    pub value: FilterValue,
}

/// How conditions combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Condition {
    #[default]
    And,
    Or,
}

/// A parsed search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchRequest {
    pub condition: Condition,
    pub conditions: Vec<Filter>,
}

/// A search body that was refused, with the seeds' code for why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{description} ({})", code.code())]
pub struct SearchError {
    pub code: StatusCode,
    pub description: String,
}

impl SearchError {
    fn new(code: StatusCode) -> Self {
        SearchError {
            code,
            description: code.description().to_owned(),
        }
    }
}

impl SearchRequest {
    /// Parses a request body, refusing each kind of mistake with its code:
    /// 3114 no body, 3115 not a JSON object, 3451 not of the documented
    /// shape, 3445 an unknown parameter, 3446 an operator the parameter does
    /// not allow, 3447 a `condition` other than AND or OR, 4303 a value the
    /// parameter cannot take.
    pub fn parse(body: &[u8]) -> Result<SearchRequest, SearchError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(SearchError::new(StatusCode::RequestBodyMissing));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| SearchError::new(StatusCode::RequestInvalid))?;
        let Value::Object(object) = value else {
            return Err(SearchError::new(StatusCode::RequestInvalid));
        };
        let format = || SearchError::new(StatusCode::InvalidQueryFormat);

        let condition = match object.get("condition") {
            None => Condition::And,
            Some(Value::String(text)) if text.eq_ignore_ascii_case("and") => Condition::And,
            Some(Value::String(text)) if text.eq_ignore_ascii_case("or") => Condition::Or,
            Some(_) => return Err(SearchError::new(StatusCode::InvalidCondition)),
        };
        let items = match object.get("conditions") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            _ => return Err(format()),
        };
        if items.len() > SEARCH_MAX_CONDITIONS {
            return Err(format());
        }
        let conditions = items
            .iter()
            .map(|item| parse_filter(item).ok_or_else(format)?)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchRequest {
            condition,
            conditions,
        })
    }
}

/// One condition: None when it is not even of the documented shape.
fn parse_filter(item: &Value) -> Option<Result<Filter, SearchError>> {
    let object = item.as_object()?;
    let param_name = object.get("param")?.as_str()?;
    let operator_name = object.get("operator")?.as_str()?;
    let value = object.get("value")?;
    Some(typed_filter(param_name, operator_name, value))
}

fn typed_filter(
    param_name: &str,
    operator_name: &str,
    value: &Value,
) -> Result<Filter, SearchError> {
    let param = FilterParam::from_name(param_name).ok_or_else(|| SearchError {
        code: StatusCode::InvalidFilterParam,
        description: format!("Provided filtration parameter: {param_name} is not valid"),
    })?;
    let operator = Operator::from_name(operator_name)
        .filter(|operator| param.operators().contains(operator))
        .ok_or_else(|| SearchError {
            code: StatusCode::InvalidOperator,
            description: format!(
                "Provided operator for filtration parameter: {param_name} is not valid"
            ),
        })?;
    let text = match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    let typed = text
        .filter(|text| !text.trim().is_empty())
        .and_then(|text| match param {
            FilterParam::Status => match ChatStatus::from_wire(&text) {
                ChatStatus::Other(_) => None,
                known => Some(FilterValue::Status(known)),
            },
            FilterParam::CreatedAt | FilterParam::UpdatedAt => {
                text.parse().ok().map(FilterValue::Time)
            }
            FilterParam::Channel => match Channel::from_wire(&text) {
                Channel::Other(_) => None,
                known => Some(FilterValue::Channel(known)),
            },
            _ => Some(FilterValue::Text(text)),
        });
    let value = typed.ok_or_else(|| SearchError {
        code: StatusCode::InvalidFilterValue,
        description: format!(
            "Invalid input value:'{}' provided for filtration parameter:'{param_name}'",
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned)
        ),
    })?;
    Ok(Filter {
        param,
        operator,
        value,
    })
}

impl Serialize for FilterValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            FilterValue::Status(status) => status.serialize(serializer),
            FilterValue::Time(time) => time.serialize(serializer),
            FilterValue::Channel(channel) => channel.serialize(serializer),
            FilterValue::Text(text) => text.serialize(serializer),
        }
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut filter = serializer.serialize_struct("Filter", 3)?;
        filter.serialize_field("param", self.param.as_str())?;
        filter.serialize_field("operator", self.operator.as_str())?;
        filter.serialize_field("value", &self.value)?;
        filter.end()
    }
}

impl Serialize for SearchRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut request = serializer.serialize_struct("SearchRequest", 2)?;
        let condition = match self.condition {
            Condition::And => "AND",
            Condition::Or => "OR",
        };
        request.serialize_field("condition", condition)?;
        request.serialize_field("conditions", &self.conditions)?;
        request.end()
    }
}
