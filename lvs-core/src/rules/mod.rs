//! The ipvsadm rule-text codec: `ipvsadm -R` input and `ipvsadm -S -n` output.
//!
//! [`parse`] reads what `ipvsadm-restore` accepts, one command per line, into typed
//! [`Command`]s with ipvsadm's defaults filled in (scheduler `wlc`, persistence 360 s, full
//! netmask, weight 1, direct routing, ...) and ipvsadm's command-line rules enforced as
//! [`RuleError`]s that say where the line went wrong. [`save`] writes a [`crate::Table`]
//! losslessly (ipvsadm's syntax, with lvs's extensions below where ipvsadm has no word for
//! a value), [`save_ipvsadm`] byte for byte as `ipvsadm -S -n` does (losing what ipvsadm
//! does not save), and [`table_from_rules`] reads saved text back into a table.
//!
//! ```
//! use lvs_core::rules::{parse, save, save_ipvsadm, table_from_rules};
//!
//! let text = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 2 -x 100\n";
//! assert_eq!(parse(text).unwrap().len(), 2);
//! let table = table_from_rules(text).unwrap();
//! assert_eq!(save(&table).unwrap(), text);
//! // ipvsadm does not save thresholds.
//! assert_eq!(
//!     save_ipvsadm(&table),
//!     "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 2\n"
//! );
//! ```
//!
//! # lvs's extensions
//!
//! The kernel keeps values that ipvsadm's syntax cannot say (the forwarding method `Local`,
//! weights above 65535, GRE with remote checksum, one-packet TCP services, ...). [`save`]
//! writes them with these long options, which this reader takes and ipvsadm does not know:
//! `ipvsadm -R` prints `--lvs-...: unknown option` and skips that line (going on with the
//! next ones; a line that starts with `--lvs-set` or `--lvs-sysctl` ends the restore, exit
//! status 255, with ipvsadm's usage hint and nothing after it applied: seen with Debian's
//! ipvsadm 1.31), so no ipvsadm reads them as something else. ipvsadm's own options keep exactly
//! ipvsadm's meaning and ranges; [`save`] uses an extension only where they cannot say the
//! value.
//!
//! | Option | Where | Value | Meaning |
//! |---|---|---|---|
//! | `--lvs-service P,ADDR[:PORT]` | any line naming a service | `P`: `tcp`, `udp`, `sctp` or a protocol number 0..65535 | the service, like `-t`; also for port 0 without `-p`, which ipvsadm refuses |
//! | `--lvs-timeout S` | `-A`, `-E` | 0..17179869 | the persistence timeout, with or without `-p` (then `-p` takes no value) |
//! | `--lvs-flags F` | `-A`, `-E` | `0x` hex or decimal, 32 bits | more service flag bits (OR-ed in), such as one-packet (`0x4`) on TCP |
//! | `--lvs-forward M` | `-a`, `-e` | `masq`, `local`, `route`, `bypass` or a number other than 2 | the forwarding method; the real server's port is kept as written |
//! | `--lvs-tunnel T,P,F` | `-a`, `-e` | tunnel type 0..255, port 0..65535, flags 0..65535 | tunnel forwarding with these raw values (no `--tun-...` options); the port is kept |
//! | `--lvs-weight N` | `-a`, `-e` | 0..4294967295 | the weight, like `-w` (0..65535) |
//! | `--lvs-u-threshold N`, `--lvs-l-threshold N` | `-a`, `-e` | 0..4294967295 | thresholds, like `-x`, `-y` (0..2147483647) |
//! | `--lvs-set TCP TCPFIN UDP` | a command | seconds 0..4294967295 | the timeouts, like `--set` (0..2678400) |
//! | `--lvs-sysctl NAME=VALUE` | a command | a knob of [`crate::sysctl`] and a value it takes; the words after the option are the value's too (`sync_threshold=3 50`), and `NAME=` is an empty value | set the sysctl `net.ipv4.vs.NAME` (ipvsadm has no command for sysctls) |
//!
//! Each takes the place of its ipvsadm counterpart: giving both (`-w` and `--lvs-weight`,
//! `-g` and `--lvs-forward`, `-t` and `--lvs-service`) is refused like a repeated option.
//!
//! A text of 64 KiB or more (about 1,500 lines: 300 services with 4 real servers each) is
//! read in parts on up to 4 threads at once, no more than the machine's CPUs, joined before
//! the call returns; the commands, the table and the first error are the same as read line
//! by line.
//!
//! Lines are split like ipvsadm's restore reader: on spaces, tabs and carriage returns;
//! every token `ipvsadm` is dropped; blank lines are skipped, and so are lines whose first
//! non-blank character is `#` (the `ipvsadm-restore` script drops lines starting with `#`).
//!
//! Where this reader is stricter than ipvsadm, because it does no I/O or because ipvsadm
//! would silently do something else than asked:
//! - addresses are numeric: `a.b.c.d` in four decimal parts (no `inet_aton` short forms,
//!   no host names), `[v6]:port`, or a bare IPv6 address; ports are numbers or one of
//!   [`WELL_KNOWN_PORTS`] (the same for every protocol); IPv4 netmasks are dotted;
//! - scheduler and interface names longer than 15 bytes and persistence engine names
//!   longer than 16 are refused (ipvsadm cuts them), and so are empty ones and the name
//!   `ipvsadm` (restore text drops that word, so it could not be saved and read back);
//! - a `-M` read as an IPv4 mask before an IPv6 service is given is refused unless it is
//!   255.255.255.255 (ipvsadm would pass the value on for the kernel to refuse);
//! - the first token must be a command (ipvsadm skips leading plain arguments);
//! - `-h` and `-v` ignore the rest of their line, as ipvsadm exits there;
//! - scheduler, engine and interface names with whitespace or control characters are
//!   refused (they could not be saved safely).
//!
//! What the typed commands do not keep: `--syncid` of `--stop-daemon` (the kernel does
//! not use it).

mod command;
mod error;
mod legality;
mod line;
mod lines;
mod names;
mod save;
mod scan;
mod table;
mod values;

use crate::ops::Operation;
pub use command::{Command, ListRequest, ListView};
pub use error::{Problem, RuleError, TunnelTypeName};
pub use names::{CommandName, OptionName};
pub use save::{operation_line, save, save_ipvsadm, SaveWriter};
pub use table::table_from_rules;
pub use values::WELL_KNOWN_PORTS;

/// Reads one line of rule text (numbered 1 in errors). Blank and `#` comment lines give
/// `None`; a line ipvsadm refuses gives the error, and never part of a command.
pub fn parse_line(line: &str) -> Result<Option<Command>, RuleError> {
    line::read_line(line, 1, &mut Vec::new())
}

/// Reads rule text that changes a table (what `ipvsadm -R` reads, or a batch to apply) into
/// its operations, each with its line number counted from 1, stopping at the first bad
/// line. A line that parses but changes nothing (`-L`, `-S`, `-R`, `-h`, `-v`) is refused
/// with [`Problem::NotAChange`], pointing at its command. Every face reads rule text to
/// apply through this one function (lvs-ffi's `lvs_apply_rules`, lvs-py's `Ipvs.apply` and
/// `lvs.rules.parse`).
pub fn parse_operations(text: &str) -> Result<Vec<(usize, Operation)>, RuleError> {
    let mut operations = Vec::new();
    lines::for_each_command(text, |number, line, command| match command {
        Command::Operation(op) => {
            operations.push((number, op));
            Ok(())
        }
        other => {
            let first = scan::tokens(line)[0];
            Err(RuleError::new(
                number,
                first.column,
                first.text,
                Problem::NotAChange(other.name()),
            ))
        }
    })?;
    Ok(operations)
}

/// Reads restore text, one command per line, stopping at the first bad line.
///
/// Lines are separated by `\n`. A `-R` line is refused: restore text cannot restore.
pub fn parse(text: &str) -> Result<Vec<Command>, RuleError> {
    let mut commands = Vec::new();
    lines::for_each_command(text, |number, line, command| match command {
        Command::Restore => {
            let first = scan::tokens(line)[0];
            Err(RuleError::new(
                number,
                first.column,
                first.text,
                Problem::NestedRestore,
            ))
        }
        command => {
            commands.push(command);
            Ok(())
        }
    })?;
    Ok(commands)
}
