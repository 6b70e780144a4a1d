/*
 * rsp_client.c - speaks the remote serial protocol to `lstar run --gdb`
 * byte by byte, to test what gdb itself never sends: malformed packets,
 * bad checksums, overlong packets, and a Ctrl-C right after `c`.
 *
 * usage: rsp_client PORT.  Exit 0 when every reply was as expected.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd, failures;

static void send_raw(const char *s, size_t n)
{
	if (write(fd, s, n) != (ssize_t)n) {
		perror("write");
		exit(2);
	}
}

static void send_pkt(const char *body)
{
	char buf[70000];
	unsigned sum = 0;
	for (const char *p = body; *p; p++)
		sum += (unsigned char)*p;
	int n = snprintf(buf, sizeof buf, "$%s#%02x", body, sum & 0xFF);
	send_raw(buf, (size_t)n);
}

/* One byte, or -1 after 10 s. */
static int get_byte(void)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 10000) <= 0)
		return -1;
	unsigned char b;
	return read(fd, &b, 1) == 1 ? b : -1;
}

/* The next packet's body (acks skipped); acknowledges it. */
static int get_reply(char *out, size_t len)
{
	int b;
	while ((b = get_byte()) != '$')
		if (b < 0)
			return -1;
	size_t n = 0;
	while ((b = get_byte()) != '#') {
		if (b < 0)
			return -1;
		if (n + 1 < len)
			out[n++] = (char)b;
	}
	get_byte();
	get_byte();
	out[n] = 0;
	send_raw("+", 1);
	return 0;
}

static void expect(const char *what, const char *pkt, const char *prefix)
{
	char r[70000];
	send_pkt(pkt);
	if (get_reply(r, sizeof r) < 0) {
		printf("FAIL %s: no reply to '%s'\n", what, pkt);
		failures++;
		return;
	}
	if (prefix && (strncmp(r, prefix, strlen(prefix)) || (!*prefix && *r))) {
		printf("FAIL %s: '%.40s' -> '%.60s', expected '%s...'\n", what, pkt, r, prefix);
		failures++;
	} else {
		printf("ok   %s: '%.40s' -> '%.40s'\n", what, pkt, r);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("connect");
		return 2;
	}
	/* a bad checksum is NAKed */
	send_raw("$?#00", 5);
	int b = get_byte();
	printf("%s bad checksum -> '%c'\n", b == '-' ? "ok  " : "FAIL", b);
	failures += b != '-';
	expect("status", "?", "T05");
	expect("qSupported", "qSupported:multiprocess+;swbreak+", "PacketSize=");
	expect("bad hex in m", "mzz,4", "E");
	expect("m without length", "m1000", "E");
	expect("m non-canonical", "m8000000000000000,4", "E");
	expect("huge m length", "mffffffff80100000,ffffffffffffffff", NULL);
	expect("p out of range", "p999", "E");
	expect("p garbage", "pxyz", "E");
	expect("P bad value", "P0=zz", "E");
	expect("P short value", "P0=1234", "E");
	expect("G short", "G0011", "E");
	expect("M length mismatch", "M1000,4:00", "E");
	expect("M bad hex", "M1000,1:zz", "E");
	expect("X length mismatch", "X1000,5:ab", "E");
	expect("M non-canonical", "M8000000000000000,1:00", "E");
	expect("Z bad type", "Z9,1000,1", "");
	expect("Z missing fields", "Z0,1000", "E");
	expect("Z2 zero length", "Z2,1000,0", "E");
	expect("xfer other annex", "qXfer:features:read:foo.xml:0,10", "E");
	expect("xfer bad offset", "qXfer:features:read:target.xml:zz,10", "E");
	expect("xfer beyond end", "qXfer:features:read:target.xml:100000,10", "l");
	expect("xfer", "qXfer:features:read:target.xml:0,20", "m<?xml");
	expect("vCont bad action", "vCont;x", "E");
	expect("vCont empty", "vCont", "");
	expect("c bad address", "czz", "E");
	expect("C bad signal", "Czz", "E");
	expect("qRcmd odd hex", "qRcmd,abc", "E");
	/* threads: the guest's tasks (before the kernel's first switch, the
	 * first process, 42 = 0x2a) */
	expect("thread list", "qfThreadInfo", "m2a");
	expect("thread list end", "qsThreadInfo", "l");
	expect("current thread", "qC", "QC2a");
	expect("thread alive", "T2a", "OK");
	expect("T no such thread", "T7fff", "E");
	expect("T garbage", "Tzz", "E");
	expect("T empty", "T", "E");
	expect("Hg any", "Hg0", "OK");
	expect("Hc all", "Hc-1", "OK");
	expect("Hg running", "Hg2a", "OK");
	expect("Hg no such thread", "Hg7fff", "E");
	expect("Hg garbage", "Hgzz", "E");
	expect("H empty", "Hg", "E");
	expect("H bad kind", "Hx2a", "E");
	expect("extra info garbage", "qThreadExtraInfo,zz", "E");
	expect("extra info empty", "qThreadExtraInfo,", "E");
	expect("extra info", "qThreadExtraInfo,2a", "435055");   /* "CPU 0, CPL 0 (kernel)" */
	expect("vCont bad thread", "vCont;s:zz", "E");
	expect("unknown packet", "!", "");
	expect("unknown q", "qFooBar", "");
	expect("empty packet", "", "");
	/* overlong: more than PacketSize bytes */
	{
		static char big[20000];
		memset(big, 'm', sizeof big - 1);
		expect("overlong packet", big, "E");
	}
	/* garbage between packets and a stray '}' escape at the end */
	send_raw("garbage+-", 9);
	expect("after garbage", "?", "T05");
	expect("trailing escape", "m0}", "E");
	expect("monitor unknown", "qRcmd,666f6f", "O");   /* "foo": help text, then OK */
	{
		char ok[64];
		if (get_reply(ok, sizeof ok) < 0 || strcmp(ok, "OK")) {
			printf("FAIL monitor: no OK after the output\n");
			failures++;
		}
	}
	/* Ctrl-C while running: c and 0x03 in one write, so the stub sees the
	 * interrupt at its first poll (the guest would finish in
	 * milliseconds otherwise) */
	send_raw("$c#63\x03", 6);
	get_byte();   /* ack */
	char r[4096];
	if (get_reply(r, sizeof r) < 0 || strncmp(r, "T02", 3)) {
		printf("FAIL interrupt: got '%.40s'\n", r);
		failures++;
	} else {
		printf("ok   interrupt -> '%.40s'\n", r);
	}
	expect("still alive", "g", NULL);
	expect("step", "s", "T05");
	expect("vCont step", "vCont;s:1;c", "T05");
	send_pkt("k");
	get_byte();
	close(fd);
	printf("%d failure(s)\n", failures);
	return failures != 0;
}
