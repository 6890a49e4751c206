//! Splitting a line into tokens and tokens into options, the way popt reads ipvsadm's argv.
//!
//! Long options take `--name value` or `--name=value`; short options can be bundled
//! (`-Ln`), and one that takes a value may end a bundle with the value attached (`-w5`)
//! or take the next token (`-at 10.0.0.1:80`). An optional value (`-p`) is taken from the
//! next token only when that token does not start with `-`. A lone `--` makes every later
//! token a plain argument. Tokens that are no option's value are plain arguments, wherever
//! they stand (popt collects them for the caller).

use super::error::Problem;
use super::names::{CommandName, OptionName};

/// A piece of a line, with the column (from 1, in characters) where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) text: &'a str,
    pub(crate) column: usize,
}

impl<'a> Token<'a> {
    /// The part of the token from byte `at` on, with its own column.
    fn tail(&self, at: usize) -> Token<'a> {
        Token {
            text: &self.text[at..],
            // Characters are the bytes that do not continue one (UTF-8's 0b10xx_xxxx).
            column: self.column
                + self.text.as_bytes()[..at]
                    .iter()
                    .filter(|&&b| (b as i8) >= -0x40)
                    .count(),
        }
    }
}

/// Splits a line like ipvsadm's restore reader: on spaces, tabs and carriage returns,
/// dropping every token that is exactly `ipvsadm`.
pub(crate) fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    tokens_into(line, &mut out);
    out
}

/// [`tokens`] into `out` (emptied first), so that a reader of many lines reuses one list.
pub(crate) fn tokens_into<'a>(line: &'a str, out: &mut Vec<Token<'a>>) {
    out.clear();
    let bytes = line.as_bytes();
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\r');
    // In an ASCII line (rule files are ASCII but for names and comments) a column is the
    // byte offset plus one; otherwise characters are counted, each stretch once.
    let ascii = line.is_ascii();
    let (mut counted, mut column) = (0, 1);
    let mut at = 0;
    while at < bytes.len() {
        if blank(bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && !blank(bytes[at]) {
            at += 1;
        }
        // Blanks are one byte each, so both ends are character boundaries.
        let text = &line[start..at];
        if !ascii {
            column += line[counted..start].chars().count();
            counted = start;
        }
        if text != "ipvsadm" {
            out.push(Token {
                text,
                column: if ascii { start + 1 } else { column },
            });
        }
    }
}

/// Every spelling of every option ipvsadm 1.31 knows, by what it does: an option whose
/// spellings all do the same is its [`OptionName`] (one list of names, in `names.rs`);
/// only options whose spellings differ in meaning (`-t`/`-u`/`-f`, `-g`/`-i`/`-m`, the lvs
/// extensions that share an ipvsadm name) have variants of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Opt {
    Command(CommandName),
    /// An option with one spelling per name: ipvsadm's name of it is all it needs.
    Named(OptionName),
    TcpService,
    UdpService,
    SctpService,
    FwmarkService,
    Ipv6,
    Gatewaying,
    Ipip,
    Masquerading,
    Sort,
    // lvs's extensions (see the rules module docs): ipvsadm does not know them.
    LvsService,
    LvsForward,
    LvsTunnel,
    LvsWeight,
    LvsUpperThreshold,
    LvsLowerThreshold,
}

/// The position in [`SPECS`] of the first spec with each ASCII short letter (`u8::MAX`:
/// none): a short option is found with one index, not a scan of the specs.
const SHORT_SPECS: [u8; 128] = {
    assert!(
        SPECS.len() < u8::MAX as usize,
        "a spec's position must fit a u8"
    );
    let mut table = [u8::MAX; 128];
    let mut i = SPECS.len();
    // Backwards, so the first spec of a letter is the one left in the table.
    while i > 0 {
        i -= 1;
        if let Some(short) = SPECS[i].short {
            table[short.as_bytes()[1] as usize] = i as u8;
        }
    }
    table
};

/// Whether an option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    None,
    Required,
    Optional,
}

struct Spec {
    opt: Opt,
    /// The short spelling, dash included (`-t`), so an occurrence needs no allocation.
    short: Option<&'static str>,
    long: &'static str,
    arg: Arg,
}

const fn spec(opt: Opt, short: Option<&'static str>, long: &'static str, arg: Arg) -> Spec {
    Spec {
        opt,
        short,
        long,
        arg,
    }
}

const SPECS: &[Spec] = &[
    spec(
        Opt::Command(CommandName::AddService),
        Some("-A"),
        "add-service",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::EditService),
        Some("-E"),
        "edit-service",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::DeleteService),
        Some("-D"),
        "delete-service",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::Flush),
        Some("-C"),
        "clear",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::List),
        Some("-L"),
        "list",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::List),
        Some("-l"),
        "list",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::Zero),
        Some("-Z"),
        "zero",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::AddServer),
        Some("-a"),
        "add-server",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::EditServer),
        Some("-e"),
        "edit-server",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::DeleteServer),
        Some("-d"),
        "delete-server",
        Arg::None,
    ),
    spec(Opt::Command(CommandName::Set), None, "set", Arg::None),
    spec(
        Opt::Command(CommandName::Restore),
        Some("-R"),
        "restore",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::Save),
        Some("-S"),
        "save",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::StartDaemon),
        None,
        "start-daemon",
        Arg::Required,
    ),
    spec(
        Opt::Command(CommandName::StopDaemon),
        None,
        "stop-daemon",
        Arg::Required,
    ),
    spec(
        Opt::Command(CommandName::Help),
        Some("-h"),
        "help",
        Arg::None,
    ),
    spec(
        Opt::Command(CommandName::Version),
        Some("-v"),
        "version",
        Arg::None,
    ),
    spec(Opt::TcpService, Some("-t"), "tcp-service", Arg::Required),
    spec(Opt::UdpService, Some("-u"), "udp-service", Arg::Required),
    spec(Opt::SctpService, None, "sctp-service", Arg::Required),
    spec(
        Opt::FwmarkService,
        Some("-f"),
        "fwmark-service",
        Arg::Required,
    ),
    spec(Opt::Ipv6, Some("-6"), "ipv6", Arg::None),
    spec(
        Opt::Named(OptionName::Scheduler),
        Some("-s"),
        "scheduler",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::Persistent),
        Some("-p"),
        "persistent",
        Arg::Optional,
    ),
    spec(
        Opt::Named(OptionName::Netmask),
        Some("-M"),
        "netmask",
        Arg::Required,
    ),
    spec(Opt::Named(OptionName::Pe), None, "pe", Arg::Required),
    spec(
        Opt::Named(OptionName::SchedFlags),
        Some("-b"),
        "sched-flags",
        Arg::Required,
    ),
    spec(Opt::Named(OptionName::Ops), Some("-o"), "ops", Arg::None),
    spec(
        Opt::Named(OptionName::RealServer),
        Some("-r"),
        "real-server",
        Arg::Required,
    ),
    spec(Opt::Gatewaying, Some("-g"), "gatewaying", Arg::None),
    spec(Opt::Ipip, Some("-i"), "ipip", Arg::None),
    spec(Opt::Masquerading, Some("-m"), "masquerading", Arg::None),
    spec(
        Opt::Named(OptionName::Weight),
        Some("-w"),
        "weight",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::UpperThreshold),
        Some("-x"),
        "u-threshold",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::LowerThreshold),
        Some("-y"),
        "l-threshold",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::TunType),
        None,
        "tun-type",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::TunPort),
        None,
        "tun-port",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::TunNoCsum),
        None,
        "tun-nocsum",
        Arg::None,
    ),
    spec(Opt::Named(OptionName::TunCsum), None, "tun-csum", Arg::None),
    spec(
        Opt::Named(OptionName::TunRemCsum),
        None,
        "tun-remcsum",
        Arg::None,
    ),
    spec(
        Opt::Named(OptionName::Connection),
        Some("-c"),
        "connection",
        Arg::None,
    ),
    spec(Opt::Named(OptionName::Timeout), None, "timeout", Arg::None),
    spec(Opt::Named(OptionName::Daemon), None, "daemon", Arg::None),
    spec(Opt::Named(OptionName::Stats), None, "stats", Arg::None),
    spec(Opt::Named(OptionName::Rate), None, "rate", Arg::None),
    spec(
        Opt::Named(OptionName::Thresholds),
        None,
        "thresholds",
        Arg::None,
    ),
    spec(
        Opt::Named(OptionName::PersistentConn),
        None,
        "persistent-conn",
        Arg::None,
    ),
    spec(Opt::Named(OptionName::TunInfo), None, "tun-info", Arg::None),
    spec(Opt::Sort, None, "sort", Arg::None),
    spec(Opt::Named(OptionName::NoSort), None, "nosort", Arg::None),
    spec(
        Opt::Named(OptionName::Exact),
        Some("-X"),
        "exact",
        Arg::None,
    ),
    spec(
        Opt::Named(OptionName::Numeric),
        Some("-n"),
        "numeric",
        Arg::None,
    ),
    spec(
        Opt::Named(OptionName::SyncId),
        None,
        "syncid",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::SyncMaxlen),
        None,
        "sync-maxlen",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::McastInterface),
        None,
        "mcast-interface",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::McastGroup),
        None,
        "mcast-group",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::McastPort),
        None,
        "mcast-port",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::McastTtl),
        None,
        "mcast-ttl",
        Arg::Required,
    ),
    // lvs's extensions: long options only, all named `--lvs-...` so that no ipvsadm option
    // is a prefix of one, and ipvsadm refuses each as an unknown option.
    spec(Opt::Command(CommandName::Set), None, "lvs-set", Arg::None),
    spec(
        Opt::Command(CommandName::LvsSysctl),
        None,
        "lvs-sysctl",
        Arg::Required,
    ),
    spec(Opt::LvsService, None, "lvs-service", Arg::Required),
    spec(
        Opt::Named(OptionName::LvsTimeout),
        None,
        "lvs-timeout",
        Arg::Required,
    ),
    spec(
        Opt::Named(OptionName::LvsFlags),
        None,
        "lvs-flags",
        Arg::Required,
    ),
    spec(Opt::LvsForward, None, "lvs-forward", Arg::Required),
    spec(Opt::LvsTunnel, None, "lvs-tunnel", Arg::Required),
    spec(Opt::LvsWeight, None, "lvs-weight", Arg::Required),
    spec(
        Opt::LvsUpperThreshold,
        None,
        "lvs-u-threshold",
        Arg::Required,
    ),
    spec(
        Opt::LvsLowerThreshold,
        None,
        "lvs-l-threshold",
        Arg::Required,
    ),
];

/// One option as written on the line, with its value if it took one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence<'a> {
    pub(crate) opt: Opt,
    /// How it was spelled: `-w` or `--weight` (without any `=value`).
    pub(crate) spelled: &'a str,
    /// Where the option's own letter or `--` starts.
    pub(crate) column: usize,
    pub(crate) value: Option<Token<'a>>,
}

/// What the scanner finds next: an option, or a plain argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item<'a> {
    Option(Occurrence<'a>),
    Argument(Token<'a>),
}

/// A scanning problem with the column and text it is about.
pub(crate) type ScanError = (usize, String, Problem);

/// Reads the options of a line one by one.
pub(crate) struct Scanner<'t, 'a> {
    tokens: &'t [Token<'a>],
    next: usize,
    /// The rest of a bundle of short options, still to be read.
    bundle: Option<Token<'a>>,
    only_arguments: bool,
}

impl<'t, 'a> Scanner<'t, 'a> {
    pub(crate) fn new(tokens: &'t [Token<'a>]) -> Scanner<'t, 'a> {
        Scanner {
            tokens,
            next: 0,
            bundle: None,
            only_arguments: false,
        }
    }

    /// The next item, `None` at the end of the line.
    pub(crate) fn next_item(&mut self) -> Option<Result<Item<'a>, ScanError>> {
        if let Some(rest) = self.bundle.take() {
            return Some(self.short(rest, rest.column));
        }
        let token = *self.tokens.get(self.next)?;
        self.next += 1;
        if self.only_arguments {
            return Some(Ok(Item::Argument(token)));
        }
        if token.text == "--" {
            self.only_arguments = true;
            return self.next_item();
        }
        if let Some(long) = token.text.strip_prefix("--") {
            return Some(self.long(token, long));
        }
        if token.text.len() > 1 && token.text.starts_with('-') {
            return Some(self.short(token.tail(1), token.column));
        }
        Some(Ok(Item::Argument(token)))
    }

    /// Reads one short option from the start of `rest` (a bundle without its dash); `column`
    /// is where it is reported: the dash for the first of a bundle, else its letter.
    fn short(&mut self, rest: Token<'a>, column: usize) -> Result<Item<'a>, ScanError> {
        let letter = rest.text.chars().next().unwrap_or('-');
        let found = usize::try_from(u32::from(letter))
            .ok()
            .and_then(|c| SHORT_SPECS.get(c))
            .and_then(|&at| SPECS.get(usize::from(at)))
            .and_then(|s| Some((s, s.short?)));
        let Some((spec, spelled)) = found else {
            let spelled = format!("-{letter}");
            return Err((column, spelled.clone(), Problem::UnknownOption(spelled)));
        };
        let after = rest.tail(letter.len_utf8());
        let attached = (!after.text.is_empty()).then_some(after);
        let value = match spec.arg {
            Arg::None => {
                self.bundle = attached;
                None
            }
            Arg::Required => match attached {
                Some(v) => Some(v),
                None => Some(self.required_value(spelled, column)?),
            },
            Arg::Optional => attached.or_else(|| self.optional_value()),
        };
        Ok(Item::Option(Occurrence {
            opt: spec.opt,
            spelled,
            column,
            value,
        }))
    }

    /// Reads a long option; `name` is the token after its `--`.
    fn long(&mut self, token: Token<'a>, name: &'a str) -> Result<Item<'a>, ScanError> {
        let (name, inline) = match name.find('=') {
            Some(eq) => (&name[..eq], Some(token.tail(2 + eq + 1))),
            None => (name, None),
        };
        // The token starts with `--` and then the name.
        let spelled = &token.text[..2 + name.len()];
        let column = token.column;
        let Some(spec) = SPECS.iter().find(|s| s.long == name) else {
            return Err((
                column,
                spelled.to_owned(),
                Problem::UnknownOption(spelled.to_owned()),
            ));
        };
        let value = match (spec.arg, inline) {
            (Arg::None, Some(_)) => {
                return Err((
                    column,
                    token.text.to_owned(),
                    Problem::UnwantedArgument(spelled.to_owned()),
                ))
            }
            (Arg::None, None) => None,
            (_, Some(v)) => Some(v),
            (Arg::Required, None) => Some(self.required_value(spelled, column)?),
            (Arg::Optional, None) => self.optional_value(),
        };
        Ok(Item::Option(Occurrence {
            opt: spec.opt,
            spelled,
            column,
            value,
        }))
    }

    /// The next token as an option's value, whatever it looks like.
    fn required_value(&mut self, spelled: &str, column: usize) -> Result<Token<'a>, ScanError> {
        match self.tokens.get(self.next) {
            Some(t) => {
                self.next += 1;
                Ok(*t)
            }
            None => Err((
                column,
                spelled.to_owned(),
                Problem::MissingArgument(spelled.to_owned()),
            )),
        }
    }

    /// The next token as an optional value, unless it looks like an option.
    fn optional_value(&mut self) -> Option<Token<'a>> {
        let t = *self.tokens.get(self.next)?;
        if t.text.starts_with('-') {
            return None;
        }
        self.next += 1;
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<(&str, usize)> {
        tokens(line).iter().map(|t| (t.text, t.column)).collect()
    }

    #[test]
    fn tokens_split_on_blanks_and_drop_the_program_name() {
        assert_eq!(
            texts("ipvsadm -A\t-t  1.2.3.4:80\r"),
            [("-A", 9), ("-t", 12), ("1.2.3.4:80", 16)]
        );
        assert!(texts(" \t ").is_empty());
    }

    proptest::proptest! {
        #[test]
        #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
        fn tokens_start_at_their_column_in_characters(line in "[ \t\ra-c\u{e9}\u{4e2d}-]{0,30}|.{0,30}") {
            // By characters, one at a time: what the column means.
            let mut expected: Vec<(String, usize)> = Vec::new();
            let mut current: Option<(String, usize)> = None;
            for (column, c) in (1..).zip(line.chars()) {
                if matches!(c, ' ' | '\t' | '\r') {
                    expected.extend(current.take());
                } else {
                    current.get_or_insert_with(|| (String::new(), column)).0.push(c);
                }
            }
            expected.extend(current);
            expected.retain(|(text, _)| text != "ipvsadm");
            let got: Vec<(String, usize)> =
                texts(&line).into_iter().map(|(t, c)| (t.to_owned(), c)).collect();
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn bundles_and_attached_values() {
        let tokens = tokens("-Ln -w5 -p");
        let mut s = Scanner::new(&tokens);
        let mut seen = Vec::new();
        while let Some(item) = s.next_item() {
            match item.unwrap() {
                Item::Option(o) => seen.push((o.spelled, o.column, o.value.map(|v| v.text))),
                Item::Argument(a) => panic!("unexpected argument {a:?}"),
            }
        }
        assert_eq!(
            seen,
            [
                ("-L", 1, None),
                ("-n", 3, None),
                ("-w", 5, Some("5")),
                ("-p", 9, None),
            ]
        );
    }
}
