//! Connections: accepted up to a bound, each served by hyper with a deadline for its
//! headers and for a stalled answer, and all of them gone within a deadline of a shutdown.
//!
//! `axum::serve` takes no configuration (no timer, so hyper's header-read timeout never
//! fires, and a client holding half-sent headers kept a shutdown waiting for ever): the
//! accept loop is here, on hyper's HTTP/1 connection builder.
//!
//! - **Headers**: a connection must send a request's headers within `header_timeout` of
//!   opening, or of the end of its previous answer; otherwise hyper closes it. The same
//!   deadline closes an idle keep-alive connection: hyper counts it from the moment it waits
//!   for the next request.
//! - **Bodies**: read whole within `body_timeout` (the route layer, `limit_body`).
//! - **Answers**: a connection whose client takes no bytes of an answer for `write_timeout`
//!   is closed ([`Stalling`]).
//! - **Bound**: at most `max_connections` open; past it the server stops accepting, and
//!   connections wait in the system's listen queue ([`LISTEN_QUEUE`]) until one closes.
//! - **Shutdown**: on the signal the listener closes; connections finish their request in
//!   flight and close; those still open after `shutdown_timeout` are dropped. A write already
//!   running on a blocking thread is not interrupted: it finishes (durable) before the process
//!   exits, though its client may not get the answer.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream, UnixListener, UnixStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Sleep;

/// How the server treats connections and requests: the values of `serve`'s flags (their
/// defaults are there, in `commands/serve.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a connection may take to send a request's headers, from its opening or the
    /// end of its previous answer (so also how long an idle keep-alive connection stays).
    pub header_timeout: Duration,
    /// How long a client may take to send a request's whole body.
    pub body_timeout: Duration,
    /// How long a client may leave an answer unread before its connection is closed.
    pub write_timeout: Duration,
    /// How many connections may be open at once; more wait to be accepted.
    pub max_connections: usize,
    /// How long a shutdown waits for connections to finish before dropping them.
    pub shutdown_timeout: Duration,
}

/// The most a connection buffers (hyper's default is about 400 KiB): a request's headers
/// must fit in it (431 past it), so that thousands of slow clients each sending headers
/// without end hold at most this much each. Bodies stream through it.
const MAX_BUFFER: usize = 64 * 1024;

/// How many connections the system may hold waiting to be accepted (it caps the number at
/// its own, `net.core.somaxconn`: 4096 on Linux since 5.4). Past it, a new connection's first
/// packet is dropped and its client sends it again a second later: a burst of a few thousand
/// connections at once would otherwise cost those behind the queue (tokio's is 1024) a second.
const LISTEN_QUEUE: u32 = 4096;

/// Listen on `addr`, with room for [`LISTEN_QUEUE`] connections waiting to be accepted.
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As tokio's `TcpListener::bind` does: a restarted server takes its port back at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_QUEUE)
}

/// A listener the server accepts connections from: the TCP port, or the local socket beside
/// the store ([`super::local`]).
pub trait Accept: Send {
    /// A connection.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    /// The next connection, or why accepting failed. `Ok(None)`: one refused, to skip.
    fn accept(&self) -> impl Future<Output = io::Result<Option<Self::Io>>> + Send;
}

impl Accept for TcpListener {
    type Io = TcpStream;
    async fn accept(&self) -> io::Result<Option<TcpStream>> {
        let (stream, _) = TcpListener::accept(self).await?;
        let _ = stream.set_nodelay(true);
        Ok(Some(stream))
    }
}

impl Accept for UnixListener {
    type Io = UnixStream;
    async fn accept(&self) -> io::Result<Option<UnixStream>> {
        let (stream, _) = UnixListener::accept(self).await?;
        Ok(super::local::same_user(&stream).then_some(stream))
    }
}

/// File descriptors kept for the store, the log and the rest, beside the connections.
const SPARE_FDS: u64 = 256;

/// Raise the process's limit on open files so that `max_connections` fit, as far as the hard
/// limit allows; answer how many connections fit.
pub fn make_room(max_connections: usize) -> usize {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource};
        let want = max_connections as u64 + SPARE_FDS;
        let limit = getrlimit(Resource::Nofile);
        let current = limit.current.unwrap_or(u64::MAX);
        if current >= want {
            return max_connections;
        }
        let raised = limit.maximum.map_or(want, |hard| hard.min(want));
        let mut new = limit;
        new.current = Some(raised);
        let now = match setrlimit(Resource::Nofile, new) {
            Ok(()) => raised,
            Err(e) => {
                tracing::warn!(error = %e, "cannot raise the limit on open files");
                current
            }
        };
        if now >= want {
            return max_connections;
        }
        let fit = now.saturating_sub(SPARE_FDS).max(1) as usize;
        tracing::warn!(
            asked = max_connections,
            open_files = now,
            connections = fit,
            "the limit on open files (ulimit -n) leaves room for fewer connections than --max-connections; raise it to serve more"
        );
        fit
    }
    #[cfg(not(unix))]
    {
        max_connections
    }
}

/// Accept and serve connections until `shutdown` completes, then let them finish for at most
/// `limits.shutdown_timeout` and drop the rest.
pub async fn serve<L: Accept>(
    listener: L,
    router: Router,
    limits: Limits,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut open = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut full = false;
    loop {
        while open.try_join_next().is_some() {}
        // A slot first: at the bound, new connections wait in the listen queue.
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                full = false;
                slot
            }
            Err(_) => {
                if !full {
                    tracing::warn!(
                        connections = max_connections,
                        "at the bound on open connections: new ones wait until one closes"
                    );
                    full = true;
                }
                tokio::select! {
                    slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
                    () = &mut shutdown => break,
                }
            }
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(Some(stream)) => stream,
                Ok(None) => continue,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        open.spawn(connection(
            stream,
            router.clone(),
            limits,
            stop_rx.clone(),
            slot,
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let waiting = open.len();
    tracing::info!(
        connections = waiting,
        deadline_s = limits.shutdown_timeout.as_secs_f64(),
        "shutting down: no new connections; those open finish their request or are dropped at the deadline"
    );
    let all_closed = async { while open.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_timeout, all_closed)
        .await
        .is_err()
    {
        tracing::warn!(
            connections = open.len(),
            "connections still open at the shutdown deadline: dropped"
        );
        open.shutdown().await;
    }
}

/// An accept that failed: out of file descriptors (wait for some to close), or a connection
/// gone before it was accepted (nothing to do).
async fn accept_failed(e: &io::Error) {
    let out_of_files = matches!(e.raw_os_error(), Some(23 | 24)); // ENFILE, EMFILE
    if out_of_files {
        tracing::warn!(error = %e, "cannot accept a connection: out of file descriptors; waiting");
        tokio::time::sleep(Duration::from_millis(100)).await;
    } else {
        tracing::debug!(error = %e, "a connection failed before it was accepted");
    }
}

/// Serve one connection until it closes, or until the shutdown: then finish the request in
/// flight and close (the shutdown deadline drops it if that takes too long).
async fn connection<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    stream: S,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let io = TokioIo::new(Stalling::new(stream, limits.write_timeout));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_BUFFER)
        .keep_alive(true);
    let conn = builder.serve_connection(io, TowerToHyperService::new(router));
    let mut conn = pin!(conn);
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        () = async { let _ = stop.wait_for(|stop| *stop).await; } => {
            // Keep-alive off: an idle connection closes now, a busy one after its answer.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, "connection closed");
    }
}

/// A connection whose writes fail once the client has taken none of the bytes waiting for
/// `timeout`: an answer nobody reads does not hold a connection for ever.
struct Stalling<S> {
    stream: S,
    timeout: Duration,
    /// Armed while a write waits.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> Stalling<S> {
    fn new(stream: S, timeout: Duration) -> Self {
        Stalling {
            stream,
            timeout,
            stalled: None,
        }
    }

    /// A write that is waiting: fail it once it has waited `timeout`.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let timeout = self.timeout;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the client took no bytes of the answer for {}s",
                    timeout.as_secs_f64()
                ),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Stalling<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Stalling<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, buf) {
            Poll::Pending => self.waiting(cx),
            done => {
                self.stalled = None;
                done
            }
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write_vectored(cx, bufs) {
            Poll::Pending => self.waiting(cx),
            done => {
                self.stalled = None;
                done
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
