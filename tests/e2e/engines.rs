//! The store's engines: what only PostgreSQL allows — several servers on one database — and
//! holds to the same rules (one order, each write once, a clean `verify`).

use std::collections::BTreeSet;

use crate::serve::{agent, get, race_to_amend, read_stream, token, Server};
use crate::support::{kind, Travaux};

/// Fifty clients, half on each of two servers of one database, each proposing an amendment
/// against the version it last read (If-Match), retrying on 412 until it wins one: every
/// acknowledged write is in the log once, the versions won are one gap-free run, both
/// servers' event streams tell the same events in the same order, and `verify` is clean.
#[test]
fn two_servers_on_one_database_order_fifty_writers_once() {
    const CLIENTS: usize = 50;
    let t = Travaux::fixture();
    if !t.on_postgres() {
        return; // a directory is held by one process: one server
    }
    let brazil = token(&t, "brazil");
    let servers = [Server::start(&t), Server::start(&t)];
    let start = get(&agent(), &servers[0].at("/v1/documents/code/status"), None)
        .ok()
        .version();
    let won = race_to_amend(&[&servers[0], &servers[1]], &brazil, CLIENTS);
    let versions: BTreeSet<u64> = won.iter().map(|(_, v)| *v).collect();
    assert_eq!(
        versions.into_iter().collect::<Vec<_>>(),
        ((start + 1)..=(start + CLIENTS as u64)).collect::<Vec<_>>(),
        "the versions won are one gap-free run, each once: {won:?}"
    );

    // Each server tells every event of the document, once, in the log's order.
    let total = start as usize + CLIENTS;
    let told: Vec<Vec<u64>> = servers
        .iter()
        .map(|s| {
            read_stream(&s.at("/v1/documents/code/events?from=1"), None, None, total)
                .iter()
                .map(|m| m.id)
                .collect()
        })
        .collect();
    assert_eq!(told[0], told[1], "both servers tell the same events");
    assert!(
        told[0].windows(2).all(|w| w[0] < w[1]),
        "in the log's order, each once: {:?}",
        told[0]
    );
    for s in servers {
        assert_eq!(s.stop().code(), Some(0));
    }

    t.ok(&["verify"]);
    let proposals = t.events(&["--kind", "amendment_proposed"]);
    assert_eq!(proposals.len(), CLIENTS);
    let texts: BTreeSet<String> = proposals
        .iter()
        .map(|p| kind(p).1["change"]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts.len(), CLIENTS, "each proposal once");
}
