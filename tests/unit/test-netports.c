/* test-netports.c: unit tests of the port forward parser (runtime/net.c):
 * `run -p` values and the run.umlrun.net.ports annotation: the valid
 * forms, /tcp and /udp, ports out of range, duplicates, garbage, too many,
 * and the list `umlrun state` shows. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/net.h"
#include "tap.h"

static struct net_config fresh(void)
{
	return (struct net_config){ .mode = NET_SLIRP, .ipv6 = true, .mtu = NET_DEFAULT_MTU };
}

/* Parses list into a fresh config; 0 or -1 with err. */
static int parse(const char *list, struct net_config *nc, struct uerr *err)
{
	*nc = fresh();
	memset(err, 0, sizeof(*err));
	return net_parse_ports(list, "-p", nc, err);
}

/* The parsed list as `umlrun state` shows it. */
static int formats_as(const struct net_config *nc, const char *want)
{
	char *got = net_format_ports(nc);
	int ok = got && strcmp(got, want) == 0;

	if (!ok)
		printf("# formatted \"%s\", want \"%s\"\n", got ? got : "(null)", want);
	free(got);
	return ok;
}

/* list is refused with an error naming -p and the item, and saying why. */
static void refused(struct tap *t, const char *list, const char *why)
{
	struct net_config nc;
	struct uerr err;
	int r = parse(list, &nc, &err);

	TAP_OK(t, r < 0 && strncmp(err.msg, "-p: \"", 5) == 0 && strstr(err.msg, why),
	       "\"%s\" is refused: %s", list, err.msg);
}

static void test_valid_forms(struct tap *t)
{
	struct net_config nc;
	struct uerr err;

	TAP_OK(t, parse("8080:80", &nc, &err) == 0 && nc.n_ports == 1, "HOST:GUEST");
	TAP_OK(t, nc.ports[0].host_port == 8080 && nc.ports[0].guest_port == 80 && !nc.ports[0].udp &&
			  nc.ports[0].host_addr.s_addr == htonl(INADDR_ANY),
	       "HOST:GUEST is tcp on every host address");
	TAP_OK(t, formats_as(&nc, "8080:80/tcp"), "listed as 8080:80/tcp");

	TAP_OK(t, parse("127.0.0.1:5353:53/udp", &nc, &err) == 0 && nc.n_ports == 1 &&
			  nc.ports[0].udp && nc.ports[0].host_addr.s_addr == htonl(INADDR_LOOPBACK),
	       "ADDR:HOST:GUEST/udp");
	TAP_OK(t, formats_as(&nc, "127.0.0.1:5353:53/udp"), "listed with its address");

	TAP_OK(t, parse("1:65535/tcp", &nc, &err) == 0 && nc.ports[0].host_port == 1 &&
			  nc.ports[0].guest_port == 65535 && !nc.ports[0].udp,
	       "/tcp, and ports 1 and 65535 are in range");

	TAP_OK(t, parse(" 80:80 , ,, 53:53/udp,", &nc, &err) == 0 && nc.n_ports == 2,
	       "a list: blanks around items and empty items are skipped");
	TAP_OK(t, formats_as(&nc, "80:80/tcp,53:53/udp"), "the list keeps its order");

	TAP_OK(t, parse("53:53,53:53/udp", &nc, &err) == 0 && nc.n_ports == 2,
	       "one host port for tcp and for udp is no duplicate");
	TAP_OK(t, parse("", &nc, &err) == 0 && nc.n_ports == 0, "an empty list forwards nothing");
}

static void test_refused(struct tap *t)
{
	refused(t, "0:80", "\"0:80\": port out of range (1-65535)");
	refused(t, "65536:80", "port out of range");
	refused(t, "80:0", "port out of range");
	refused(t, "80:99999", "port out of range");
	refused(t, "-1:80", "port out of range");
	refused(t, "+80:80", "port out of range");
	refused(t, "80:", "port out of range");
	refused(t, ":80", "port out of range");
	refused(t, "99999999999999999999:80", "port out of range");
	refused(t, "80:80/sctp", "protocol must be tcp or udp");
	refused(t, "80:80/", "protocol must be tcp or udp");
	refused(t, "80:80/UDP", "protocol must be tcp or udp");
	refused(t, "80", "want HOST:GUEST[/udp]");
	refused(t, "http", "want HOST:GUEST[/udp]");
	refused(t, "a:b", "port out of range");
	refused(t, "8o:80", "port out of range");
	refused(t, "80 :80", "port out of range");
	refused(t, "localhost:80:80", "\"localhost\" is not an IPv4 address");
	refused(t, "::1:80:80", "\"::1\" is not an IPv4 address");
	refused(t, "1.2.3.4.5:80:80", "is not an IPv4 address");
	refused(t, "1:2:3:4", "\"1:2\" is not an IPv4 address");
}

static void test_duplicates(struct tap *t)
{
	struct net_config nc;
	struct uerr err;

	refused(t, "8080:80,8080:81", "\"8080:81\": host port 8080/tcp is forwarded twice");
	refused(t, "53:53/udp,127.0.0.1:53:54/udp", "host port 53/udp is forwarded twice");
	/* across sources: the annotation's forwards, then -p's */
	nc = fresh();
	TAP_OK(t, net_parse_ports("8080:80", "annotation run.umlrun.net.ports", &nc, &err) == 0 &&
			  net_parse_ports("8080:90", "-p", &nc, &err) < 0 &&
			  strstr(err.msg, "-p: \"8080:90\": host port 8080/tcp is forwarded twice"),
	       "a -p forward repeating an annotation's host port: %s", err.msg);
}

static void test_too_many(struct tap *t)
{
	struct net_config nc;
	struct uerr err;
	char list[NET_MAX_PORTS * 16 + 16] = "", item[16];

	for (int i = 0; i < NET_MAX_PORTS; i++) {
		snprintf(item, sizeof(item), "%s%d:80", i ? "," : "", 10000 + i);
		strcat(list, item);
	}
	TAP_OK(t, parse(list, &nc, &err) == 0 && nc.n_ports == NET_MAX_PORTS, "%d forwards are fine",
	       NET_MAX_PORTS);
	strcat(list, ",20000:80");
	TAP_OK(t, parse(list, &nc, &err) < 0 && strstr(err.msg, "-p: more than 64 forwards"),
	       "one more is refused: %s", err.msg);
}

/* The annotation's errors name it; forwards need mode slirp. */
static void test_config_build(struct tap *t)
{
	struct spec_kv kv[2] = { { .key = "run.umlrun.net.ports", .value = "99999:80" } };
	struct spec s = { .annotations = kv, .n_annotations = 1 };
	char *cli[] = { "8080:80", NULL };
	struct net_config nc;
	struct uerr err = { 0 };

	TAP_OK(t, net_config_build(&s, NULL, &nc, &err) < 0 &&
			  strcmp(err.msg, "annotation run.umlrun.net.ports: \"99999:80\": port out of range (1-65535)") == 0,
	       "the annotation's error names it: %s", err.msg);
	kv[0].value = "127.0.0.1:9090:90/udp";
	TAP_OK(t, net_config_build(&s, cli, &nc, &err) == 0 && nc.n_ports == 2 &&
			  formats_as(&nc, "127.0.0.1:9090:90/udp,8080:80/tcp"),
	       "the annotation's forwards and -p's together");
	kv[1] = (struct spec_kv){ .key = "run.umlrun.net", .value = "none" };
	s.n_annotations = 2;
	TAP_OK(t, net_config_build(&s, NULL, &nc, &err) < 0 &&
			  strstr(err.msg, "port forwards need network mode slirp"),
	       "forwards in mode none are refused: %s", err.msg);
}

int main(void)
{
	struct tap t = { 0 };

	test_valid_forms(&t);
	test_refused(&t);
	test_duplicates(&t);
	test_too_many(&t);
	test_config_build(&t);
	return tap_done(&t);
}
