//! The connection loop of `warden serve`, plain or HTTPS: every socket gets
//! a slot in a table capped at [`Limits::max_connections`], and a watcher
//! closes the ones that overstay (a request head or TLS handshake slower
//! than the header timeout, a kept-alive connection idle past the idle
//! timeout, an answer the client has stopped reading for longer than the
//! write timeout). A request's body is cut at the body timeout.
//!
//! When the table is full, a new socket takes the slot of the oldest one
//! that has no request in flight (still sending its head, or idle), so a
//! flood of slow or silent sockets cannot keep a responder out; only when
//! every slot is serving a request is the newcomer closed at once. Either
//! way `accept` itself never runs out of descriptors.

use super::limits::Limits;
use axum::body::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot, watch};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

/// Waiting for (the rest of) a request head, or a TLS handshake.
const HEAD: u8 = 0;
/// A request in flight: its body read, its handler run, or its answer sent.
const BUSY: u8 = 1;
/// Kept alive between requests.
const IDLE: u8 = 2;

/// How often the watcher looks for sockets past their time.
const SWEEP: Duration = Duration::from_millis(200);

/// One open socket.
struct Slot {
    id: u64,
    phase: AtomicU8,
    /// When the phase began, in ms since the table's epoch.
    since: AtomicU64,
    in_flight: AtomicUsize,
    /// When a write to the socket last found it full and made no progress,
    /// in ms since the table's epoch plus one; 0 while writes go through.
    stalled: AtomicU64,
    /// A request body was dropped before its end (refused as too large,
    /// or not read): closing must then linger, see [`Watched`].
    unread_body: AtomicBool,
    close: Notify,
}

/// Every open socket, by id.
struct Table {
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next: AtomicU64,
    epoch: Instant,
    limits: Limits,
}

impl Table {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Slot>>> {
        // A panic while holding it leaves a map that is still whole.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A slot for a new socket: a free one, or the one of the oldest socket
    /// with no request in flight (told to close); None when all serve.
    fn admit(&self) -> Option<Arc<Slot>> {
        let mut slots = self.lock();
        if slots.len() >= self.limits.max_connections {
            let victim = slots
                .values()
                .filter(|s| s.phase.load(Ordering::Acquire) != BUSY)
                // Ids break ties: many sockets come in the same millisecond.
                .min_by_key(|s| (s.since.load(Ordering::Acquire), s.id))
                .cloned()?;
            slots.remove(&victim.id);
            victim.close.notify_one();
        }
        let slot = Arc::new(Slot {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            phase: AtomicU8::new(HEAD),
            since: AtomicU64::new(self.now()),
            in_flight: AtomicUsize::new(0),
            stalled: AtomicU64::new(0),
            unread_body: AtomicBool::new(false),
            close: Notify::new(),
        });
        slots.insert(slot.id, slot.clone());
        Some(slot)
    }

    /// Closes the sockets past their phase's time.
    fn sweep(&self) {
        let now = self.now();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let (head, idle) = (ms(self.limits.header_timeout), ms(self.limits.idle_timeout));
        let write = ms(self.limits.write_timeout);
        self.lock().retain(|_, s| {
            let age = now.saturating_sub(s.since.load(Ordering::Acquire));
            let stalled = s.stalled.load(Ordering::Acquire);
            // A handler may take its time; a client that stops reading its
            // answers may not, in any phase (hyper may still be writing an
            // answer whose body it has taken whole, or pipelined ones).
            let late = (stalled != 0 && now.saturating_sub(stalled - 1) >= write)
                || match s.phase.load(Ordering::Acquire) {
                    HEAD => age >= head,
                    IDLE => age >= idle,
                    _ => false,
                };
            if late {
                s.close.notify_one();
            }
            !late
        });
    }

    fn set_phase(&self, slot: &Slot, phase: u8) {
        slot.since.store(self.now(), Ordering::Release);
        slot.phase.store(phase, Ordering::Release);
    }
}

/// Serves `app` on `listener` (HTTPS when `tls` is given) until `stop`,
/// then lets the requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: axum::Router,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) {
    let table = Arc::new(Table {
        slots: Mutex::default(),
        next: AtomicU64::new(0),
        epoch: Instant::now(),
        limits,
    });
    let watcher = {
        let table = table.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                table.sweep();
            }
        })
    };
    let (draining, drain) = watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut refused: u64 = 0;
    loop {
        let (tcp, _peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of descriptors despite the cap (the reserve used
                    // up elsewhere): wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let Some(slot) = table.admit() else {
            refused += 1;
            if refused.is_power_of_two() {
                tracing::warn!(
                    refused,
                    max_connections = limits.max_connections,
                    "every connection is serving a request; closed a new one"
                );
            }
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        connections.spawn(connection(
            tcp,
            tls.clone(),
            app.clone(),
            table.clone(),
            slot,
            drain.clone(),
        ));
    }
    drop(listener);
    let _ = draining.send(true);
    while connections.join_next().await.is_some() {}
    watcher.abort();
}

/// One socket, from its TLS handshake to its close; its slot is freed when
/// this ends.
async fn connection(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    app: axum::Router,
    table: Arc<Table>,
    slot: Arc<Slot>,
    drain: watch::Receiver<bool>,
) {
    let _freed = Freed(table.clone(), slot.id);
    match tls {
        None => http(tcp, app, table, slot, drain).await,
        Some(acceptor) => {
            let stream = tokio::select! {
                s = acceptor.accept(tcp) => match s {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::debug!(error = %e, "TLS handshake failed");
                        return;
                    }
                },
                _ = slot.close.notified() => return,
            };
            http(stream, app, table, slot, drain).await;
        }
    }
}

/// Takes the slot out of the table when the connection ends.
struct Freed(Arc<Table>, u64);

impl Drop for Freed {
    fn drop(&mut self) {
        self.0.lock().remove(&self.1);
    }
}

async fn http<I>(
    io: I,
    app: axum::Router,
    table: Arc<Table>,
    slot: Arc<Slot>,
    mut drain: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let body_timeout = table.limits.body_timeout;
    let watched = Watched {
        io,
        table: table.clone(),
        slot: slot.clone(),
        linger: None,
    };
    let service = {
        let (table, slot) = (table.clone(), slot.clone());
        let app = TowerToHyperService::new(app);
        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let busy = Busy::start(table.clone(), slot.clone());
            let req =
                req.map(|b| axum::body::Body::new(Deadline::new(b, body_timeout, slot.clone())));
            let answer = hyper::service::Service::call(&app, req);
            async move {
                let resp = answer.await?;
                Ok::<_, std::convert::Infallible>(resp.map(|b| {
                    axum::body::Body::new(Tracked {
                        body: b,
                        _busy: busy,
                    })
                }))
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The watcher times heads, so hyper's own timer is not needed.
    builder.timer(TokioTimer::new()).header_read_timeout(None);
    let conn = builder.serve_connection(TokioIo::new(watched), service);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = slot.close.notified() => {}
        _ = async { drain.wait_for(|d| *d).await.map(|_| ()) } => {
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = slot.close.notified() => {}
            }
        }
    }
}

/// A request in flight on a slot; the slot goes idle when the last one's
/// answer has been sent.
struct Busy {
    table: Arc<Table>,
    slot: Arc<Slot>,
}

impl Busy {
    fn start(table: Arc<Table>, slot: Arc<Slot>) -> Busy {
        slot.in_flight.fetch_add(1, Ordering::AcqRel);
        table.set_phase(&slot, BUSY);
        Busy { table, slot }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if self.slot.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.table.set_phase(&self.slot, IDLE);
        }
    }
}

/// An answer's body, holding its request's [`Busy`] until sent.
struct Tracked {
    body: axum::body::Body,
    _busy: Busy,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Why a request's body stopped: it did not arrive whole in time.
#[derive(Debug)]
pub struct BodyTimedOut(pub Duration);

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request body did not arrive within {} s",
            self.0.as_secs()
        )
    }
}

impl std::error::Error for BodyTimedOut {}

/// A request body with a deadline for all of it, not per chunk, so a body
/// sent a byte at a time is cut all the same.
struct Deadline {
    body: Incoming,
    timer: Pin<Box<tokio::time::Sleep>>,
    timeout: Duration,
    slot: Arc<Slot>,
}

impl Deadline {
    fn new(body: Incoming, timeout: Duration, slot: Arc<Slot>) -> Deadline {
        Deadline {
            body,
            timer: Box::pin(tokio::time::sleep(timeout)),
            timeout,
            slot,
        }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if !self.body.is_end_stream() {
            self.slot.unread_body.store(true, Ordering::Release);
        }
    }
}

impl HttpBody for Deadline {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut(self.timeout)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, seen by the watcher: the first bytes after an idle spell
/// start a new head, timed from then.
///
/// Its close lingers when a request body was left unread (a 413 answered
/// before the body came): it sends its end, then reads and drops what the
/// client is still sending until the client ends too, for at most
/// [`LINGER`]. Closing with unread bytes would make the kernel reset the
/// connection, and a reset can destroy the answer before the client
/// reads it.
struct Watched<I> {
    io: I,
    table: Arc<Table>,
    slot: Arc<Slot>,
    linger: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// The longest a close lingers for a client still sending a refused body.
const LINGER: Duration = Duration::from_secs(2);

impl<I: AsyncRead + AsyncWrite + Unpin> Watched<I> {
    fn poll_linger(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.linger.is_none() {
            std::task::ready!(Pin::new(&mut self.io).poll_shutdown(cx))?;
            self.linger = Some(Box::pin(tokio::time::sleep(LINGER)));
        }
        let mut scratch = [0u8; 16 * 1024];
        for _ in 0..64 {
            if self
                .linger
                .as_mut()
                .is_some_and(|t| t.as_mut().poll(cx).is_ready())
            {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        // A fast sender: let the other tasks run, then read on.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Watched<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before && self.slot.phase.load(Ordering::Acquire) == IDLE {
            // The time first, so the watcher never sees a head timed from
            // the start of the idle spell.
            self.slot.since.store(self.table.now(), Ordering::Release);
            let _ =
                self.slot
                    .phase
                    .compare_exchange(IDLE, HEAD, Ordering::AcqRel, Ordering::Acquire);
        }
        r
    }
}

impl<I> Watched<I> {
    /// Times a stall: the first write that finds the socket full starts
    /// the clock, any write that goes through stops it.
    fn note_write<T>(&self, r: &Poll<T>) {
        if r.is_pending() {
            let since = self.table.now().saturating_add(1);
            let _ =
                self.slot
                    .stalled
                    .compare_exchange(0, since, Ordering::AcqRel, Ordering::Acquire);
        } else {
            self.slot.stalled.store(0, Ordering::Release);
        }
    }
}

impl<I: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Watched<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.note_write(&r);
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.slot.unread_body.load(Ordering::Acquire) {
            return self.poll_linger(cx);
        }
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.note_write(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
