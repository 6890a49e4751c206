//! Which options each command takes: ipvsadm's legality matrix, and the tunnel-type one.

use super::error::TunnelTypeName;
use super::names::{CommandName, OptionName};

/// How a command (or tunnel type) treats an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Refused.
    Illegal,
    /// May be given.
    Optional,
    /// Must be given.
    Required,
    /// At most one of the options with this rule may be given.
    OneOf,
}

/// How `command` treats `option`; every pair not listed is illegal.
pub(crate) fn command_rule(command: CommandName, option: OptionName) -> Rule {
    use CommandName as C;
    use OptionName as O;
    match command {
        C::AddService | C::EditService => match option {
            O::ServiceAddress => Rule::Required,
            O::Scheduler
            | O::Persistent
            | O::Netmask
            | O::Pe
            | O::SchedFlags
            | O::Ops
            | O::LvsTimeout
            | O::LvsFlags => Rule::Optional,
            _ => Rule::Illegal,
        },
        C::DeleteService => match option {
            O::ServiceAddress => Rule::Required,
            _ => Rule::Illegal,
        },
        C::List => match option {
            O::Numeric
            | O::Stats
            | O::Rate
            | O::Thresholds
            | O::PersistentConn
            | O::NoSort
            | O::SyncId
            | O::Exact
            | O::TunInfo => Rule::Optional,
            O::Connection | O::ServiceAddress | O::Timeout | O::Daemon => Rule::OneOf,
            _ => Rule::Illegal,
        },
        C::AddServer | C::EditServer => match option {
            O::ServiceAddress | O::RealServer => Rule::Required,
            O::ForwardingMethod
            | O::Weight
            | O::UpperThreshold
            | O::LowerThreshold
            | O::TunType
            | O::TunPort
            | O::TunNoCsum
            | O::TunCsum
            | O::TunRemCsum => Rule::Optional,
            _ => Rule::Illegal,
        },
        C::DeleteServer => match option {
            O::ServiceAddress | O::RealServer => Rule::Required,
            _ => Rule::Illegal,
        },
        C::StartDaemon => match option {
            O::McastInterface
            | O::SyncId
            | O::McastGroup
            | O::McastPort
            | O::McastTtl
            | O::SyncMaxlen => Rule::Optional,
            _ => Rule::Illegal,
        },
        C::StopDaemon => match option {
            O::SyncId => Rule::Optional,
            _ => Rule::Illegal,
        },
        C::Save => match option {
            O::Numeric => Rule::Optional,
            _ => Rule::Illegal,
        },
        C::Zero => match option {
            O::ServiceAddress => Rule::Optional,
            _ => Rule::Illegal,
        },
        C::Flush | C::Set | C::Restore | C::Help | C::Version | C::LvsSysctl => Rule::Illegal,
    }
}

/// The tunnel options, in ipvsadm's order.
pub(crate) const TUNNEL_OPTIONS: [OptionName; 5] = [
    OptionName::TunType,
    OptionName::TunPort,
    OptionName::TunNoCsum,
    OptionName::TunCsum,
    OptionName::TunRemCsum,
];

/// How a tunnel type treats a tunnel option (`--tun-type` itself is always fine).
pub(crate) fn tunnel_rule(tunnel: TunnelTypeName, option: OptionName) -> Rule {
    use OptionName as O;
    match (tunnel, option) {
        (_, O::TunType) => Rule::Optional,
        (TunnelTypeName::Gue, O::TunPort) => Rule::Required,
        (TunnelTypeName::Gue, O::TunNoCsum | O::TunCsum | O::TunRemCsum) => Rule::OneOf,
        (TunnelTypeName::Gre, O::TunNoCsum | O::TunCsum) => Rule::OneOf,
        _ => Rule::Illegal,
    }
}
