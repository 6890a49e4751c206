//! Property tests of the rule-text codec: any table ipvsadm can hold saves to text that
//! reads back to the same table (sorted), saving is canonical, and damaged text gives a
//! structured error that points into the line, never a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use lvs_core::rules::{parse, parse_line, save_ipvsadm as save, table_from_rules, RuleError};
use lvs_core::{
    Family, ForwardMethod, Netmask, Protocol, RealServer, SchedFlags, Scheduler, Service,
    ServiceKey, Table, Tunnel, TunnelChecksum, VirtualService,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    prop_oneof![
        any::<u128>().prop_map(Ipv6Addr::from),
        // Mostly zeros, so that `::` compression, IPv4-compatible and -mapped forms show up.
        (0u128..0x1_0000_0000).prop_map(Ipv6Addr::from),
        any::<u32>().prop_map(|v| Ipv4Addr::from(v).to_ipv6_mapped()),
        (any::<u16>(), any::<u16>(), 0usize..8).prop_map(|(a, b, at)| {
            let mut words = [0u16; 8];
            words[at] = a;
            words[(at + 3) % 8] = b;
            Ipv6Addr::from(words)
        }),
    ]
}

fn ip(family: Family) -> BoxedStrategy<IpAddr> {
    match family {
        Family::Ipv6 => ipv6().prop_map(IpAddr::V6).boxed(),
        _ => ipv4().prop_map(IpAddr::V4).boxed(),
    }
}

fn family() -> impl Strategy<Value = Family> {
    prop_oneof![Just(Family::Ipv4), Just(Family::Ipv6)]
}

fn key() -> impl Strategy<Value = ServiceKey> {
    let addr = (
        prop_oneof![
            Just(Protocol::Tcp),
            Just(Protocol::Udp),
            Just(Protocol::Sctp)
        ],
        family().prop_flat_map(ip),
        prop_oneof![Just(0u16), any::<u16>()],
    )
        .prop_map(|(protocol, ip, port)| ServiceKey::Addr {
            protocol,
            addr: SocketAddr::new(ip, port),
        });
    let fwmark =
        (1..=u32::MAX, family()).prop_map(|(mark, family)| ServiceKey::fwmark(mark, family));
    prop_oneof![3 => addr, 1 => fwmark]
}

fn scheduler() -> impl Strategy<Value = Scheduler> {
    prop_oneof![
        6 => proptest::sample::select(Scheduler::KNOWN.to_vec()),
        1 => Just(Scheduler::None),
        1 => Just(Scheduler::Other("twos".to_owned())),
    ]
}

fn netmask(family: Family) -> BoxedStrategy<Netmask> {
    match family {
        Family::Ipv6 => prop_oneof![Just(128u32), 1u32..=128]
            .prop_map(Netmask::V6Prefix)
            .boxed(),
        _ => prop_oneof![
            Just(Ipv4Addr::BROADCAST),
            (0u32..=32).prop_map(|n| Ipv4Addr::from(u32::MAX.checked_shl(32 - n).unwrap_or(0))),
            ipv4(),
        ]
        .prop_map(Netmask::V4)
        .boxed(),
    }
}

/// Services as ipvsadm can make them: port 0 only when persistent, netmask and engine
/// only when persistent, `-o` only on UDP and firewall marks.
fn service() -> impl Strategy<Value = Service> {
    key().prop_flat_map(|key| {
        let port_zero = matches!(key, ServiceKey::Addr { addr, .. } if addr.port() == 0);
        let persistence = (1u32..=2_678_400, netmask(key.family()), any::<bool>());
        let persistence = if port_zero {
            persistence.prop_map(Some).boxed()
        } else {
            proptest::option::of(persistence).boxed()
        };
        let ops_allowed =
            !matches!(key, ServiceKey::Addr { protocol, .. } if protocol != Protocol::Udp);
        (
            Just(key),
            scheduler(),
            persistence,
            any::<bool>().prop_map(move |o| o && ops_allowed),
            0u32..8,
        )
            .prop_map(|(key, scheduler, persistence, ops, flag_bits)| {
                let mut s = Service::new(key).with_scheduler(scheduler);
                if let Some((timeout, mask, sip)) = persistence {
                    s = s.persistent(timeout).with_netmask(mask);
                    if sip {
                        s = s.with_pe_name("sip");
                    }
                }
                if ops {
                    s = s.one_packet();
                }
                s.with_sched_flags(SchedFlags::from_bits_truncate(flag_bits << 3))
            })
    })
}

fn tunnel() -> impl Strategy<Value = Tunnel> {
    prop_oneof![
        Just(Tunnel::IPIP),
        (
            1u16..=65535,
            prop_oneof![
                Just(TunnelChecksum::None),
                Just(TunnelChecksum::Checksum),
                Just(TunnelChecksum::Remote)
            ]
        )
            .prop_map(|(port, csum)| Tunnel::gue(port, csum)),
        prop_oneof![Just(TunnelChecksum::None), Just(TunnelChecksum::Checksum)]
            .prop_map(Tunnel::gre),
    ]
}

/// Real servers of a service as ipvsadm can add them: another family only when tunnelled,
/// the service's port for direct routing and tunnels (unless a firewall mark), thresholds 0.
fn server(key: ServiceKey) -> impl Strategy<Value = RealServer> {
    let forward = prop_oneof![
        Just(ForwardMethod::Masquerade),
        Just(ForwardMethod::DirectRoute),
        tunnel().prop_map(ForwardMethod::Tunnel),
    ];
    (forward, family(), any::<u16>(), 0u32..=65535).prop_flat_map(
        move |(forward, fam, port, weight)| {
            let tunnelled = matches!(forward, ForwardMethod::Tunnel(_));
            let fam = if tunnelled { fam } else { key.family() };
            let port = match key {
                ServiceKey::Addr { addr, .. } if forward != ForwardMethod::Masquerade => {
                    addr.port()
                }
                _ => port,
            };
            ip(fam).prop_map(move |ip| {
                RealServer::new(SocketAddr::new(ip, port))
                    .with_forward(forward)
                    .with_weight(weight)
            })
        },
    )
}

fn table() -> impl Strategy<Value = Table> {
    let vs = service().prop_flat_map(|s| {
        let key = s.key;
        (Just(s), proptest::collection::vec(server(key), 0..5))
    });
    proptest::collection::vec(vs, 0..6).prop_map(|entries| {
        let mut services: Vec<VirtualService> = Vec::new();
        for (service, servers) in entries {
            if services.iter().any(|vs| vs.service.key == service.key) {
                continue;
            }
            let mut unique: Vec<RealServer> = Vec::new();
            for d in servers {
                if !unique.iter().any(|u| u.addr == d.addr) {
                    unique.push(d);
                }
            }
            services.push(VirtualService::new(service, unique));
        }
        Table::new(services)
    })
}

fn sorted(table: &Table) -> Table {
    Table::new(table.services.clone()).sorted()
}

/// The error points into its line: the column is within it (or just after its end, for an
/// empty value at the end), and the token, or the letter of a bundled option, is there.
fn check_points_into(text: &str, e: &RuleError) {
    let line = text.split('\n').nth(e.line - 1).expect("error line exists");
    let chars = line.chars().count();
    assert!(e.column >= 1 && e.column <= chars + 1, "{e} in {line:?}");
    let at: String = line.chars().skip(e.column - 1).collect();
    let letter = e.token.strip_prefix('-').unwrap_or("");
    assert!(
        at.starts_with(&e.token) || (!letter.is_empty() && at.starts_with(letter)),
        "{e}: token not at column in {line:?}"
    );
    assert!(!e.to_string().is_empty());
}

fn check_any(text: &str) {
    if let Err(e) = parse(text) {
        check_points_into(text, &e);
    }
    if let Err(e) = table_from_rules(text) {
        check_points_into(text, &e);
    }
}

/// Strings to put in place of a token: option spellings, odd values, odd characters.
fn junk() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "-A",
            "-a",
            "-E",
            "-e",
            "-D",
            "-d",
            "-C",
            "-L",
            "-Z",
            "-R",
            "-S",
            "-h",
            "-v",
            "-t",
            "-u",
            "-f",
            "-6",
            "-s",
            "-p",
            "-M",
            "-b",
            "-o",
            "-r",
            "-g",
            "-i",
            "-m",
            "-w",
            "-x",
            "-y",
            "-n",
            "-c",
            "-X",
            "--",
            "-",
            "--set",
            "--pe",
            "--tun-type",
            "--tun-port",
            "--tun-csum",
            "--tun-remcsum",
            "--tun-nocsum",
            "--sctp-service",
            "--stats",
            "--start-daemon",
            "--weight=",
            "--persistent=",
            "ipvsadm",
            "#",
            "0",
            "65536",
            "4294967296",
            "[::1]",
            "[::1]:",
            "::1",
            "1.2.3.4:",
            "sh-port",
            "flag-3,",
            "gue",
            "é",
            "-é",
            "--é=é",
            "-pé",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        // Relative to the crate, where `cargo test` runs; committed with the tests.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/rules_roundtrip.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn saved_tables_read_back(t in table()) {
        let text = save(&t);
        let back = table_from_rules(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &sorted(&t), "{}", text);
        prop_assert_eq!(save(&back), text);
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn truncated_lines_never_panic(t in table()) {
        let text = save(&t);
        for line in text.lines() {
            for (cut, _) in line.char_indices().chain([(line.len(), ' ')]) {
                let piece = &line[..cut];
                if let Err(e) = parse_line(piece) {
                    check_points_into(piece, &e);
                }
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn corrupted_tokens_give_structured_errors(
        t in table(),
        picks in proptest::collection::vec((any::<proptest::sample::Index>(), 0u8..4, junk()), 1..4),
    ) {
        let text = save(&t);
        let mut lines: Vec<Vec<String>> = text
            .lines()
            .map(|l| l.split(' ').map(str::to_owned).collect())
            .collect();
        if lines.is_empty() {
            lines.push(vec!["-A".to_owned()]);
        }
        for (index, action, junk) in picks {
            let line = index.index(lines.len());
            let tokens = &mut lines[line];
            let at = index.index(tokens.len().max(1)).min(tokens.len());
            match action {
                0 if at < tokens.len() => tokens[at] = junk,
                1 if at < tokens.len() => { tokens.remove(at); }
                2 if at < tokens.len() => { let t = tokens[at].clone(); tokens.insert(at, t); }
                _ => tokens.insert(at, junk),
            }
        }
        let damaged: Vec<String> = lines.iter().map(|t| t.join(" ")).collect();
        check_any(&damaged.join("\n"));
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn any_text_never_panics(text in "\\PC{0,80}(\n\\PC{0,80}){0,3}") {
        check_any(&text);
    }

    #[test]
    #[cfg_attr(miri, ignore = "a property test: too slow for Miri")]
    fn any_bytes_cut_anywhere_never_panic(t in table(), cut in any::<proptest::sample::Index>()) {
        let text = save(&t);
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        check_any(&text[..at]);
    }
}
