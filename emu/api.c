/*
 * api.c - the public C API (include/lstar/lstar.h) over the internal
 * machine.  Nothing here prints or exits; every failure is a status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "emu/machine.h"
#include "cpu/decode.h"
#include "cpu/system.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"

#include "emu/firmware.h"
#include "emu/symbols.h"
#include "kernel_model/embed.h"
#include "msr/msr.h"


#define DEFAULT_MEM (256ULL << 20)	/* the platform contract's RAM_SIZE */

/*
 * Without --mem, RAM may grow after boot when the kernel asks for more
 * (LSTAR_HC_MEMORY_ADD, as a kernel takes hot-plugged memory): up to a quarter
 * of the host's memory, at least 4 GiB and at most 64 GiB.  Only what the
 * guest touches is ever committed.  With --mem the size is fixed.
 */
static uint64_t hotplug_ceiling(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t quarter = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize / 4 : 0;
	if (quarter < (4ULL << 30))
		quarter = 4ULL << 30;
	if (quarter > (64ULL << 30))
		quarter = 64ULL << 30;
	return quarter & ~0x1FFFFFULL;
}

static void set_err(char *err, size_t errlen, const char *fmt, const char *a)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a);
}

lstar_machine *lstar_machine_new(const struct lstar_config *cfg, char *err, size_t errlen)
{
	struct lstar_config def = { 0 };
	if (!cfg)
		cfg = &def;
	uint64_t size = cfg->mem_size ? cfg->mem_size : DEFAULT_MEM;
	if (size < (2ULL << 20) || size > (1ULL << CPU_MAXPHYADDR)) {
		set_err(err, errlen, "%s", "memory size must be between 2 MiB and 1 TiB");
		return NULL;
	}
	size = (size + 0xFFF) & ~0xFFFULL;
	struct machine *m = calloc(1, sizeof *m);
	if (!m) {
		set_err(err, errlen, "%s", "out of host memory");
		return NULL;
	}
	m->console_fd = 2;
	if (memory_init(m, size, cfg->mem_size ? size : hotplug_ceiling()) != 0) {
		set_err(err, errlen, "%s", "cannot reserve host memory for guest RAM");
		goto fail;
	}
	struct cpu *c = &m->cpu;
	c->bus = &m->bus;
	c->ram = m->ram;
	c->ram_size = m->ram_size;
	c->icount_limit = ~0ULL;
	if (decode_init(c) != 0) {
		set_err(err, errlen, "%s", "out of host memory for the decode cache");
		goto fail;
	}
	m->vendor = cfg->vendor;
	c->vendor = cfg->vendor == LSTAR_VENDOR_AMD ? VENDOR_AMD : VENDOR_INTEL;
	if ((unsigned)cfg->cpu_level > LSTAR_CPU_X86_64_V3) {
		set_err(err, errlen, "%s", "invalid cpu_level (expected 0-3)");
		goto fail;
	}
	c->level = cfg->cpu_level ? (int)cfg->cpu_level : LSTAR_CPU_X86_64_V3;
	c->features = cpu_level_features(c->level);
	cpu_reset(c);
	firmware_rng_from_host(m);   /* RDRAND/RDSEED; --seed replaces it */
	if (cfg->console_path) {
		m->console_fd = open(cfg->console_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (m->console_fd < 0) {
			if (err && errlen)
				snprintf(err, errlen, "cannot open console file %s: %s",
					 cfg->console_path, strerror(errno));
			m->console_fd = 2;
			goto fail;
		}
		m->console_owned = 1;
	} else if (cfg->console_fd > 0) {
		m->console_fd = cfg->console_fd;
	}
	m->hc = hostcall_new(m);
	if (!m->hc) {
		set_err(err, errlen, "%s", "cannot set up the host-call device");
		goto fail;
	}
	return (lstar_machine *)m;
fail:
	lstar_machine_free((lstar_machine *)m);
	return NULL;
}

void lstar_machine_free(lstar_machine *lm)
{
	struct machine *m = (struct machine *)lm;
	if (!m)
		return;
	console_flush(m);
	if (m->hc)
		hostcall_free(m->hc);
	sym_free(m->syms);
	decode_free(&m->cpu);
	memory_free(m);
	if (m->console_owned)
		close(m->console_fd);
	free(m);
}

enum lstar_status lstar_boot_kernel_image(lstar_machine *lm, const void *image, size_t size,
					  const char *name, const char *const *argv,
					  const char *const *envp, char *err, size_t errlen)
{
	struct machine *m = (struct machine *)lm;
	decode_flush_all(&m->cpu);
	return firmware_boot(m, image, size, name ? name : "kernel", argv, envp, err, errlen);
}

enum lstar_status lstar_boot_kernel(lstar_machine *lm, const char *path,
				    const char *const *argv, const char *const *envp,
				    char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return LSTAR_ERR_IO;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (err && errlen)
			snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return LSTAR_ERR_IO;
	}
	size_t size = (size_t)st.st_size;
	void *buf = malloc(size ? size : 1);
	if (!buf) {
		close(fd);
		set_err(err, errlen, "%s: out of memory", path);
		return LSTAR_ERR_NOMEM;
	}
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != size) {
		free(buf);
		set_err(err, errlen, "%s: read error", path);
		return LSTAR_ERR_IO;
	}
	enum lstar_status st2 = lstar_boot_kernel_image(lm, buf, size, path, argv, envp, err, errlen);
	free(buf);
	return st2;
}

/* ---- the flat test layout ---------------------------------------------- */

#define FLAT_GDT    0x1000ULL
#define FLAT_IDT    0x2000ULL
#define FLAT_TSS    0x3000ULL
#define FLAT_STUBS  0x4000ULL
#define FLAT_PML4   0x10000ULL
#define FLAT_PDPT   0x11000ULL
#define FLAT_PD     0x12000ULL   /* 4 pages: 4 GiB of 2 MiB entries */
#define FLAT_PT     0x16000ULL   /* page tables for split 2 MiB regions */
#define FLAT_PT_MAX 8
#define FLAT_KSTACK 0x40000ULL   /* top of the RSP0 stack (grows down from here) */
#define FLAT_IST    0x41000ULL   /* IST1..7 stacks, 4 KiB each: tops at +0x1000*n */
#define FLAT_KCODE  0x50000ULL
#define FLAT_END    0x100000ULL

static void w64(struct machine *m, uint64_t pa, uint64_t v)
{
	store_le(m->ram + pa, 8, v);
}

enum lstar_status lstar_setup_flat(lstar_machine *lm, uint64_t user_base, uint64_t user_size,
				   struct lstar_flat_layout *lay)
{
	struct machine *m = (struct machine *)lm;
	struct cpu *c = &m->cpu;
	uint64_t ram = m->ram_size;
	uint64_t map_end = ram < (4ULL << 30) ? ram : (4ULL << 30);
	if ((user_base & 0xFFF) || (user_size & 0xFFF) || user_base < FLAT_END ||
	    user_base > map_end || user_size > map_end - user_base)
		return LSTAR_ERR_ARG;

	decode_flush_all(c);
	memset(m->ram, 0, FLAT_END);
	/* Invalidate anything decoded from the area just rebuilt. */
	phys_ptr_write(m, 0, FLAT_END);

	/* GDT, Linux's layout (arch/x86/include/asm/segment.h). */
	w64(m, FLAT_GDT + 0x08, 0x00cf9b000000ffffULL); /* 32-bit kernel code */
	w64(m, FLAT_GDT + 0x10, 0x00af9b000000ffffULL); /* 64-bit kernel code */
	w64(m, FLAT_GDT + 0x18, 0x00cf93000000ffffULL); /* kernel data */
	w64(m, FLAT_GDT + 0x20, 0x00cffb000000ffffULL); /* 32-bit user code (0x23) */
	w64(m, FLAT_GDT + 0x28, 0x00cff3000000ffffULL); /* user data (0x2B) */
	w64(m, FLAT_GDT + 0x30, 0x00affb000000ffffULL); /* 64-bit user code (0x33) */
	/* 0x40: 64-bit TSS, busy (it is loaded into TR below). */
	uint64_t tb = FLAT_TSS, tl = 0x67;
	uint64_t lo = (tl & 0xFFFF) | ((tb & 0xFFFFFF) << 16) | (0x8BULL << 40) |
		      (((tl >> 16) & 0xF) << 48) | (((tb >> 24) & 0xFF) << 56);
	w64(m, FLAT_GDT + 0x40, lo);
	w64(m, FLAT_GDT + 0x48, tb >> 32);

	/* TSS: RSP0, IST1..7, no I/O bitmap. */
	w64(m, FLAT_TSS + 4, FLAT_KSTACK);
	for (int n = 1; n <= 7; n++)
		w64(m, FLAT_TSS + 36 + 8 * (n - 1), FLAT_IST + 0x1000ULL * n);
	store_le(m->ram + FLAT_TSS + 102, 2, 104);

	/* IDT: 256 interrupt gates, DPL 0, to "hlt; jmp .-1" stubs. */
	for (unsigned v = 0; v < 256; v++) {
		uint64_t h = FLAT_STUBS + 16 * v;
		uint64_t g0 = (h & 0xFFFF) | (0x10ULL << 16) | (0x8EULL << 40) | (((h >> 16) & 0xFFFF) << 48);
		w64(m, FLAT_IDT + 16 * v, g0);
		w64(m, FLAT_IDT + 16 * v + 8, h >> 32);
		m->ram[h] = 0xF4;      /* hlt */
		m->ram[h + 1] = 0xEB;  /* jmp .-3 (back to the hlt) */
		m->ram[h + 2] = 0xFD;
	}

	/* Page tables: identity map of [0, map_end), user rights on the window. */
	w64(m, FLAT_PML4, FLAT_PDPT | 0x7);
	unsigned npt = 0;
	for (uint64_t g = 0; g < 4; g++)
		w64(m, FLAT_PDPT + 8 * g, (FLAT_PD + 0x1000 * g) | 0x7);
	for (uint64_t a = 0; a < map_end; a += 2ULL << 20) {
		uint64_t end = a + (2ULL << 20);
		bool in = a >= user_base && end <= user_base + user_size;
		bool out = end <= user_base || a >= user_base + user_size;
		uint64_t pde_at = FLAT_PD + (a >> 21) * 8;
		if (end > map_end || (!in && !out)) {
			if (npt == FLAT_PT_MAX)
				return LSTAR_ERR_ARG;
			uint64_t pt = FLAT_PT + 0x1000ULL * npt++;
			for (uint64_t p = a; p < end && p < map_end; p += 0x1000) {
				bool u = p >= user_base && p < user_base + user_size;
				w64(m, pt + ((p >> 12) & 0x1FF) * 8, p | 0x3 | (u ? 0x4 : 0));
			}
			w64(m, pde_at, pt | 0x7);
		} else {
			w64(m, pde_at, a | 0x83 | (in ? 0x4 : 0));
		}
	}

	/* CPU: 64-bit mode, CPL 0. */
	c->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	c->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	c->cr3 = FLAT_PML4;
	c->efer = LSTAR_MSR_EFER_LME | LSTAR_MSR_EFER_LMA;
	c->gdtr.base = FLAT_GDT;
	c->gdtr.limit = 0x4F;
	c->idtr.base = FLAT_IDT;
	c->idtr.limit = 256 * 16 - 1;
	c->tr.sel = 0x40;
	c->tr.base = FLAT_TSS;
	c->tr.limit = 0x67;
	c->tr.attr = SA_P | 0xB;
	lstar_enter_cpl(lm, 0, 0x10, 0x18);
	c->seg[SEG_DS] = c->seg[SEG_ES] = c->seg[SEG_SS];
	c->seg[SEG_FS] = (struct seg){ 0 };
	c->seg[SEG_GS] = (struct seg){ 0 };
	c->rflags = F_1;
	c->lf.op = 0;
	c->r[R_RSP] = FLAT_KSTACK;
	c->rip = FLAT_KCODE;
	tlb_flush_all(c);

	if (lay) {
		memset(lay, 0, sizeof *lay);
		lay->gdt = FLAT_GDT;
		lay->idt = FLAT_IDT;
		lay->tss = FLAT_TSS;
		lay->pml4 = FLAT_PML4;
		lay->kernel_stack_top = FLAT_KSTACK;
		for (int n = 1; n <= 7; n++)
			lay->ist_top[n] = FLAT_IST + 0x1000ULL * n;
		lay->idt_stubs = FLAT_STUBS;
		lay->kernel_code = FLAT_KCODE;
		lay->user_base = user_base;
		lay->user_size = user_size;
	}
	return LSTAR_OK;
}

/* ---- state ------------------------------------------------------------- */

uint64_t lstar_get_reg(const lstar_machine *lm, enum lstar_reg r)
{
	struct machine *m = (struct machine *)lm;
	struct cpu *c = &m->cpu;
	if (r <= LSTAR_R15)
		return c->r[r];
	switch (r) {
	case LSTAR_RIP: return c->rip;
	case LSTAR_RFLAGS: return flags_get(c);
	case LSTAR_CR0: return c->cr0;
	case LSTAR_CR2: return c->cr2;
	case LSTAR_CR3: return c->cr3;
	case LSTAR_CR4: return c->cr4;
	default: return 0;
	}
}

void lstar_set_reg(lstar_machine *lm, enum lstar_reg r, uint64_t v)
{
	struct machine *m = (struct machine *)lm;
	struct cpu *c = &m->cpu;
	if (r <= LSTAR_R15) {
		c->r[r] = v;
		return;
	}
	switch (r) {
	case LSTAR_RIP: c->rip = v; break;
	case LSTAR_RFLAGS: flags_set(c, v); break;
	case LSTAR_CR0: c->cr0 = v; tlb_flush_all(c); break;
	case LSTAR_CR2: c->cr2 = v; break;
	case LSTAR_CR3: c->cr3 = v; tlb_flush_all(c); break;
	case LSTAR_CR4: c->cr4 = v; tlb_flush_all(c); break;
	default: break;
	}
}

void lstar_get_segment(const lstar_machine *lm, enum lstar_sreg s, struct lstar_segment *out)
{
	const struct seg *g = &((struct machine *)lm)->cpu.seg[s];
	out->selector = g->sel;
	out->base = g->base;
	out->limit = g->limit;
	out->attr = g->attr;
}

void lstar_set_segment(lstar_machine *lm, enum lstar_sreg s, const struct lstar_segment *in)
{
	struct cpu *c = &((struct machine *)lm)->cpu;
	c->seg[s].sel = in->selector;
	c->seg[s].base = in->base;
	c->seg[s].limit = in->limit;
	c->seg[s].attr = in->attr;
	if (s == LSTAR_CS)
		cpu_set_cpl(c, SA_DPL(in->attr));
}

int lstar_get_cpl(const lstar_machine *lm)
{
	return ((struct machine *)lm)->cpu.cpl;
}

void lstar_enter_cpl(lstar_machine *lm, int cpl, uint16_t cs, uint16_t ss)
{
	struct cpu *c = &((struct machine *)lm)->cpu;
	uint16_t dpl = (uint16_t)((cpl & 3) << 5);
	c->seg[SEG_CS] = (struct seg){ .base = 0, .limit = 0xFFFFFFFF, .sel = cs,
				       .attr = SA_P | SA_S | dpl | 0xB | SA_L | SA_G };
	c->seg[SEG_SS] = (struct seg){ .base = 0, .limit = 0xFFFFFFFF, .sel = ss,
				       .attr = SA_P | SA_S | dpl | 0x3 | SA_DB | SA_G };
	cpu_set_cpl(c, cpl & 3);
}

enum lstar_status lstar_rdmsr(lstar_machine *lm, uint32_t index, uint64_t *value)
{
	struct cpu *c = &((struct machine *)lm)->cpu;
	return msr_read(c, index, value) ? LSTAR_OK : LSTAR_ERR_MSR;
}

enum lstar_status lstar_wrmsr(lstar_machine *lm, uint32_t index, uint64_t value)
{
	struct cpu *c = &((struct machine *)lm)->cpu;
	return msr_write(c, index, value) ? LSTAR_OK : LSTAR_ERR_MSR;
}

const char *lstar_msr_name(uint32_t index)
{
	return msr_name(index);
}

/* ---- memory ------------------------------------------------------------ */

enum lstar_status lstar_write_phys(lstar_machine *lm, uint64_t pa, const void *src, size_t n)
{
	struct machine *m = (struct machine *)lm;
	uint8_t *p = phys_ptr_write(m, pa, n);
	if (!p)
		return LSTAR_ERR_ARG;
	memcpy(p, src, n);
	return LSTAR_OK;
}

enum lstar_status lstar_read_phys(lstar_machine *lm, uint64_t pa, void *dst, size_t n)
{
	struct machine *m = (struct machine *)lm;
	uint8_t *p = phys_ptr(m, pa, n);
	if (!p)
		return LSTAR_ERR_ARG;
	memcpy(dst, p, n);
	return LSTAR_OK;
}

/* Virtual accesses as a supervisor, without A/D updates or faults. */
static enum lstar_status virt_xfer(struct machine *m, uint64_t va, void *buf, size_t n, bool wr)
{
	struct cpu *c = &m->cpu;
	enum lstar_status st = LSTAR_OK;
	for (size_t k = 0; k < n;) {
		uint64_t pa;
		if (!mmu_probe(c, va + k, ACC_READ | ACC_SYS, &pa)) {
			st = LSTAR_ERR_FAULT;
			break;
		}
		size_t chunk = 0x1000 - ((va + k) & 0xFFF);
		if (chunk > n - k)
			chunk = n - k;
		uint8_t *p = wr ? phys_ptr_write(m, pa, chunk) : phys_ptr(m, pa, chunk);
		if (!p) {
			st = LSTAR_ERR_FAULT;
			break;
		}
		if (wr)
			memcpy(p, (uint8_t *)buf + k, chunk);
		else
			memcpy((uint8_t *)buf + k, p, chunk);
		k += chunk;
	}
	return st;
}

enum lstar_status lstar_write_virt(lstar_machine *lm, uint64_t va, const void *src, size_t n)
{
	return virt_xfer((struct machine *)lm, va, (void *)src, n, true);
}

enum lstar_status lstar_read_virt(lstar_machine *lm, uint64_t va, void *dst, size_t n)
{
	return virt_xfer((struct machine *)lm, va, dst, n, false);
}

uint64_t lstar_mem_size(const lstar_machine *lm)
{
	return ((struct machine *)lm)->ram_size;
}

/* ---- execution ----------------------------------------------------------- */

static void fill_exit(struct machine *m, struct lstar_exit *out, bool step)
{
	struct cpu *c = &m->cpu;
	memset(out, 0, sizeof *out);
	out->icount = c->icount;
	out->vector = -1;
	switch (c->stop) {
	case STOP_POWEROFF:
		out->event = LSTAR_EV_POWEROFF;
		out->exit_status = c->exit_status;
		break;
	case STOP_HLT: out->event = LSTAR_EV_HALT; break;
	case STOP_TRIPLE_FAULT: out->event = LSTAR_EV_TRIPLE_FAULT; break;
	case STOP_UNSUPPORTED: out->event = LSTAR_EV_UNSUPPORTED; break;
	case STOP_INSN_LIMIT:
		if (!step) {
			out->event = LSTAR_EV_LIMIT;
			break;
		}
		/* a step reports what the instruction did */
		/* fall through */
	case STOP_EVENT:
	default:
		if (c->event & EV_EXCEPTION)
			out->event = LSTAR_EV_EXCEPTION;
		else if (c->event & EV_SYSCALL)
			out->event = LSTAR_EV_SYSCALL;
		else if (c->event & EV_SYSRET)
			out->event = LSTAR_EV_SYSRET;
		else if (c->event & EV_IRET)
			out->event = LSTAR_EV_IRET;
		break;
	}
	if (c->event & EV_EXCEPTION) {
		out->vector = c->last_vector;
		out->error_code = c->last_error;
		out->has_error_code = c->last_vector >= 0 && c->last_has_error;
	}
	snprintf(out->message, sizeof out->message, "%.255s", m->bus.stop_message);
}

static enum lstar_status run(struct machine *m, unsigned mask, uint64_t limit,
			     struct lstar_exit *out, bool step)
{
	struct cpu *c = &m->cpu;
	c->stop = STOP_NONE;
	c->event = 0;
	c->event_mask = mask;
	c->icount_limit = limit;
	m->bus.stop_message[0] = 0;
	cpu_run(c);
	console_flush(m);
	if (out)
		fill_exit(m, out, step);
	c->event_mask = 0;
	c->icount_limit = ~0ULL;
	return LSTAR_OK;
}

enum lstar_status lstar_step(lstar_machine *lm, struct lstar_exit *out)
{
	struct machine *m = (struct machine *)lm;
	return run(m, EV_EXCEPTION, m->cpu.icount + 1, out, true);
}

enum lstar_status lstar_run(lstar_machine *lm, unsigned stop_on, uint64_t max_insns,
			    struct lstar_exit *out)
{
	struct machine *m = (struct machine *)lm;
	unsigned mask = stop_on & (EV_EXCEPTION | EV_SYSCALL | EV_SYSRET | EV_IRET);
	uint64_t limit = max_insns ? m->cpu.icount + max_insns : ~0ULL;
	return run(m, mask, limit, out, false);
}

uint64_t lstar_icount(const lstar_machine *lm)
{
	return ((struct machine *)lm)->cpu.icount;
}

const void *lstar_default_kernel_image(size_t *size)
{
	*size = (size_t)(lstar_default_kernel_end - lstar_default_kernel);
	return lstar_default_kernel;
}
