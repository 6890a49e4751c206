/*
 * health_drain: a tiny health checker on libipvs. Every INTERVAL seconds it checks each real
 * server of a TCP virtual service: a TCP connection, or with -u PATH an HTTP GET of PATH
 * that must answer with a status below 500. A server that fails FALL checks in a row is
 * drained (weight 0: no new connections, existing ones finish) and gets its weight back after
 * RISE good checks in a row. With -s, a sorry server joins the service while every real
 * server is drained, and leaves as soon as one is back.
 *
 *   health_drain [-i INTERVAL] [-n ROUNDS] [-f FALL] [-r RISE] [-u PATH]
 *                [-s SORRY_ADDR:PORT] VIP PORT
 *
 * Defaults: INTERVAL 5 s, forever, FALL 1, RISE 1, a TCP check, no sorry server.
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
#include <time.h>
#include <unistd.h>

#include <libipvs.h>

#define MAX_SERVERS 64
#define CHECK_TIMEOUT_MS 1000

/* What this program knows of each real server it has seen. */
static struct server {
	union nf_inet_addr addr;
	unsigned short af, port;
	int failures, successes;
	int drained;      /* drained by us: its weight is 0 until restored */
	int weight;       /* the weight to give back */
} servers[MAX_SERVERS];
static int nservers;

static int fall = 1, rise = 1;
static const char *http_path;  /* NULL: a TCP connection is the check */
static int have_sorry;
static union nf_inet_addr sorry_addr;
static unsigned short sorry_af, sorry_port;  /* port in network order */

static int same(const ipvs_dest_entry_t *e, unsigned short af, const union nf_inet_addr *addr,
		unsigned short port)
{
	return e->af == af && e->port == port && memcmp(&e->addr, addr, sizeof(*addr)) == 0;
}

static struct server *server_of(const ipvs_dest_entry_t *e)
{
	for (int i = 0; i < nservers; i++)
		if (same(e, servers[i].af, &servers[i].addr, servers[i].port))
			return &servers[i];
	if (nservers == MAX_SERVERS)
		return NULL;
	struct server *s = &servers[nservers++];
	memset(s, 0, sizeof(*s));
	s->af = e->af;
	s->addr = e->addr;
	s->port = e->port;
	return s;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for `events` on fd until `deadline`; 1 when ready. */
static int wait_for(int fd, short events, double deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = (int)((deadline - now()) * 1000);
	return left > 0 && poll(&p, 1, left) == 1 && (p.revents & events);
}

/* An HTTP/1.0 GET on a connected socket: 1 when the status is below 500. */
static int http_ok(int fd, double deadline)
{
	char req[512], buf[64];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.0\r\nUser-Agent: health_drain\r\nConnection: close\r\n\r\n",
			 http_path);
	if (n <= 0 || n >= (int)sizeof(req) || send(fd, req, n, MSG_NOSIGNAL) != n)
		return 0;
	size_t got = 0;
	while (got < sizeof(buf) - 1 && !memchr(buf, '\n', got)) {
		if (!wait_for(fd, POLLIN, deadline))
			return 0;
		ssize_t r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (r <= 0)
			break;
		got += r;
	}
	buf[got] = '\0';
	int status;
	return sscanf(buf, "HTTP/%*d.%*d %d", &status) == 1 && status < 500;
}

/* Whether the server passes its check within CHECK_TIMEOUT_MS. */
static int passes(const ipvs_dest_entry_t *e)
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
	double deadline = now() + CHECK_TIMEOUT_MS / 1000.0;
	int ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
	if (!ok && errno == EINPROGRESS) {
		int err = 0;
		socklen_t elen = sizeof(err);
		ok = wait_for(fd, POLLOUT, deadline) &&
		     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0;
	}
	if (ok && http_path)
		ok = http_ok(fd, deadline);
	close(fd);
	return ok;
}

/* A real server as libipvs wants it for an update, with another weight. */
static ipvs_dest_t dest_of(const ipvs_dest_entry_t *e, int weight)
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
	return d;
}

/* Adds the sorry server (forwarded like `like`) or removes it. */
static void sorry(ipvs_service_t *svc, const ipvs_dest_entry_t *like, int add)
{
	char name[INET6_ADDRSTRLEN];
	inet_ntop(sorry_af, &sorry_addr, name, sizeof(name));
	ipvs_dest_t d;
	memset(&d, 0, sizeof(d));
	d.af = sorry_af;
	d.addr = sorry_addr;
	d.port = sorry_port;
	d.conn_flags = like ? like->conn_flags : IP_VS_CONN_F_MASQ;
	d.weight = 1;
	if ((add ? ipvs_add_dest(svc, &d) : ipvs_del_dest(svc, &d)) == 0)
		printf("sorry server %s:%u %s\n", name, ntohs(sorry_port), add ? "added" : "removed");
	else
		fprintf(stderr, "%s the sorry server: %s\n", add ? "adding" : "removing",
			ipvs_strerror(errno));
}

/* The weight a server has after this round's decision about it. */
static int check_server(ipvs_service_t *svc, const ipvs_dest_entry_t *e)
{
	char name[INET6_ADDRSTRLEN];
	inet_ntop(e->af, &e->addr, name, sizeof(name));
	struct server *s = server_of(e);
	if (!s)
		return e->weight;
	if (passes(e)) {
		s->failures = 0;
		s->successes++;
		if (s->drained && s->successes >= rise) {
			ipvs_dest_t d = dest_of(e, s->weight);
			if (ipvs_update_dest(svc, &d) == 0) {
				s->drained = 0;
				printf("restored %s:%u (weight %d)\n", name, ntohs(e->port), s->weight);
				return s->weight;
			}
			fprintf(stderr, "restoring %s: %s\n", name, ipvs_strerror(errno));
		}
	} else {
		s->successes = 0;
		s->failures++;
		if (!s->drained && e->weight > 0 && s->failures >= fall) {
			ipvs_dest_t d = dest_of(e, 0);
			if (ipvs_update_dest(svc, &d) == 0) {
				s->drained = 1;
				s->weight = e->weight;
				printf("drained %s:%u (weight was %d)\n", name, ntohs(e->port), e->weight);
				return 0;
			}
			fprintf(stderr, "draining %s: %s\n", name, ipvs_strerror(errno));
		}
	}
	return e->weight;
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
	int in_rotation = 0, sorry_listed = 0;
	const ipvs_dest_entry_t *first = NULL;
	for (unsigned i = 0; i < dests->num_dests; i++) {
		ipvs_dest_entry_t *e = &dests->entrytable[i];
		if (have_sorry && same(e, sorry_af, &sorry_addr, sorry_port)) {
			sorry_listed = 1;
			continue;
		}
		if (!first)
			first = e;
		if (check_server(svc, e) > 0)
			in_rotation++;
	}
	if (have_sorry && !in_rotation && !sorry_listed)
		sorry(svc, first, 1);
	else if (have_sorry && in_rotation && sorry_listed)
		sorry(svc, first, 0);
	fflush(stdout);
	free(dests);
}

/* ADDR:PORT or [ADDR6]:PORT. */
static int parse_sorry(char *text)
{
	char *colon = strrchr(text, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	char *host = text;
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		host++;
	}
	sorry_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sorry_addr.ip) == 1)
		sorry_af = AF_INET;
	else if (inet_pton(AF_INET6, host, &sorry_addr.in6) == 1)
		sorry_af = AF_INET6;
	else
		return -1;
	have_sorry = 1;
	return 0;
}

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-i INTERVAL] [-n ROUNDS] [-f FALL] [-r RISE] [-u PATH] "
		"[-s SORRY_ADDR:PORT] VIP PORT\n",
		argv0);
	return 2;
}

int main(int argc, char **argv)
{
	double interval = 5;
	int rounds = -1, opt;
	while ((opt = getopt(argc, argv, "i:n:f:r:u:s:")) != -1) {
		switch (opt) {
		case 'i': interval = atof(optarg); break;
		case 'n': rounds = atoi(optarg); break;
		case 'f': fall = atoi(optarg); break;
		case 'r': rise = atoi(optarg); break;
		case 'u': http_path = optarg; break;
		case 's':
			if (parse_sorry(optarg)) {
				fprintf(stderr, "not ADDR:PORT: %s\n", optarg);
				return 2;
			}
			break;
		default: return usage(argv[0]);
		}
	}
	if (argc - optind != 2 || interval <= 0 || fall < 1 || rise < 1)
		return usage(argv[0]);
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
			usleep((useconds_t)(interval * 1e6));
		check_round(&svc);
	}
	ipvs_close();
	return 0;
}
