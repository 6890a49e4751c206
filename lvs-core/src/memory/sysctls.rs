//! The `net.ipv4.vs` sysctls of one simulated namespace: the knobs of a kernel (6.12's by
//! default) with their defaults, and the kernel's answers to writes that lvs's own check
//! ([`crate::sysctl::check`]) lets through.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::sysctl::{self, CpuList, SysctlKind, SysctlSetting, SysctlValue};

/// The free memory the model has, in pages (1 GiB of 4 KiB pages): the automatic defense
/// modes are active while `amemthresh` is above it.
pub const MODEL_FREE_PAGES: i64 = 262_144;

/// The knobs of a namespace, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sysctls {
    values: BTreeMap<String, SysctlValue>,
    /// The CPUs of the machine (0 to `cpus - 1`), for `est_cpulist`.
    cpus: u32,
}

impl Sysctls {
    /// A fresh namespace of a kernel with every knob of lvs's table, on a one-CPU machine.
    pub(super) fn new() -> Sysctls {
        let values = sysctl::KNOBS
            .iter()
            .map(|k| (k.name.to_owned(), k.default_value()))
            .collect();
        Sysctls { values, cpus: 1 }
    }

    /// Keeps only the knobs Linux `major.minor` has.
    pub(super) fn for_kernel(&mut self, major: u32, minor: u32) {
        self.values
            .retain(|name, _| sysctl::knob_named(name).is_none_or(|k| k.in_kernel(major, minor)));
    }

    /// A machine of `cpus` CPUs: `est_cpulist` (if the kernel has it) names them all.
    pub(super) fn set_cpus(&mut self, cpus: u32) {
        self.cpus = cpus.max(1);
        if let Some(list) = self.values.get_mut("est_cpulist") {
            *list = SysctlValue::Text(match self.cpus {
                1 => "0".to_owned(),
                n => format!("0-{}", n - 1),
            });
        }
    }

    /// Declares a knob with its value, as the kernel would print it (unchecked: it says
    /// what the kernel has, like a value read back).
    pub(super) fn declare(&mut self, name: &str, value: &SysctlValue) {
        let name = sysctl::short_name(name);
        let value = sysctl::from_kernel(name, &sysctl::kernel_text(value));
        self.values.insert(name.to_owned(), value);
    }

    /// Removes a knob, as from a kernel without it.
    pub(super) fn remove(&mut self, name: &str) {
        self.values.remove(sysctl::short_name(name));
    }

    fn unavailable(name: &str) -> Error {
        Error::SysctlUnavailable {
            name: name.to_owned(),
            kernel: None,
        }
    }

    pub(super) fn get(&self, name: &str) -> Result<SysctlValue, Error> {
        let name = sysctl::check_name(name)?;
        self.values
            .get(name)
            .map(|value| self.as_read(name, value))
            .ok_or_else(|| Sysctls::unavailable(name))
    }

    pub(super) fn list(&self) -> Vec<SysctlSetting> {
        self.values
            .iter()
            .map(|(name, value)| SysctlSetting::new(name, self.as_read(name, value)))
            .collect()
    }

    /// A value as a read finds it: an automatic defense mode (kept as written, 1 or 2)
    /// reads 2 while memory is short and 1 otherwise, as the kernel has it after its
    /// once-a-second evaluation (the kernel also evaluates at once when the mode is
    /// written).
    fn as_read(&self, name: &str, value: &SysctlValue) -> SysctlValue {
        let automatic = matches!(value.as_i64(), Some(1 | 2))
            && sysctl::knob_named(name).is_some_and(|k| k.kind == SysctlKind::DefenseMode);
        if !automatic {
            return value.clone();
        }
        let threshold = self.values.get("amemthresh").and_then(|v| v.as_i64());
        let short = threshold.is_some_and(|t| t > MODEL_FREE_PAGES);
        SysctlValue::Integer(if short { 2 } else { 1 })
    }

    /// A write, in the order the backends check: the name, lvs's check of the value, then
    /// whether the namespace has the knob, then what the kernel refuses or changes.
    pub(super) fn set(&mut self, name: &str, value: &SysctlValue) -> Result<(), Error> {
        let name = sysctl::check_name(name)?;
        let value = sysctl::check(name, value)?;
        if !self.values.contains_key(name) {
            return Err(Sysctls::unavailable(name));
        }
        let kind = sysctl::knob_named(name).map(|k| k.kind);
        let stored = match kind {
            Some(SysctlKind::CpuList) => {
                let text = value.to_string();
                let cpus = CpuList::parse(&text)
                    .map_err(|reason| Error::invalid("est_cpulist", reason))?
                    .cpus(self.cpus)
                    .map_err(|reason| Error::SysctlRefused {
                        name: name.to_owned(),
                        value: text.clone(),
                        reason,
                    })?;
                SysctlValue::Text(sysctl::format_cpus(&cpus))
            }
            Some(_) => value,
            // What the kernel keeps of a knob lvs does not know, it prints back: the model
            // keeps the text as lvs would read it.
            None => sysctl::from_kernel(name, &sysctl::kernel_text(&value)),
        };
        self.values.insert(name.to_owned(), stored);
        Ok(())
    }
}
