//! Reading rule text: every command and option of ipvsadm 1.31, in every spelling, with
//! ipvsadm's defaults.

use std::net::{IpAddr, SocketAddr};

use lvs_core::listing::ListFormat;
use lvs_core::rules::{parse, parse_line, Command, ListRequest, ListView};
use lvs_core::{
    DaemonRole, Family, ForwardMethod, Netmask, Operation, Protocol, RealServer, SchedFlags,
    Scheduler, Service, ServiceKey, SyncDaemon, Timeouts, Tunnel, TunnelChecksum,
};

fn one(line: &str) -> Command {
    match parse_line(line) {
        Ok(Some(c)) => c,
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn op(line: &str) -> Operation {
    match one(line) {
        Command::Operation(op) => op,
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn service(line: &str) -> Service {
    match op(line) {
        Operation::AddService(s) | Operation::EditService(s) => s,
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn server(line: &str) -> (ServiceKey, RealServer) {
    match op(line) {
        Operation::AddServer(k, d) | Operation::EditServer(k, d) => (k, d),
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn list(line: &str) -> ListRequest {
    match one(line) {
        Command::List(l) => l,
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn tcp(s: &str) -> ServiceKey {
    ServiceKey::tcp(sa(s))
}

/// All spellings of a line must read the same.
fn same(lines: &[&str]) -> Command {
    let first = one(lines[0]);
    for line in &lines[1..] {
        assert_eq!(one(line), first, "{line:?} differs from {:?}", lines[0]);
    }
    first
}

#[test]
fn add_service_with_defaults() {
    let s = service("-A -t 10.0.0.1:80");
    assert_eq!(s, Service::new(tcp("10.0.0.1:80")));
    assert_eq!(s.scheduler, Scheduler::Wlc);
    assert_eq!(s.netmask, Netmask::V4("255.255.255.255".parse().unwrap()));
    assert!(!s.is_persistent());
}

#[test]
fn command_spellings() {
    same(&["-A -t 10.0.0.1:80", "--add-service -t 10.0.0.1:80"]);
    let e = same(&[
        "-E -t 10.0.0.1:80",
        "--edit-service --tcp-service 10.0.0.1:80",
    ]);
    // -E without -s resets the scheduler to wlc, as ipvsadm does.
    assert_eq!(
        e,
        Command::Operation(Operation::EditService(Service::new(tcp("10.0.0.1:80"))))
    );
    assert_eq!(
        same(&["-D -t 10.0.0.1:80", "--delete-service -t 10.0.0.1:80"]),
        Command::Operation(Operation::DeleteService(tcp("10.0.0.1:80")))
    );
    assert_eq!(
        same(&["-C", "--clear"]),
        Command::Operation(Operation::Flush)
    );
    assert_eq!(
        same(&["-Z", "--zero"]),
        Command::Operation(Operation::Zero(None))
    );
    assert_eq!(
        same(&["-Z -t 10.0.0.1:80", "--zero --tcp-service=10.0.0.1:80"]),
        Command::Operation(Operation::Zero(Some(tcp("10.0.0.1:80"))))
    );
    same(&["-L", "-l", "--list"]);
    assert_eq!(same(&["-S", "--save"]), Command::Save { numeric: false });
    assert_eq!(
        same(&["-Sn", "-S -n", "--save --numeric"]),
        Command::Save { numeric: true }
    );
    assert_eq!(same(&["-R", "--restore"]), Command::Restore);
    assert_eq!(same(&["-h", "--help", "-h whatever"]), Command::Help);
    assert_eq!(same(&["-v", "--version"]), Command::Version);
}

#[test]
fn service_address_options() {
    assert_eq!(
        service("-A -u 10.0.0.1:53").key,
        ServiceKey::udp(sa("10.0.0.1:53"))
    );
    assert_eq!(
        service("-A --udp-service=10.0.0.1:53").key,
        ServiceKey::udp(sa("10.0.0.1:53"))
    );
    assert_eq!(
        service("-A --sctp-service 10.0.0.1:5000").key,
        ServiceKey::sctp(sa("10.0.0.1:5000"))
    );
    assert_eq!(
        service("-A -t [2001:db8::1]:443").key,
        tcp("[2001:db8::1]:443")
    );
    assert_eq!(service("-A -f 7").key, ServiceKey::fwmark(7, Family::Ipv4));
    assert_eq!(
        service("-A --fwmark-service 4294967295").key,
        ServiceKey::fwmark(u32::MAX, Family::Ipv4)
    );
    let v6 = service("-A -f 7 -6");
    assert_eq!(v6.key, ServiceKey::fwmark(7, Family::Ipv6));
    assert_eq!(v6.netmask, Netmask::V6Prefix(128));
    assert_eq!(service("-A -f 7 --ipv6").key, v6.key);
    // Well-known service names stand for ports.
    assert_eq!(service("-A -t 10.0.0.1:http").key, tcp("10.0.0.1:80"));
    assert_eq!(service("-A -t 10.0.0.1:https").key, tcp("10.0.0.1:443"));
}

#[test]
fn port_zero_and_missing_ports_need_persistence() {
    let s = service("-A -t 10.0.0.1 -p");
    assert_eq!(s.key, tcp("10.0.0.1:0"));
    let s = service("-A -t 2001:db8::1 -p");
    assert_eq!(s.key, tcp("[2001:db8::1]:0"));
    assert_eq!(s.netmask, Netmask::V6Prefix(128));
    assert_eq!(service("-A -t 10.0.0.1:0 -p 10").key, tcp("10.0.0.1:0"));
}

#[test]
fn scheduler_option() {
    for s in Scheduler::KNOWN {
        let line = format!("-A -t 10.0.0.1:80 -s {s}");
        assert_eq!(service(&line).scheduler, s);
        let line = format!("-A -t 10.0.0.1:80 --scheduler={s}");
        assert_eq!(service(&line).scheduler, s);
    }
    assert_eq!(
        service("-A -t 10.0.0.1:80 -s twos").scheduler,
        Scheduler::Other("twos".into())
    );
    assert_eq!(service("-A -t 10.0.0.1:80 -srr").scheduler, Scheduler::Rr);
}

#[test]
fn persistence_options() {
    let s = service("-A -t 10.0.0.1:80 -p");
    assert!(s.is_persistent());
    assert_eq!(s.timeout, 360);
    for line in [
        "-A -t 10.0.0.1:80 -p 60",
        "-A -t 10.0.0.1:80 -p60",
        "-A -t 10.0.0.1:80 --persistent 60",
        "-A -t 10.0.0.1:80 --persistent=60",
    ] {
        assert_eq!(service(line).timeout, 60, "{line}");
    }
    // An optional value is not taken from a token that looks like an option.
    let s = service("-A -t 10.0.0.1:80 -p -s rr");
    assert_eq!((s.timeout, s.scheduler), (360, Scheduler::Rr));
    assert_eq!(service("-A -t 10.0.0.1:80 -p 2678400").timeout, 2_678_400);
    assert_eq!(service("-A -t 10.0.0.1:80 -p 1").timeout, 1);

    let s = service("-A -t 10.0.0.1:80 -p -M 255.255.255.0");
    assert_eq!(s.netmask, Netmask::V4("255.255.255.0".parse().unwrap()));
    let s = service("-A -t 10.0.0.1:80 -p --netmask=255.255.0.0");
    assert_eq!(s.netmask, Netmask::V4("255.255.0.0".parse().unwrap()));
    let s = service("-A -t [2001:db8::1]:80 -p -M 64");
    assert_eq!(s.netmask, Netmask::V6Prefix(64));
    let s = service("-A -f 1 -6 -p -M 48");
    assert_eq!(s.netmask, Netmask::V6Prefix(48));
    // -6 sets the mask back to /128.
    let s = service("-A -f 1 -M 255.255.0.0 -6 -p");
    assert_eq!(s.netmask, Netmask::V6Prefix(128));
    // A mask read as IPv4 before an IPv6 service is given: all ones becomes /128.
    let s = service("-A -M 255.255.255.255 -t [::1]:80");
    assert_eq!(s.netmask, Netmask::V6Prefix(128));

    let s = service("-A -u 10.0.0.1:5060 -p 30 --pe sip");
    assert_eq!(s.pe_name.as_deref(), Some("sip"));
    let s = service("-A -u 10.0.0.1:5060 -p 30 --pe=sip");
    assert_eq!(s.pe_name.as_deref(), Some("sip"));
}

#[test]
fn one_packet_option() {
    assert!(service("-A -u 10.0.0.1:53 -o")
        .flags
        .contains(lvs_core::ServiceFlags::ONE_PACKET));
    assert!(service("-A -f 3 --ops")
        .flags
        .contains(lvs_core::ServiceFlags::ONE_PACKET));
    assert!(service("-A -f 3 -6 -o")
        .flags
        .contains(lvs_core::ServiceFlags::ONE_PACKET));
}

#[test]
fn sched_flags_option() {
    let s = service("-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port");
    assert_eq!(
        s.sched_flags(),
        SchedFlags::SH_FALLBACK | SchedFlags::SH_PORT
    );
    let s = service("-A -t 10.0.0.1:80 -s mh --sched-flags mh-port");
    assert_eq!(s.sched_flags(), SchedFlags::MH_PORT);
    let s = service("-A -t 10.0.0.1:80 -b flag-1,flag-2,flag-3");
    assert_eq!(s.sched_flags(), SchedFlags::all());
    let s = service("-A -t 10.0.0.1:80 -s rr --sched-flags=flag-3");
    assert_eq!(s.sched_flags(), SchedFlags::FLAG_3);
    // -b is read after the line, so the scheduler may come after it; empty names are skipped.
    let s = service("-A -t 10.0.0.1:80 -b sh-port,,flag-3 -s sh");
    assert_eq!(s.sched_flags(), SchedFlags::SH_PORT | SchedFlags::FLAG_3);
    assert!(service("-A -t 10.0.0.1:80 -b ,").sched_flags().is_empty());
}

#[test]
fn add_server_with_defaults() {
    let (key, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1");
    assert_eq!(key, tcp("10.0.0.1:80"));
    assert_eq!(d, RealServer::new(sa("192.168.1.1:80")));
    assert_eq!(d.forward, ForwardMethod::DirectRoute);
    assert_eq!(d.weight, 1);
    assert_eq!((d.upper_threshold, d.lower_threshold), (0, 0));
}

#[test]
fn server_command_spellings() {
    same(&[
        "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 3",
        "--add-server -t 10.0.0.1:80 --real-server 192.168.1.1:80 --masquerading --weight 3",
        "--add-server --tcp-service=10.0.0.1:80 --real-server=192.168.1.1:80 -m --weight=3",
        "-a -t10.0.0.1:80 -r192.168.1.1:80 -mw3",
        "-at 10.0.0.1:80 -mr 192.168.1.1:80 -w3",
        "ipvsadm -a -t 10.0.0.1:80 ipvsadm -r 192.168.1.1:80 -m -w 3 ipvsadm",
        "  -a\t-t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 3\r",
    ]);
    same(&[
        "-e -t 10.0.0.1:80 -r 192.168.1.1:80 -m",
        "--edit-server -t 10.0.0.1:80 -r 192.168.1.1:80 -m",
    ]);
    let d = same(&[
        "-d -t 10.0.0.1:80 -r 192.168.1.1:8080",
        "--delete-server -t 10.0.0.1:80 -r 192.168.1.1:8080",
    ]);
    assert_eq!(
        d,
        Command::Operation(Operation::DeleteServer(
            tcp("10.0.0.1:80"),
            sa("192.168.1.1:8080")
        ))
    );
    // -d without a port means the service's port.
    assert_eq!(
        op("-d -t 10.0.0.1:80 -r 192.168.1.1"),
        Operation::DeleteServer(tcp("10.0.0.1:80"), sa("192.168.1.1:80"))
    );
}

#[test]
fn forwarding_methods_and_ports() {
    let (_, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m");
    assert_eq!(
        (d.forward, d.addr),
        (ForwardMethod::Masquerade, sa("192.168.1.1:8080"))
    );
    let (_, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1:8080 --masquerading");
    assert_eq!(d.forward, ForwardMethod::Masquerade);
    // Direct routing and tunnels keep the service's port, whatever is given.
    let (_, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -g");
    assert_eq!(
        (d.forward, d.addr),
        (ForwardMethod::DirectRoute, sa("192.168.1.1:80"))
    );
    let (_, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1:8080 --gatewaying");
    assert_eq!(d.forward, ForwardMethod::DirectRoute);
    let (_, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -i");
    assert_eq!(
        (d.forward, d.addr),
        (ForwardMethod::Tunnel(Tunnel::IPIP), sa("192.168.1.1:80"))
    );
    let (_, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1 --ipip");
    assert_eq!(d.forward, ForwardMethod::Tunnel(Tunnel::IPIP));
    // Firewall-mark services have no port to force: the given one stays, else 0.
    let (_, d) = server("-a -f 5 -r 192.168.1.1:8080 -g");
    assert_eq!(d.addr, sa("192.168.1.1:8080"));
    let (_, d) = server("-a -f 5 -r 192.168.1.1");
    assert_eq!(d.addr, sa("192.168.1.1:0"));
    let (_, d) = server("-a -f 5 -6 -r [2001:db8::2]:53 -m");
    assert_eq!(d.addr, sa("[2001:db8::2]:53"));
    let (_, d) = server("-a -t [2001:db8::1]:80 -r 2001:db8::2 -m");
    assert_eq!(d.addr, sa("[2001:db8::2]:80"));
    // Another family only for tunnels.
    let (_, d) = server("-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -i");
    assert_eq!(d.family(), Family::Ipv6);
}

#[test]
fn weight_and_thresholds() {
    for line in [
        "-a -t 10.0.0.1:80 -r 192.168.1.1 -w 0 -x 100 -y 10",
        "-a -t 10.0.0.1:80 -r 192.168.1.1 --weight 0 --u-threshold 100 --l-threshold 10",
        "-a -t 10.0.0.1:80 -r 192.168.1.1 --weight=0 --u-threshold=100 --l-threshold=10",
        "-a -t 10.0.0.1:80 -r 192.168.1.1 -w0 -x100 -y10",
    ] {
        let (_, d) = server(line);
        assert_eq!(
            (d.weight, d.upper_threshold, d.lower_threshold),
            (0, 100, 10),
            "{line}"
        );
    }
    let (_, d) = server("-a -t 10.0.0.1:80 -r 192.168.1.1 -w 65535 -x 2147483647 -y +7");
    assert_eq!(
        (d.weight, d.upper_threshold, d.lower_threshold),
        (65535, 2_147_483_647, 7)
    );
}

#[test]
fn tunnel_options() {
    let t = |line: &str| server(line).1.forward.tunnel().unwrap();
    assert_eq!(
        t("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type ipip"),
        Tunnel::IPIP
    );
    assert_eq!(
        t("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 6080"),
        Tunnel::gue(6080, TunnelChecksum::None)
    );
    assert_eq!(
        t("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type=gue --tun-port=6080 --tun-nocsum"),
        Tunnel::gue(6080, TunnelChecksum::None)
    );
    assert_eq!(
        t("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 6080 --tun-csum"),
        Tunnel::gue(6080, TunnelChecksum::Checksum)
    );
    assert_eq!(
        t("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 6080 --tun-remcsum"),
        Tunnel::gue(6080, TunnelChecksum::Remote)
    );
    assert_eq!(
        t("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre"),
        Tunnel::gre(TunnelChecksum::None)
    );
    assert_eq!(
        t("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre --tun-nocsum"),
        Tunnel::gre(TunnelChecksum::None)
    );
    assert_eq!(
        t("-e -t 10.0.0.1:80 -r 10.1.1.1 --tun-csum -i --tun-type gre"),
        Tunnel::gre(TunnelChecksum::Checksum)
    );
}

#[test]
fn set_timeouts() {
    assert_eq!(
        op("--set 900 120 300"),
        Operation::SetTimeouts(Timeouts::new(900, 120, 300))
    );
    assert_eq!(
        op("--set 0 0 2678400"),
        Operation::SetTimeouts(Timeouts::new(0, 0, 2_678_400))
    );
}

#[test]
fn daemons() {
    assert_eq!(
        op("--start-daemon master"),
        Operation::StartDaemon(SyncDaemon::new(DaemonRole::Master, "eth0"))
    );
    assert_eq!(
        op("--start-daemon=backup --mcast-interface eth1 --syncid 7"),
        Operation::StartDaemon(SyncDaemon::new(DaemonRole::Backup, "eth1").with_sync_id(7))
    );
    let full = op(
        "--start-daemon master --mcast-interface=bond0 --syncid=255 \
                   --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 8849 --mcast-ttl 2",
    );
    assert_eq!(
        full,
        Operation::StartDaemon(
            SyncDaemon::new(DaemonRole::Master, "bond0")
                .with_sync_id(255)
                .with_max_len(1400)
                .with_group("239.1.2.3".parse().unwrap())
                .with_port(8849)
                .with_ttl(2)
        )
    );
    let Operation::StartDaemon(d) = op("--start-daemon master --mcast-group ff02::1234") else {
        panic!()
    };
    assert_eq!(d.group, Some("ff02::1234".parse::<IpAddr>().unwrap()));
    assert_eq!(
        op("--stop-daemon master"),
        Operation::StopDaemon(DaemonRole::Master)
    );
    assert_eq!(
        op("--stop-daemon=backup --syncid 3"),
        Operation::StopDaemon(DaemonRole::Backup)
    );
}

#[test]
fn list_options() {
    assert_eq!(list("-L"), ListRequest::new());
    assert_eq!(list("-L").view(), ListView::Services(ListFormat::Default));
    let l = list("-Ln");
    assert!(l.numeric);
    let l = list("-L --numeric --exact --nosort --sort --syncid 4");
    assert!(l.numeric && l.exact && l.nosort && l.sort);
    assert_eq!(l.sync_id, Some(4));
    assert!(list("-LnX").exact);
    assert_eq!(list("-L -c").view(), ListView::Connections);
    assert_eq!(list("-L --connection").view(), ListView::Connections);
    assert_eq!(list("-L --timeout").view(), ListView::Timeouts);
    assert_eq!(list("-L --daemon").view(), ListView::Daemons);
    assert_eq!(
        list("-L --stats").view(),
        ListView::Services(ListFormat::Stats)
    );
    assert_eq!(
        list("-L --rate").view(),
        ListView::Services(ListFormat::Rate)
    );
    assert_eq!(
        list("-L --thresholds").view(),
        ListView::Services(ListFormat::Thresholds)
    );
    assert_eq!(
        list("-L --persistent-conn").view(),
        ListView::Services(ListFormat::PersistentConn)
    );
    assert_eq!(
        list("-L --tun-info").view(),
        ListView::Services(ListFormat::TunInfo)
    );
    // ipvsadm's precedence when several are given.
    assert_eq!(
        list("-L --tun-info --rate --stats").view(),
        ListView::Services(ListFormat::Stats)
    );
    assert_eq!(
        list("-L -c --persistent-conn").view(),
        ListView::Connections
    );
    let l = list("-L -n -t 10.0.0.1:80 --stats");
    assert_eq!(l.service, Some(tcp("10.0.0.1:80")));
    assert_eq!(
        list("-L -f 9 -6").service,
        Some(ServiceKey::fwmark(9, Family::Ipv6))
    );
    assert_eq!(
        list("--list --udp-service 10.0.0.1").service,
        Some(ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: sa("10.0.0.1:0")
        })
    );
}

#[test]
fn comments_blank_lines_and_the_program_name() {
    assert_eq!(parse_line(""), Ok(None));
    assert_eq!(parse_line("   \t\r"), Ok(None));
    assert_eq!(parse_line("# -A -t 10.0.0.1:80"), Ok(None));
    assert_eq!(parse_line("  # indented comment"), Ok(None));
    assert_eq!(parse_line("ipvsadm"), Ok(None));
    assert_eq!(parse_line("ipvsadm ipvsadm"), Ok(None));
    let text = "# saved by hand\n\nipvsadm -A -t 10.0.0.1:80 -s rr\n\
                ipvsadm -a -t 10.0.0.1:80 -r 192.168.1.1:80 -m\r\n   \n";
    let commands = parse(text).unwrap();
    assert_eq!(commands.len(), 2);
    assert_eq!(
        commands[0],
        Command::Operation(Operation::AddService(
            Service::new(tcp("10.0.0.1:80")).with_scheduler(Scheduler::Rr)
        ))
    );
    assert_eq!(parse(""), Ok(vec![]));
}

#[test]
fn double_dash_ends_options() {
    // After `--` everything is a plain argument: --set takes its values from there.
    assert_eq!(
        op("--set -- 1 2 3"),
        Operation::SetTimeouts(Timeouts::new(1, 2, 3))
    );
    assert_eq!(
        op("--set 1 -- 2 3"),
        Operation::SetTimeouts(Timeouts::new(1, 2, 3))
    );
}
