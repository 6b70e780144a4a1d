/*
 * gdbstub_packets.c - the remote serial protocol itself for the gdb stub:
 * framing, checksums, acks, escapes, and one handler per packet
 * ("Debugging with GDB", appendix E).  Every malformed packet gets an
 * error reply (E01 bad syntax, E14 memory not mapped, E22 too long) or the
 * empty "not supported" reply; nothing here trusts a length gdb sent.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu/gdb/gdbstub_int.h"
#include "emu/gdb/gdbstub_tasks.h"
#include "emu/gdb/snapshot.h"

/* ---------------------------------------------------------------- I/O */

int rd_byte(struct gdb *g, int timeout_ms)
{
	if (g->rpos == g->rlen) {
		if (g->eof)
			return -1;
		struct pollfd p = { .fd = g->fd, .events = POLLIN };
		int r;
		do   /* a signal (Ctrl-C in lstar's terminal) is not a timeout */
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR && timeout_ms != 0);
		if (r == 0 || (r < 0 && errno == EINTR))
			return -2;
		if (r < 0)
			return -1;
		ssize_t n = read(g->fd, g->rbuf, sizeof g->rbuf);
		if (n <= 0) {
			g->eof = true;
			return -1;
		}
		g->rlen = (size_t)n;
		g->rpos = 0;
	}
	return g->rbuf[g->rpos++];
}

static void wr_all(struct gdb *g, const void *p, size_t n)
{
	const char *s = p;
	while (n && !g->eof) {
		ssize_t w = write(g->fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			g->eof = true;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

void send_pkt(struct gdb *g, const char *data, size_t len)
{
	static char buf[2 * PKT_MAX + 8];
	uint8_t sum = 0;
	size_t o = 0;
	buf[o++] = '$';
	for (size_t i = 0; i < len && o < sizeof buf - 4; i++) {
		char ch = data[i];
		/* '$', '#', '}' and '*' must be escaped in the data */
		if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
			buf[o++] = '}';
			sum += '}';
			ch ^= 0x20;
		}
		buf[o++] = ch;
		sum += (uint8_t)ch;
	}
	o += (size_t)snprintf(buf + o, 4, "#%02x", sum);
	for (int tries = 0; tries < 5; tries++) {
		wr_all(g, buf, o);
		if (g->noack)
			return;
		for (;;) {
			int b = rd_byte(g, 5000);
			if (b < 0)
				return;
			if (b == '+')
				return;
			if (b == '-')
				break;
			if (b == 0x03)
				g->int_pending = true;
		}
	}
}

void send_str(struct gdb *g, const char *s)
{
	send_pkt(g, s, strlen(s));
}

/*
 * The next packet into buf (escapes undone, NUL-terminated), its length in
 * *len.  Returns 1 for a packet, 0 for a lone Ctrl-C, -1 at EOF.  Bad
 * checksums are NAKed ('-') so gdb resends; an overlong packet is dropped
 * and answered with E22 (len = (size_t)-1).
 */
int recv_pkt(struct gdb *g, char *buf, size_t *len)
{
	for (;;) {
		int b;
		do {
			b = rd_byte(g, -1);
			if (b == -1)
				return -1;
			if (b == 0x03)
				return 0;
		} while (b != '$');
		size_t n = 0;
		uint8_t sum = 0;
		bool overlong = false;
		for (;;) {
			b = rd_byte(g, 10000);
			if (b < 0)
				return -1;
			if (b == '#')
				break;
			sum += (uint8_t)b;
			if (n < PKT_MAX - 1)
				buf[n++] = (char)b;
			else
				overlong = true;
		}
		int h1 = rd_byte(g, 10000), h2 = h1 < 0 ? -1 : rd_byte(g, 10000);
		if (h1 < 0 || h2 < 0)
			return -1;
		char hx[3] = { (char)h1, (char)h2, 0 };
		char *end;
		unsigned long want = strtoul(hx, &end, 16);
		if (!g->noack) {
			if (*end || want != sum) {
				wr_all(g, "-", 1);
				continue;
			}
			wr_all(g, "+", 1);
		}
		if (overlong) {
			*len = (size_t)-1;
			return 1;
		}
		/* undo '}' escapes (binary data in X and vFile packets) */
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (buf[i] == '}' && i + 1 < n)
				buf[o++] = (char)(buf[++i] ^ 0x20);
			else
				buf[o++] = buf[i];
		}
		buf[o] = 0;
		*len = o;
		return 1;
	}
}

/* ---------------------------------------------------------------- hex */

static const char hexd[] = "0123456789abcdef";

char *put_hex(char *o, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		*o++ = hexd[b[i] >> 4];
		*o++ = hexd[b[i] & 15];
	}
	*o = 0;
	return o;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decode exactly n bytes of hex from s; false on a bad digit. */
static bool get_hex(const char *s, void *p, size_t n)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* A hex number up to a delimiter; *s advances past it. */
static bool get_num(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int d, n = 0;
	while ((d = hexval(*p)) >= 0) {
		if (n++ >= 16)
			return false;
		x = x << 4 | (uint64_t)d;
		p++;
	}
	if (!n)
		return false;
	*v = x;
	*s = p;
	return true;
}

/* ------------------------------------------------------------ threads */

/* A thread id: -1 (all), 0 (any) or a positive number, in hex. */
static bool get_tid(const char **s, int *id)
{
	uint64_t v;
	if (**s == '-' && (*s)[1] == '1') {
		*s += 2;
		*id = -1;
		return true;
	}
	if (!get_num(s, &v) || v > 0x7FFFFFFF)
		return false;
	*id = (int)v;
	return true;
}

/* ------------------------------------------------------------ packets */

static char obuf[2 * PKT_MAX + 64];

static void monitor_out(const char *text, void *arg)
{
	struct gdb *g = arg;
	/* console output packets: 'O' + hex, in pieces gdb takes */
	size_t n = strlen(text);
	while (n) {
		size_t k = n > 2000 ? 2000 : n;
		obuf[0] = 'O';
		put_hex(obuf + 1, text, k);
		send_pkt(g, obuf, 1 + 2 * k);
		text += k;
		n -= k;
	}
}

static void do_qrcmd(struct gdb *g, const char *hex)
{
	size_t n = strlen(hex);
	char cmd[1024];
	if (n % 2 || n / 2 >= sizeof cmd || !get_hex(hex, cmd, n / 2)) {
		send_str(g, "E01");
		return;
	}
	cmd[n / 2] = 0;
	if (!strncmp(cmd, "reverse", 7) && (cmd[7] == 0 || cmd[7] == ' ')) {
		char t[512];
		const char *a = cmd + 7;
		while (*a == ' ')
			a++;
		if (!g->snap) {
			monitor_out("reverse execution is off (snapshots could not be set up)\n", g);
		} else if (!strncmp(a, "interval", 8)) {
			uint64_t v = strtoull(a + 8, NULL, 0);
			if (v >= 1)
				g->interval = v;
			snprintf(t, sizeof t, "snapshot interval: %" PRIu64 " positions\n", g->interval);
			monitor_out(t, g);
		} else {
			struct snap_stats st;
			snap_get_stats(g->snap, &st);
			snprintf(t, sizeof t,
				 "position %" PRIu64 " (recorded up to %" PRIu64 "), %zu snapshots, "
				 "interval %" PRIu64 "\n%" PRIu64 " page versions = %" PRIu64
				 " KiB, CPU states %" PRIu64 " KiB\n",
				 g->pos, g->frontier, st.count, g->interval, st.pages,
				 st.page_bytes >> 10, st.cpu_bytes >> 10);
			monitor_out(t, g);
		}
		send_str(g, "OK");
		return;
	}
	gdb_monitor(g->m, &g->sys, running_thread(g), cmd, monitor_out, g);
	send_str(g, "OK");
}

static void do_xfer(struct gdb *g, const char *args)
{
	/* features:read:ANNEX:OFF,LEN */
	if (strncmp(args, "features:read:", 14)) {
		send_str(g, "");
		return;
	}
	args += 14;
	const char *colon = strchr(args, ':');
	uint64_t off, len;
	if (!colon || (size_t)(colon - args) != 10 || strncmp(args, "target.xml", 10)) {
		send_str(g, "E00");
		return;
	}
	const char *p = colon + 1;
	if (!get_num(&p, &off) || *p++ != ',' || !get_num(&p, &len) || *p) {
		send_str(g, "E01");
		return;
	}
	const char *xml = target_xml();
	size_t total = strlen(xml);
	if (off >= total) {
		send_str(g, "l");
		return;
	}
	size_t k = total - off;
	if (k > len)
		k = len;
	if (k > PKT_MAX - 16)
		k = PKT_MAX - 16;
	obuf[0] = off + k < total ? 'm' : 'l';
	memcpy(obuf + 1, xml + off, k);
	send_pkt(g, obuf, 1 + k);
}

static void do_query(struct gdb *g, const char *p)
{
	if (!strncmp(p, "qSupported", 10)) {
		char t[256];
		snprintf(t, sizeof t, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
			 "QStartNoAckMode+;vContSupported+%s", PKT_MAX,
			 g->snap ? ";ReverseStep+;ReverseContinue+" : "");
		send_str(g, t);
	} else if (!strncmp(p, "qXfer:", 6)) {
		do_xfer(g, p + 6);
	} else if (!strcmp(p, "qfThreadInfo")) {
		static int ids[MAX_THREADS + 1];
		int n = thread_ids(g, ids, MAX_THREADS + 1);
		char *o = obuf;
		*o++ = 'm';
		for (int k = 0; k < n; k++)
			o += sprintf(o, k ? ",%x" : "%x", ids[k]);
		send_str(g, obuf);
	} else if (!strcmp(p, "qsThreadInfo")) {
		send_str(g, "l");
	} else if (!strcmp(p, "qC")) {
		char t[32];
		snprintf(t, sizeof t, "QC%x", running_thread(g));
		send_str(g, t);
	} else if (!strncmp(p, "qAttached", 9)) {
		send_str(g, "1");
	} else if (!strncmp(p, "qRcmd,", 6)) {
		do_qrcmd(g, p + 6);
	} else if (!strncmp(p, "qSymbol", 7)) {
		send_str(g, "OK");
	} else if (!strncmp(p, "qThreadExtraInfo,", 17)) {
		const char *s = p + 17;
		int id;
		char text[128];
		if (!get_tid(&s, &id) || *s || id <= 0) {
			send_str(g, "E01");
			return;
		}
		thread_extra(g, id, text, sizeof text);
		put_hex(obuf, text, strlen(text));
		send_str(g, obuf);
	} else {
		send_str(g, "");
	}
}

/* Z/z TYPE,ADDR,KIND */
static void do_break(struct gdb *g, const char *p, bool insert)
{
	uint64_t type, addr, kind;
	const char *s = p + 1;
	if (!get_num(&s, &type) || *s++ != ',' || !get_num(&s, &addr) || *s++ != ',' ||
	    !get_num(&s, &kind) || (*s && *s != ';')) {
		send_str(g, "E01");
		return;
	}
	if (type <= 1) {
		int k;
		for (k = 0; k < g->nbp; k++)
			if (g->bp[k].addr == addr && g->bp[k].hw == (int)type)
				break;
		if (insert && k == g->nbp) {
			if (g->nbp == MAX_BP) {
				send_str(g, "E28");
				return;
			}
			g->bp[g->nbp++] = (struct bp){ addr, (int)type };
		} else if (!insert && k < g->nbp) {
			g->bp[k] = g->bp[--g->nbp];
		}
		send_str(g, "OK");
	} else if (type <= 4) {
		if (kind == 0 || kind > 4096) {
			send_str(g, "E22");
			return;
		}
		int k;
		for (k = 0; k < g->nwp; k++)
			if (g->wp[k].addr == addr && g->wp[k].len == kind && g->wp[k].type == (int)type)
				break;
		if (insert && k == g->nwp) {
			if (g->nwp == MAX_WP) {
				send_str(g, "E28");
				return;
			}
			g->wp[g->nwp++] = (struct wp){ addr, kind, (int)type };
		} else if (!insert && k < g->nwp) {
			g->wp[k] = g->wp[--g->nwp];
		}
		set_hooks(g);
		send_str(g, "OK");
	} else {
		send_str(g, "");
	}
}

/* Run or step (the thread tid, 0: the running one), then report. */
static void do_resume(struct gdb *g, bool step, int tid)
{
	if (g->exited || g->dead_sig) {
		send_str(g, g->stop);
		return;
	}
	resume_thread(g, step, tid);
	make_stop(g);
	send_str(g, g->stop);
}

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR] */
static void do_cont(struct gdb *g, const char *p, bool step, bool sig)
{
	const char *s = p + 1;
	uint64_t v;
	if (sig) {
		if (!get_num(&s, &v)) {
			send_str(g, "E01");
			return;
		}
		if (*s == ';')
			s++;
		else if (*s) {
			send_str(g, "E01");
			return;
		}
	}
	if (*s) {
		if (!get_num(&s, &v) || *s) {
			send_str(g, "E01");
			return;
		}
		g->c->rip = v;
		rev_fork(g);
	}
	do_resume(g, step, g->cthread);
}

/* vCont;ACTION[:TID][;ACTION[:TID]]... - the machine runs as a whole: a
 * step anywhere means step, and the thread it names is the one stepped. */
static void do_vcont(struct gdb *g, const char *p)
{
	bool step = false, any = false;
	int step_tid = 0;
	while (*p == ';') {
		p++;
		char a = *p++;
		if (a == 'C' || a == 'S') {
			uint64_t sig;
			if (!get_num(&p, &sig)) {
				send_str(g, "E01");
				return;
			}
		} else if (a != 'c' && a != 's' && a != 't') {
			send_str(g, "E01");
			return;
		}
		int tid = 0;
		if (*p == ':') {
			p++;
			if (!get_tid(&p, &tid)) {
				send_str(g, "E01");
				return;
			}
		}
		if ((a == 's' || a == 'S') && !step) {
			step = true;
			step_tid = tid;
		}
		if (a != 't')
			any = true;
	}
	if (*p || !any) {
		send_str(g, "E01");
		return;
	}
	do_resume(g, step, step_tid);
}

int do_packet(struct gdb *g, char *p, size_t n)
{
	struct cpu *c = g->c;
	char *o = obuf;
	uint64_t addr, len, v;
	const char *s;
	if (n == (size_t)-1) {
		send_str(g, "E22");
		return GO_ON;
	}
	switch (p[0]) {
	case '?':
		send_str(g, g->stop);
		break;
	case 'g': {
		bool gone;
		const struct saved_regs *sr = sel_regs(g, &gone);
		if (gone) {
			send_str(g, "E01");
			break;
		}
		for (int r = 0; r < NREGS; r++) {
			uint8_t b[16];
			unsigned k = sel_reg_get(g, sr, r, b);
			o = put_hex(o, b, k);
		}
		send_str(g, obuf);
		break;
	}
	case 'G': {
		if (g->gthread > 0 && g->gthread != running_thread(g)) {
			send_str(g, "E01");   /* a switched-out task's registers: read-only */
			break;
		}
		size_t need = 0;
		for (int r = 0; r < NREGS; r++)
			need += 2 * reg_size(r);
		if (n - 1 != need) {
			send_str(g, "E01");
			break;
		}
		s = p + 1;
		bool ok = true;
		for (int r = 0; r < NREGS && ok; r++) {
			uint8_t b[16];
			ok = get_hex(s, b, reg_size(r)) && reg_set(c, r, b);
			s += 2 * reg_size(r);
		}
		rev_fork(g);
		send_str(g, ok ? "OK" : "E01");
		break;
	}
	case 'p':
		s = p + 1;
		if (!get_num(&s, &v) || *s || v >= NREGS) {
			send_str(g, "E01");
			break;
		}
		{
			bool gone;
			const struct saved_regs *sr = sel_regs(g, &gone);
			uint8_t b[16];
			if (gone) {
				send_str(g, "E01");
				break;
			}
			unsigned k = sel_reg_get(g, sr, (int)v, b);
			put_hex(obuf, b, k);
			send_str(g, obuf);
		}
		break;
	case 'P':
		s = p + 1;
		if (!get_num(&s, &v) || *s++ != '=' || v >= NREGS ||
		    strlen(s) != 2 * reg_size((int)v) ||
		    (g->gthread > 0 && g->gthread != running_thread(g))) {
			send_str(g, "E01");
			break;
		}
		{
			uint8_t b[16];
			if (!get_hex(s, b, reg_size((int)v)) || !reg_set(c, (int)v, b)) {
				send_str(g, "E01");
				break;
			}
			rev_fork(g);
			send_str(g, "OK");
		}
		break;
	case 'm':
		s = p + 1;
		if (!get_num(&s, &addr) || *s++ != ',' || !get_num(&s, &len) || *s) {
			send_str(g, "E01");
			break;
		}
		if (len > PKT_MAX / 2 - 16)
			len = PKT_MAX / 2 - 16;
		{
			static uint8_t b[PKT_MAX / 2];
			size_t k = mem_get_as(g->m, sel_cr3(g), addr, b, len);
			if (!k && len) {
				send_str(g, "E14");
				break;
			}
			put_hex(obuf, b, k);
			send_str(g, obuf);
		}
		break;
	case 'M':
	case 'X': {
		s = p + 1;
		if (!get_num(&s, &addr) || *s++ != ',' || !get_num(&s, &len) || *s++ != ':' ||
		    len > PKT_MAX) {
			send_str(g, "E01");
			break;
		}
		static uint8_t b[PKT_MAX];
		size_t have = n - (size_t)(s - p);
		if (p[0] == 'M') {
			if (have != 2 * len || !get_hex(s, b, len)) {
				send_str(g, "E01");
				break;
			}
		} else {
			if (have != len) {
				send_str(g, "E01");
				break;
			}
			memcpy(b, s, len);
		}
		size_t k = len ? mem_put_as(g->m, sel_cr3(g), addr, b, len) : 0;
		if (len)
			rev_fork(g);
		send_str(g, k == len ? "OK" : "E14");
		break;
	}
	case 'c':
	case 's':
		do_cont(g, p, p[0] == 's', false);
		break;
	case 'C':
	case 'S':
		do_cont(g, p, p[0] == 'S', true);
		break;
	case 'v':
		if (!strcmp(p, "vCont?"))
			send_str(g, "vCont;c;C;s;S");
		else if (!strncmp(p, "vCont;", 6))
			do_vcont(g, p + 5);
		else if (!strncmp(p, "vKill", 5)) {
			send_str(g, "OK");
			return GO_KILL;
		} else
			send_str(g, "");
		break;
	case 'q':
		do_query(g, p);
		break;
	case 'Q':
		if (!strcmp(p, "QStartNoAckMode")) {
			send_str(g, "OK");
			g->noack = true;
		} else {
			send_str(g, "");
		}
		break;
	case 'H': {
		/* Hg selects the thread whose registers and memory gdb reads;
		 * Hc (the thread to resume) changes nothing: the machine runs */
		int id;
		s = p + 2;
		if ((p[1] != 'g' && p[1] != 'c') || !get_tid(&s, &id) || *s ||
		    (id > 0 && !thread_alive(g, id))) {
			send_str(g, "E01");
			break;
		}
		if (p[1] == 'g')
			g->gthread = id;
		else
			g->cthread = id;
		send_str(g, "OK");
		break;
	}
	case 'T': {
		int id;
		s = p + 1;
		send_str(g, get_tid(&s, &id) && !*s && id > 0 && thread_alive(g, id) ? "OK" : "E01");
		break;
	}
	case 'Z':
	case 'z':
		do_break(g, p, p[0] == 'Z');
		break;
	case 'b':
		if (!g->snap || (strcmp(p, "bs") && strcmp(p, "bc"))) {
			send_str(g, "");
			break;
		}
		if (p[1] == 's')
			reverse_step(g);
		else
			reverse_continue(g);
		send_str(g, g->stop);
		break;
	case 'D':
		send_str(g, "OK");
		return GO_DETACH;
	case 'k':
		return GO_KILL;
	default:
		send_str(g, "");
		break;
	}
	return GO_ON;
}

