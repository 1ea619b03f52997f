//! Reading every credential of a backend for the credentials view, a page
//! at a time (`GET /v1/credentials?after=&limit=`): the view opens at
//! once, says how many it holds while the rest come in, and neither side
//! ever holds a whole catalogue's JSON (3,000,000 credentials are about
//! 1 GB of it).

use crate::api::client::Client;
use crate::fleet::origin::Qualify;
use crate::tui::msg::Msg;
use tokio::sync::mpsc;

/// Credentials a page: about 6 MB of JSON, a few tens of milliseconds for
/// the server to read and the app to take.
pub const PAGE: usize = 20_000;

/// Reads backend number `backend`'s credentials through `client`, `size`
/// a page ([`PAGE`] in the dashboard), their ids qualified with `scope`
/// (a merged view's backend name), sending each page but the last as
/// [`Msg::CredentialsPage`] and the last (or the error that stops the
/// read) as [`Msg::Credentials`]. The channel's bound paces the reads to
/// the app taking the pages.
pub async fn read_pages(
    client: Client,
    scope: Option<String>,
    backend: usize,
    size: usize,
    tx: mpsc::Sender<Msg>,
) {
    let mut after: Option<String> = None;
    loop {
        let page = match client.list_credentials_page(after.as_deref(), size).await {
            Ok(page) => page,
            Err(e) => {
                let result = Err(e.to_string());
                let _ = tx.send(Msg::Credentials { backend, result }).await;
                return;
            }
        };
        let last = page.last().map(|c| c.id.clone());
        // A short page is the last; so is a page that did not move on (a
        // server from before paging answers everything, every time).
        let done = page.len() != size || last.is_none() || last == after;
        let mut page = page;
        if let Some(s) = &scope {
            page.iter_mut().for_each(|c| c.qualify(s));
        }
        let msg = if done {
            Msg::Credentials {
                backend,
                result: Ok(page),
            }
        } else {
            Msg::CredentialsPage { backend, page }
        };
        if tx.send(msg).await.is_err() || done {
            return;
        }
        after = last;
    }
}
