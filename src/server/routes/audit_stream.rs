//! `GET /v1/audit` as a stream of lines (`?format=jsonl|ocsf|cef`, or
//! `Accept: application/x-ndjson`): read from the database a page at a
//! time and written as it is read, so a million entries never sit in
//! memory at once. It ends at the head the chain had when the request
//! came in (`X-Warden-Audit-Head`); every line carries its sequence number,
//! which is the cursor: ask again with `after=` the last one received.

use crate::server::AppState;
use crate::server::audit::export::Format;
use crate::server::error::ApiResult;
use crate::server::store::{AuditSelect, Store};
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use std::sync::Arc;

/// Entries read from the database at a time.
const PAGE: usize = 1000;

/// The header that says where the stream ends.
pub const HEAD_HEADER: &str = "x-warden-audit-head";

struct Cursor {
    store: Arc<dyn Store>,
    select: AuditSelect,
    /// Entries still to send.
    left: usize,
    head: i64,
    format: Format,
    done: bool,
}

pub async fn answer(state: &AppState, select: AuditSelect, format: Format) -> ApiResult<Response> {
    let head = state.store.audit_head().await?.seq;
    let cursor = Cursor {
        store: state.store.clone(),
        left: select.count,
        select,
        head,
        format,
        done: false,
    };
    let stream = futures_util::stream::unfold(cursor, |mut c| async move {
        if c.done || c.left == 0 {
            return None;
        }
        let page = next_page(&mut c).await;
        match page {
            Ok(None) => None,
            Ok(Some(bytes)) => Some((Ok::<Bytes, std::io::Error>(bytes), c)),
            Err(e) => {
                // The status line is gone: cutting the stream short is the
                // only way left to say so, and the client's cursor says
                // where to resume.
                tracing::warn!(error = %e, "audit stream cut short");
                c.done = true;
                Some((Err(std::io::Error::other(e)), c))
            }
        }
    });
    let content_type = match format {
        Format::Cef => "text/plain; charset=utf-8",
        _ => "application/x-ndjson",
    };
    // Fused: the body may be polled again after its end, which a bare
    // unfold does not allow.
    let mut response = Body::from_stream(stream.fuse()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(HEAD_HEADER, HeaderValue::from(head));
    Ok(response)
}

async fn next_page(c: &mut Cursor) -> Result<Option<Bytes>, String> {
    let mut select = c.select.clone();
    if select.newest {
        // A tail is one read, at most 10,000 entries.
        c.done = true;
    } else {
        select.count = c.left.min(PAGE);
    }
    let page = c
        .store
        .audit_select(&select)
        .await
        .map_err(|e| e.to_string())?;
    let page: Vec<_> = page.into_iter().take_while(|e| e.seq <= c.head).collect();
    let Some(last) = page.last() else {
        return Ok(None);
    };
    c.select.after = last.seq;
    c.left = c.left.saturating_sub(page.len());
    if page.len() < select.count || last.seq >= c.head {
        c.done = true;
    }
    let mut out = Vec::with_capacity(page.len() * 256);
    for e in &page {
        out.extend_from_slice(c.format.line(e).as_bytes());
        out.push(b'\n');
    }
    Ok(Some(Bytes::from(out)))
}
