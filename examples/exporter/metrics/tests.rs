use std::time::Duration;

use lvs_core::{
    ForwardMethod, KernelInfo, RealServer, RealServerEntry, Scheduler, Service, ServiceEntry,
    ServiceKey, Stats,
};

use super::*;

fn stats(base: u64) -> Stats {
    let mut stats = Stats::default();
    stats.conns = base;
    stats.in_packets = base + 1;
    stats.out_packets = base + 2;
    stats.in_bytes = base + 3;
    stats.out_bytes = base + 4;
    stats.cps = base + 5;
    stats.in_pps = base + 6;
    stats.out_pps = base + 7;
    stats.in_bps = base + 8;
    stats.out_bps = base + 9;
    stats
}

#[test]
fn label_values_escape_backslash_quote_and_newline() {
    assert_eq!(escape_label_value(r#"a\b"c"#), r#"a\\b\"c"#);
    assert_eq!(escape_label_value("x\ny"), "x\\ny");
    assert_eq!(
        escape_label_value("plain /run/netns/x"),
        "plain /run/netns/x"
    );
    assert_eq!(escape_help("a\\b\nc \"q\""), "a\\\\b\\nc \"q\"");
    let mut out = Exposition::new();
    out.namespace("we\"ird\\\nns", true, Duration::ZERO, 0, 0);
    assert!(out
        .finish()
        .contains("lvs_up{netns=\"we\\\"ird\\\\\\nns\"} 1\n"));
}

#[test]
fn an_empty_scrape_has_only_what_was_written() {
    assert_eq!(Exposition::new().finish(), "");
    let mut out = Exposition::new();
    out.namespace("", false, Duration::from_millis(250), 0, 0);
    assert_eq!(
        out.finish(),
        "# HELP lvs_up 1 if the namespace's IPVS table was read in this scrape, 0 if not\n\
         # TYPE lvs_up gauge\n\
         lvs_up{netns=\"\"} 0\n\
         # HELP lvs_scrape_duration_seconds How long reading the namespace's IPVS table took\n\
         # TYPE lvs_scrape_duration_seconds gauge\n\
         lvs_scrape_duration_seconds{netns=\"\"} 0.25\n\
         # HELP lvs_services Virtual services in the namespace\n\
         # TYPE lvs_services gauge\n\
         lvs_services{netns=\"\"} 0\n\
         # HELP lvs_real_servers Real servers in the namespace, over all its services\n\
         # TYPE lvs_real_servers gauge\n\
         lvs_real_servers{netns=\"\"} 0\n"
    );
}

#[test]
fn a_rolled_back_namespace_leaves_nothing() {
    let mut out = Exposition::new();
    let key = ServiceKey::tcp("10.0.0.1:80".parse().unwrap());
    out.service("a", &ServiceEntry::new(Service::new(key), stats(1)), &[]);
    let before = out.mark();
    let server = RealServerEntry::new(RealServer::new("10.0.0.2:80".parse().unwrap()));
    out.service(
        "b",
        &ServiceEntry::new(Service::new(key), stats(2)),
        &[server],
    );
    out.rollback(&before);
    let text = out.finish();
    assert!(text.contains("netns=\"a\""), "{text}");
    assert!(!text.contains("netns=\"b\""), "{text}");
    assert!(!text.contains("lvs_real_server_"), "{text}");
}

/// Two namespaces, an address service with two real servers and a firewall-mark service
/// with none: every metric's samples grouped under its one header, byte for byte.
#[test]
fn golden_output_of_a_small_table() {
    let mut out = Exposition::new();
    let web = ServiceKey::tcp("192.0.2.1:80".parse().unwrap());
    let web = ServiceEntry::new(Service::new(web).with_scheduler(Scheduler::Rr), stats(100));
    let mut first = RealServerEntry::new(
        RealServer::new("10.0.0.2:8080".parse().unwrap())
            .with_forward(ForwardMethod::Masquerade)
            .with_weight(3)
            .with_thresholds(50, 10),
    );
    first.active_conns = 4;
    first.inactive_conns = 5;
    first.persistent_conns = 6;
    first.stats = stats(10);
    let mut second = RealServerEntry::new(RealServer::new("10.0.0.3:80".parse().unwrap()));
    second.stats = stats(20);
    out.service("", &web, &[first, second]);
    out.namespace("", true, Duration::from_micros(1500), 1, 2);
    let mark = ServiceEntry::new(
        Service::new(ServiceKey::fwmark(5, lvs_core::Family::Ipv6)),
        stats(0),
    );
    out.service("blue", &mark, &[]);
    out.namespace("blue", true, Duration::from_millis(2), 1, 0);
    out.kernel(&KernelInfo::new(0x01_02_01, 4096));
    let length = out.len();
    let text = out.finish();
    assert_eq!(length, text.len(), "the length sent ahead of the text");
    let golden = include_str!("golden.prom");
    if text != golden {
        // The whole text, to compare with (or, once checked by eye, to become) golden.prom.
        panic!("differs from metrics/golden.prom; it is:\n{text}");
    }
}

/// The dashboard beside the exporter asks only for metrics the exporter writes (the golden
/// output has every one of them).
#[test]
fn the_grafana_dashboard_names_only_metrics_that_exist() {
    let dashboard = include_str!("../grafana-dashboard.json");
    let golden = include_str!("golden.prom");
    let written: Vec<&str> = golden
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    let mut asked = 0;
    for (start, _) in dashboard.match_indices("lvs_") {
        let name: String = dashboard[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(written.contains(&name.as_str()), "{name} is not a metric");
        asked += 1;
    }
    assert!(asked > 5, "the dashboard asks for {asked} metrics");
}

/// The `Content-Length` is counted without writing: it must be the text's length for
/// every value, whatever its digits.
#[test]
fn the_counted_length_is_the_written_length() {
    for value in [
        0,
        1,
        9,
        10,
        99,
        100,
        12_345,
        u64::from(u32::MAX),
        u64::MAX - 1,
        u64::MAX,
    ] {
        let mut out = Exposition::new();
        out.namespace(
            "ns",
            value % 2 == 0,
            Duration::from_nanos(value % 3_000_000_007),
            value,
            value,
        );
        let mut entry = RealServerEntry::new(RealServer::new("10.0.0.2:8080".parse().unwrap()));
        entry.stats = stats(value / 2);
        let service = ServiceEntry::new(
            Service::new(ServiceKey::tcp("192.0.2.1:80".parse().unwrap())),
            stats(value / 3),
        );
        out.service("ns", &service, &[entry]);
        let length = out.len();
        let mut written = Vec::new();
        out.write_to(&mut written).unwrap();
        assert_eq!(length, written.len(), "{value}");
        assert_eq!(out.finish().into_bytes(), written, "{value}");
    }
}
