/*
 * dump.c - machine_dump_state(): the register dump and faulting
 * instruction printed when the machine stops on a triple fault
 * (platform.md §5), also usable by any diagnostic.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <Zydis/Zydis.h>

#include "emu/machine.h"
#include "emu/symbols.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "vector 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD exception", "#VE virtualization",
	"#CP control protection",
};

const char *dump_exception_name(int v);
const char *dump_exception_name(int v)
{
	if (v >= 0 && v < 32 && exc_names[v])
		return exc_names[v];
	return "interrupt";
}

static void print_sym(struct machine *m, FILE *f, uint64_t addr)
{
	uint64_t off;
	const char *s = sym_lookup(m->syms, addr, &off);
	if (s) {
		if (off)
			fprintf(f, " <%s+0x%" PRIx64 ">", s, off);
		else
			fprintf(f, " <%s>", s);
	}
}

static void print_rflags(FILE *f, uint64_t fl)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ F_CF, "CF" }, { F_PF, "PF" }, { F_AF, "AF" }, { F_ZF, "ZF" },
		{ F_SF, "SF" }, { F_TF, "TF" }, { F_IF, "IF" }, { F_DF, "DF" },
		{ F_OF, "OF" }, { F_NT, "NT" }, { F_RF, "RF" }, { F_VM, "VM" },
		{ F_AC, "AC" }, { F_VIF, "VIF" }, { F_VIP, "VIP" }, { F_ID, "ID" },
	};
	fprintf(f, "RFLAGS=%016" PRIx64 " [", fl);
	const char *sep = "";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (fl & names[i].bit) {
			fprintf(f, "%s%s", sep, names[i].name);
			sep = " ";
		}
	}
	fprintf(f, "%sIOPL=%u]\n", sep, (unsigned)((fl >> 12) & 3));
}

static void print_seg(FILE *f, const char *name, const struct seg *s)
{
	fprintf(f, "%s=%04x base=%016" PRIx64 " limit=%08x attr=%04x%s%s dpl=%u\n",
		name, s->sel, s->base, s->limit, s->attr,
		(s->attr & SA_P) ? " P" : " not-present",
		(s->attr & SA_L) ? " L" : "", SA_DPL(s->attr));
}

/* Copy up to 15 instruction bytes at linear `la`, stopping at the first
 * unmapped byte.  Uses mmu_probe so nothing faults. */
static size_t fetch_bytes(struct machine *m, uint64_t la, uint8_t *buf, size_t max)
{
	size_t n = 0;
	while (n < max) {
		uint64_t pa;
		if (!mmu_probe(&m->cpu, la + n, ACC_EXEC | ACC_SYS, &pa))
			break;
		uint8_t *p = phys_ptr(m, pa, 1);
		if (!p)
			break;
		buf[n++] = *p;
	}
	return n;
}

void machine_dump_state(struct machine *m, FILE *f)
{
	struct cpu *c = &m->cpu;
	static const char *const gpr[16] = {
		"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
		"R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
	};
	if (c->fault_depth > 0) {
		fprintf(f, "escalated exceptions:");
		int n = c->fault_depth < FAULT_HISTORY ? c->fault_depth : FAULT_HISTORY;
		for (int i = 0; i < n; i++)
			fprintf(f, "%s %s (vector %u)", i ? " ->" : "",
				dump_exception_name((int)c->fault_history[i]), c->fault_history[i]);
		fprintf(f, "%s\n", c->idtr.limit == 0 ? " [IDTR.limit is 0: no IDT]" : "");
	}
	fprintf(f, "RIP=%016" PRIx64, c->rip);
	print_sym(m, f, c->rip);
	fprintf(f, "  CPL=%d  instructions retired: %" PRIu64 "\n", c->cpl, c->icount);
	for (int i = 0; i < 16; i++)
		fprintf(f, "%s=%016" PRIx64 "%s", gpr[i], c->r[i], (i % 4 == 3) ? "\n" : "  ");
	print_rflags(f, flags_get(c));
	static const char *const sn[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
	for (int s = 0; s < 6; s++)
		print_seg(f, sn[s], &c->seg[s]);
	fprintf(f, "GDTR base=%016" PRIx64 " limit=%04x  IDTR base=%016" PRIx64 " limit=%04x\n",
		c->gdtr.base, c->gdtr.limit, c->idtr.base, c->idtr.limit);
	fprintf(f, "TR=%04x base=%016" PRIx64 " limit=%08x  LDTR=%04x\n",
		c->tr.sel, c->tr.base, c->tr.limit, c->ldtr.sel);
	fprintf(f, "CR0=%016" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%016" PRIx64 "\n",
		c->cr0, c->cr2, c->cr3, c->cr4);
	fprintf(f, "EFER=%016" PRIx64 " [%s%s%s%s]  KERNEL_GS_BASE=%016" PRIx64 "\n",
		c->efer, (c->efer & LSTAR_MSR_EFER_SCE) ? "SCE " : "", (c->efer & LSTAR_MSR_EFER_LME) ? "LME " : "",
		(c->efer & LSTAR_MSR_EFER_LMA) ? "LMA " : "", (c->efer & LSTAR_MSR_EFER_NXE) ? "NXE" : "",
		c->kernel_gs_base);

	uint8_t buf[16];
	size_t n = fetch_bytes(m, c->seg[SEG_CS].base + c->rip, buf, 15);
	fprintf(f, "instruction at %016" PRIx64 ":", c->rip);
	if (n == 0) {
		fprintf(f, " (not mapped or outside RAM)\n");
		return;
	}
	ZydisDisassembledInstruction di;
	ZydisMachineMode mode = (c->seg[SEG_CS].attr & SA_L) ? ZYDIS_MACHINE_MODE_LONG_64 :
		(c->seg[SEG_CS].attr & SA_DB) ? ZYDIS_MACHINE_MODE_LONG_COMPAT_32 :
		ZYDIS_MACHINE_MODE_LONG_COMPAT_16;
	if (ZYAN_SUCCESS(ZydisDisassembleIntel(mode, c->rip, buf, n, &di))) {
		for (unsigned i = 0; i < di.info.length; i++)
			fprintf(f, " %02x", buf[i]);
		fprintf(f, "  %s\n", di.text);
	} else {
		for (size_t i = 0; i < n && i < 8; i++)
			fprintf(f, " %02x", buf[i]);
		fprintf(f, "  (invalid instruction)\n");
	}
}
