//! `ApiError`: every failure a handler can return, answered in Chatwoot's
//! error shapes. Internal errors are logged and answered with a generic 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferrochat_core::chatwoot::ErrorBody;
use ferrochat_core::validate::ValidationError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// 404 `{"status":404,"error":"Not Found"}`.
    #[error("not found")]
    NotFound,
    /// 422 with Chatwoot's `{message, attributes}` body, or another 4xx with
    /// `{"error": …}`.
    #[error("{}", .body.describe())]
    Client { status: StatusCode, body: ErrorBody },
    /// Anything that is the server's fault.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// The causes of a 500; never shown to the caller.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InternalError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Other(String),
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.into())
    }
}

impl From<std::io::Error> for ApiError {
    fn from(error: std::io::Error) -> Self {
        ApiError::Internal(error.into())
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        ApiError::Internal(error.into())
    }
}

impl ApiError {
    /// A 422 for a value that failed one of the core's rules.
    pub(crate) fn invalid(attribute: &str, error: &ValidationError) -> Self {
        ApiError::Client {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ErrorBody::from_validation(attribute, error),
        }
    }

    /// A 422 with a message of our own for one attribute.
    pub(crate) fn unprocessable(attribute: &str, message: impl Into<String>) -> Self {
        ApiError::Client {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ErrorBody::invalid(attribute, message),
        }
    }

    /// `{"error": message}` with the given status.
    pub(crate) fn message(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::Client {
            status,
            body: ErrorBody::Message(message.into()),
        }
    }

    /// 401 for an `identifier_hash` that does not check out.
    pub(crate) fn hmac_failed() -> Self {
        ApiError::Client {
            status: StatusCode::UNAUTHORIZED,
            body: ErrorBody::hmac_failed(),
        }
    }

    /// 401 on the application API: Chatwoot's answer to a missing or wrong
    /// `api_access_token`.
    pub(crate) fn unauthorized() -> Self {
        ApiError::message(
            StatusCode::UNAUTHORIZED,
            "You need to sign in or sign up before continuing.",
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        ApiError::Internal(InternalError::Other(message.into()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound => {
                (StatusCode::NOT_FOUND, Json(ErrorBody::NotFound)).into_response()
            }
            ApiError::Client { status, body } => (status, Json(body)).into_response(),
            ApiError::Internal(error) => {
                tracing::error!(%error, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(ErrorBody::Message("Internal Server Error".to_owned())),
                )
                    .into_response()
            }
        }
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;
