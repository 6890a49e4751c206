//! Kernel test that runs alone, after the main kernel suite: it churns services in one
//! namespace while reading another, which would disturb any test running beside it (the
//! kernel resumes service dumps by position in hash tables shared by all namespaces).

#[path = "../kernel/support.rs"]
#[allow(dead_code)]
mod support;

use std::sync::Arc;

use lvs_core::{Ipvs, Service, ServiceKey};

use crate::support::{require_ipvs_kernel, Netns};

#[test]
fn dumps_stay_whole_while_another_namespace_changes_its_table() {
    require_ipvs_kernel();
    // The kernel keeps every namespace's services in shared hash tables and resumes a dump
    // by position in them; churn elsewhere must not make lvs list a service twice or miss one.
    let busy = Netns::new("churn");
    let quiet = Netns::new("quiet");
    let ipvs = quiet.lvs();
    let mut expected = Vec::new();
    for i in 0..300u16 {
        let key = ServiceKey::tcp(format!("192.0.2.7:{}", 1 + i).parse().unwrap());
        ipvs.add_service(&Service::new(key)).unwrap();
        expected.push(key);
    }
    for mark in 1..=3 {
        let key = ServiceKey::fwmark(mark, lvs_core::Family::Ipv4);
        ipvs.add_service(&Service::new(key)).unwrap();
        expected.push(key);
    }
    expected.sort_by(lvs_core::order::cmp_services);

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let stop = Arc::clone(&stop);
        let other = busy.lvs();
        std::thread::spawn(move || {
            let mut round = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for i in 0..200u16 {
                    let key = ServiceKey::tcp(format!("198.51.100.9:{}", 1 + i).parse().unwrap());
                    other.add_service(&Service::new(key)).unwrap();
                }
                other.flush().unwrap();
                round += 1;
            }
            round
        })
    };
    // What lvs guarantees under churn: never a service twice, never one that is not there.
    // What it cannot: a resumed dump can still skip services when every re-read is skipped
    // alike (the churn here is periodic), so short reads are counted, not refused.
    let (mut reads, mut short) = (0, 0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let listed: Vec<ServiceKey> = ipvs
            .services()
            .unwrap()
            .into_iter()
            .map(|e| e.service.key)
            .collect();
        let mut unique = listed.clone();
        unique.sort_by(lvs_core::order::cmp_services);
        unique.dedup();
        assert_eq!(
            unique.len(),
            listed.len(),
            "read {reads} lists a service twice"
        );
        assert!(
            unique.iter().all(|k| expected.contains(k)),
            "read {reads} lists a service that is not there"
        );
        short += usize::from(unique != expected);
        reads += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rounds = churn.join().unwrap();
    println!(
        "{reads} reads of 303 services during {rounds} rounds of churn elsewhere: {short} short"
    );
    assert!(rounds > 0 && reads > 0);
    // Once the churn stops, a read is whole.
    let mut listed: Vec<ServiceKey> = ipvs
        .services()
        .unwrap()
        .into_iter()
        .map(|e| e.service.key)
        .collect();
    listed.sort_by(lvs_core::order::cmp_services);
    assert_eq!(listed, expected);
}
