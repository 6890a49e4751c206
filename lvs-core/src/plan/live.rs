//! Planning against a live backend: read what the plan needs, plan, and finish drains. The
//! one place every face (lvsctl, lvs-ffi's `lvs_plan_rules`, lvs-py's `Ipvs.plan`) gets a
//! plan from, so they plan alike.

use std::ops::ControlFlow;

use super::drain::{DrainTracker, DrainingServer};
use super::{plan, Plan, PlanOptions, Scope, EXPIRE_NODEST_CONN};
use crate::listing::ConnectionFilter;
use crate::ops::Ipvs;
use crate::sysctl::SysctlSetting;
use crate::table::Table;

/// A plan made against a backend's table, with what it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LivePlan {
    /// The table, timeouts, sync daemons and the sysctls `desired` states, as read
    /// ([`Ipvs::read_config_for`]); what
    /// [`super::apply_plan`] restores if applying fails.
    pub current: Table,
    /// The operations, drained servers that are idle already deleted.
    pub plan: Plan,
    /// With [`PlanOptions::drain`], every draining real server and what still holds it
    /// (counters and connection-table entries); those that are idle have their delete in
    /// [`LivePlan::plan`].
    pub draining: Vec<DrainingServer>,
}

/// Reads the backend's configuration, plans the way to `desired` within `scope`, and with
/// [`PlanOptions::drain`] follows every draining real server: its service is listed again
/// and the connection table read once (entry by entry), and the deletes of the servers
/// that are idle ([`DrainingServer::is_idle`]) join the plan, so a drain finishes on the
/// run after its servers went quiet.
pub fn plan_live<I: Ipvs>(
    ipvs: &I,
    desired: &Table,
    scope: &Scope,
    options: &PlanOptions,
) -> Result<LivePlan, I::Error> {
    plan_live_from(ipvs, ipvs.read_config()?, desired, scope, options)
}

/// [`plan_live`] from a configuration read before `desired` was known: `config` is what
/// [`Ipvs::read_config`] returned (the table, timeouts and sync daemons), for example read
/// on another thread while `desired` was being parsed, so the two overlap (lvsctl does so).
/// The sysctls `desired` states are read here, as [`Ipvs::read_config_for`] reads them.
pub fn plan_live_from<I: Ipvs>(
    ipvs: &I,
    config: Table,
    desired: &Table,
    scope: &Scope,
    options: &PlanOptions,
) -> Result<LivePlan, I::Error> {
    let mut current = config;
    current.sysctls = crate::ops::stated_sysctls(ipvs, desired)?;
    if options.expire_connections && !desired.sysctls.iter().any(|s| s.name == EXPIRE_NODEST_CONN) {
        // The plan checks it before deleting anything; a kernel without the knob has
        // no way to end the connections, and planning says so.
        let value = ipvs.sysctl(EXPIRE_NODEST_CONN)?;
        current
            .sysctls
            .push(SysctlSetting::new(EXPIRE_NODEST_CONN, value));
    }
    let mut plan = plan(&current, desired, scope, options)?;
    let mut draining = Vec::new();
    if options.drain && !plan.draining.is_empty() {
        let mut tracker = DrainTracker::new(&plan.draining);
        for key in tracker.services() {
            let listed = ipvs.servers(&key)?;
            tracker.record_listing(&key, &listed);
        }
        tracker.start_connection_count();
        ipvs.for_each_connection(&ConnectionFilter::all(), &mut |entry| {
            tracker.record_connection(&entry);
            ControlFlow::Continue(())
        })?;
        plan.operations.extend(tracker.finished());
        draining = tracker.servers().to_vec();
    }
    Ok(LivePlan {
        current,
        plan,
        draining,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RealServer, Service, ServiceKey};
    use crate::ops::Operation;
    use crate::table::VirtualService;
    use crate::MemoryIpvs;

    #[test]
    fn a_drain_deletes_servers_already_at_weight_zero_and_reports_the_rest() {
        let ipvs = MemoryIpvs::new();
        let web = ServiceKey::tcp("10.0.0.1:80".parse().unwrap());
        let (a, b, c) = (
            "192.168.1.1:80".parse().unwrap(),
            "192.168.1.2:80".parse().unwrap(),
            "192.168.1.3:80".parse().unwrap(),
        );
        ipvs.add_service(&Service::new(web)).unwrap();
        ipvs.add_server(&web, &RealServer::new(a).with_weight(0))
            .unwrap();
        ipvs.add_server(&web, &RealServer::new(b)).unwrap();
        ipvs.add_server(&web, &RealServer::new(c)).unwrap();
        // Only c stays: a (weight 0 already, no connections) goes now, b drains.
        let desired = Table::new(vec![VirtualService::new(
            Service::new(web),
            vec![RealServer::new(c)],
        )]);
        let live = plan_live(&ipvs, &desired, &Scope::all(), &PlanOptions::draining()).unwrap();
        assert!(live
            .plan
            .operations
            .contains(&Operation::DeleteServer(web, a)));
        assert!(!live
            .plan
            .operations
            .contains(&Operation::DeleteServer(web, b)));
        let b_state = live.draining.iter().find(|s| s.server == b).unwrap();
        assert!(!b_state.is_idle());
        assert_eq!(
            b_state.connections,
            Some(0),
            "MemoryIpvs has no connections"
        );
        assert_eq!(live.current.services.len(), 1);
        // Without drain, no tracking.
        let plain = plan_live(&ipvs, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
        assert!(plain.draining.is_empty());
    }

    #[test]
    fn expiring_connections_deletes_at_once_only_with_expire_nodest_conn() {
        let ipvs = MemoryIpvs::new();
        let web = ServiceKey::tcp("10.0.0.1:80".parse().unwrap());
        let (a, b) = (
            "192.168.1.1:80".parse().unwrap(),
            "192.168.1.2:80".parse().unwrap(),
        );
        ipvs.add_service(&Service::new(web)).unwrap();
        ipvs.add_server(&web, &RealServer::new(a)).unwrap();
        ipvs.add_server(&web, &RealServer::new(b)).unwrap();
        let mut desired = Table::new(vec![VirtualService::new(
            Service::new(web),
            vec![RealServer::new(a)],
        )]);
        let options = PlanOptions::draining().expiring_connections();
        // The namespace has the kernel's default 0 and the rules do not state it.
        let refused = plan_live(&ipvs, &desired, &Scope::all(), &options).unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains("expire_nodest_conn = 1") && message.contains("has 0"),
            "{message}"
        );
        // Stated in the rules: set first, then b is deleted without a drain.
        desired
            .sysctls
            .push(SysctlSetting::new(EXPIRE_NODEST_CONN, 1i64));
        let live = plan_live(&ipvs, &desired, &Scope::all(), &options).unwrap();
        assert_eq!(
            live.plan.operations,
            vec![
                Operation::SetSysctl(SysctlSetting::new(EXPIRE_NODEST_CONN, 1i64)),
                Operation::DeleteServer(web, b),
            ]
        );
        assert!(live.draining.is_empty());
        // Set in the namespace already: the rules need not say it.
        ipvs.set_sysctl(EXPIRE_NODEST_CONN, &1i64.into()).unwrap();
        desired.sysctls.clear();
        let live = plan_live(&ipvs, &desired, &Scope::all(), &options).unwrap();
        assert_eq!(live.plan.operations, vec![Operation::DeleteServer(web, b)]);
        // Nothing to delete: nothing to check.
        ipvs.set_sysctl(EXPIRE_NODEST_CONN, &0i64.into()).unwrap();
        let same = Table::new(vec![VirtualService::new(
            Service::new(web),
            vec![RealServer::new(a), RealServer::new(b)],
        )]);
        assert!(plan_live(&ipvs, &same, &Scope::all(), &options)
            .unwrap()
            .plan
            .is_empty());
    }
}
