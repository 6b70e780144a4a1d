/*
 * fuzz_gdb.c - the gdb remote protocol's packet handling must answer any
 * packet with a reply (an error at worst), never crash.
 *
 * The input is split at '#' or newline into packet bodies, each handed to
 * do_packet() (emu/gdb/gdbstub_packets.c) of a stub attached to a small
 * machine; replies go into a socket pair that is drained after each
 * packet.  Run control (c, s, C, S, vCont, bc, bs), detach and kill are
 * left out: they run the guest, which the real-gdb tests in tests/gdb/
 * cover, and a fuzzer cannot bound.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lstar/lstar.h"
#include "emu/gdb/gdbstub_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fds[2] = { -1, -1 };

static void drain(void)
{
	char buf[65536];
	while (recv(fds[1], buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

static bool runs_guest(const char *p)
{
	return strchr("csCSDkbR", p[0]) != NULL || strncmp(p, "vCont", 5) == 0 ||
	       strncmp(p, "vKill", 5) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fds[0] < 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
		abort();
	struct lstar_config cfg = { .mem_size = 8ULL << 20, .console_path = "/dev/null" };
	char err[256];
	lstar_machine *lm = lstar_machine_new(&cfg, err, sizeof err);
	if (!lm)
		abort();
	struct lstar_flat_layout lay;
	lstar_setup_flat(lm, 4ULL << 20, 4ULL << 20, &lay);
	static const uint8_t hlt = 0xF4;
	lstar_write_phys(lm, lay.kernel_code, &hlt, 1);

	struct gdb *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	g->m = (struct machine *)lm;
	g->c = &g->m->cpu;
	g->fd = fds[0];
	g->noack = true;
	strcpy(g->stop, "S05");

	static char pkt[PKT_MAX + 1];
	size_t start = 0;
	for (size_t k = 0; k <= size; k++) {
		if (k < size && data[k] != '#' && data[k] != '\n')
			continue;
		size_t n = k - start;
		if (n > PKT_MAX)
			n = PKT_MAX;
		memcpy(pkt, data + start, n);
		pkt[n] = 0;
		start = k + 1;
		if (n == 0 || runs_guest(pkt))
			continue;
		do_packet(g, pkt, n);
		drain();
	}
	cpu_set_hooks(g->c, NULL);
	free(g);
	lstar_machine_free(lm);
	return 0;
}
