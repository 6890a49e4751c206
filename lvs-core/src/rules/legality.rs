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
pub(crate) const fn command_rule(command: CommandName, option: OptionName) -> Rule {
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

/// [`command_rule`] of one command over every option, as sets of [`OptionName::index`]
/// bits: a line whose options pass all three is legal without a walk of the options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleMasks {
    pub(crate) required: u64,
    pub(crate) illegal: u64,
    pub(crate) one_of: u64,
}

const _: () = assert!(
    OptionName::ALL.len() <= 64,
    "an option's bit must fit a u64"
);

impl RuleMasks {
    const fn of(command: CommandName) -> RuleMasks {
        let mut masks = RuleMasks {
            required: 0,
            illegal: 0,
            one_of: 0,
        };
        let mut i = 0;
        while i < OptionName::ALL.len() {
            let bit = 1 << OptionName::ALL[i].index();
            match command_rule(command, OptionName::ALL[i]) {
                Rule::Required => masks.required |= bit,
                Rule::Illegal => masks.illegal |= bit,
                Rule::OneOf => masks.one_of |= bit,
                Rule::Optional => {}
            }
            i += 1;
        }
        masks
    }

    /// The masks of `command`, computed when lvs is built.
    pub(crate) const fn command(command: CommandName) -> RuleMasks {
        use CommandName as C;
        match command {
            C::AddService => const { RuleMasks::of(C::AddService) },
            C::EditService => const { RuleMasks::of(C::EditService) },
            C::DeleteService => const { RuleMasks::of(C::DeleteService) },
            C::Flush => const { RuleMasks::of(C::Flush) },
            C::List => const { RuleMasks::of(C::List) },
            C::AddServer => const { RuleMasks::of(C::AddServer) },
            C::DeleteServer => const { RuleMasks::of(C::DeleteServer) },
            C::EditServer => const { RuleMasks::of(C::EditServer) },
            C::Set => const { RuleMasks::of(C::Set) },
            C::StartDaemon => const { RuleMasks::of(C::StartDaemon) },
            C::StopDaemon => const { RuleMasks::of(C::StopDaemon) },
            C::Restore => const { RuleMasks::of(C::Restore) },
            C::Save => const { RuleMasks::of(C::Save) },
            C::Zero => const { RuleMasks::of(C::Zero) },
            C::Help => const { RuleMasks::of(C::Help) },
            C::Version => const { RuleMasks::of(C::Version) },
            C::LvsSysctl => const { RuleMasks::of(C::LvsSysctl) },
        }
    }

    /// Whether options `seen` (by bit) break none of the command's rules.
    pub(crate) const fn allow(&self, seen: u64) -> bool {
        self.required & !seen == 0
            && self.illegal & seen == 0
            && (self.one_of & seen).count_ones() <= 1
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_masks_allow_exactly_what_the_matrix_allows() {
        use CommandName as C;
        let commands = [
            C::AddService,
            C::EditService,
            C::DeleteService,
            C::Flush,
            C::List,
            C::AddServer,
            C::DeleteServer,
            C::EditServer,
            C::Set,
            C::StartDaemon,
            C::StopDaemon,
            C::Restore,
            C::Save,
            C::Zero,
            C::Help,
            C::Version,
            C::LvsSysctl,
        ];
        let bit = |o: OptionName| 1u64 << o.index();
        for command in commands {
            let masks = RuleMasks::command(command);
            let rule = |o: OptionName| command_rule(command, o);
            let required: u64 = OptionName::ALL
                .into_iter()
                .filter(|&o| rule(o) == Rule::Required)
                .map(bit)
                .sum();
            assert!(masks.allow(required), "{command}: its required options");
            for option in OptionName::ALL {
                let with = required | bit(option);
                assert_eq!(
                    masks.allow(with),
                    rule(option) != Rule::Illegal,
                    "{command} with {option}"
                );
                if rule(option) == Rule::Required {
                    assert!(
                        !masks.allow(required & !bit(option)),
                        "{command} without {option}"
                    );
                }
                for other in OptionName::ALL.into_iter().filter(|&o| o != option) {
                    if rule(option) == Rule::OneOf && rule(other) == Rule::OneOf {
                        assert!(
                            !masks.allow(with | bit(other)),
                            "{command}: {option}, {other}"
                        );
                    }
                }
            }
        }
    }
}
