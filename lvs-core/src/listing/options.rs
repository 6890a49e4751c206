//! What a listing shows: the column layout, exact counters, sorting.

/// The column layout of a service listing, one per ipvsadm list option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ListFormat {
    /// Scheduler, flags and persistence per service; forwarding, weight and connection
    /// counts per real server (`ipvsadm -L -n`).
    #[default]
    Default,
    /// Connection, packet and byte counters (`--stats`).
    Stats,
    /// Connection, packet and byte rates (`--rate`).
    Rate,
    /// Connection thresholds and counts of real servers (`--thresholds`).
    Thresholds,
    /// Persistence templates per real server (`--persistent-conn`).
    PersistentConn,
    /// Tunnel encapsulation per real server (`--tun-info`).
    TunInfo,
}

impl ListFormat {
    /// Every format, from the one ipvsadm prefers most to the least when several are asked
    /// for at once: stats > rate > thresholds > persistent-conn > tun-info > default.
    pub const BY_PRECEDENCE: [ListFormat; 6] = [
        ListFormat::Stats,
        ListFormat::Rate,
        ListFormat::Thresholds,
        ListFormat::PersistentConn,
        ListFormat::TunInfo,
        ListFormat::Default,
    ];

    /// The format ipvsadm uses when all of `requested` are given on one command line
    /// (see [`ListFormat::BY_PRECEDENCE`]); [`ListFormat::Default`] when none are.
    pub fn by_precedence(requested: impl IntoIterator<Item = ListFormat>) -> ListFormat {
        let rank = |f: &ListFormat| ListFormat::BY_PRECEDENCE.iter().position(|p| p == f);
        requested
            .into_iter()
            .min_by_key(|f| rank(f))
            .unwrap_or_default()
    }

    /// The two header lines of the format, each ending in a newline.
    pub fn header(self) -> &'static str {
        match self {
            ListFormat::Default => concat!(
                "Prot LocalAddress:Port Scheduler Flags\n",
                "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
            ),
            ListFormat::Stats => concat!(
                "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n",
                "  -> RemoteAddress:Port\n",
            ),
            ListFormat::Rate => concat!(
                "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n",
                "  -> RemoteAddress:Port\n",
            ),
            ListFormat::Thresholds => concat!(
                "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n",
                "  -> RemoteAddress:Port\n",
            ),
            ListFormat::PersistentConn => concat!(
                "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n",
                "  -> RemoteAddress:Port\n",
            ),
            ListFormat::TunInfo => concat!(
                "Prot LocalAddress:Port Scheduler Flags\n",
                "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n",
            ),
        }
    }
}

/// How to list services: the layout, whether counters are exact, whether to sort.
///
/// The default is ipvsadm's `-L -n`: [`ListFormat::Default`], abbreviated counters, sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListOptions {
    /// The column layout.
    pub format: ListFormat,
    /// Write counters and rates in full (`--exact`) instead of abbreviating them with
    /// K/M/G/T. Only the stats and rate layouts show counters.
    pub exact: bool,
    /// Sort services and real servers (ipvsadm's default); `false` keeps the order given,
    /// i.e. the kernel's, like `--nosort`.
    pub sort: bool,
}

impl ListOptions {
    /// The options of a plain `ipvsadm -L -n`.
    pub const fn new() -> ListOptions {
        ListOptions {
            format: ListFormat::Default,
            exact: false,
            sort: true,
        }
    }

    /// Sets the layout.
    pub const fn with_format(mut self, format: ListFormat) -> ListOptions {
        self.format = format;
        self
    }

    /// Writes counters in full (`--exact`).
    pub const fn exact(mut self) -> ListOptions {
        self.exact = true;
        self
    }

    /// Keeps the order given instead of sorting (`--nosort`).
    pub const fn nosort(mut self) -> ListOptions {
        self.sort = false;
        self
    }
}

impl Default for ListOptions {
    fn default() -> ListOptions {
        ListOptions::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_format_ipvsadm_prefers() {
        use ListFormat::*;
        assert_eq!(ListFormat::by_precedence([]), Default);
        assert_eq!(ListFormat::by_precedence([TunInfo, Rate, Thresholds]), Rate);
        assert_eq!(ListFormat::by_precedence([PersistentConn, Stats]), Stats);
        assert_eq!(
            ListFormat::by_precedence([TunInfo, PersistentConn]),
            PersistentConn
        );
        assert_eq!(ListFormat::by_precedence([Default, TunInfo]), TunInfo);
    }

    #[test]
    fn headers_have_ipvsadm_widths() {
        let first = |f: ListFormat| f.header().lines().next().unwrap().to_owned();
        let stats = format!(
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"
        );
        assert_eq!(first(ListFormat::Stats), stats);
        let rate = format!(
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"
        );
        assert_eq!(first(ListFormat::Rate), rate);
        let thresholds = format!(
            "{:<33} {:<10} {:<10} {:<10} {:<10}",
            "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"
        );
        assert_eq!(first(ListFormat::Thresholds), thresholds);
        let persistent = format!(
            "{:<33} {:<9} {:<11} {:<10} {:<10}",
            "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn"
        );
        assert_eq!(first(ListFormat::PersistentConn), persistent);
    }
}
