/*
 * fuzz_guest.c - arbitrary guest code must never crash, hang or corrupt
 * the emulator.
 *
 * The input is a header that sets up the machine followed by up to one
 * page of code:
 *
 *   byte 0      mode bits: 0 CPL 3, 1 vendor AMD, 2 EFER.SCE, 3 EFER.NXE,
 *               4 RFLAGS.TF, 5 CR4.FSGSBASE, 6 CR0.WP off, 7 IOPL 3
 *   bytes 1-56  IA32_STAR, LSTAR (low 12 bits pick an offset into the code
 *               page when bit 63 is clear), FMASK, KERNEL_GS_BASE, FS and
 *               GS bases, EFER high bits (ignored unless valid)
 *   bytes 57-   the 16 general registers (8 bytes each)
 *   the rest    code, copied to the code page of the chosen CPL
 *
 * Every run must end in one of docs/spec/platform.md's stop conditions (power-off,
 * HLT, triple fault, the instruction limit, an unsupported mode) with the
 * architectural invariants intact.  The host-call device is detached: a
 * fuzzer must not touch host files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lstar/lstar.h"
#include "emu/machine.h"

#define MEM (8ULL << 20)
#define USER_BASE (4ULL << 20)
#define USER_SIZE (4ULL << 20)
#define LIMIT 20000


static uint64_t take64(const uint8_t *d, size_t n, size_t off)
{
	uint64_t v = 0;
	for (size_t k = 0; k < 8; k++)
		if (off + k < n)
			v |= (uint64_t)d[off + k] << (8 * k);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t hdr = 57 + 16 * 8;
	uint8_t mode = size ? data[0] : 0;
	struct lstar_config cfg = { .mem_size = MEM, .console_path = "/dev/null",
		.vendor = (mode & 2) ? LSTAR_VENDOR_AMD : LSTAR_VENDOR_INTEL };
	char err[256];
	lstar_machine *m = lstar_machine_new(&cfg, err, sizeof err);
	if (!m)
		abort();
	struct machine *mm = (struct machine *)m;
	if (mm->hc) {
		hostcall_free(mm->hc);
		mm->hc = NULL;
	}
	struct lstar_flat_layout lay;
	if (lstar_setup_flat(m, USER_BASE, USER_SIZE, &lay) != LSTAR_OK)
		abort();

	bool user = mode & 1;
	uint64_t code_at = user ? USER_BASE : lay.kernel_code;
	if (size > hdr) {
		size_t n = size - hdr;
		if (n > 4096)
			n = 4096;
		lstar_write_phys(m, code_at, data + hdr, n);
	}

	uint64_t star = take64(data, size, 1);
	uint64_t lstar = take64(data, size, 9);
	if (!(lstar >> 63))
		lstar = lay.kernel_code + (lstar & 0xFFF);
	lstar_wrmsr(m, 0xC0000081, star);
	lstar_wrmsr(m, 0xC0000082, lstar);
	lstar_wrmsr(m, 0xC0000084, take64(data, size, 17) & 0xFFFFFFFF);
	lstar_wrmsr(m, 0xC0000102, take64(data, size, 25));
	lstar_wrmsr(m, 0xC0000100, take64(data, size, 33));
	lstar_wrmsr(m, 0xC0000101, take64(data, size, 41));
	uint64_t efer;
	lstar_rdmsr(m, 0xC0000080, &efer);
	efer |= (mode & 4) ? 1 : 0;
	efer |= (mode & 8) ? 1ULL << 11 : 0;
	lstar_wrmsr(m, 0xC0000080, efer);   /* refused quietly if not allowed */
	if (mode & 32)
		lstar_set_reg(m, LSTAR_CR4, lstar_get_reg(m, LSTAR_CR4) | (1ULL << 16));
	if (mode & 64)
		lstar_set_reg(m, LSTAR_CR0, lstar_get_reg(m, LSTAR_CR0) & ~(1ULL << 16));

	for (int r = 0; r < 16; r++)
		lstar_set_reg(m, (enum lstar_reg)r, take64(data, size, 57 + 8 * r));
	uint64_t fl = 0x2 | ((mode & 16) ? 0x100 : 0) | ((mode & 128) ? 0x3000 : 0);
	lstar_set_reg(m, LSTAR_RFLAGS, fl);
	if (user) {
		lstar_enter_cpl(m, 3, 0x33, 0x2B);
		struct lstar_segment ds = { 0x2B, 0, 0xFFFFFFFF, 0xC0F3 };
		lstar_set_segment(m, LSTAR_DS, &ds);
		lstar_set_segment(m, LSTAR_ES, &ds);
	}
	lstar_set_reg(m, LSTAR_RIP, code_at);

	struct lstar_exit ex;
	lstar_run(m, 0, LIMIT, &ex);
	switch (ex.event) {
	case LSTAR_EV_POWEROFF:
	case LSTAR_EV_HALT:
	case LSTAR_EV_TRIPLE_FAULT:
	case LSTAR_EV_LIMIT:
	case LSTAR_EV_UNSUPPORTED:
		break;
	default:
		abort();   /* the loop returned without a stop condition */
	}
	if (ex.icount > LIMIT)
		abort();
	uint64_t rf = lstar_get_reg(m, LSTAR_RFLAGS);
	if (!(rf & 2) || (rf & ~0x3F7FD7ULL))
		abort();   /* RFLAGS with a reserved bit in the wrong state */
	int cpl = lstar_get_cpl(m);
	if (cpl < 0 || cpl > 3)
		abort();
	lstar_machine_free(m);
	return 0;
}
