//! Extractors whose failures answer in the project's JSON error shape, never
//! in the framework's plain text.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json`, with a JSON 400 for malformed JSON, 422 for JSON of the
/// wrong shape, 415 for a missing content type and 413 for a body over the
/// limit. An empty body reads as `{}`, as Rails does.
#[derive(Debug)]
pub(crate) struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_body = request
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .is_none_or(|length| length != "0");
        let has_type = request
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE);
        if !has_body || !has_type {
            // Chatwoot's clients post some actions without a body; an
            // absent body is an empty object.
            let bytes = axum::body::Bytes::from_request(request, state)
                .await
                .map_err(|error| ApiError::message(error.status(), error.body_text()))?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return serde_json::from_str("{}").map(Json).map_err(|error| {
                    ApiError::message(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
                });
            }
            return serde_json::from_slice(&bytes).map(Json).map_err(|error| {
                ApiError::message(StatusCode::BAD_REQUEST, format!("malformed JSON: {error}"))
            });
        }
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let text = match &rejection {
        JsonRejection::JsonDataError(error) => {
            // serde's message, e.g. "invalid type: string, expected a sequence".
            std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_else(|| error.body_text())
        }
        JsonRejection::JsonSyntaxError(error) => format!(
            "malformed JSON: {}",
            std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_else(|| error.body_text())
        ),
        other => other.body_text(),
    };
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        return ApiError::Client {
            status,
            body: ferrochat_core::chatwoot::ErrorBody::Invalid {
                message: text,
                attributes: Vec::new(),
            },
        };
    }
    ApiError::message(status, text)
}

/// `axum::extract::Path` with a 404 for ids that do not parse: a
/// conversation id that is not a number names no conversation.
#[derive(Debug)]
pub(crate) struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError::NotFound),
            Err(other) => Err(ApiError::internal(other.body_text())),
        }
    }
}

/// `axum::extract::Query` with a JSON 400.
#[derive(Debug)]
pub(crate) struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::message(StatusCode::BAD_REQUEST, rejection.body_text())
}
