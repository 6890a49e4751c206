/*
 * libipvs contracts that need no kernel IPVS: NULL arguments (lvs_connections' too),
 * lvs_version, every ipvs_strerror text after each function that registers itself for it
 * (the table in lvs-ffi/src/strerror.rs), the per-thread "last function", libipvs's
 * comparators and sorts, and what ipvs_init and lvs_open say when the kernel has
 * no IPVS. Runs on the build host (under valgrind in tests/suites/ffi/host).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <libipvs.h>

#include "harness.h"

static int host_has_ipvs;

TEST(null_arguments_fail_with_einval_and_touch_nothing)
{
	ipvs_service_t svc;
	memset(&svc, 0, sizeof(svc));
	CHECK_FAILS(ipvs_add_service(NULL), EINVAL);
	CHECK_FAILS(ipvs_update_service(NULL), EINVAL);
	CHECK_FAILS(ipvs_del_service(NULL), EINVAL);
	CHECK_FAILS(ipvs_zero_service(NULL), EINVAL);
	CHECK_FAILS(ipvs_add_dest(NULL, NULL), EINVAL);
	CHECK_FAILS(ipvs_add_dest(&svc, NULL), EINVAL);
	CHECK_FAILS(ipvs_update_dest(&svc, NULL), EINVAL);
	CHECK_FAILS(ipvs_del_dest(NULL, NULL), EINVAL);
	CHECK_FAILS(ipvs_set_timeout(NULL), EINVAL);
	CHECK_FAILS(ipvs_start_daemon(NULL), EINVAL);
	CHECK_FAILS(ipvs_stop_daemon(NULL), EINVAL);
	CHECK_FAILS(ipvs_cmp_services(NULL, NULL), EINVAL);
	CHECK_FAILS(ipvs_cmp_dests(NULL, NULL), EINVAL);
	errno = 0;
	CHECK(ipvs_get_dests(NULL) == NULL);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	ipvs_sort_services(NULL, ipvs_cmp_services);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	ipvs_sort_dests(NULL, ipvs_cmp_dests);
	CHECK_INT(errno, EINVAL);
	struct ip_vs_get_services empty = { .num_services = 0 };
	errno = 0;
	ipvs_sort_services(&empty, NULL);
	CHECK_INT(errno, EINVAL);
	/* The struct passed along with a NULL is left as it was. */
	ipvs_service_t zero;
	memset(&zero, 0, sizeof(zero));
	CHECK(memcmp(&svc, &zero, sizeof(svc)) == 0);
}

TEST(lvs_null_arguments)
{
	CHECK_INT(lvs_open(NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	CHECK_INT(lvs_last_error_errno(), EINVAL);
	struct lvs_handle *h = (struct lvs_handle *)1;
	CHECK_INT(lvs_open_netns(NULL, &h), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	CHECK(h == (struct lvs_handle *)1);
	CHECK_INT(lvs_apply_rules(NULL, "-C\n", NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	CHECK_INT(lvs_save_rules(NULL, NULL, 0, NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	lvs_close(NULL);
	char msg[128];
	CHECK(lvs_last_error_message(msg, sizeof(msg)) > 0);
	CHECK_STR(msg, "lvs_save_rules: handle is NULL");
	/* The ipvsadm form is its own function, with its own name in errors. */
	CHECK_INT(lvs_save_rules_ipvsadm(NULL, NULL, 0, NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	CHECK(lvs_last_error_message(msg, sizeof(msg)) > 0);
	CHECK_STR(msg, "lvs_save_rules_ipvsadm: handle is NULL");
	CHECK_INT(lvs_sysctl_get(NULL, "conntrack", NULL, 0, NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	lvs_last_error_message(msg, sizeof(msg));
	CHECK_STR(msg, "lvs_sysctl_get: handle is NULL");
	CHECK_INT(lvs_sysctl_set(NULL, "conntrack", "1"), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	CHECK_INT(lvs_last_error_errno(), EINVAL);
	CHECK_INT(lvs_sysctl_list(NULL, NULL, 0, NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
}

static int never_called(const struct lvs_connection *c, void *ctx)
{
	(void)c;
	++*(int *)ctx;
	return 0;
}

/* Without a handle nothing is read and the callback is never called; the message names
 * what is missing. (A NULL callback with an open handle is checked in kernel.c, where a
 * handle can be opened.) */
TEST(lvs_connections_refuses_a_null_handle)
{
	int calls = 0;
	char msg[128];
	struct lvs_connection_filter all = { .templates = -1 };
	CHECK_INT(lvs_connections(NULL, &all, never_called, &calls), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	CHECK_INT(lvs_last_error_errno(), EINVAL);
	CHECK(lvs_last_error_message(msg, sizeof(msg)) > 0);
	CHECK_STR(msg, "lvs_connections: handle is NULL");
	CHECK_INT(lvs_connections(NULL, NULL, NULL, NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	CHECK(lvs_last_error_message(msg, sizeof(msg)) > 0);
	CHECK_STR(msg, "lvs_connections: handle is NULL");
	CHECK_INT(calls, 0);
}

/* The header's version macros and the library's lvs_version() say the same version. */
TEST(lvs_version_agrees_with_the_header)
{
	char expected[32];
	snprintf(expected, sizeof(expected), "%d.%d.%d", LVS_VERSION_MAJOR, LVS_VERSION_MINOR,
		 LVS_VERSION_PATCH);
	CHECK_STR(LVS_VERSION_STRING, expected);
	CHECK(lvs_version() != NULL);
	CHECK_STR(lvs_version(), LVS_VERSION_STRING);
	/* Static: the same pointer every time. */
	CHECK(lvs_version() == lvs_version());
}

TEST(last_error_message_is_cut_like_snprintf)
{
	CHECK_INT(lvs_save_rules(NULL, NULL, 0, NULL), LVS_ERR_NULL_OR_INVALID_ARGUMENT);
	const char *full = "lvs_save_rules: handle is NULL";
	char small[8];
	memset(small, 'x', sizeof(small));
	CHECK_INT(lvs_last_error_message(small, sizeof(small)), strlen(full));
	CHECK_STR(small, "lvs_sav");
	CHECK_INT(lvs_last_error_message(NULL, 0), strlen(full));
	CHECK_INT(lvs_last_error_line(), 0);
}

/* Each registering function, called so that it fails before reaching the kernel (NULL
 * argument or an address family the kernel refuses), leaves its rows of the table. */
static void register_add_service(void) { ipvs_add_service(NULL); }
static void register_update_service(void) { ipvs_update_service(NULL); }
static void register_del_service(void) { ipvs_del_service(NULL); }
static void register_zero_service(void) { ipvs_zero_service(NULL); }
static void register_add_dest(void) { ipvs_add_dest(NULL, NULL); }
static void register_update_dest(void) { ipvs_update_dest(NULL, NULL); }
static void register_del_dest(void) { ipvs_del_dest(NULL, NULL); }
static void register_start_daemon(void) { ipvs_start_daemon(NULL); }
static void register_stop_daemon(void) { ipvs_stop_daemon(NULL); }
static void register_get_dests(void) { ipvs_get_dests(NULL); }
static void register_get_service(void)
{
	union nf_inet_addr any;
	memset(&any, 0, sizeof(any));
	ipvs_get_service(0, 7, IPPROTO_TCP, any, 0);
}
static void register_set_timeout(void) { ipvs_set_timeout(NULL); }

static const struct {
	const char *name;
	void (*call)(void);
	int err;
	const char *text;
} rows[] = {
	{ "ipvs_add_service", register_add_service, EEXIST, "Service already exists" },
	{ "ipvs_add_service", register_add_service, ENOENT, "Scheduler or persistence engine not found" },
	{ "ipvs_update_service", register_update_service, ESRCH, "No such service" },
	{ "ipvs_update_service", register_update_service, ENOENT, "Scheduler or persistence engine not found" },
	{ "ipvs_del_service", register_del_service, ESRCH, "No such service" },
	{ "ipvs_zero_service", register_zero_service, ESRCH, "No such service" },
	{ "ipvs_add_dest", register_add_dest, ESRCH, "Service not defined" },
	{ "ipvs_add_dest", register_add_dest, EEXIST, "Destination already exists" },
	{ "ipvs_update_dest", register_update_dest, ESRCH, "Service not defined" },
	{ "ipvs_update_dest", register_update_dest, ENOENT, "No such destination" },
	{ "ipvs_del_dest", register_del_dest, ESRCH, "Service not defined" },
	{ "ipvs_del_dest", register_del_dest, ENOENT, "No such destination" },
	{ "ipvs_start_daemon", register_start_daemon, EEXIST, "Daemon has already run" },
	{ "ipvs_stop_daemon", register_stop_daemon, ESRCH, "No daemon is running" },
	{ "ipvs_get_dests", register_get_dests, ESRCH, "No such service" },
	{ "ipvs_get_service", register_get_service, ESRCH, "No such service" },
};

TEST(strerror_texts_follow_the_last_registering_function)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rows[i].call();
		if (!CHECK_STR_T(ipvs_strerror(rows[i].err), rows[i].text))
			fprintf(stderr, "    after %s\n", rows[i].name);
	}
}

TEST(strerror_rows_for_any_function_and_the_fallback)
{
	const int errs[] = { EPERM, EINVAL, ENOPROTOOPT, ENOMEM, EOPNOTSUPP, EAFNOSUPPORT, EMSGSIZE };
	const char *texts[] = {
		"Permission denied (you must be root)",
		"Invalid operation.  Possibly wrong module version, address not unicast, ...",
		"Protocol not available",
		"Memory allocation problem",
		"Operation not supported with IPv6",
		"Operation not supported with specified address family",
		"Module is wrong version",
	};
	void (*calls[])(void) = { register_add_service, register_set_timeout, register_get_dests };
	for (size_t c = 0; c < 3; c++) {
		calls[c]();
		for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
			CHECK_STR(ipvs_strerror(errs[i]), texts[i]);
	}
	/* No row for ESRCH after ipvs_set_timeout, none for ERANGE or ENODEV at all. */
	register_set_timeout();
	CHECK_STR(ipvs_strerror(ESRCH), strerror(ESRCH));
	CHECK_STR(ipvs_strerror(ERANGE), "Numerical result out of range");
	CHECK_STR(ipvs_strerror(ENODEV), "No such device");
	/* ENOENT after ipvs_add_dest has no row of its own. */
	register_add_dest();
	CHECK_STR(ipvs_strerror(ENOENT), strerror(ENOENT));
}

TEST(flush_getinfo_and_get_services_do_not_register)
{
	register_add_dest();
	ipvs_flush();
	ipvs_getinfo();
	free(ipvs_get_services());
	ipvs_version();
	CHECK_STR(ipvs_strerror(ESRCH), "Service not defined");
}

struct thread_case {
	void (*call)(void);
	int err;
	const char *text;
	int failures;
};

static void *strerror_thread(void *arg)
{
	struct thread_case *c = arg;
	for (int i = 0; i < 2000; i++) {
		c->call();
		if (strcmp(ipvs_strerror(c->err), c->text) != 0)
			c->failures++;
	}
	return NULL;
}

TEST(each_thread_has_its_own_last_function)
{
	struct thread_case cases[] = {
		{ register_add_service, ENOENT, "Scheduler or persistence engine not found", 0 },
		{ register_del_dest, ENOENT, "No such destination", 0 },
		{ register_stop_daemon, ESRCH, "No daemon is running", 0 },
		{ register_add_dest, ESRCH, "Service not defined", 0 },
	};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		CHECK_INT(pthread_create(&t[i], NULL, strerror_thread, &cases[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++)
		CHECK_INT(cases[i].failures, 0);
}

static ipvs_service_entry_t entry(unsigned fwmark, int af, const char *addr, int port)
{
	ipvs_service_entry_t e;
	memset(&e, 0, sizeof(e));
	e.fwmark = fwmark;
	e.af = af;
	e.protocol = IPPROTO_TCP;
	inet_pton(af, addr, &e.addr);
	e.port = htons(port);
	return e;
}

TEST(service_comparator_wraps_like_libipvs)
{
	ipvs_service_entry_t a = entry(0, AF_INET, "10.0.0.1", 80);
	ipvs_service_entry_t b = entry(0, AF_INET, "200.0.0.1", 80);
	/* 10.0.0.1 - 200.0.0.1 wraps to a positive int: libipvs sorts it after. */
	CHECK(ipvs_cmp_services(&a, &b) > 0);
	CHECK(ipvs_cmp_services(&b, &a) < 0);
	ipvs_service_entry_t c = entry(0, AF_INET, "10.0.0.1", 443);
	CHECK_INT(ipvs_cmp_services(&a, &c), 80 - 443);
	ipvs_service_entry_t m1 = entry(1, AF_INET, "0.0.0.0", 0);
	ipvs_service_entry_t m2 = entry(3000000000u, AF_INET, "0.0.0.0", 0);
	CHECK(ipvs_cmp_services(&a, &m1) < 0);
	/* 1 - 3000000000 wraps to a positive int too. */
	CHECK(ipvs_cmp_services(&m1, &m2) > 0);
	ipvs_service_entry_t v6a = entry(0, AF_INET6, "2001:db8::1", 80);
	ipvs_service_entry_t v6b = entry(0, AF_INET6, "2001:db8::2", 80);
	CHECK_INT(ipvs_cmp_services(&v6a, &v6b), -1);
	CHECK_INT(ipvs_cmp_services(&v6a, &a), AF_INET6 - AF_INET);
}

/* ipvsadm 1.31's ipvs_cmp_services, written out here to check against: it compares fwmark,
 * family, protocol, address and port in that order, each by subtracting one from the other
 * (the 32-bit differences read as int wrap around for values 2^31 or more apart). */
static int spec_cmp_services(const void *pa, const void *pb)
{
	const ipvs_service_entry_t *a = pa, *b = pb;
	int r = (int)(a->fwmark - b->fwmark);
	if (!r)
		r = a->af - b->af;
	if (!r)
		r = a->protocol - b->protocol;
	if (!r)
		r = (int)(ntohl(a->addr.ip) - ntohl(b->addr.ip));
	if (!r)
		r = ntohs(a->port) - ntohs(b->port);
	return r;
}

TEST(sorts_use_the_given_comparator_in_place)
{
	/* Far-apart addresses make the comparator non-transitive, so the order is whatever
	 * the C library's qsort makes of it, as with libipvs. */
	const char *addrs[] = { "192.0.2.3", "10.0.0.1", "200.0.0.1", "192.0.2.1", "10.0.0.1" };
	const int n = 5;
	struct ip_vs_get_services *s = malloc(sizeof(*s) + n * sizeof(ipvs_service_entry_t));
	ipvs_service_entry_t expected[5];
	CHECK(s != NULL);
	s->num_services = n;
	for (int i = 0; i < n; i++)
		s->entrytable[i] = expected[i] = entry(0, AF_INET, addrs[i], 80 + (i == 4));
	ipvs_sort_services(s, ipvs_cmp_services);
	qsort(expected, n, sizeof(expected[0]), spec_cmp_services);
	int same = memcmp(s->entrytable, expected, sizeof(expected)) == 0;
	/* The sort moved something, so the comparison above means something. */
	ipvs_service_entry_t first = entry(0, AF_INET, addrs[0], 80);
	int moved = memcmp(&s->entrytable[0], &first, sizeof(first)) != 0;
	free(s);
	CHECK(same);
	CHECK(moved);

	struct ip_vs_get_dests *d = malloc(sizeof(*d) + 3 * sizeof(ipvs_dest_entry_t));
	CHECK(d != NULL);
	memset(d, 0, sizeof(*d) + 3 * sizeof(ipvs_dest_entry_t));
	d->num_dests = 3;
	const int ports[] = { 8080, 80, 443 };
	for (int i = 0; i < 3; i++) {
		d->entrytable[i].af = AF_INET;
		inet_pton(AF_INET, "198.51.100.1", &d->entrytable[i].addr);
		d->entrytable[i].port = htons(ports[i]);
	}
	ipvs_sort_dests(d, ipvs_cmp_dests);
	CHECK_INT(ntohs(d->entrytable[0].port), 80);
	CHECK_INT(ntohs(d->entrytable[1].port), 443);
	CHECK_INT(ntohs(d->entrytable[2].port), 8080);
	CHECK_INT(ipvs_cmp_dests(&d->entrytable[2], &d->entrytable[0]), 8000);
	free(d);
}

/* Where the kernel has no IPVS (the build hosts), libipvs falls back to its socket
 * interface, whose probe fails with ENOPROTOOPT; lvs reports the same. Where it has IPVS,
 * the same calls succeed as root. */
TEST(without_ipvs_init_fails_with_enoprotoopt)
{
	if (host_has_ipvs) {
		CHECK_INT(ipvs_init(), 0);
		CHECK_INT(ipvs_version(), IP_VS_VERSION_CODE);
		return;
	}
	CHECK_FAILS(ipvs_init(), ENOPROTOOPT);
	CHECK_STR(ipvs_strerror(errno), "Protocol not available");
	errno = 0;
	CHECK(ipvs_get_services() == NULL);
	CHECK_INT(errno, ENOPROTOOPT);
	CHECK_FAILS(ipvs_flush(), ENOPROTOOPT);
	ipvs_close();
	struct lvs_handle *h = NULL;
	CHECK_INT(lvs_open(&h), LVS_ERR_IPVS_UNAVAILABLE);
	CHECK(h == NULL);
	CHECK_INT(lvs_last_error_errno(), ENOPROTOOPT);
	CHECK_INT(lvs_open_netns("/nonexistent/netns", &h), LVS_ERR_IO);
	CHECK_INT(lvs_last_error_errno(), ENOENT);
}

static void harness_setup(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	host_has_ipvs = access("/proc/net/ip_vs", F_OK) == 0;
}

static void harness_before_each(void)
{
}

HARNESS_MAIN
