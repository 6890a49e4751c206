//! Applying many groups of operations with the next group framed on a second thread.
//!
//! The kernel carries out a group's requests inside the system call that sends them, so the
//! sending thread is busy in the kernel for most of a large apply. Framing the next group
//! (checking each operation's limits, encoding its request) meanwhile on another thread
//! takes that work off the sending thread's path. What is sent, and every outcome, is what
//! [`crate::netlink::NetlinkIpvs`]'s group-by-group apply gives: the same groups, the same
//! requests in the same datagrams, numbered the same, nothing sent after a group in which
//! one failed.

use std::sync::mpsc;

use lvs_core::ops::{Operation, Outcome};

use crate::codec::message::OperationRequest;
use crate::error::Error;
use crate::netlink::{group_failed, record_exchange, split_by_limits};
use crate::transport::{Connection, FramedBatch};

/// Groups from which framing ahead pays for its thread.
const MIN_GROUPS: usize = 4;

/// Groups framed ahead of the one being sent: enough to keep the sender from waiting,
/// few enough that a failure early on wastes little.
const AHEAD: usize = 2;

/// Whether `operations` are applied through the pipeline: there are enough of them, the
/// machine has a second CPU for the framing, and every one is a netlink request that
/// answers at once (no sysctl write, which is a file and not a request, and no sync daemon,
/// whose answer takes longer than the handle's own wait).
pub(crate) fn suits(operations: &[Operation], group_size: usize) -> bool {
    operations.len() >= MIN_GROUPS * group_size.max(1)
        && operations.iter().all(|op| {
            OperationRequest::new(op).is_some()
                && !matches!(op, Operation::StartDaemon(_) | Operation::StopDaemon(_))
        })
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// A group ready to send: the operations refused before sending (by index in the group,
/// with the error) and the batch of the others.
struct Prepared {
    refused: Vec<(usize, Error)>,
    sendable: Vec<usize>,
    batch: FramedBatch,
}

/// Checks and frames `group`, numbered after `*seq`.
fn prepare(group: &[Operation], family: u16, seq: &mut u32) -> Prepared {
    let (refused, mut sendable) = split_by_limits(group);
    let mut requests = Vec::with_capacity(sendable.len());
    // Every operation has a request ([`suits`] holds it); one without would be left unsent.
    sendable.retain(|&i| match OperationRequest::new(&group[i]) {
        Some(request) => {
            requests.push(request);
            true
        }
        None => false,
    });
    Prepared {
        refused,
        sendable,
        batch: FramedBatch::new(&requests, family, seq),
    }
}

/// Applies `operations` (which [`suits`] accepted) in groups of `group_size`, appending one
/// outcome per operation to `outcomes`. Returns whether one failed.
pub(crate) fn apply(
    conn: &mut Connection,
    operations: &[Operation],
    group_size: usize,
    outcomes: &mut Vec<Outcome<Error>>,
) -> bool {
    let group_size = group_size.max(1);
    let (family, first_seq) = conn.framing();
    std::thread::scope(|scope| {
        let (ready, arrivals) = mpsc::sync_channel::<Prepared>(AHEAD);
        let framer = scope.spawn(move || {
            let mut seq = first_seq;
            for group in operations.chunks(group_size) {
                // The sender stopped: nothing more is needed.
                if ready.send(prepare(group, family, &mut seq)).is_err() {
                    break;
                }
            }
        });
        let mut failed = false;
        for group in operations.chunks(group_size) {
            let first = outcomes.len();
            outcomes.extend(group.iter().map(|_| Outcome::NotSent));
            if failed {
                continue;
            }
            let prepared = arrivals.recv().unwrap_or_else(|_| {
                // The framing thread ended early (it cannot, short of a panic): this one
                // frames the group, numbered where the connection is.
                let (family, mut seq) = conn.framing();
                prepare(group, family, &mut seq)
            });
            let outcomes = &mut outcomes[first..];
            for (i, e) in prepared.refused {
                outcomes[i] = Outcome::Failed(e);
                failed = true;
            }
            if !prepared.sendable.is_empty() {
                let answers = conn.exchange_framed(&prepared.batch);
                failed |= !record_exchange(group, &prepared.sendable, answers, outcomes);
            }
            failed |= group_failed(outcomes);
        }
        // Ends the framing thread's wait for room, if it is still framing.
        drop(arrivals);
        // Joined here so that a panic in it stays there (its groups were framed again).
        let _ = framer.join();
        failed
    })
}
