//! Reading one line into a [`Command`], with ipvsadm's defaults and rules.
//!
//! Values are checked as their options are read, in order (so the first bad value is the
//! one reported, as in ipvsadm); the legality matrix and the rules that need the whole line
//! (family, ports, tunnel types, scheduler flags) are checked after the last option.
//!
//! Three jobs, three files: this one tokenizes a line and reads each option's value;
//! `check` holds the legality matrix over the whole line; `build` turns the checked line
//! into the model's values.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::model::{
    DaemonRole, Family, Netmask, Protocol, Scheduler, ServiceKey, Timeouts, Tunnel, TunnelChecksum,
    TunnelKind, DEFAULT_PERSISTENCE_TIMEOUT,
};
use crate::ops::Operation;
use crate::sysctl::{self, SysctlSetting};
use crate::validate::MAX_PERSISTENCE_TIMEOUT;

mod build;
mod check;

use crate::rules::command::Command;
use crate::rules::error::{Problem, RuleError, TunnelTypeName};
use crate::rules::names::{CommandName, OptionName};
use crate::rules::scan::{tokens_into, Item, Occurrence, Opt, Scanner, Token};
use crate::rules::values::{address, integer_in, ipv4_mask};

/// The longest persistence timeout ipvsadm takes (31 days), also the `--set` maximum.
pub(crate) const MAX_TIMEOUT: i64 = 2_678_400;
/// Scheduler and interface names are kept in 16-byte buffers with their NUL.
pub(crate) const MAX_NAME: usize = 15;
/// Persistence engine names may use all 16 bytes (the buffer has one more).
pub(crate) const MAX_PE_NAME: usize = 16;

/// Reads one line (numbered `number` for errors). Blank lines and lines whose first
/// non-blank character is `#` give `None`.
pub(crate) fn read_line<'a>(
    text: &'a str,
    number: usize,
    toks: &mut Vec<Token<'a>>,
) -> Result<Option<Command>, RuleError> {
    if text.trim_start_matches([' ', '\t', '\r']).starts_with('#') {
        return Ok(None);
    }
    tokens_into(text, toks);
    let Some(&first) = toks.first() else {
        return Ok(None);
    };
    let mut scanner = Scanner::new(toks);
    let err = |column, token: &str, problem| RuleError::new(number, column, token, problem);
    let not_a_command = || err(first.column, first.text, Problem::NotACommand);
    let command = match scanner.next_item() {
        Some(Ok(Item::Option(occ))) if occ.column == first.column => match occ.opt {
            Opt::Command(name) => Some((name, occ)),
            _ => None,
        },
        // A command without its value (`--start-daemon` alone) says so.
        Some(Err((column, token, problem @ Problem::MissingArgument(_))))
            if matches!(
                token.as_str(),
                "--start-daemon" | "--stop-daemon" | "--lvs-sysctl"
            ) =>
        {
            return Err(err(column, &token, problem))
        }
        _ => None,
    };
    let Some((name, occ)) = command else {
        return Err(not_a_command());
    };
    match name {
        CommandName::Help => return Ok(Some(Command::Help)),
        CommandName::Version => return Ok(Some(Command::Version)),
        _ => {}
    }
    let mut line = Line::new(number, name, &occ);
    line.command_value(&occ)?;
    while let Some(item) = scanner.next_item() {
        match item.map_err(|(column, token, problem)| err(column, &token, problem))? {
            Item::Option(occ) => line.option(occ)?,
            Item::Argument(arg) => line.arguments.push(arg),
        }
    }
    line.finish().map(Some)
}

/// Where an option was first given: its column and spelling.
#[derive(Debug, Clone, Copy)]
struct Seen<'a> {
    column: usize,
    spelled: &'a str,
}

/// The service as given by `-t`/`-u`/`--sctp-service`/`-f` (and `-6`).
#[derive(Debug, Clone, Copy)]
enum ServiceSpec {
    Addr {
        protocol: Protocol,
        ip: IpAddr,
        port: Option<u16>,
    },
    Fwmark {
        mark: u32,
        family: Family,
    },
}

impl ServiceSpec {
    fn family(&self) -> Family {
        match self {
            ServiceSpec::Addr { ip, .. } => Family::of(ip),
            ServiceSpec::Fwmark { family, .. } => *family,
        }
    }

    fn key(&self) -> ServiceKey {
        match *self {
            ServiceSpec::Addr { protocol, ip, port } => ServiceKey::Addr {
                protocol,
                addr: SocketAddr::new(ip, port.unwrap_or(0)),
            },
            ServiceSpec::Fwmark { mark, family } => ServiceKey::fwmark(mark, family),
        }
    }

    /// The port real servers default to: the service's, 0 for firewall marks.
    fn port(&self) -> u16 {
        match self {
            ServiceSpec::Addr { port, .. } => port.unwrap_or(0),
            ServiceSpec::Fwmark { .. } => 0,
        }
    }
}

/// How `-g`, `-i`, `-m` (or lvs's `--lvs-forward`, `--lvs-tunnel`) set the forwarding method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forward {
    Gatewaying,
    Ipip,
    Masquerading,
    /// `--lvs-forward`: a forwarding number, the real server's port as written.
    Number(u32),
    /// `--lvs-tunnel`: a whole tunnel, the real server's port as written.
    Tunnel(Tunnel),
}

/// The values of one line, gathered option by option.
struct Line<'a> {
    number: usize,
    command: CommandName,
    command_column: usize,
    command_spelled: &'a str,
    daemon_role: Option<DaemonRole>,
    /// `--lvs-sysctl`'s `NAME=VALUE` token (the rest of the value, if any, follows as plain
    /// arguments).
    sysctl: Option<Token<'a>>,
    /// By [`OptionName::index`]; an array, not a `Vec`: one allocation less per line.
    seen: [Option<Seen<'a>>; OptionName::ALL.len()],
    /// The options of `seen`, one bit each by [`OptionName::index`].
    seen_bits: u64,
    arguments: Vec<Token<'a>>,
    service: Option<ServiceSpec>,
    scheduler: Option<Scheduler>,
    persistent: Option<u32>,
    /// Whether `-p` had a value (which `--lvs-timeout` must not contradict).
    persistent_value: bool,
    /// The service was given by `--lvs-service`, which may have port 0 without `-p`.
    lvs_service: bool,
    lvs_timeout: Option<u32>,
    lvs_flags: Option<u32>,
    netmask: Option<(Netmask, Token<'a>)>,
    pe: Option<String>,
    sched_flags: Option<Token<'a>>,
    server: Option<(IpAddr, Option<u16>, Token<'a>)>,
    forward: Option<Forward>,
    weight: Option<u32>,
    upper_threshold: Option<u32>,
    lower_threshold: Option<u32>,
    tunnel_type: Option<TunnelTypeName>,
    tunnel_port: Option<u16>,
    sort: bool,
    sync_id: Option<u32>,
    sync_maxlen: Option<u16>,
    mcast_interface: Option<String>,
    mcast_group: Option<IpAddr>,
    mcast_port: Option<u16>,
    mcast_ttl: Option<u8>,
}

impl<'a> Line<'a> {
    /// A line of `command`, given by `occ`, with no option yet. Infallible, so the large
    /// struct is made in place rather than moved out of a `Result`; the command's own value
    /// is read by [`Line::command_value`].
    fn new(number: usize, command: CommandName, occ: &Occurrence<'a>) -> Line<'a> {
        Line {
            number,
            command,
            command_column: occ.column,
            command_spelled: occ.spelled,
            daemon_role: None,
            sysctl: None,
            seen: [None; OptionName::ALL.len()],
            seen_bits: 0,
            arguments: Vec::new(),
            service: None,
            scheduler: None,
            persistent: None,
            persistent_value: false,
            lvs_service: false,
            lvs_timeout: None,
            lvs_flags: None,
            netmask: None,
            pe: None,
            sched_flags: None,
            server: None,
            forward: None,
            weight: None,
            upper_threshold: None,
            lower_threshold: None,
            tunnel_type: None,
            tunnel_port: None,
            sort: false,
            sync_id: None,
            sync_maxlen: None,
            mcast_interface: None,
            mcast_group: None,
            mcast_port: None,
            mcast_ttl: None,
        }
    }

    /// The value the command itself takes: `--start-daemon`'s and `--stop-daemon`'s role,
    /// `--lvs-sysctl`'s setting.
    fn command_value(&mut self, occ: &Occurrence<'a>) -> Result<(), RuleError> {
        let command = self.command;
        if let (CommandName::StartDaemon | CommandName::StopDaemon, Some(v)) = (command, occ.value)
        {
            let role = match v.text {
                "master" => DaemonRole::Master,
                "backup" => DaemonRole::Backup,
                _ if command == CommandName::StartDaemon => {
                    return Err(self.error(v, Problem::IllegalStartDaemon))
                }
                _ => return Err(self.error(v, Problem::IllegalStopDaemon)),
            };
            self.daemon_role = Some(role);
        }
        if command == CommandName::LvsSysctl {
            self.sysctl = occ.value;
        }
        Ok(())
    }

    fn error(&self, token: Token<'_>, problem: Problem) -> RuleError {
        RuleError::new(self.number, token.column, token.text, problem)
    }

    fn error_at(&self, column: usize, token: &str, problem: Problem) -> RuleError {
        RuleError::new(self.number, column, token, problem)
    }

    fn command_error(&self, problem: Problem) -> RuleError {
        self.error_at(self.command_column, self.command_spelled, problem)
    }

    fn seen(&self, option: OptionName) -> Option<&Seen<'a>> {
        self.seen[option.index()].as_ref()
    }

    fn is_set(&self, option: OptionName) -> bool {
        self.seen(option).is_some()
    }

    /// Records an option, refusing a second one of the same name.
    fn mark(&mut self, option: OptionName, occ: &Occurrence<'a>) -> Result<(), RuleError> {
        if self.is_set(option) {
            return Err(self.error_at(occ.column, occ.spelled, Problem::Multiple(option)));
        }
        self.seen_bits |= 1 << option.index();
        self.seen[option.index()] = Some(Seen {
            column: occ.column,
            spelled: occ.spelled,
        });
        Ok(())
    }

    /// The value of an option that requires one (the scanner guarantees it is there).
    fn value(occ: &Occurrence<'a>) -> Token<'a> {
        occ.value.unwrap_or(Token {
            text: "",
            column: occ.column,
        })
    }

    /// An integer value within a range, or `problem` at the value.
    fn number(
        &self,
        occ: &Occurrence<'a>,
        min: i64,
        max: i64,
        problem: Problem,
    ) -> Result<i64, RuleError> {
        let v = Line::value(occ);
        integer_in(v.text, min, max).ok_or_else(|| self.error(v, problem))
    }

    /// The integer value (0..=max) of an lvs extension option.
    fn extension_number(
        &self,
        occ: &Occurrence<'a>,
        option: &'static str,
        max: i64,
        expected: &'static str,
    ) -> Result<i64, RuleError> {
        let v = Line::value(occ);
        integer_in(v.text, 0, max)
            .ok_or_else(|| self.error(v, Problem::InvalidExtensionValue { option, expected }))
    }

    /// A name value that must fit the kernel's buffer.
    fn name(
        &self,
        occ: &Occurrence<'a>,
        what: &'static str,
        max: usize,
    ) -> Result<String, RuleError> {
        let v = Line::value(occ);
        if v.text.is_empty() {
            return Err(self.error(v, Problem::EmptyName(what)));
        }
        if v.text == "ipvsadm" {
            return Err(self.error(v, Problem::ReservedName(what)));
        }
        if v.text.len() > max {
            return Err(self.error(v, Problem::NameTooLong { what, max }));
        }
        // A token has no ASCII blanks, but may have other whitespace or control characters,
        // which the saved text could not carry safely.
        if v.text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(self.error(v, Problem::UnsafeName(what)));
        }
        Ok(v.text.to_owned())
    }

    /// Reads one option of the line.
    fn option(&mut self, occ: Occurrence<'a>) -> Result<(), RuleError> {
        use OptionName as O;
        let flag = match occ.opt {
            Opt::Command(_) => {
                return Err(self.error_at(
                    occ.column,
                    occ.spelled,
                    Problem::SecondCommand(occ.spelled.to_owned()),
                ))
            }
            Opt::Ipv6 => return self.ipv6(&occ),
            Opt::Sort => {
                self.sort = true;
                return Ok(());
            }
            Opt::TcpService
            | Opt::UdpService
            | Opt::SctpService
            | Opt::FwmarkService
            | Opt::LvsService => O::ServiceAddress,
            Opt::Gatewaying | Opt::Ipip | Opt::Masquerading | Opt::LvsForward | Opt::LvsTunnel => {
                O::ForwardingMethod
            }
            Opt::Named(name) => name,
            Opt::LvsWeight => O::Weight,
            Opt::LvsUpperThreshold => O::UpperThreshold,
            Opt::LvsLowerThreshold => O::LowerThreshold,
        };
        self.mark(flag, &occ)?;
        self.value_of(&occ)
    }

    /// Reads the value of an option already recorded.
    fn value_of(&mut self, occ: &Occurrence<'a>) -> Result<(), RuleError> {
        match occ.opt {
            Opt::TcpService => self.address_service(occ, Protocol::Tcp)?,
            Opt::UdpService => self.address_service(occ, Protocol::Udp)?,
            Opt::SctpService => self.address_service(occ, Protocol::Sctp)?,
            Opt::FwmarkService => {
                let v = Line::value(occ);
                let mark = integer_in(v.text, 1, i64::from(u32::MAX))
                    .ok_or_else(|| self.error(v, Problem::InvalidFwmark(v.text.to_owned())))?;
                self.service = Some(ServiceSpec::Fwmark {
                    mark: mark as u32,
                    family: Family::Ipv4,
                });
            }
            Opt::Named(OptionName::Scheduler) => {
                let name = self.name(occ, "scheduler", MAX_NAME)?;
                self.scheduler = Some(Scheduler::from_name(&name));
            }
            Opt::Named(OptionName::Persistent) => {
                let timeout = match occ.value {
                    None => DEFAULT_PERSISTENCE_TIMEOUT,
                    Some(v) => {
                        self.persistent_value = true;
                        integer_in(v.text, 1, MAX_TIMEOUT).ok_or_else(|| {
                            self.error(v, Problem::InvalidTimeout(v.text.to_owned()))
                        })? as u32
                    }
                };
                self.persistent = Some(timeout);
            }
            Opt::Named(OptionName::Netmask) => self.netmask(occ)?,
            Opt::Named(OptionName::Pe) => {
                self.pe = Some(self.name(occ, "persistence engine", MAX_PE_NAME)?)
            }
            Opt::Named(OptionName::SchedFlags) => self.sched_flags = Some(Line::value(occ)),
            Opt::Named(OptionName::RealServer) => {
                let v = Line::value(occ);
                let (ip, port) =
                    address(v.text).ok_or_else(|| self.error(v, Problem::IllegalServerAddress))?;
                self.server = Some((ip, port, v));
            }
            Opt::Gatewaying => self.forward = Some(Forward::Gatewaying),
            Opt::Ipip => self.forward = Some(Forward::Ipip),
            Opt::Masquerading => self.forward = Some(Forward::Masquerading),
            Opt::Named(OptionName::Weight) => {
                self.weight = Some(self.number(occ, 0, 65535, Problem::IllegalWeight)? as u32);
            }
            Opt::Named(OptionName::UpperThreshold) => {
                let max = i64::from(i32::MAX);
                self.upper_threshold =
                    Some(self.number(occ, 0, max, Problem::IllegalUpperThreshold)? as u32);
            }
            Opt::Named(OptionName::LowerThreshold) => {
                let max = i64::from(i32::MAX);
                self.lower_threshold =
                    Some(self.number(occ, 0, max, Problem::IllegalLowerThreshold)? as u32);
            }
            Opt::Named(OptionName::TunType) => {
                let v = Line::value(occ);
                self.tunnel_type = Some(match v.text {
                    "ipip" => TunnelTypeName::Ipip,
                    "gue" => TunnelTypeName::Gue,
                    "gre" => TunnelTypeName::Gre,
                    _ => return Err(self.error(v, Problem::IllegalTunnelType)),
                });
            }
            Opt::Named(OptionName::TunPort) => {
                self.tunnel_port =
                    Some(self.number(occ, 1, 65535, Problem::IllegalTunnelPort)? as u16);
            }
            Opt::Named(OptionName::SyncId) => {
                self.sync_id = Some(self.number(occ, 0, 255, Problem::IllegalSyncId)? as u32);
            }
            Opt::Named(OptionName::SyncMaxlen) => {
                self.sync_maxlen =
                    Some(self.number(occ, 1, 65507, Problem::IllegalSyncMaxlen)? as u16);
            }
            Opt::Named(OptionName::McastInterface) => {
                self.mcast_interface = Some(self.name(occ, "interface", MAX_NAME)?);
            }
            Opt::Named(OptionName::McastGroup) => self.mcast_group(occ)?,
            Opt::Named(OptionName::McastPort) => {
                self.mcast_port =
                    Some(self.number(occ, 1, 65535, Problem::IllegalMcastPort)? as u16);
            }
            Opt::Named(OptionName::McastTtl) => {
                self.mcast_ttl = Some(self.number(occ, 1, 255, Problem::IllegalMcastTtl)? as u8);
            }
            Opt::LvsService => {
                let v = Line::value(occ);
                let bad = || {
                    self.error(
                        v,
                        Problem::InvalidExtensionValue {
                            option: "--lvs-service",
                            expected: "PROTOCOL,ADDRESS[:PORT] with a protocol tcp, udp, sctp \
                                       or a number 0..65535",
                        },
                    )
                };
                let (protocol, rest) = v.text.split_once(',').ok_or_else(bad)?;
                let protocol = match protocol {
                    "tcp" => Protocol::Tcp,
                    "udp" => Protocol::Udp,
                    "sctp" => Protocol::Sctp,
                    n => Protocol::from_number(integer_in(n, 0, 65535).ok_or_else(bad)? as u16),
                };
                let (ip, port) = address(rest).ok_or_else(bad)?;
                self.service = Some(ServiceSpec::Addr { protocol, ip, port });
                self.lvs_service = true;
            }
            Opt::Named(OptionName::LvsTimeout) => {
                self.lvs_timeout = Some(self.extension_number(
                    occ,
                    "--lvs-timeout",
                    i64::from(MAX_PERSISTENCE_TIMEOUT),
                    "seconds 0..17179869",
                )? as u32);
            }
            Opt::Named(OptionName::LvsFlags) => {
                let v = Line::value(occ);
                let flags = match v.text.strip_prefix("0x") {
                    Some(hex) if !hex.is_empty() => u32::from_str_radix(hex, 16).ok(),
                    Some(_) => None,
                    None => integer_in(v.text, 0, i64::from(u32::MAX)).map(|n| n as u32),
                };
                self.lvs_flags = Some(flags.ok_or_else(|| {
                    self.error(
                        v,
                        Problem::InvalidExtensionValue {
                            option: "--lvs-flags",
                            expected: "a 32-bit flags word, such as 0x40",
                        },
                    )
                })?);
            }
            Opt::LvsForward => {
                let v = Line::value(occ);
                let number = match v.text {
                    "masq" => Some(0),
                    "local" => Some(1),
                    "route" => Some(3),
                    "bypass" => Some(4),
                    n => integer_in(n, 0, i64::from(u32::MAX))
                        .filter(|&n| n != 2)
                        .map(|n| n as u32),
                };
                let number = number.ok_or_else(|| {
                    self.error(
                        v,
                        Problem::InvalidExtensionValue {
                            option: "--lvs-forward",
                            expected: "masq, local, route, bypass or a number other than 2 \
                                       (tunnels are --lvs-tunnel)",
                        },
                    )
                })?;
                self.forward = Some(Forward::Number(number));
            }
            Opt::LvsTunnel => {
                let v = Line::value(occ);
                let parts: Vec<Option<i64>> =
                    v.text.split(',').map(super::values::integer).collect();
                let tunnel = match parts[..] {
                    [Some(kind @ 0..=255), Some(port @ 0..=65535), Some(flags @ 0..=65535)] => {
                        Some(Tunnel::new(
                            TunnelKind::from_wire(kind as u8, port as u16),
                            TunnelChecksum::from_flags(flags as u16),
                        ))
                    }
                    _ => None,
                };
                let tunnel = tunnel.ok_or_else(|| {
                    self.error(
                        v,
                        Problem::InvalidExtensionValue {
                            option: "--lvs-tunnel",
                            expected: "TYPE,PORT,FLAGS: numbers 0..255, 0..65535, 0..65535",
                        },
                    )
                })?;
                self.forward = Some(Forward::Tunnel(tunnel));
            }
            Opt::LvsWeight => {
                self.weight = Some(self.extension_number(
                    occ,
                    "--lvs-weight",
                    i64::from(u32::MAX),
                    "an integer 0..4294967295",
                )? as u32);
            }
            Opt::LvsUpperThreshold => {
                self.upper_threshold = Some(self.extension_number(
                    occ,
                    "--lvs-u-threshold",
                    i64::from(u32::MAX),
                    "an integer 0..4294967295",
                )? as u32);
            }
            Opt::LvsLowerThreshold => {
                self.lower_threshold = Some(self.extension_number(
                    occ,
                    "--lvs-l-threshold",
                    i64::from(u32::MAX),
                    "an integer 0..4294967295",
                )? as u32);
            }
            // Options without a value: being recorded is all they do.
            _ => {}
        }
        Ok(())
    }

    fn address_service(
        &mut self,
        occ: &Occurrence<'a>,
        protocol: Protocol,
    ) -> Result<(), RuleError> {
        let v = Line::value(occ);
        let (ip, port) =
            address(v.text).ok_or_else(|| self.error(v, Problem::IllegalServiceAddress))?;
        self.service = Some(ServiceSpec::Addr { protocol, ip, port });
        Ok(())
    }

    /// `-6`: only after `-f`; makes the mark IPv6 and its netmask /128 again.
    fn ipv6(&mut self, occ: &Occurrence<'a>) -> Result<(), RuleError> {
        match &mut self.service {
            Some(ServiceSpec::Fwmark { family, .. }) => {
                *family = Family::Ipv6;
                self.netmask = None;
                Ok(())
            }
            _ => Err(self.error_at(occ.column, occ.spelled, Problem::Ipv6BeforeFwmark)),
        }
    }

    /// `-M`: read by the family of the service given so far (IPv4 when none is).
    fn netmask(&mut self, occ: &Occurrence<'a>) -> Result<(), RuleError> {
        let v = Line::value(occ);
        let family = self.service.map_or(Family::Ipv4, |s| s.family());
        let mask = match family {
            Family::Ipv6 => integer_in(v.text, 1, 128)
                .map(|p| Netmask::V6Prefix(p as u32))
                .ok_or_else(|| self.error(v, Problem::IllegalIpv6Netmask))?,
            _ => ipv4_mask(v.text)
                .map(Netmask::V4)
                .ok_or_else(|| self.error(v, Problem::IllegalNetmask))?,
        };
        self.netmask = Some((mask, v));
        Ok(())
    }

    fn mcast_group(&mut self, occ: &Occurrence<'a>) -> Result<(), RuleError> {
        let v = Line::value(occ);
        let group = if v.text.contains(':') {
            v.text
                .parse::<Ipv6Addr>()
                .ok()
                .filter(Ipv6Addr::is_multicast)
                .map(IpAddr::V6)
                .ok_or_else(|| self.error(v, Problem::InvalidIpv6McastGroup(v.text.to_owned())))?
        } else {
            v.text
                .parse::<Ipv4Addr>()
                .ok()
                .filter(Ipv4Addr::is_multicast)
                .map(IpAddr::V4)
                .ok_or_else(|| self.error(v, Problem::InvalidIpv4McastGroup(v.text.to_owned())))?
        };
        self.mcast_group = Some(group);
        Ok(())
    }

    /// Checks the whole line and builds its command.
    fn finish(&mut self) -> Result<Command, RuleError> {
        let timeouts = self.arguments()?;
        self.check_legality()?;
        use CommandName as C;
        let op = match self.command {
            C::AddService => Operation::AddService(self.service()?),
            C::EditService => Operation::EditService(self.service()?),
            C::DeleteService => Operation::DeleteService(self.key()),
            C::AddServer => Operation::AddServer(self.key(), self.server()?),
            C::EditServer => Operation::EditServer(self.key(), self.server()?),
            C::DeleteServer => {
                let addr = self.server_addr(self.server_port_default());
                Operation::DeleteServer(self.key(), addr)
            }
            C::Flush => Operation::Flush,
            C::Zero => Operation::Zero(self.service.map(|s| s.key())),
            C::Set => Operation::SetTimeouts(timeouts.unwrap_or(Timeouts::new(0, 0, 0))),
            C::StartDaemon => Operation::StartDaemon(self.daemon()),
            C::StopDaemon => Operation::StopDaemon(self.daemon_role.unwrap_or(DaemonRole::Master)),
            C::LvsSysctl => Operation::SetSysctl(self.sysctl()?),
            C::List => return Ok(Command::List(self.list())),
            C::Save => {
                return Ok(Command::Save {
                    numeric: self.is_set(OptionName::Numeric),
                })
            }
            C::Restore => return Ok(Command::Restore),
            C::Help => return Ok(Command::Help),
            C::Version => return Ok(Command::Version),
        };
        Ok(Command::Operation(op))
    }

    /// `--lvs-sysctl NAME=VALUE...`: the value is the text after `=` and the plain
    /// arguments after it, one space apart (so `sync_threshold=3 50` is one value), read
    /// as the knob's kind and checked against what the kernel takes.
    fn sysctl(&self) -> Result<SysctlSetting, RuleError> {
        let token = self.sysctl.unwrap_or(Token {
            text: "",
            column: self.command_column,
        });
        let bad = |reason: String| self.error(token, Problem::InvalidSysctl(reason));
        let Some((name, first)) = token.text.split_once('=') else {
            return Err(bad(format!("`{}` is not NAME=VALUE", token.text)));
        };
        let mut text = first.to_owned();
        for word in &self.arguments {
            text.push(' ');
            text.push_str(word.text);
        }
        let value = sysctl::parse(name, &text).map_err(|e| bad(e.to_string()))?;
        Ok(SysctlSetting::new(name, value))
    }

    /// The plain arguments: `--set`'s three timeouts, `--lvs-sysctl`'s value, and nothing
    /// else.
    fn arguments(&mut self) -> Result<Option<Timeouts>, RuleError> {
        if self.command == CommandName::LvsSysctl {
            return Ok(None);
        }
        let mut rest = self.arguments.iter();
        let mut timeouts = None;
        if self.command == CommandName::Set {
            let values: Vec<Token<'a>> = rest.by_ref().take(3).copied().collect();
            if values.len() < 3 {
                return Err(self.command_error(Problem::SetNeedsThreeValues));
            }
            // `--lvs-set` takes every value the model can hold; ipvsadm's `--set` 31 days.
            let max = if self.command_spelled == "--lvs-set" {
                i64::from(u32::MAX)
            } else {
                MAX_TIMEOUT
            };
            let mut secs = [0u32; 3];
            for (slot, v) in secs.iter_mut().zip(&values) {
                *slot = integer_in(v.text, 0, max)
                    .ok_or_else(|| self.error(*v, Problem::InvalidTimeout(v.text.to_owned())))?
                    as u32;
            }
            timeouts = Some(Timeouts::new(secs[0], secs[1], secs[2]));
        }
        if let Some(extra) = rest.next() {
            return Err(self.error(*extra, Problem::UnexpectedArgument(extra.text.to_owned())));
        }
        Ok(timeouts)
    }
}
