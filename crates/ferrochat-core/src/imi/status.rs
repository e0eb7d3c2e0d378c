//! The `{status_code, description, response}` envelope and its codes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares every status code with its HTTP status and the seeds' wording.
macro_rules! status_codes {
    ($( $(#[$meta:meta])* $name:ident = $code:literal, $http:literal, $text:literal; )+) => {
        /// A Webex Connect `status_code`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum StatusCode {
            $( $(#[$meta])* $name, )+
            /// A code this version does not know, kept as received.
            Other(u32),
        }

        impl StatusCode {
            /// Every named code.
            pub const ALL: &'static [StatusCode] = &[$( StatusCode::$name ),+];

            pub fn code(self) -> u32 {
                match self {
                    $( StatusCode::$name => $code, )+
                    StatusCode::Other(code) => code,
                }
            }

            pub fn from_code(code: u32) -> Self {
                match code {
                    $( $code => StatusCode::$name, )+
                    other => StatusCode::Other(other),
                }
            }

            /// The HTTP status the seeds give this code; 500 for unknown ones.
            pub fn http_status(self) -> u16 {
                match self {
                    $( StatusCode::$name => $http, )+
                    StatusCode::Other(_) => 500,
                }
            }

            /// The seeds' description (parameterised ones with placeholders).
            pub fn description(self) -> &'static str {
                match self {
                    $( StatusCode::$name => $text, )+
                    StatusCode::Other(_) => "Unknown status",
                }
            }
        }
    };
}

status_codes! {
    ChatDetailsRetrieved = 4304, 200, "The chat details retrieved successfully";
    ChatListRetrieved = 4305, 200, "The list of chats retrieved successfully";
    MissingHeader = 2002, 400, "Invalid header param - could not find mandatory header parameters";
    InvalidAccessToken = 2003, 400, "Invalid Access Token";
    AccessTokenExpired = 2004, 401, "Access Token expired";
    InternalError = 2007, 500, "Internal Server Error";
    UnknownTeam = 2010, 404, "Could not find details of team based on the teamid passed in the header";
    ChatNotFound = 2031, 404, "Provided Chat ID does not exist";
    MethodNotAllowed = 2099, 405, "Method not allowed";
    ChatDetailsUnavailable = 4108, 500, "Unable to get the chat details";
    ChatListUnavailable = 3454, 500, "Chat list could not be retrieved";
    RequestBodyMissing = 3114, 400, "Request body not provided. Check Content-Type header";
    RequestInvalid = 3115, 400, "Request is invalid";
    InvalidFilterParam = 3445, 400, "Provided filtration parameter: <param_name> is not valid";
    InvalidOperator = 3446, 400, "Provided operator for filtration parameter: <param_name> is not valid";
    InvalidCondition = 3447, 400, "Provided condition is not valid";
    InvalidQueryFormat = 3451, 400, "Search query request format is not valid";
    InvalidFilterValue = 4303, 400, "Invalid input value:'{0}' provided for filtration parameter:'{1}'";
}

impl Serialize for StatusCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.code())
    }
}

impl<'de> Deserialize<'de> for StatusCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u32::deserialize(deserializer).map(StatusCode::from_code)
    }
}

/// Every Webex Connect response: `{status_code, description, response}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub status_code: StatusCode,
    pub description: String,
    pub response: T,
}

impl<T> Envelope<T> {
    /// A response with the code's own description.
    pub fn new(status_code: StatusCode, response: T) -> Self {
        Envelope {
            status_code,
            description: status_code.description().to_owned(),
            response,
        }
    }
}

impl Envelope<Option<()>> {
    /// An error: the code, a description, and a `null` response.
    pub fn error(status_code: StatusCode, description: impl Into<String>) -> Self {
        Envelope {
            status_code,
            description: description.into(),
            response: None,
        }
    }
}
