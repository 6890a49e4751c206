//! The command line of the full run and of the codec-only run.

use std::path::PathBuf;

/// Options of the full run.
pub(crate) struct Config {
    pub(crate) sizes: Vec<usize>,
    pub(crate) out: PathBuf,
    pub(crate) pyroute2_max: usize,
    pub(crate) python: Option<String>,
    pub(crate) pyroute2_script: Option<String>,
    pub(crate) codec_only: bool,
    /// The faces as users run them (`faces`): lvsctl, the Python script on the `lvs`
    /// package (run by `python`) and ipvsadm built on lvs.
    pub(crate) lvsctl: Option<String>,
    pub(crate) lvs_script: Option<String>,
    pub(crate) ipvsadm_lvs: Option<String>,
    pub(crate) exporter: Option<String>,
}

pub(crate) fn parse_args() -> Result<Config, String> {
    let mut config = Config {
        sizes: vec![1000, 3000, 10_000, 30_000],
        out: PathBuf::from("target/bench"),
        pyroute2_max: 3000,
        python: None,
        pyroute2_script: None,
        codec_only: false,
        lvsctl: None,
        lvs_script: None,
        ipvsadm_lvs: None,
        exporter: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "codec" => config.codec_only = true,
            "--sizes" => {
                config.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|_| format!("bad size {s:?}")))
                    .collect::<Result<_, _>>()?
            }
            "--out" => config.out = PathBuf::from(value()?),
            "--pyroute2-max" => {
                config.pyroute2_max = value()?.parse().map_err(|_| "bad --pyroute2-max")?
            }
            "--python" => config.python = Some(value()?),
            "--pyroute2-script" => config.pyroute2_script = Some(value()?),
            "--lvsctl" => config.lvsctl = Some(value()?),
            "--lvs-script" => config.lvs_script = Some(value()?),
            "--ipvsadm-lvs" => config.ipvsadm_lvs = Some(value()?),
            "--exporter" => config.exporter = Some(value()?),
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    if config.sizes.iter().any(|&n| n < 100) {
        return Err("sizes start at 100 services (the 1% change needs them)".into());
    }
    Ok(config)
}
