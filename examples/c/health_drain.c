/*
 * health_drain: a tiny health checker on libipvs. Every INTERVAL seconds it tries a TCP
 * connection to each real server of a virtual service; a server that does not answer is
 * drained (weight 0: no new connections, existing ones finish), and gets its weight back
 * once it answers again.
 *
 *   health_drain [-i INTERVAL] [-n ROUNDS] VIP PORT
 *
 * Build it against lvs's libipvs (the same source builds against ipvsadm's libipvs):
 *
 *   cc -o health_drain health_drain.c $(pkg-config --cflags --libs libipvs)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libipvs.h>

#define MAX_SERVERS 64

/* The weights of the servers this program drained, to give back. */
static struct {
	union nf_inet_addr addr;
	unsigned short af, port;
	int weight;
} drained[MAX_SERVERS];
static int ndrained;

static int find_drained(const ipvs_dest_entry_t *e)
{
	for (int i = 0; i < ndrained; i++)
		if (drained[i].af == e->af && drained[i].port == e->port &&
		    memcmp(&drained[i].addr, &e->addr, sizeof(e->addr)) == 0)
			return i;
	return -1;
}

/* Whether a TCP connection to the server succeeds within a second. */
static int answers(const ipvs_dest_entry_t *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	if (e->af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, &e->addr.in6, sizeof(s6->sin6_addr));
		s6->sin6_port = e->port;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = e->addr.ip;
		s4->sin_port = e->port;
		len = sizeof(*s4);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
	if (!ok && errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t elen = sizeof(err);
		ok = poll(&p, 1, 1000) == 1 &&
		     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0;
	}
	close(fd);
	return ok;
}

/* Sets a real server's weight, keeping its other settings. */
static int set_weight(ipvs_service_t *svc, const ipvs_dest_entry_t *e, int weight)
{
	ipvs_dest_t d;
	memset(&d, 0, sizeof(d));
	d.af = e->af;
	d.addr = e->addr;
	d.port = e->port;
	d.conn_flags = e->conn_flags;
	d.weight = weight;
	d.u_threshold = e->u_threshold;
	d.l_threshold = e->l_threshold;
	d.tun_type = e->tun_type;
	d.tun_port = e->tun_port;
	d.tun_flags = e->tun_flags;
	return ipvs_update_dest(svc, &d);
}

static void check_round(ipvs_service_t *svc)
{
	ipvs_service_entry_t key;
	memset(&key, 0, sizeof(key));
	key.af = svc->af;
	key.protocol = svc->protocol;
	key.addr = svc->addr;
	key.port = svc->port;
	struct ip_vs_get_dests *dests = ipvs_get_dests(&key);
	if (!dests) {
		fprintf(stderr, "listing real servers: %s\n", ipvs_strerror(errno));
		return;
	}
	for (unsigned i = 0; i < dests->num_dests; i++) {
		ipvs_dest_entry_t *e = &dests->entrytable[i];
		char name[INET6_ADDRSTRLEN];
		inet_ntop(e->af, &e->addr, name, sizeof(name));
		int up = answers(e), slot = find_drained(e);
		if (!up && slot < 0 && e->weight > 0 && ndrained < MAX_SERVERS) {
			if (set_weight(svc, e, 0) == 0) {
				drained[ndrained].addr = e->addr;
				drained[ndrained].af = e->af;
				drained[ndrained].port = e->port;
				drained[ndrained].weight = e->weight;
				ndrained++;
				printf("drained %s:%u (weight was %d)\n", name, ntohs(e->port), e->weight);
			} else {
				fprintf(stderr, "draining %s: %s\n", name, ipvs_strerror(errno));
			}
		} else if (up && slot >= 0) {
			if (set_weight(svc, e, drained[slot].weight) == 0) {
				printf("restored %s:%u (weight %d)\n", name, ntohs(e->port),
				       drained[slot].weight);
				drained[slot] = drained[--ndrained];
			} else {
				fprintf(stderr, "restoring %s: %s\n", name, ipvs_strerror(errno));
			}
		}
	}
	fflush(stdout);
	free(dests);
}

int main(int argc, char **argv)
{
	int interval = 5, rounds = -1, opt;
	while ((opt = getopt(argc, argv, "i:n:")) != -1) {
		if (opt == 'i')
			interval = atoi(optarg);
		else if (opt == 'n')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: %s [-i INTERVAL] [-n ROUNDS] VIP PORT\n", argv[0]);
		return 2;
	}
	ipvs_service_t svc;
	memset(&svc, 0, sizeof(svc));
	svc.protocol = IPPROTO_TCP;
	svc.port = htons(atoi(argv[optind + 1]));
	if (inet_pton(AF_INET, argv[optind], &svc.addr.ip) == 1)
		svc.af = AF_INET;
	else if (inet_pton(AF_INET6, argv[optind], &svc.addr.in6) == 1)
		svc.af = AF_INET6;
	else {
		fprintf(stderr, "not an address: %s\n", argv[optind]);
		return 2;
	}
	if (ipvs_init()) {
		fprintf(stderr, "cannot reach IPVS: %s\n", ipvs_strerror(errno));
		return 1;
	}
	for (int round = 0; rounds < 0 || round < rounds; round++) {
		if (round)
			sleep(interval);
		check_round(&svc);
	}
	ipvs_close();
	return 0;
}
