//! Uploaded files: streamed to disk under the data dir with a random name,
//! typed by their bytes (never by the name or the browser's claim), and
//! served back so that no upload can run script on this origin.

use std::path::{Path as FsPath, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::extract::multipart::{Field, Multipart};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ferrochat_core::chatwoot::FileType;
use ferrochat_core::validate::{self, ATTACHMENT_MAX_BYTES};
use tokio::io::AsyncWriteExt;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::ids;
use crate::store::AttachmentRow;

/// A file written to disk, not yet attached to a message.
#[derive(Clone, Debug)]
pub(crate) struct StoredFile {
    pub storage_key: String,
    pub file_name: String,
    pub extension: Option<String>,
    pub mime_type: String,
    pub file_type: FileType,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

pub(crate) fn dir(data_dir: &FsPath) -> PathBuf {
    data_dir.join("attachments")
}

fn path_of(data_dir: &FsPath, key: &str) -> PathBuf {
    dir(data_dir).join(key)
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/attachments/{key}/{name}", get(serve))
}

/// Types a browser may show inline; everything else is a download.
const INLINE: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "audio/webm",
    "audio/mp4",
    "video/mp4",
    "video/webm",
    "video/ogg",
    "video/quicktime",
    "application/pdf",
];

async fn serve(
    State(state): State<AppState>,
    Path((key, _name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let row: AttachmentRow = sqlx::query_as("SELECT * FROM attachments WHERE storage_key = $1")
        .bind(&key)
        .fetch_optional(&state.db.read)
        .await?
        .ok_or(ApiError::NotFound)?;
    let file = match tokio::fs::File::open(path_of(&state.data_dir, &row.storage_key)).await {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::NotFound);
        }
        Err(error) => return Err(error.into()),
    };
    let body = Body::from_stream(tokio_util_stream(file));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    let mime = HeaderValue::from_str(&row.mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, mime);
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(row.file_size as u64),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Even a file that fooled the sniffer cannot run script here.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    let disposition = if INLINE.contains(&row.mime_type.as_str()) {
        "inline"
    } else {
        "attachment"
    };
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{disposition}; filename*=UTF-8''{}",
        url_encode(&row.file_name)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Reads a file in 64 KiB chunks as a body stream.
fn tokio_util_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(file, |mut file| async move {
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok(buffer), file))
            }
            Err(error) => Some((Err(error), file)),
        }
    })
}

/// Percent-encodes everything but unreserved characters.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Keeps a file name to show: no path, no control characters, at most 255
/// characters.
fn clean_name(name: Option<&str>) -> String {
    let base = name
        .unwrap_or("file")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("file");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    if cleaned.trim().is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// The text fields of a multipart message create, and its files.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    pub content: Option<String>,
    pub echo_id: Option<String>,
    pub files: Vec<StoredFile>,
}

/// Reads a multipart body, writing each `attachments[]` file to disk as it
/// arrives. A file over 40 MB or a 16th file is a 422, and whatever was
/// already written is removed.
pub(crate) async fn receive(state: &AppState, mut multipart: Multipart) -> ApiResult<Upload> {
    let mut upload = Upload::default();
    let result = async {
        while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
            match field.name().unwrap_or("") {
                "content" => upload.content = Some(field.text().await.map_err(multipart_error)?),
                "echo_id" => upload.echo_id = Some(field.text().await.map_err(multipart_error)?),
                "attachments[]" | "attachments" => {
                    validate::attachment_count(upload.files.len() + 1)
                        .map_err(|error| ApiError::invalid("attachments", &error))?;
                    let file = store_field(&state.data_dir, field).await?;
                    upload.files.push(file);
                }
                // Chatwoot's widget sends more fields (`referer_url`,
                // `timestamp`); they are not stored.
                _ => {}
            }
        }
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(upload),
        Err(error) => {
            discard(&state.data_dir, &upload.files).await;
            Err(error)
        }
    }
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    let status = error.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::message(status, "Request body is too large");
    }
    ApiError::message(
        StatusCode::BAD_REQUEST,
        format!("malformed multipart body: {}", error.body_text()),
    )
}

async fn store_field(data_dir: &FsPath, mut field: Field<'_>) -> ApiResult<StoredFile> {
    let file_name = clean_name(field.file_name());
    let key = ids::token();
    let path = path_of(data_dir, &key);
    let mut out = tokio::fs::File::create(&path).await?;
    let mut size: u64 = 0;
    let mut head: Vec<u8> = Vec::with_capacity(8192);
    let written = async {
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            size += chunk.len() as u64;
            if size > ATTACHMENT_MAX_BYTES {
                let error = validate::attachment("application/octet-stream", size)
                    .err()
                    .ok_or_else(|| ApiError::internal("size check"))?;
                return Err(ApiError::invalid("attachments", &error));
            }
            if head.len() < 8192 {
                let take = (8192 - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            out.write_all(&chunk).await?;
        }
        out.flush().await?;
        Ok(())
    }
    .await;
    if let Err(error) = written {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(error);
    }
    let mime_type = sniff(&head, &file_name);
    let file_type = match validate::attachment(&mime_type, size) {
        Ok(file_type) => file_type,
        Err(error) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(ApiError::invalid("attachments", &error));
        }
    };
    let (width, height) = if file_type == FileType::Image {
        imagesize::blob_size(&head)
            .map(|size| {
                (
                    u32::try_from(size.width).ok(),
                    u32::try_from(size.height).ok(),
                )
            })
            .unwrap_or((None, None))
    } else {
        (None, None)
    };
    let extension = FsPath::new(&file_name)
        .extension()
        .and_then(|ext| ext.to_str())
        .map(|ext| ext.to_ascii_lowercase())
        .filter(|ext| ext.len() <= 16);
    Ok(StoredFile {
        storage_key: key,
        file_name,
        extension,
        mime_type,
        file_type,
        size,
        width,
        height,
    })
}

/// The file's type from its first bytes. Plain text is recognised by its
/// name when it is valid UTF-8; anything unrecognised is
/// `application/octet-stream`, so it is only ever downloaded.
fn sniff(head: &[u8], file_name: &str) -> String {
    if let Some(kind) = infer::get(head) {
        let mime = kind.mime_type();
        // Markup is never given a type a browser would render as a page.
        let markup = mime.starts_with("text/") || mime.contains("xml") || mime.contains("html");
        if !markup {
            return mime.to_owned();
        }
    }
    let lower = file_name.to_ascii_lowercase();
    let texty = std::str::from_utf8(head).is_ok()
        || std::str::from_utf8(&head[..head.len().saturating_sub(3)]).is_ok();
    if texty && (lower.ends_with(".txt") || lower.ends_with(".csv") || lower.ends_with(".log")) {
        return if lower.ends_with(".csv") {
            "text/csv".to_owned()
        } else {
            "text/plain".to_owned()
        };
    }
    "application/octet-stream".to_owned()
}

/// Removes files that will not be attached after all.
pub(crate) async fn discard(data_dir: &FsPath, files: &[StoredFile]) {
    for file in files {
        let _ = tokio::fs::remove_file(path_of(data_dir, &file.storage_key)).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_lose_their_paths_and_control_characters() {
        assert_eq!(super::clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(super::clean_name(Some("C:\\x\\a\nb.png")), "ab.png");
        assert_eq!(super::clean_name(None), "file");
        assert_eq!(super::url_encode("a b/ü.png"), "a%20b%2F%C3%BC.png");
    }

    #[test]
    fn html_is_never_typed_as_html() {
        assert_eq!(
            super::sniff(b"<html><script>alert(1)</script>", "x.html"),
            "application/octet-stream"
        );
        assert_eq!(super::sniff(b"\x89PNG\r\n\x1a\n0000", "x.txt"), "image/png");
        assert_eq!(super::sniff(b"hello", "notes.txt"), "text/plain");
    }
}
