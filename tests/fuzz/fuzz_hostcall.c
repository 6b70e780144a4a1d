/*
 * fuzz_hostcall.c - a hostile kernel talking to the host-call device
 * (ports 0x510-0x51F, include/lstar/hostcall.h): any sequence of requests must give
 * an error status, never a host crash, a host memory access outside guest
 * RAM, or a path outside --root.
 *
 * The input's first 4 KiB become guest RAM at DATA (paths, buffers, stat
 * areas); the rest is cut into 72-byte records: a request-block address
 * selector (8 bytes) and a struct lstar_hc_req (64 bytes).  The device is
 * confined to an empty temporary directory.  Requests that would block the
 * test itself (sleeps, reads of standard input, long polls) or touch the
 * test's own standard streams (handles 0-2) are skipped: that the device
 * *can* do those is its job, not a robustness bug.  So are socket calls
 * that would reach out to an address the input chose (connect, sendmsg
 * with an address); the socket ops that stay inside the machine (socket,
 * socketpair, bind, listen, accept, send and receive on a pair, options,
 * names) are fuzzed.
 */
#define _GNU_SOURCE   /* nftw */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lstar/lstar.h"
#include "emu/machine.h"
#include "emu/hostcall/hostcall.h"

#define MEM (4ULL << 20)
#define DATA 0x10000ULL
#define REQ_AT 0x1000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

static void remove_root(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_root(void)
{
	if (root[0])
		return;
	snprintf(root, sizeof root, "/tmp/lstar-fuzz-root-XXXXXX");
	if (!mkdtemp(root))
		abort();
	atexit(remove_root);
}

static bool skip(const struct lstar_hc_req *r)
{
	switch (r->op) {
	case LSTAR_HC_NANOSLEEP:
	case LSTAR_HC_POLL:
	case LSTAR_HC_OPENTTY:	/* the fuzzer's own terminal: not to be set raw */
		return true;
	case LSTAR_HC_CONNECT:	/* no packets to whatever address the input names */
		return true;
	case LSTAR_HC_SENDMSG:	/* nor datagrams: only sends without an address */
		return r->a[4] != 0;
	case LSTAR_HC_CLOSE: case LSTAR_HC_READ: case LSTAR_HC_WRITE: case LSTAR_HC_PREAD: case LSTAR_HC_PWRITE:
	case LSTAR_HC_LSEEK: case LSTAR_HC_FSTAT: case LSTAR_HC_GETDENTS64: case LSTAR_HC_TCGETS:
	case LSTAR_HC_WINSIZE: case LSTAR_HC_FTRUNCATE: case LSTAR_HC_FCHDIR: case LSTAR_HC_SETFL:
	case LSTAR_HC_REOPEN: case LSTAR_HC_TCSETS:
		return r->a[0] < 3;
	default:
		return false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	make_root();
	struct lstar_config cfg = { .mem_size = MEM, .console_path = "/dev/null" };
	char err[256];
	lstar_machine *lm = lstar_machine_new(&cfg, err, sizeof err);
	if (!lm)
		abort();
	struct machine *m = (struct machine *)lm;
	if (!m->hc)
		abort();
	struct hostcall_config hcfg = { .root = root };
	if (hostcall_configure(m->hc, &hcfg, err, sizeof err) != 0)
		abort();

	size_t n = size < 4096 ? size : 4096;
	lstar_write_phys(lm, DATA, data, n);
	for (size_t off = n; off + 72 <= size; off += 72) {
		uint64_t sel;
		struct lstar_hc_req r;
		memcpy(&sel, data + off, 8);
		memcpy(&r, data + off + 8, sizeof r);
		if (skip(&r))
			continue;
		/* Mostly a valid block address; sometimes anything at all
		 * (outside RAM, straddling its end). */
		uint64_t at = (sel & 3) ? REQ_AT : (sel >> 2);
		if (at == REQ_AT)
			lstar_write_phys(lm, REQ_AT, &r, sizeof r);
		hostcall_out(m, LSTAR_HC_PORT_ADDR_HI, 4, (uint32_t)(at >> 32));
		hostcall_out(m, LSTAR_HC_PORT_ADDR_LO, 4, (uint32_t)at);
		(void)hostcall_in(m, LSTAR_HC_PORT_STATUS, 4);
	}
	lstar_machine_free(lm);
	return 0;
}
