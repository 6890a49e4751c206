//! The second step of a drain: which draining real servers are idle, and how far the
//! others are, from their counters and (when read) the connection table.

use std::net::SocketAddr;

use crate::listing::{Connection, ConnectionFilter};
use crate::model::{RealServerEntry, ServiceKey};
use crate::ops::Operation;

/// Deletes for the real servers of `draining` that are idle in `servers` (a fresh listing
/// of their service: weight 0, no active or inactive connections). Servers that still have
/// connections are left for a later call. [`DrainTracker`] does the same and also counts
/// each server's entries in the connection table.
pub fn finish_drain(
    draining: &[(ServiceKey, SocketAddr)],
    service: &ServiceKey,
    servers: &[RealServerEntry],
) -> Vec<Operation> {
    let mut tracker = DrainTracker::new(draining);
    tracker.record_listing(service, servers);
    tracker
        .finished()
        .into_iter()
        .filter(|op| matches!(op, Operation::DeleteServer(key, _) if key == service))
        .collect()
}

/// Where one draining real server stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DrainingServer {
    /// Its service.
    pub service: ServiceKey,
    /// Its address.
    pub server: SocketAddr,
    /// Its weight and connection counters from the last listing of its service; `None`
    /// until one was recorded, or if the listing did not have it any more (it is gone).
    pub listed: Option<RealServerEntry>,
    /// Client connections to it in the connection table, once the table was read
    /// ([`DrainTracker::record_connection`]); `None` if it was not.
    pub connections: Option<usize>,
    /// Persistence templates pointing at it in the connection table (`None` likewise).
    pub templates: Option<usize>,
    /// Which entries of the connection table are its own.
    filter: ConnectionFilter,
}

impl DrainingServer {
    /// Whether it can go now: listed at weight 0 with no active or inactive connections,
    /// and no client connection in the table if the table was read. Persistence templates
    /// do not hold it: they only send returning clients to a server that takes no new
    /// ones, and the kernel keeps a deleted server's templates until they expire.
    pub fn is_idle(&self) -> bool {
        self.listed
            .as_ref()
            .is_some_and(|e| e.server.weight == 0 && e.active_conns == 0 && e.inactive_conns == 0)
            && self.connections.unwrap_or(0) == 0
    }
}

/// Follows the real servers of a plan's [`super::Plan::draining`]: record the listing of
/// each of their services and, optionally, every entry of the connection table; then
/// [`DrainTracker::finished`] gives the deletes of the idle ones and
/// [`DrainTracker::servers`] tells how far the rest are.
///
/// The kernel's connection table does not say which firewall-mark service a connection
/// belongs to: for a server of a firewall-mark service, every client connection to the
/// server's address (and port, if it has one) counts, whatever service it came through.
#[derive(Debug, Clone, Default)]
pub struct DrainTracker {
    servers: Vec<DrainingServer>,
    table_read: bool,
}

impl DrainTracker {
    /// Tracks the servers of `draining`, each listed once.
    pub fn new(draining: &[(ServiceKey, SocketAddr)]) -> DrainTracker {
        let mut servers: Vec<DrainingServer> = Vec::new();
        for &(service, server) in draining {
            if servers
                .iter()
                .any(|s| s.service == service && s.server == server)
            {
                continue;
            }
            let filter = match service {
                ServiceKey::Fwmark { .. } => ConnectionFilter::all(),
                _ => ConnectionFilter::service(&service),
            }
            .to_server(server);
            servers.push(DrainingServer {
                service,
                server,
                listed: None,
                connections: None,
                templates: None,
                filter,
            });
        }
        DrainTracker {
            servers,
            table_read: false,
        }
    }

    /// The services whose listings [`DrainTracker::record_listing`] wants, each once.
    pub fn services(&self) -> Vec<ServiceKey> {
        let mut keys: Vec<ServiceKey> = Vec::new();
        for s in &self.servers {
            if !keys.contains(&s.service) {
                keys.push(s.service);
            }
        }
        keys
    }

    /// Records a fresh listing of `service`'s real servers (its draining servers missing
    /// from it are gone).
    pub fn record_listing(&mut self, service: &ServiceKey, listed: &[RealServerEntry]) {
        for s in self.servers.iter_mut().filter(|s| s.service == *service) {
            s.listed = listed.iter().find(|e| e.server.addr == s.server).cloned();
        }
    }

    /// Starts (or starts again) counting a read of the connection table: every tracked
    /// server has zero entries until [`DrainTracker::record_connection`] counts them.
    pub fn start_connection_count(&mut self) {
        self.table_read = true;
        for s in &mut self.servers {
            s.connections = Some(0);
            s.templates = Some(0);
        }
    }

    /// Counts one entry of the connection table (starting the count if
    /// [`DrainTracker::start_connection_count`] was not called).
    pub fn record_connection(&mut self, connection: &Connection) {
        if !self.table_read {
            self.start_connection_count();
        }
        for s in self.servers.iter_mut() {
            if !s.filter.matches(connection) {
                continue;
            }
            let count = if connection.is_template() {
                &mut s.templates
            } else {
                &mut s.connections
            };
            *count = Some(count.unwrap_or(0) + 1);
        }
    }

    /// The tracked servers, in the order of the plan.
    pub fn servers(&self) -> &[DrainingServer] {
        &self.servers
    }

    /// Deletes for the idle servers ([`DrainingServer::is_idle`]), in the plan's order.
    pub fn finished(&self) -> Vec<Operation> {
        self.servers
            .iter()
            .filter(|s| s.is_idle())
            .map(|s| Operation::DeleteServer(s.service, s.server))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::parse_connections;
    use crate::model::RealServer;

    fn entry(addr: &str, weight: u32, active: u32, inactive: u32) -> RealServerEntry {
        let mut e =
            RealServerEntry::new(RealServer::new(addr.parse().unwrap()).with_weight(weight));
        e.active_conns = active;
        e.inactive_conns = inactive;
        e
    }

    const TABLE: &str = concat!(
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
        "TCP 0A010101 C738 0A000001 0050 C0A80101 0050 ESTABLISHED     899\n",
        "TCP 0A010102 0000 0A000001 0050 C0A80101 0050 NONE            300\n",
        "TCP 0A010103 C739 0A000002 0050 C0A80101 0050 ESTABLISHED     899\n",
        "TCP 0A010103 C73A 0A000001 0050 C0A80102 0050 ESTABLISHED     899\n",
    );

    #[test]
    fn servers_are_idle_only_without_counted_connections_or_entries() {
        let web = ServiceKey::tcp("10.0.0.1:80".parse().unwrap());
        let a: SocketAddr = "192.168.1.1:80".parse().unwrap();
        let b: SocketAddr = "192.168.1.2:80".parse().unwrap();
        let c: SocketAddr = "192.168.1.3:80".parse().unwrap();
        let mut tracker = DrainTracker::new(&[(web, a), (web, b), (web, c), (web, a)]);
        assert_eq!(tracker.servers().len(), 3, "each server once");
        assert_eq!(tracker.services(), [web]);
        // Not listed yet: nothing is idle.
        assert_eq!(tracker.finished(), []);
        // a: counters say idle; b: weight not 0 yet; c: gone from the listing.
        tracker.record_listing(
            &web,
            &[
                entry("192.168.1.1:80", 0, 0, 0),
                entry("192.168.1.2:80", 1, 0, 0),
            ],
        );
        assert_eq!(tracker.finished(), [Operation::DeleteServer(web, a)]);
        // The table shows a client connection to a through this service (and one through
        // another VIP, which does not count): a is not idle after all.
        tracker.start_connection_count();
        for c in parse_connections(TABLE).unwrap() {
            tracker.record_connection(&c);
        }
        let a_state = &tracker.servers()[0];
        assert_eq!((a_state.connections, a_state.templates), (Some(1), Some(1)));
        assert_eq!(tracker.servers()[1].connections, Some(1));
        assert_eq!(tracker.servers()[2].listed, None);
        assert_eq!(tracker.finished(), []);
        // A later read without the connection: a goes; its template does not hold it.
        tracker.start_connection_count();
        for c in parse_connections(TABLE).unwrap().iter().skip(1) {
            tracker.record_connection(c);
        }
        assert_eq!(tracker.finished(), [Operation::DeleteServer(web, a)]);
        // finish_drain keeps its meaning: counters only, one service.
        let listed = [
            entry("192.168.1.1:80", 0, 0, 0),
            entry("192.168.1.2:80", 0, 1, 0),
        ];
        assert_eq!(
            finish_drain(&[(web, a), (web, b)], &web, &listed),
            [Operation::DeleteServer(web, a)]
        );
    }
}
