//! The local socket: `<store>/server.sock`, a Unix domain socket beside the store on which the
//! server takes the same HTTP requests as on its port, from the store's owner only.
//!
//! Its file permissions are the authorization: it is made with mode 0600 (bound under a
//! temporary name, restricted, then renamed into place, so it is never open to others), and a
//! connection from a process of another user is closed unanswered (the kernel tells who is at
//! the other end; root, who may read the store's files anyway, is let in). A request on it acts
//! as the store's owner would locally ([`super::auth::Caller::Owner`]): no token, `--as` names
//! the participant. The CLI finds the socket and sends its command there when a server holds
//! the store (`crate::client::local`).

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokio::net::{UnixListener, UnixStream};

/// The socket's file name in the store directory.
pub const SOCKET_FILE: &str = "server.sock";

/// The socket beside a store.
pub fn socket_path(store: &Path) -> PathBuf {
    store.join(SOCKET_FILE)
}

/// Listen on `<store>/server.sock`, mode 0600, in place of any socket a server killed left
/// behind (this process holds the store: no other server does).
pub fn listen(store: &Path) -> io::Result<UnixListener> {
    let path = socket_path(store);
    let tmp = store.join(format!("{SOCKET_FILE}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let listener = std::os::unix::net::UnixListener::bind(&tmp)?;
    let placed = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    listener.set_nonblocking(true)?;
    UnixListener::from_std(listener)
}

/// Remove the socket when the server stops.
pub fn remove(store: &Path) {
    let _ = std::fs::remove_file(socket_path(store));
}

/// Whether the process at the other end runs as this server's user (or as root).
pub fn same_user(stream: &UnixStream) -> bool {
    let me = rustix::process::geteuid().as_raw();
    match stream.peer_cred() {
        Ok(peer) if peer.uid() == me || peer.uid() == 0 => true,
        Ok(peer) => {
            tracing::warn!(
                uid = peer.uid(),
                "a process of another user connected to the local socket: closed"
            );
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot tell who connected to the local socket: closed");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_socket_is_the_owners_only_and_replaces_a_stale_one() {
        let dir = tempfile::tempdir().unwrap();
        // A socket a killed server left: a file nobody listens on.
        std::fs::write(socket_path(dir.path()), "").unwrap();
        let listener = listen(dir.path()).unwrap();
        let meta = std::fs::metadata(socket_path(dir.path())).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let client = UnixStream::connect(socket_path(dir.path())).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        assert!(same_user(&server));
        drop(client);
        remove(dir.path());
        assert!(!socket_path(dir.path()).exists());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "no temporary file left: {left:?}");
    }
}
