//! Building the model's values from a line read by [`super::Line`] and checked by its
//! legality rules: services, real servers, tunnels, daemons and listing requests, with
//! ipvsadm's defaults for what the line leaves out.

use std::net::SocketAddr;

use crate::model::{
    DaemonRole, Family, ForwardMethod, Netmask, Protocol, RealServer, SchedFlags, Scheduler,
    Service, ServiceFlags, ServiceKey, SyncDaemon, Tunnel, TunnelChecksum,
};

use crate::rules::command::ListRequest;
use crate::rules::error::{Problem, RuleError, TunnelTypeName};
use crate::rules::legality::{tunnel_rule, Rule, TUNNEL_OPTIONS};
use crate::rules::names::OptionName;
use crate::rules::scan::Token;

use super::{Forward, Line, ServiceSpec};

impl Line<'_> {
    pub(super) fn key(&self) -> ServiceKey {
        // The legality check has made sure a service was given where a key is needed.
        self.service
            .map(|s| s.key())
            .unwrap_or(ServiceKey::fwmark(0, Family::Ipv4))
    }

    /// The service of `-A`/`-E`, with ipvsadm's defaults.
    pub(super) fn service(&self) -> Result<Service, RuleError> {
        let spec = self.service.expect("the legality check requires a service");
        let key = spec.key();
        let scheduler = self.scheduler.clone().unwrap_or_default();
        let flags = self.sched_flags(&scheduler)?;
        let mut service = Service::new(key).with_scheduler(scheduler);
        if let Some(timeout) = self.persistent {
            service = service.persistent(timeout);
        }
        if let Some(timeout) = self.lvs_timeout {
            if self.persistent_value {
                let s = self.seen(OptionName::LvsTimeout).expect("it was given");
                return Err(self.error_at(
                    s.column,
                    s.spelled,
                    Problem::Conflict {
                        first: OptionName::Persistent,
                        second: OptionName::LvsTimeout,
                        command: self.command,
                    },
                ));
            }
            service.timeout = timeout;
        }
        if let ServiceKey::Addr { addr, .. } = key {
            // ipvsadm's rule; `--lvs-service` is how lvs writes the services it refuses.
            if addr.port() == 0 && self.persistent.is_none() && !self.lvs_service {
                let s = self
                    .seen(OptionName::ServiceAddress)
                    .expect("service was given");
                return Err(self.error_at(s.column, s.spelled, Problem::ZeroPort));
            }
        }
        if let Some(s) = self.seen(OptionName::Ops) {
            if matches!(key, ServiceKey::Addr { protocol, .. } if protocol != Protocol::Udp) {
                return Err(self.error_at(s.column, s.spelled, Problem::OnePacketNotUdp));
            }
            service = service.one_packet();
        }
        if let Some((mask, token)) = self.netmask {
            let mask = match (mask, key.family()) {
                (Netmask::V4(_), Family::Ipv4) | (Netmask::V6Prefix(_), Family::Ipv6) => mask,
                // A mask read as IPv4 before an IPv6 service was given: ipvsadm turns the
                // all-ones default into /128 and sends anything else on to fail.
                (Netmask::V4(_), _) if mask.is_full() => Netmask::full(Family::Ipv6),
                (Netmask::V4(_), _) => return Err(self.error(token, Problem::IllegalIpv6Netmask)),
                _ => return Err(self.error(token, Problem::IllegalNetmask)),
            };
            service = service.with_netmask(mask);
        }
        if let Some(pe) = &self.pe {
            service = service.with_pe_name(pe.clone());
        }
        if !flags.is_empty() {
            service = service.with_sched_flags(flags);
        }
        if let Some(extra) = self.lvs_flags {
            service.flags |= ServiceFlags::from_bits_retain(extra);
        }
        Ok(service)
    }

    /// `-b`: a comma-separated list of names, checked against the final scheduler.
    pub(super) fn sched_flags(&self, scheduler: &Scheduler) -> Result<SchedFlags, RuleError> {
        let Some(list) = self.sched_flags else {
            return Ok(SchedFlags::empty());
        };
        let mut flags = SchedFlags::empty();
        let mut offset = 0;
        for name in list.text.split(',') {
            let piece = Token {
                text: name,
                column: list.column + list.text[..offset].chars().count(),
            };
            offset += name.len() + 1;
            let (flag, needs) = match name {
                "" => continue,
                "flag-1" => (SchedFlags::FLAG_1, None),
                "flag-2" => (SchedFlags::FLAG_2, None),
                "flag-3" => (SchedFlags::FLAG_3, None),
                "sh-fallback" => (SchedFlags::SH_FALLBACK, Some(Scheduler::Sh)),
                "sh-port" => (SchedFlags::SH_PORT, Some(Scheduler::Sh)),
                "mh-fallback" => (SchedFlags::MH_FALLBACK, Some(Scheduler::Mh)),
                "mh-port" => (SchedFlags::MH_PORT, Some(Scheduler::Mh)),
                _ => return Err(self.error(piece, Problem::InvalidSchedFlag(name.to_owned()))),
            };
            if needs.is_some_and(|s| s != *scheduler) {
                return Err(self.error(piece, Problem::IncompatibleSchedFlag(name.to_owned())));
            }
            flags |= flag;
        }
        Ok(flags)
    }

    /// The port a real server gets without one: the service's.
    pub(super) fn server_port_default(&self) -> u16 {
        self.service.map_or(0, |s| s.port())
    }

    pub(super) fn server_addr(&self, default_port: u16) -> SocketAddr {
        let (ip, port, _) = self
            .server
            .expect("the legality check requires a real server");
        SocketAddr::new(ip, port.unwrap_or(default_port))
    }

    /// The real server of `-a`/`-e`, with ipvsadm's defaults.
    pub(super) fn server(&self) -> Result<RealServer, RuleError> {
        let spec = self.service.expect("the legality check requires a service");
        let forward = self.forward.unwrap_or(Forward::Gatewaying);
        let tunnel_options = TUNNEL_OPTIONS.iter().find_map(|o| self.seen(*o));
        let method = match forward {
            Forward::Number(_) | Forward::Tunnel(_) if tunnel_options.is_some() => {
                let s = tunnel_options.expect("checked");
                let problem = match forward {
                    Forward::Tunnel(_) => Problem::TunnelOptionsWithLvsTunnel,
                    _ => Problem::TunnelOptionsWithoutTunnel,
                };
                return Err(self.error_at(s.column, s.spelled, problem));
            }
            Forward::Number(n) => ForwardMethod::from_wire(n, Tunnel::IPIP),
            Forward::Tunnel(t) => ForwardMethod::Tunnel(t),
            Forward::Masquerading | Forward::Gatewaying => {
                if let Some(s) = tunnel_options {
                    return Err(self.error_at(
                        s.column,
                        s.spelled,
                        Problem::TunnelOptionsWithoutTunnel,
                    ));
                }
                if forward == Forward::Masquerading {
                    ForwardMethod::Masquerade
                } else {
                    ForwardMethod::DirectRoute
                }
            }
            Forward::Ipip => ForwardMethod::Tunnel(self.tunnel()?),
        };
        let (ip, _, token) = self
            .server
            .expect("the legality check requires a real server");
        if Family::of(&ip) != spec.family() && method.tunnel().is_none() {
            return Err(self.error(token, Problem::DifferentFamily));
        }
        // Direct routing and tunnels cannot change the port: ipvsadm forces the service's
        // (a firewall-mark service has none to force). lvs's forms keep the port written,
        // as the kernel does.
        let mut addr = self.server_addr(spec.port());
        let forced = matches!(forward, Forward::Gatewaying | Forward::Ipip);
        if forced && matches!(spec, ServiceSpec::Addr { .. }) {
            addr.set_port(spec.port());
        }
        Ok(RealServer::new(addr)
            .with_forward(method)
            .with_weight(self.weight.unwrap_or(1))
            .with_thresholds(
                self.upper_threshold.unwrap_or(0),
                self.lower_threshold.unwrap_or(0),
            ))
    }

    /// The tunnel of `-i`, checked against the tunnel-type matrix.
    pub(super) fn tunnel(&self) -> Result<Tunnel, RuleError> {
        let kind = self.tunnel_type.unwrap_or(TunnelTypeName::Ipip);
        let mut one_of: Option<OptionName> = None;
        for option in TUNNEL_OPTIONS {
            let seen = self.seen(option);
            match (tunnel_rule(kind, option), seen) {
                (Rule::Required, None) => {
                    let at = self.seen(OptionName::TunType).expect("gue was given");
                    return Err(self.error_at(
                        at.column,
                        at.spelled,
                        Problem::TunnelRequired {
                            option,
                            tunnel: kind,
                        },
                    ));
                }
                (Rule::Illegal, Some(s)) => {
                    return Err(self.error_at(
                        s.column,
                        s.spelled,
                        Problem::TunnelIllegal {
                            option,
                            tunnel: kind,
                        },
                    ))
                }
                (Rule::OneOf, Some(s)) => match one_of {
                    Some(first) => {
                        return Err(self.error_at(
                            s.column,
                            s.spelled,
                            Problem::TunnelConflict {
                                first,
                                second: option,
                                tunnel: kind,
                            },
                        ))
                    }
                    None => one_of = Some(option),
                },
                _ => {}
            }
        }
        let checksum = if self.is_set(OptionName::TunCsum) {
            TunnelChecksum::Checksum
        } else if self.is_set(OptionName::TunRemCsum) {
            TunnelChecksum::Remote
        } else {
            TunnelChecksum::None
        };
        Ok(match kind {
            TunnelTypeName::Ipip => Tunnel::IPIP,
            TunnelTypeName::Gue => Tunnel::gue(self.tunnel_port.unwrap_or(0), checksum),
            TunnelTypeName::Gre => Tunnel::gre(checksum),
        })
    }

    pub(super) fn daemon(&self) -> SyncDaemon {
        let role = self.daemon_role.unwrap_or(DaemonRole::Master);
        let interface = self
            .mcast_interface
            .clone()
            .unwrap_or_else(|| "eth0".to_owned());
        let mut daemon = SyncDaemon::new(role, interface).with_sync_id(self.sync_id.unwrap_or(0));
        daemon.max_len = self.sync_maxlen;
        daemon.group = self.mcast_group;
        daemon.port = self.mcast_port;
        daemon.ttl = self.mcast_ttl;
        daemon
    }

    pub(super) fn list(&self) -> ListRequest {
        use OptionName as O;
        let mut list = ListRequest::new();
        list.numeric = self.is_set(O::Numeric);
        list.connection = self.is_set(O::Connection);
        list.timeout = self.is_set(O::Timeout);
        list.daemon = self.is_set(O::Daemon);
        list.stats = self.is_set(O::Stats);
        list.rate = self.is_set(O::Rate);
        list.thresholds = self.is_set(O::Thresholds);
        list.persistent_conn = self.is_set(O::PersistentConn);
        list.tun_info = self.is_set(O::TunInfo);
        list.exact = self.is_set(O::Exact);
        list.nosort = self.is_set(O::NoSort);
        list.sort = self.sort;
        list.sync_id = self.sync_id;
        list.service = self.service.map(|s| s.key());
        list
    }
}
