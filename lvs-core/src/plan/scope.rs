//! Which services a plan may touch.

use std::collections::BTreeSet;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use crate::model::ServiceKey;

/// The services a plan may read and change; everything else belongs to someone else.
///
/// Several managers often share one IPVS table (kube-proxy and keepalived, two controllers):
/// each plans within its own scope, so it never deletes what another one owns.
#[derive(Clone)]
pub struct Scope(Inner);

#[derive(Clone)]
enum Inner {
    All,
    Addresses(BTreeSet<IpAddr>),
    Fwmarks(BTreeSet<u32>),
    Services(Vec<ServiceKey>),
    Predicate(Arc<dyn Fn(&ServiceKey) -> bool + Send + Sync>),
    Any(Vec<Scope>),
}

impl Scope {
    /// Every service of the table: the plan makes the whole table the desired one.
    pub fn all() -> Scope {
        Scope(Inner::All)
    }

    /// The services on these virtual addresses (any protocol and port).
    pub fn addresses(addresses: impl IntoIterator<Item = IpAddr>) -> Scope {
        Scope(Inner::Addresses(addresses.into_iter().collect()))
    }

    /// The firewall-mark services with these marks (either family).
    pub fn fwmarks(marks: impl IntoIterator<Item = u32>) -> Scope {
        Scope(Inner::Fwmarks(marks.into_iter().collect()))
    }

    /// Exactly these services.
    pub fn services(keys: impl IntoIterator<Item = ServiceKey>) -> Scope {
        Scope(Inner::Services(keys.into_iter().collect()))
    }

    /// The services `owns` says yes to.
    pub fn predicate(owns: impl Fn(&ServiceKey) -> bool + Send + Sync + 'static) -> Scope {
        Scope(Inner::Predicate(Arc::new(owns)))
    }

    /// The services in this scope or in `other`.
    pub fn or(self, other: Scope) -> Scope {
        match self.0 {
            Inner::Any(mut scopes) => {
                scopes.push(other);
                Scope(Inner::Any(scopes))
            }
            inner => Scope(Inner::Any(vec![Scope(inner), other])),
        }
    }

    /// Whether a plan in this scope may touch the service.
    pub fn contains(&self, key: &ServiceKey) -> bool {
        match &self.0 {
            Inner::All => true,
            Inner::Addresses(addresses) => match key {
                ServiceKey::Addr { addr, .. } => addresses.contains(&addr.ip()),
                ServiceKey::Fwmark { .. } => false,
            },
            Inner::Fwmarks(marks) => match key {
                ServiceKey::Fwmark { mark, .. } => marks.contains(mark),
                ServiceKey::Addr { .. } => false,
            },
            Inner::Services(keys) => keys.contains(key),
            Inner::Predicate(owns) => owns(key),
            Inner::Any(scopes) => scopes.iter().any(|s| s.contains(key)),
        }
    }
}

impl Default for Scope {
    fn default() -> Scope {
        Scope::all()
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::All => f.write_str("Scope::all()"),
            Inner::Addresses(a) => f.debug_tuple("Scope::addresses").field(a).finish(),
            Inner::Fwmarks(m) => f.debug_tuple("Scope::fwmarks").field(m).finish(),
            Inner::Services(k) => f.debug_tuple("Scope::services").field(k).finish(),
            Inner::Predicate(_) => f.write_str("Scope::predicate(..)"),
            Inner::Any(s) => f.debug_tuple("Scope::any").field(s).finish(),
        }
    }
}
