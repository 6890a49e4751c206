/*
 * The libipvs layouts of ipvsadm 1.31 on LP64 (x86_64, aarch64), and those of lvs's own
 * structs, pinned at compile time: this file does not build when a size or offset in
 * include/libipvs.h differs. Its tests check the values of the constants a libipvs program
 * uses.
 */
#include <errno.h>
#include <stddef.h>

#include <libipvs.h>

#include "harness.h"

#define AT(type, field, offset) _Static_assert(offsetof(type, field) == (offset), #type "." #field)
#define SIZE(type, size) _Static_assert(sizeof(type) == (size), "sizeof " #type)

SIZE(union nf_inet_addr, 16);
_Static_assert(_Alignof(union nf_inet_addr) == 4, "nf_inet_addr alignment");

SIZE(ipvs_service_t, 84);
AT(ipvs_service_t, protocol, 0);
AT(ipvs_service_t, __addr_v4, 4);
AT(ipvs_service_t, port, 8);
AT(ipvs_service_t, fwmark, 12);
AT(ipvs_service_t, sched_name, 16);
AT(ipvs_service_t, flags, 32);
AT(ipvs_service_t, timeout, 36);
AT(ipvs_service_t, netmask, 40);
AT(ipvs_service_t, af, 44);
AT(ipvs_service_t, addr, 48);
AT(ipvs_service_t, pe_name, 64);
SIZE(struct ip_vs_service_kern, 44);

SIZE(ipvs_dest_t, 52);
AT(ipvs_dest_t, __addr_v4, 0);
AT(ipvs_dest_t, port, 4);
AT(ipvs_dest_t, conn_flags, 8);
AT(ipvs_dest_t, weight, 12);
AT(ipvs_dest_t, u_threshold, 16);
AT(ipvs_dest_t, l_threshold, 20);
AT(ipvs_dest_t, af, 24);
AT(ipvs_dest_t, addr, 28);
AT(ipvs_dest_t, tun_type, 44);
AT(ipvs_dest_t, tun_port, 46);
AT(ipvs_dest_t, tun_flags, 48);
SIZE(struct ip_vs_dest_kern, 24);

SIZE(struct ip_vs_stats_user, 56);
AT(struct ip_vs_stats_user, conns, 0);
AT(struct ip_vs_stats_user, inpkts, 4);
AT(struct ip_vs_stats_user, outpkts, 8);
AT(struct ip_vs_stats_user, inbytes, 16);
AT(struct ip_vs_stats_user, outbytes, 24);
AT(struct ip_vs_stats_user, cps, 32);
AT(struct ip_vs_stats_user, inpps, 36);
AT(struct ip_vs_stats_user, outpps, 40);
AT(struct ip_vs_stats_user, inbps, 44);
AT(struct ip_vs_stats_user, outbps, 48);
SIZE(struct ip_vs_stats64, 80);
AT(struct ip_vs_stats64, conns, 0);
AT(struct ip_vs_stats64, inbytes, 24);
AT(struct ip_vs_stats64, outbps, 72);

SIZE(struct ip_vs_getinfo, 12);
AT(struct ip_vs_getinfo, version, 0);
AT(struct ip_vs_getinfo, size, 4);
AT(struct ip_vs_getinfo, num_services, 8);

SIZE(ipvs_service_entry_t, 224);
_Static_assert(_Alignof(ipvs_service_entry_t) == 8, "service entry alignment");
AT(ipvs_service_entry_t, protocol, 0);
AT(ipvs_service_entry_t, __addr_v4, 4);
AT(ipvs_service_entry_t, port, 8);
AT(ipvs_service_entry_t, fwmark, 12);
AT(ipvs_service_entry_t, sched_name, 16);
AT(ipvs_service_entry_t, flags, 32);
AT(ipvs_service_entry_t, timeout, 36);
AT(ipvs_service_entry_t, netmask, 40);
AT(ipvs_service_entry_t, num_dests, 44);
AT(ipvs_service_entry_t, stats, 48);
AT(ipvs_service_entry_t, af, 104);
AT(ipvs_service_entry_t, addr, 108);
AT(ipvs_service_entry_t, pe_name, 124);
AT(ipvs_service_entry_t, stats64, 144);
SIZE(struct ip_vs_service_entry_kern, 104);

SIZE(ipvs_dest_entry_t, 208);
AT(ipvs_dest_entry_t, __addr_v4, 0);
AT(ipvs_dest_entry_t, port, 4);
AT(ipvs_dest_entry_t, conn_flags, 8);
AT(ipvs_dest_entry_t, weight, 12);
AT(ipvs_dest_entry_t, u_threshold, 16);
AT(ipvs_dest_entry_t, l_threshold, 20);
AT(ipvs_dest_entry_t, activeconns, 24);
AT(ipvs_dest_entry_t, inactconns, 28);
AT(ipvs_dest_entry_t, persistconns, 32);
AT(ipvs_dest_entry_t, stats, 40);
AT(ipvs_dest_entry_t, af, 96);
AT(ipvs_dest_entry_t, addr, 100);
AT(ipvs_dest_entry_t, stats64, 120);
AT(ipvs_dest_entry_t, tun_type, 200);
AT(ipvs_dest_entry_t, tun_port, 202);
AT(ipvs_dest_entry_t, tun_flags, 204);
SIZE(struct ip_vs_dest_entry_kern, 96);

SIZE(struct ip_vs_get_services, 8);
AT(struct ip_vs_get_services, num_services, 0);
AT(struct ip_vs_get_services, entrytable, 8);
SIZE(struct ip_vs_get_services_kern, 8);

SIZE(struct ip_vs_get_dests, 40);
AT(struct ip_vs_get_dests, protocol, 0);
AT(struct ip_vs_get_dests, __addr_v4, 4);
AT(struct ip_vs_get_dests, port, 8);
AT(struct ip_vs_get_dests, fwmark, 12);
AT(struct ip_vs_get_dests, num_dests, 16);
AT(struct ip_vs_get_dests, af, 20);
AT(struct ip_vs_get_dests, addr, 24);
AT(struct ip_vs_get_dests, entrytable, 40);
SIZE(struct ip_vs_get_dests_kern, 24);

SIZE(ipvs_timeout_t, 12);
AT(ipvs_timeout_t, tcp_timeout, 0);
AT(ipvs_timeout_t, tcp_fin_timeout, 4);
AT(ipvs_timeout_t, udp_timeout, 8);

SIZE(ipvs_daemon_t, 52);
AT(ipvs_daemon_t, state, 0);
AT(ipvs_daemon_t, mcast_ifn, 4);
AT(ipvs_daemon_t, syncid, 20);
AT(ipvs_daemon_t, sync_maxlen, 24);
AT(ipvs_daemon_t, mcast_port, 28);
AT(ipvs_daemon_t, mcast_ttl, 30);
AT(ipvs_daemon_t, mcast_af, 32);
AT(ipvs_daemon_t, mcast_group, 36);
SIZE(struct ip_vs_daemon_kern, 24);

SIZE(struct ip_vs_flags, 8);

/* lvs's own structs: not libipvs's, but within the same ABI (libipvs.so.1), so pinned too. */
SIZE(struct lvs_connection, 128);
AT(struct lvs_connection, protocol, 0);
AT(struct lvs_connection, protocol_name, 8);
AT(struct lvs_connection, af, 16);
AT(struct lvs_connection, client_port, 18);
AT(struct lvs_connection, client_addr, 20);
AT(struct lvs_connection, virtual_port, 36);
AT(struct lvs_connection, virtual_addr, 40);
AT(struct lvs_connection, dest_af, 56);
AT(struct lvs_connection, dest_port, 58);
AT(struct lvs_connection, dest_addr, 60);
AT(struct lvs_connection, state, 80);
AT(struct lvs_connection, expires, 88);
AT(struct lvs_connection, is_template, 96);
AT(struct lvs_connection, pe_name, 104);
AT(struct lvs_connection, pe_data, 112);
AT(struct lvs_connection, origin, 120);
SIZE(struct lvs_connection_filter, 40);
AT(struct lvs_connection_filter, service, 0);
AT(struct lvs_connection_filter, server_af, 8);
AT(struct lvs_connection_filter, server_port, 10);
AT(struct lvs_connection_filter, server_addr, 12);
AT(struct lvs_connection_filter, templates, 28);
AT(struct lvs_connection_filter, with_origin, 32);

/* The function types are libipvs's: assigning them to its pointer types must compile. */
static ipvs_service_cmp_t service_cmp = ipvs_cmp_services;
static ipvs_dest_cmp_t dest_cmp = ipvs_cmp_dests;

TEST(version_macros)
{
	CHECK_INT(IP_VS_VERSION_CODE, 0x010201);
	CHECK_INT(IPVS_VERSION(1, 2, 1), IP_VS_VERSION_CODE);
	CHECK_INT(IPVS_VERSION(MINIMUM_IPVS_VERSION_MAJOR, MINIMUM_IPVS_VERSION_MINOR,
			       MINIMUM_IPVS_VERSION_PATCH),
		  0x010104);
	char text[16];
	snprintf(text, sizeof(text), "%d.%d.%d", NVERSION(IP_VS_VERSION_CODE));
	CHECK_STR(text, "1.2.1");
	CHECK_INT(IPVS_SVC_PERSISTENT_TIMEOUT, 360);
	CHECK_STR(IPVS_GENL_NAME, "IPVS");
	CHECK_INT(IPVS_GENL_VERSION, 1);
}

TEST(flag_and_state_values)
{
	CHECK_INT(IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED | IP_VS_SVC_F_ONEPACKET, 0x7);
	CHECK_INT(IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 | IP_VS_SVC_F_SCHED3, 0x38);
	CHECK_INT(IP_VS_SVC_F_SCHED_SH_FALLBACK, 0x8);
	CHECK_INT(IP_VS_SVC_F_SCHED_SH_PORT, 0x10);
	CHECK_INT(IP_VS_SVC_F_SCHED_MH_FALLBACK, 0x8);
	CHECK_INT(IP_VS_SVC_F_SCHED_MH_PORT, 0x10);
	CHECK_INT(IP_VS_CONN_F_MASQ, 0);
	CHECK_INT(IP_VS_CONN_F_LOCALNODE, 1);
	CHECK_INT(IP_VS_CONN_F_TUNNEL, 2);
	CHECK_INT(IP_VS_CONN_F_DROUTE, 3);
	CHECK_INT(IP_VS_CONN_F_BYPASS, 4);
	CHECK_INT(IP_VS_CONN_F_FWD_MASK, 7);
	CHECK_INT(IP_VS_CONN_F_SEQ_MASK, 0x600);
	CHECK_INT(IP_VS_CONN_F_ONE_PACKET, 0x2000);
	CHECK_INT(IP_VS_STATE_NONE, 0);
	CHECK_INT(IP_VS_STATE_MASTER, 1);
	CHECK_INT(IP_VS_STATE_BACKUP, 2);
	CHECK_INT(IP_VS_CONN_F_TUNNEL_TYPE_GRE, 2);
	CHECK_INT(IP_VS_CONN_F_TUNNEL_TYPE_MAX, 3);
	CHECK_INT(IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM, 2);
	CHECK_INT(IP_VS_SCHEDNAME_MAXLEN, 16);
	CHECK_INT(IP_VS_PENAME_MAXLEN, 16);
	CHECK_INT(IP_VS_IFNAME_MAXLEN, 16);
	CHECK_INT(IP_VS_PEDATA_MAXLEN, 255);
}

TEST(sockopt_and_netlink_numbers)
{
	CHECK_INT(IP_VS_BASE_CTL, 1152);
	CHECK_INT(IP_VS_SO_SET_ZERO, 1167);
	CHECK_INT(IP_VS_SO_SET_MAX, 1167);
	CHECK_INT(IP_VS_SO_GET_DAEMON, 1159);
	CHECK_INT(IP_VS_SO_GET_MAX, 1159);
	CHECK_INT(IPVS_CMD_SET_TIMEOUT, 12);
	CHECK_INT(IPVS_CMD_FLUSH, 17);
	CHECK_INT(IPVS_CMD_MAX, 17);
	CHECK_INT(IPVS_CMD_ATTR_MAX, 6);
	CHECK_INT(IPVS_SVC_ATTR_PE_NAME, 11);
	CHECK_INT(IPVS_SVC_ATTR_MAX, 12);
	CHECK_INT(IPVS_DEST_ATTR_ADDR_FAMILY, 11);
	CHECK_INT(IPVS_DEST_ATTR_TUN_FLAGS, 15);
	CHECK_INT(IPVS_DEST_ATTR_MAX, 15);
	CHECK_INT(IPVS_DAEMON_ATTR_MCAST_TTL, 8);
	CHECK_INT(IPVS_DAEMON_ATTR_MAX, 8);
	CHECK_INT(IPVS_STATS_ATTR_OUTBPS, 10);
	CHECK_INT(IPVS_STATS_ATTR_MAX, 10);
	CHECK_INT(IPVS_INFO_ATTR_CONN_TAB_SIZE, 2);
	CHECK_INT(IPVS_INFO_ATTR_MAX, 2);
}

TEST(comparator_types_are_libipvs_s)
{
	CHECK(service_cmp == ipvs_cmp_services);
	CHECK(dest_cmp == ipvs_cmp_dests);
}

static void harness_setup(int argc, char **argv)
{
	(void)argc;
	(void)argv;
}

static void harness_before_each(void)
{
}

HARNESS_MAIN
