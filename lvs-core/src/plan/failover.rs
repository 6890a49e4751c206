//! The sync daemons a director runs for its VRRP state: the director holding the VIP sends
//! its connections (master daemon), the others receive them (backup daemon), so whichever
//! takes over next already knows the connections, and the old master learns them back.

use std::fmt;

use super::daemon_matches;
use crate::model::{DaemonRole, SyncDaemon};
use crate::ops::Operation;

/// A VRRP instance's state, as keepalived names it to its notify scripts (the third of the
/// arguments it appends: type, name, state, priority).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VrrpState {
    /// `MASTER`: this director holds the VIP.
    Master,
    /// `BACKUP`: another director holds it.
    Backup,
    /// `FAULT`: this director cannot serve (a tracked interface or script failed).
    Fault,
    /// `STOP`: the VRRP instance is stopping (keepalived shuts down).
    Stop,
}

impl VrrpState {
    /// The state of keepalived's name for it (`MASTER`, `BACKUP`, `FAULT`, `STOP`, any
    /// case); `None` for anything else.
    pub fn from_name(name: &str) -> Option<VrrpState> {
        match name.to_ascii_uppercase().as_str() {
            "MASTER" => Some(VrrpState::Master),
            "BACKUP" => Some(VrrpState::Backup),
            "FAULT" => Some(VrrpState::Fault),
            "STOP" => Some(VrrpState::Stop),
            _ => None,
        }
    }

    /// The sync daemon role a director in this state runs; `None` when it runs none.
    ///
    /// A faulty director still receives: once repaired it becomes a backup that already
    /// knows the master's connections. A stopping one leaves the cluster and runs neither.
    pub fn daemon_role(self) -> Option<DaemonRole> {
        match self {
            VrrpState::Master => Some(DaemonRole::Master),
            VrrpState::Backup | VrrpState::Fault => Some(DaemonRole::Backup),
            VrrpState::Stop => None,
        }
    }
}

impl fmt::Display for VrrpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VrrpState::Master => "MASTER",
            VrrpState::Backup => "BACKUP",
            VrrpState::Fault => "FAULT",
            VrrpState::Stop => "STOP",
        })
    }
}

/// The operations that make the `running` sync daemons what a director in `state` runs:
/// one daemon of [`VrrpState::daemon_role`] with `settings`' interface, sync id and other
/// values (its own role is ignored), and no daemon of the other role. Daemons that already
/// match are left running (a notify script may run twice); stops come before the start.
pub fn sync_daemons_for(
    state: VrrpState,
    running: &[SyncDaemon],
    settings: &SyncDaemon,
) -> Vec<Operation> {
    let want = state.daemon_role().map(|role| SyncDaemon {
        role,
        ..settings.clone()
    });
    let mut stops = Vec::new();
    let mut start = None;
    for role in [DaemonRole::Master, DaemonRole::Backup] {
        let have = running.iter().find(|d| d.role == role);
        let wanted = want.as_ref().filter(|w| w.role == role);
        match (have, wanted) {
            (Some(have), Some(want)) if daemon_matches(have, want) => {}
            (Some(_), Some(want)) => {
                stops.push(Operation::StopDaemon(role));
                start = Some(Operation::StartDaemon(want.clone()));
            }
            (None, Some(want)) => start = Some(Operation::StartDaemon(want.clone())),
            (Some(_), None) => stops.push(Operation::StopDaemon(role)),
            (None, None) => {}
        }
    }
    stops.extend(start);
    stops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daemon(role: DaemonRole, interface: &str, id: u32) -> SyncDaemon {
        let mut d = SyncDaemon::new(role, interface);
        d.sync_id = id;
        d
    }

    #[test]
    fn each_state_runs_its_one_daemon() {
        let settings = daemon(DaemonRole::Backup, "sync0", 7);
        let master = daemon(DaemonRole::Master, "sync0", 7);
        let backup = daemon(DaemonRole::Backup, "sync0", 7);
        use Operation::{StartDaemon, StopDaemon};
        // Becoming master: the backup daemon stops, the master starts.
        assert_eq!(
            sync_daemons_for(VrrpState::Master, std::slice::from_ref(&backup), &settings),
            [StopDaemon(DaemonRole::Backup), StartDaemon(master.clone())]
        );
        // Already so: nothing (notify scripts can run twice).
        assert_eq!(
            sync_daemons_for(VrrpState::Master, std::slice::from_ref(&master), &settings),
            []
        );
        // Becoming backup or faulty: the other way round.
        for state in [VrrpState::Backup, VrrpState::Fault] {
            assert_eq!(
                sync_daemons_for(state, std::slice::from_ref(&master), &settings),
                [StopDaemon(DaemonRole::Master), StartDaemon(backup.clone())]
            );
        }
        // A daemon of the right role with other settings is restarted.
        let other = daemon(DaemonRole::Master, "eth1", 7);
        assert_eq!(
            sync_daemons_for(VrrpState::Master, &[other], &settings),
            [StopDaemon(DaemonRole::Master), StartDaemon(master.clone())]
        );
        // Stopping: none at all.
        assert_eq!(
            sync_daemons_for(VrrpState::Stop, &[master, backup], &settings),
            [
                StopDaemon(DaemonRole::Master),
                StopDaemon(DaemonRole::Backup)
            ]
        );
        assert_eq!(VrrpState::from_name("master"), Some(VrrpState::Master));
        assert_eq!(VrrpState::from_name("DELETED"), None);
    }
}
