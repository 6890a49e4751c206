//! Every diagnostic of the rule-text reader: its message (ipvsadm's where it has one), the
//! column and token it points at, and that a bad line never gives a command.

use lvs_core::rules::{parse, parse_line, table_from_rules, CommandName, OptionName, Problem};
use lvs_core::{Classify, ErrorKind};

/// Checks that `line` fails at `column` on `token` with `message`.
#[track_caller]
fn fails(line: &str, column: usize, token: &str, message: &str) {
    let e = parse_line(line).expect_err(line);
    assert_eq!(
        (e.column, e.token.as_str(), e.problem.to_string().as_str()),
        (column, token, message),
        "{line:?}"
    );
    assert_eq!(e.line, 1);
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(!e.expected().is_empty());
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("line 1, column {column}: {message}")),
        "{shown}"
    );
}

#[test]
fn usage_and_popt_errors() {
    fails(
        "-t 10.0.0.1:80 -A",
        1,
        "-t",
        "a line must start with a command; try `ipvsadm -h' or 'ipvsadm --help' for more information",
    );
    fails(
        "10.0.0.1:80",
        1,
        "10.0.0.1:80",
        &Problem::NotACommand.to_string(),
    );
    fails("-Q", 1, "-Q", &Problem::NotACommand.to_string());
    fails("-t", 1, "-t", &Problem::NotACommand.to_string());
    fails("-A -t 10.0.0.1:80 -L", 19, "-L", "invalid option `-L'");
    fails(
        "-A -t 10.0.0.1:80 --list",
        19,
        "--list",
        "invalid option `--list'",
    );
    fails("-A -t 10.0.0.1:80 -Q", 19, "-Q", "-Q: unknown option");
    fails("-A -t 10.0.0.1:80 -sQ -nQ", 25, "-Q", "-Q: unknown option");
    fails(
        "-A -t 10.0.0.1:80 --bogus",
        19,
        "--bogus",
        "--bogus: unknown option",
    );
    fails("-A -t", 4, "-t", "-t: missing argument");
    fails(
        "-A --tcp-service",
        4,
        "--tcp-service",
        "--tcp-service: missing argument",
    );
    fails(
        "-L --numeric=yes",
        4,
        "--numeric=yes",
        "--numeric: option does not take an argument",
    );
    fails("-A -t 10.0.0.1:80 5", 19, "5", "unexpected argument 5");
    fails("-C now", 4, "now", "unexpected argument now");
    fails("--set 1 2 3 4", 13, "4", "unexpected argument 4");
}

#[test]
fn multiple_options() {
    fails(
        "-A -t 10.0.0.1:80 -t 10.0.0.2:80",
        19,
        "-t",
        "multiple 'service-address' options specified",
    );
    fails(
        "-A -t 10.0.0.1:80 -f 1",
        19,
        "-f",
        "multiple 'service-address' options specified",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -g -m",
        34,
        "-m",
        "multiple 'forwarding-method' options specified",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -w 1 --weight 2",
        36,
        "--weight",
        "multiple 'weight' options specified",
    );
    fails("-Lnn", 4, "-n", "multiple 'numeric' options specified");
}

#[test]
fn legality_matrix() {
    fails(
        "-A -s rr",
        1,
        "-A",
        "You need to supply the 'service-address' option for the 'add-service' command",
    );
    fails(
        "-E",
        1,
        "-E",
        "You need to supply the 'service-address' option for the 'edit-service' command",
    );
    fails(
        "-D",
        1,
        "-D",
        "You need to supply the 'service-address' option for the 'delete-service' command",
    );
    fails(
        "-a -t 10.0.0.1:80",
        1,
        "-a",
        "You need to supply the 'real-server' option for the 'add-server' command",
    );
    fails(
        "-d -r 10.1.1.1",
        1,
        "-d",
        "You need to supply the 'service-address' option for the 'delete-server' command",
    );
    fails(
        "--edit-server -t 10.0.0.1:80",
        1,
        "--edit-server",
        "You need to supply the 'real-server' option for the 'edit-server' command",
    );
    fails(
        "-A -t 10.0.0.1:80 -w 2",
        19,
        "-w",
        "Illegal 'weight' option with the 'add-service' command",
    );
    fails(
        "-A -n -t 10.0.0.1:80",
        4,
        "-n",
        "Illegal 'numeric' option with the 'add-service' command",
    );
    fails(
        "-D -t 10.0.0.1:80 -s rr",
        19,
        "-s",
        "Illegal 'scheduler' option with the 'delete-service' command",
    );
    fails(
        "-d -t 10.0.0.1:80 -r 10.1.1.1 -m",
        31,
        "-m",
        "Illegal 'forwarding-method' option with the 'delete-server' command",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -p",
        31,
        "-p",
        "Illegal 'persistent' option with the 'add-server' command",
    );
    fails(
        "-C -n",
        4,
        "-n",
        "Illegal 'numeric' option with the 'flush' command",
    );
    fails(
        "--set 1 2 3 -n",
        13,
        "-n",
        "Illegal 'numeric' option with the 'set' command",
    );
    fails(
        "-R -n",
        4,
        "-n",
        "Illegal 'numeric' option with the 'restore' command",
    );
    fails(
        "-S --stats",
        4,
        "--stats",
        "Illegal 'stats' option with the 'save' command",
    );
    fails(
        "-S --nosort",
        4,
        "--nosort",
        "Illegal 'nosort' option with the 'save' command",
    );
    fails(
        "-Z -n",
        4,
        "-n",
        "Illegal 'numeric' option with the 'zero' command",
    );
    fails(
        "--start-daemon master -t 10.0.0.1:80",
        23,
        "-t",
        "Illegal 'service-address' option with the 'start-daemon' command",
    );
    fails(
        "--stop-daemon master --mcast-interface eth0",
        22,
        "--mcast-interface",
        "Illegal 'mcast-interface' option with the 'stop-daemon' command",
    );
    fails(
        "-L -s rr",
        4,
        "-s",
        "Illegal 'scheduler' option with the 'list' command",
    );
    fails(
        "-L -c --timeout",
        7,
        "--timeout",
        "The option 'connection' conflicts with the 'timeout' option in the 'list' command",
    );
    fails(
        "-L --daemon -t 10.0.0.1:80",
        4,
        "--daemon",
        "The option 'service-address' conflicts with the 'daemon' option in the 'list' command",
    );
    fails(
        "-L -c --stats",
        7,
        "--stats",
        "options conflicts in the list command",
    );
    fails(
        "-L --rate --timeout",
        4,
        "--rate",
        "options conflicts in the list command",
    );
    fails(
        "-L --daemon --persistent-conn",
        13,
        "--persistent-conn",
        "options conflicts in the list command",
    );
}

#[test]
fn service_values() {
    let addr = "illegal virtual server address[:port] specified";
    fails("-A -t 80", 7, "80", addr);
    fails("-A -t www.example.org:80", 7, "www.example.org:80", addr);
    fails("-A -t 10.0.0.1:", 7, "10.0.0.1:", addr);
    fails("-A -t 10.0.0.1:65536", 7, "10.0.0.1:65536", addr);
    fails("-A -t 10.0.0.1:nosuchport", 7, "10.0.0.1:nosuchport", addr);
    fails("-A -t [2001:db8::1]", 7, "[2001:db8::1]", addr);
    fails("-A -t [2001:db8::1]80", 7, "[2001:db8::1]80", addr);
    fails("-A -t 10.0.0", 7, "10.0.0", addr);
    fails("-A -t10.0.0.256:80", 6, "10.0.0.256:80", addr);
    fails("-A -f 0", 7, "0", "invalid fwmark value `0' specified");
    fails(
        "-A -f 4294967296",
        7,
        "4294967296",
        "invalid fwmark value `4294967296' specified",
    );
    fails(
        "-A -f 0x10",
        7,
        "0x10",
        "invalid fwmark value `0x10' specified",
    );
    fails("-A -f -1", 7, "-1", "invalid fwmark value `-1' specified");
    fails("-A -t 10.0.0.1:80 -6", 19, "-6", "-6 used before -f");
    fails("-A -6 -f 1", 4, "-6", "-6 used before -f");
    fails(
        "-A -t 10.0.0.1:0",
        4,
        "-t",
        "Zero port specified for non-persistent service",
    );
    fails(
        "-E -t 10.0.0.1",
        4,
        "-t",
        "Zero port specified for non-persistent service",
    );
    fails(
        "-A -t 10.0.0.1:80 -o",
        19,
        "-o",
        "One-Packet Scheduling is only for UDP virtual services",
    );
    fails(
        "-A --sctp-service 10.0.0.1:80 --ops",
        31,
        "--ops",
        "One-Packet Scheduling is only for UDP virtual services",
    );
}

#[test]
fn persistence_values() {
    fails(
        "-A -t 10.0.0.1:80 -p 0",
        22,
        "0",
        "invalid timeout value `0' specified",
    );
    fails(
        "-A -t 10.0.0.1:80 -p 2678401",
        22,
        "2678401",
        "invalid timeout value `2678401' specified",
    );
    fails(
        "-A -t 10.0.0.1:80 -pabc",
        21,
        "abc",
        "invalid timeout value `abc' specified",
    );
    fails(
        "-A -t 10.0.0.1:80 --persistent=",
        32,
        "",
        "invalid timeout value `' specified",
    );
    fails(
        "-A -t 10.0.0.1:80 -p -M 64",
        25,
        "64",
        "illegal virtual server persistent mask specified",
    );
    fails(
        "-A -M 255.255.255.0 -t [::1]:80 -p",
        7,
        "255.255.255.0",
        "illegal ipv6 netmask specified",
    );
    fails(
        "-A -t [::1]:80 -p -M 0",
        22,
        "0",
        "illegal ipv6 netmask specified",
    );
    fails(
        "-A -t [::1]:80 -p -M 129",
        22,
        "129",
        "illegal ipv6 netmask specified",
    );
    fails(
        "-A -t [::1]:80 -p -M 255.255.255.0",
        22,
        "255.255.255.0",
        "illegal ipv6 netmask specified",
    );
    fails(
        "-A -t 10.0.0.1:80 --pe 12345678901234567",
        24,
        "12345678901234567",
        "persistence engine name longer than 16 characters",
    );
    fails(
        "-A -t 10.0.0.1:80 -s 1234567890123456",
        22,
        "1234567890123456",
        "scheduler name longer than 15 characters",
    );
    fails(
        "-A -t 10.0.0.1:80 --scheduler=",
        31,
        "",
        "empty scheduler name",
    );
    // Found by fuzzing: `-sipvsadm` would save as `-s ipvsadm`, which restore cannot read.
    fails(
        "-A -t 10.0.0.1:80 -sipvsadm",
        21,
        "ipvsadm",
        "a scheduler name cannot be `ipvsadm' in rule text",
    );
    fails(
        "-A -t 10.0.0.1:80 -p --pe=ipvsadm",
        27,
        "ipvsadm",
        "a persistence engine name cannot be `ipvsadm' in rule text",
    );
}

#[test]
fn sched_flag_values() {
    fails(
        "-A -t 10.0.0.1:80 -b flag-4",
        22,
        "flag-4",
        "invalid scheduler flag `flag-4'",
    );
    fails(
        "-A -t 10.0.0.1:80 -s sh -b sh-port,bogus",
        36,
        "bogus",
        "invalid scheduler flag `bogus'",
    );
    fails(
        "-A -t 10.0.0.1:80 -b sh-port",
        22,
        "sh-port",
        "incompatible scheduler flag `sh-port'",
    );
    fails(
        "-A -t 10.0.0.1:80 -s mh -b mh-port,sh-fallback",
        36,
        "sh-fallback",
        "incompatible scheduler flag `sh-fallback'",
    );
    fails(
        "-A -t 10.0.0.1:80 -s sh -b mh-fallback",
        28,
        "mh-fallback",
        "incompatible scheduler flag `mh-fallback'",
    );
}

#[test]
fn server_values() {
    let addr = "illegal real server address[:port] specified";
    fails("-a -t 10.0.0.1:80 -r 1234", 22, "1234", addr);
    fails(
        "-a -t 10.0.0.1:80 -r host.example",
        22,
        "host.example",
        addr,
    );
    fails("-a -t 10.0.0.1:80 -r [::1]", 22, "[::1]", addr);
    let w = "illegal weight specified";
    fails("-a -t 10.0.0.1:80 -r 10.1.1.1 -w 65536", 34, "65536", w);
    fails("-a -t 10.0.0.1:80 -r 10.1.1.1 -w -1", 34, "-1", w);
    fails("-a -t 10.0.0.1:80 -r 10.1.1.1 -w5x", 33, "5x", w);
    fails("-a -t 10.0.0.1:80 -r 10.1.1.1 --weight=", 40, "", w);
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -x 2147483648",
        34,
        "2147483648",
        "illegal u_threshold specified",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -y many",
        34,
        "many",
        "illegal l_threshold specified",
    );
    fails(
        "-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -m",
        22,
        "[2001:db8::2]:80",
        "Different address family is allowed only for tunneling servers",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 2001:db8::2",
        22,
        "2001:db8::2",
        "Different address family is allowed only for tunneling servers",
    );
}

#[test]
fn tunnel_values() {
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type vxlan",
        45,
        "vxlan",
        "illegal tunnel type specified",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 0",
        60,
        "0",
        "illegal tunnel port specified",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -m --tun-type gre",
        34,
        "--tun-type",
        "Tunnel options conflict with forward method",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 --tun-csum",
        31,
        "--tun-csum",
        "Tunnel options conflict with forward method",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-port 6080",
        34,
        "--tun-port",
        "Illegal 'tun-port' option with the 'ipip' tunnel type",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type ipip --tun-nocsum",
        50,
        "--tun-nocsum",
        "Illegal 'tun-nocsum' option with the 'ipip' tunnel type",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue",
        34,
        "--tun-type",
        "You need to supply the 'tun-port' option for the 'gue' tunnel type",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 1 --tun-csum --tun-remcsum",
        73,
        "--tun-remcsum",
        "The option 'tun-csum' conflicts with the 'tun-remcsum' option in the 'gue' tunnel type",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre --tun-port 1",
        49,
        "--tun-port",
        "Illegal 'tun-port' option with the 'gre' tunnel type",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre --tun-remcsum",
        49,
        "--tun-remcsum",
        "Illegal 'tun-remcsum' option with the 'gre' tunnel type",
    );
    fails(
        "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre --tun-nocsum --tun-csum",
        62,
        "--tun-csum",
        "The option 'tun-nocsum' conflicts with the 'tun-csum' option in the 'gre' tunnel type",
    );
    fails(
        "-d -t 10.0.0.1:80 -r 10.1.1.1 --tun-type gre",
        31,
        "--tun-type",
        "Illegal 'tun-type' option with the 'delete-server' command",
    );
}

#[test]
fn set_and_daemon_values() {
    fails(
        "--set 1 2",
        1,
        "--set",
        "--set option requires 3 timeout values",
    );
    fails(
        "--set",
        1,
        "--set",
        "--set option requires 3 timeout values",
    );
    fails(
        "--set 1 2 x",
        11,
        "x",
        "invalid timeout value `x' specified",
    );
    fails(
        "--set 2678401 2 3",
        7,
        "2678401",
        "invalid timeout value `2678401' specified",
    );
    fails(
        "--start-daemon primary",
        16,
        "primary",
        "illegal start-daemon parameter specified",
    );
    fails(
        "--stop-daemon=both",
        15,
        "both",
        "illegal start_daemon specified",
    );
    fails(
        "--start-daemon",
        1,
        "--start-daemon",
        "--start-daemon: missing argument",
    );
    fails(
        "--start-daemon master --syncid 256",
        32,
        "256",
        "illegal syncid specified",
    );
    fails(
        "--start-daemon master --mcast-port 0",
        36,
        "0",
        "illegal mcast-port specified",
    );
    fails(
        "--start-daemon master --mcast-ttl 256",
        35,
        "256",
        "illegal mcast-ttl specified",
    );
    fails(
        "--start-daemon master --sync-maxlen 65508",
        37,
        "65508",
        "illegal sync-maxlen specified",
    );
    fails(
        "--start-daemon master --mcast-group 10.0.0.1",
        37,
        "10.0.0.1",
        "invalid IPv4 mcast-group `10.0.0.1'",
    );
    fails(
        "--start-daemon master --mcast-group 2001:db8::1",
        37,
        "2001:db8::1",
        "invalid IPv6 mcast-group `2001:db8::1'",
    );
    fails(
        "--start-daemon master --mcast-interface 0123456789abcdef",
        41,
        "0123456789abcdef",
        "interface name longer than 15 characters",
    );
}

#[test]
fn restore_text_errors_say_which_line() {
    let text = "# header\n-A -t 10.0.0.1:80\n\n-a -t 10.0.0.1:80 -r 10.1.1.1 -w x\n-C\n";
    let e = parse(text).unwrap_err();
    assert_eq!((e.line, e.column, e.token.as_str()), (4, 34, "x"));
    assert_eq!(e.problem, Problem::IllegalWeight);

    let e = parse("-C\n  -R\n").unwrap_err();
    assert_eq!((e.line, e.column, e.token.as_str()), (2, 3, "-R"));
    assert_eq!(e.problem, Problem::NestedRestore);
}

#[test]
fn columns_count_characters() {
    // A non-ASCII token before the offending one moves the column by characters, not bytes.
    let e = parse_line("-A -t 10.0.0.1:80 --pe sïp -w 1").unwrap_err();
    assert_eq!((e.column, e.token.as_str()), (28, "-w"));
}

#[test]
fn table_errors() {
    let e = table_from_rules("-A -t 10.0.0.1:80\n-C\n").unwrap_err();
    assert_eq!((e.line, e.column, e.token.as_str()), (2, 1, "-C"));
    assert_eq!(e.problem, Problem::NotTableCommand(CommandName::Flush));
    assert_eq!(
        e.problem.to_string(),
        "the 'flush' command does not describe a table"
    );

    let e = table_from_rules("-A -t 10.0.0.1:80\n -A -t 10.0.0.1:80 -s rr\n").unwrap_err();
    assert_eq!((e.line, e.column, e.token.as_str()), (2, 2, "-A"));
    assert_eq!(
        e.problem.to_string(),
        "Service already exists: TCP 10.0.0.1:80"
    );

    let e = table_from_rules("-a -t 10.0.0.1:80 -r 10.1.1.1\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert_eq!(
        e.problem.to_string(),
        "Service not defined: TCP 10.0.0.1:80"
    );

    let e = table_from_rules(
        "-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1\n-a -t 10.0.0.1:80 -r 10.1.1.1:80 -w 2\n",
    )
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert_eq!(
        e.problem.to_string(),
        "Destination already exists in TCP 10.0.0.1:80"
    );

    let e = table_from_rules("-E -t 10.0.0.1:80\n").unwrap_err();
    assert_eq!(
        e.problem,
        Problem::NotTableCommand(CommandName::EditService)
    );
    let e = table_from_rules("-A -t 10.0.0.1:80 -w 1\n").unwrap_err();
    assert_eq!(
        e.problem,
        Problem::Illegal {
            option: OptionName::Weight,
            command: CommandName::AddService
        }
    );
}
