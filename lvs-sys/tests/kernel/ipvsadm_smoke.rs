//! The path works end to end: a namespace in the guest, Debian's ipvsadm, the kernel's IPVS.

use crate::support::{require_ipvs_kernel, Netns};

#[test]
fn ipvsadm_adds_a_nat_service_and_saves_it_back() {
    let release = require_ipvs_kernel();
    println!("guest kernel: {release}");
    let ns = Netns::new("smoke");
    ns.ipvsadm(&["-A", "-t", "192.0.2.10:80", "-s", "rr"]);
    ns.ipvsadm(&[
        "-a",
        "-t",
        "192.0.2.10:80",
        "-r",
        "198.51.100.11:8080",
        "-m",
        "-w",
        "3",
    ]);
    ns.ipvsadm(&[
        "-a",
        "-t",
        "192.0.2.10:80",
        "-r",
        "198.51.100.12:8080",
        "-m",
    ]);
    let saved = ns.ipvsadm(&["-Sn"]);
    assert_eq!(
        saved,
        "-A -t 192.0.2.10:80 -s rr\n\
         -a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n\
         -a -t 192.0.2.10:80 -r 198.51.100.12:8080 -m -w 1\n"
    );
}

#[test]
fn each_namespace_has_its_own_table() {
    require_ipvs_kernel();
    let a = Netns::new("iso-a");
    let b = Netns::new("iso-b");
    a.ipvsadm(&["-A", "-u", "192.0.2.53:53", "-s", "sh"]);
    assert_eq!(a.ipvsadm(&["-Sn"]), "-A -u 192.0.2.53:53 -s sh\n");
    assert_eq!(b.ipvsadm(&["-Sn"]), "", "namespace b sees a's service");
}
