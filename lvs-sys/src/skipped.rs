//! Services a resumed dump skipped: which ones to ask for by key, and where each goes in the
//! kernel's order.
//!
//! The kernel resumes a multi-part service dump by position in hash tables every network
//! namespace shares, so while other namespaces change their tables each read of ours can
//! skip services (README "Kernels"). Every read still lists what it lists in the kernel's
//! order: it is that order with some services left out. So a service the last read skipped
//! and an earlier read listed belongs right after the service the earlier read listed
//! before it that the last read has too (or first, if there is none).

use std::collections::HashSet;

use lvs_core::order::cmp_services;
use lvs_core::ServiceKey;

/// A service the last read skipped: its key, and the index in the last read of the service
/// it goes after (`None`: before them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) key: ServiceKey,
    pub(crate) after: Option<usize>,
}

/// Every service one of the `earlier` reads (each in the order it came) listed and `last`
/// did not, once, in the order the first read that listed it gives, with its place.
pub(crate) fn skipped(last: &[ServiceKey], earlier: &[Vec<ServiceKey>]) -> Vec<Skipped> {
    let mut position: Vec<(ServiceKey, usize)> =
        last.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    position.sort_unstable_by(|a, b| cmp_services(&a.0, &b.0));
    let index_in_last = |key: &ServiceKey| {
        position
            .binary_search_by(|(k, _)| cmp_services(k, key))
            .ok()
            .map(|i| position[i].1)
    };
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for read in earlier {
        let mut after = None;
        for key in read {
            match index_in_last(key) {
                Some(i) => after = Some(i),
                None if seen.insert(*key) => found.push(Skipped { key: *key, after }),
                None => {}
            }
        }
    }
    // By place; a stable sort keeps an earlier read's order among those of one place.
    found.sort_by_key(|s| s.after.map_or(0, |i| i + 1));
    found
}

/// `last` with the `recovered` services (those of [`skipped`] still there, in its order,
/// with their places) put in their places.
pub(crate) fn merge<T>(last: Vec<T>, recovered: Vec<(Option<usize>, T)>) -> Vec<T> {
    let mut merged = Vec::with_capacity(last.len() + recovered.len());
    let mut recovered = recovered.into_iter().peekable();
    while let Some((_, entry)) = recovered.next_if(|(after, _)| after.is_none()) {
        merged.push(entry);
    }
    for (i, entry) in last.into_iter().enumerate() {
        merged.push(entry);
        while let Some((_, entry)) = recovered.next_if(|(after, _)| *after == Some(i)) {
            merged.push(entry);
        }
    }
    // Places past the end cannot come from [`skipped`]; kept rather than lost.
    merged.extend(recovered.map(|(_, entry)| entry));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(port: u16) -> ServiceKey {
        ServiceKey::tcp(format!("192.0.2.1:{port}").parse().unwrap())
    }

    fn port(key: &ServiceKey) -> u16 {
        match key {
            ServiceKey::Addr { addr, .. } => addr.port(),
            other => panic!("{other} is not an address service"),
        }
    }

    fn keys(ports: &[u16]) -> Vec<ServiceKey> {
        ports.iter().map(|&p| key(p)).collect()
    }

    /// What the merge of `last` with the skipped services (all still there) gives, as ports.
    fn merged(last: &[u16], earlier: &[&[u16]]) -> Vec<u16> {
        let earlier: Vec<Vec<ServiceKey>> = earlier.iter().map(|r| keys(r)).collect();
        let last_keys = keys(last);
        let found = skipped(&last_keys, &earlier);
        let recovered = found.iter().map(|s| (s.after, port(&s.key))).collect();
        merge(last.to_vec(), recovered)
    }

    #[test]
    fn a_skipped_service_goes_back_where_the_read_that_listed_it_had_it() {
        // The kernel's order is 9 3 7 1 5 (a hash order, not a sorted one).
        assert_eq!(merged(&[9, 3, 1, 5], &[&[9, 3, 7, 1, 5]]), [9, 3, 7, 1, 5]);
        assert_eq!(merged(&[3, 7, 1, 5], &[&[9, 3, 7, 1]]), [9, 3, 7, 1, 5]);
        assert_eq!(merged(&[9, 3, 7, 1], &[&[9, 3, 7, 1, 5]]), [9, 3, 7, 1, 5]);
        // Several skipped in a row, and skips of different reads combined.
        assert_eq!(
            merged(&[9, 5], &[&[9, 3, 7, 5], &[9, 7, 1, 5]]),
            [9, 3, 7, 1, 5]
        );
        // Nothing skipped: the last read as it is.
        assert_eq!(merged(&[9, 3, 7, 1, 5], &[&[9, 3, 1]]), [9, 3, 7, 1, 5]);
        assert_eq!(merged(&[], &[&[4, 2]]), [4, 2]);
    }

    #[test]
    fn each_skipped_service_is_asked_for_once() {
        let earlier = vec![keys(&[9, 3, 7]), keys(&[3, 7, 1]), keys(&[7])];
        let found = skipped(&keys(&[9, 1]), &earlier);
        assert_eq!(
            found,
            [
                Skipped {
                    key: key(3),
                    after: Some(0)
                },
                Skipped {
                    key: key(7),
                    after: Some(0)
                },
            ]
        );
    }

    #[test]
    fn a_service_gone_meanwhile_leaves_the_others_in_their_places() {
        // 7 was skipped and then removed: only 3 comes back.
        let last = keys(&[9, 1]);
        let found = skipped(&last, &[keys(&[9, 3, 7, 1])]);
        let recovered = found
            .iter()
            .filter(|s| s.key != key(7))
            .map(|s| (s.after, port(&s.key)))
            .collect();
        assert_eq!(merge(vec![9, 1], recovered), [9, 3, 1]);
    }
}
