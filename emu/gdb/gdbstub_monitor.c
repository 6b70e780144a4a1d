/*
 * gdbstub_monitor.c - `monitor` commands of the gdb stub (qRcmd): the
 * system state gdb cannot show by itself (docs/gdb.md).  Everything is
 * read without side effects: memory through mmu_probe() (no A/D bits, no
 * faults) and physical reads for the page walk.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu/machine.h"
#include "emu/gdb/gdbstub.h"
#include "emu/gdb/gdbstub_tasks.h"
#include "emu/trace/strace.h"
#include "emu/symbols.h"
#include "cpu/mmu.h"
#include "msr/msr.h"

struct out {
	void (*fn)(const char *, void *);
	void *arg;
};

static void pr(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pr(struct out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	o->fn(buf, o->arg);
}

/* Linear read without side effects; false if unmapped. */
static bool peek(struct machine *m, uint64_t la, void *dst, size_t n)
{
	uint8_t *d = dst;
	for (size_t k = 0; k < n; k++) {
		uint64_t pa;
		if (!mmu_probe(&m->cpu, la + k, ACC_READ | ACC_SYS, &pa))
			return false;
		const uint8_t *p = phys_ptr(m, pa, 1);
		if (!p)
			return false;
		d[k] = *p;
	}
	return true;
}

static const char *sym(struct machine *m, uint64_t a, char *buf, size_t len)
{
	uint64_t off;
	const char *s = m->syms ? sym_lookup(m->syms, a, &off) : NULL;
	if (!s)
		buf[0] = 0;
	else if (off)
		snprintf(buf, len, " <%s+0x%" PRIx64 ">", s, off);
	else
		snprintf(buf, len, " <%s>", s);
	return buf;
}

static void bits(char *buf, size_t len, uint64_t v, const char *const names[64])
{
	size_t o = 0;
	buf[0] = 0;
	for (int b = 0; b < 64; b++)
		if ((v >> b & 1) && names[b] && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s ", names[b]);
	if (o && o < len)
		buf[o - 1] = 0;
}

static void mon_cr(struct machine *m, struct out *o)
{
	static const char *const cr0n[64] = { [0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS",
		[4] = "ET", [5] = "NE", [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG" };
	static const char *const cr4n[64] = { [0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE",
		[4] = "PSE", [5] = "PAE", [6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR",
		[10] = "OSXMMEXCPT", [11] = "UMIP", [16] = "FSGSBASE", [17] = "PCIDE",
		[18] = "OSXSAVE", [20] = "SMEP", [21] = "SMAP" };
	static const char *const efn[64] = { [0] = "SCE", [8] = "LME", [10] = "LMA", [11] = "NXE" };
	struct cpu *c = &m->cpu;
	char b[256];
	bits(b, sizeof b, c->cr0, cr0n);
	pr(o, "CR0  = %016" PRIx64 " [%s]\n", c->cr0, b);
	pr(o, "CR2  = %016" PRIx64 " (last page-fault address)\n", c->cr2);
	pr(o, "CR3  = %016" PRIx64 " (PML4 at physical %#" PRIx64 ")\n", c->cr3,
	   c->cr3 & (uint64_t)0xFFFFFFFFFF000ULL);
	bits(b, sizeof b, c->cr4, cr4n);
	pr(o, "CR4  = %016" PRIx64 " [%s]\n", c->cr4, b);
	pr(o, "CR8  = %016" PRIx64 "\n", c->cr8);
	bits(b, sizeof b, c->efer, efn);
	pr(o, "EFER = %016" PRIx64 " [%s]\n", c->efer, b);
}

static void mon_msr(struct machine *m, struct out *o, const char *arg)
{
	size_t n;
	const struct msr_desc *t = msr_table(&n);
	char b[128];
	bool any = false;
	char *end;
	unsigned long idx = strtoul(arg, &end, 0);
	bool by_index = *arg && !*end;
	for (size_t k = 0; k < n; k++) {
		const char *nm = t[k].name;
		if (*arg && !(by_index ? t[k].index == idx :
			      (!strcasecmp(nm, arg) ||
			       (!strncasecmp(nm, "IA32_", 5) && !strcasecmp(nm + 5, arg)) ||
			       (!strncasecmp(nm, "MSR_", 4) && !strcasecmp(nm + 4, arg)))))
			continue;
		uint64_t v;
		if (!msr_read(&m->cpu, t[k].index, &v))
			continue;
		any = true;
		b[0] = 0;
		if (t[k].index == LSTAR_MSR_LSTAR || t[k].index == LSTAR_MSR_CSTAR)
			sym(m, v, b, sizeof b);
		pr(o, "%#010x %-24s = %016" PRIx64 "%s\n", t[k].index, nm, v, b);
		if (t[k].index == LSTAR_MSR_STAR)
			pr(o, "           SYSCALL CS=%#" PRIx64 " SS=%#" PRIx64
			   "; SYSRET CS=%#" PRIx64 " SS=%#" PRIx64 " (64-bit)\n",
			   (v >> 32) & 0xFFFC, ((v >> 32) & 0xFFFC) + 8,
			   (((v >> 48) & 0xFFFF) + 16) | 3, (((v >> 48) & 0xFFFF) + 8) | 3);
	}
	if (!any)
		pr(o, "no modelled MSR '%s' (try 'monitor msr' for the list)\n", arg);
}

static const char *seg_kind(uint32_t hi)
{
	unsigned type = (hi >> 8) & 0xF, s = (hi >> 12) & 1;
	if (s)
		return type & 8 ? ((hi >> 21) & 1 ? "code64" : "code") : "data";
	switch (type) {
	case 2: return "LDT";
	case 9: return "TSS64 (available)";
	case 11: return "TSS64 (busy)";
	case 12: return "call gate";
	case 14: return "interrupt gate";
	case 15: return "trap gate";
	default: return "system";
	}
}

static void mon_gdt(struct machine *m, struct out *o)
{
	struct cpu *c = &m->cpu;
	pr(o, "GDTR base=%016" PRIx64 " limit=%#x\n", c->gdtr.base, c->gdtr.limit);
	for (unsigned off = 0; off + 7 <= c->gdtr.limit; off += 8) {
		uint32_t d[2];
		if (!peek(m, c->gdtr.base + off, d, 8)) {
			pr(o, "  %#06x: (not mapped)\n", off);
			break;
		}
		if (!d[0] && !d[1]) {
			pr(o, "  %#06x: null\n", off);
			continue;
		}
		uint32_t lo = d[0], hi = d[1];
		uint64_t base = (lo >> 16) | ((uint64_t)(hi & 0xFF) << 16) | ((uint64_t)(hi >> 24) << 24);
		uint32_t limit = (lo & 0xFFFF) | (hi & 0xF0000);
		bool sys = !((hi >> 12) & 1);
		if (sys && off + 15 <= c->gdtr.limit) {
			uint32_t up[2];
			if (peek(m, c->gdtr.base + off + 8, up, 8))
				base |= (uint64_t)up[0] << 32;
		}
		pr(o, "  %#06x: %08x %08x  %-17s base=%016" PRIx64 " limit=%05x dpl=%u%s%s%s\n",
		   off, hi, lo, seg_kind(hi), base, limit, (hi >> 13) & 3,
		   (hi >> 15) & 1 ? " P" : " not-present", (hi >> 21) & 1 ? " L" : "",
		   (hi >> 22) & 1 ? " D" : "");
		if (sys)
			off += 8;   /* 16-byte system descriptor in long mode */
	}
}

static void mon_idt(struct machine *m, struct out *o)
{
	struct cpu *c = &m->cpu;
	char b[160];
	pr(o, "IDTR base=%016" PRIx64 " limit=%#x\n", c->idtr.base, c->idtr.limit);
	for (unsigned v = 0; v < 256 && v * 16 + 15 <= c->idtr.limit; v++) {
		uint32_t d[4];
		if (!peek(m, c->idtr.base + v * 16, d, 16)) {
			pr(o, "  vector %u: (not mapped)\n", v);
			break;
		}
		if (!((d[1] >> 15) & 1))
			continue;
		uint64_t off = (d[0] & 0xFFFF) | (d[1] & 0xFFFF0000) | ((uint64_t)d[2] << 32);
		pr(o, "  %3u: %-15s cs=%#06x ist=%u dpl=%u %016" PRIx64 "%s\n", v,
		   seg_kind(d[1]), d[0] >> 16, d[1] & 7, (d[1] >> 13) & 3, off,
		   sym(m, off, b, sizeof b));
	}
}

static void mon_tss(struct machine *m, struct out *o)
{
	struct cpu *c = &m->cpu;
	pr(o, "TR=%#06x base=%016" PRIx64 " limit=%#x\n", c->tr.sel, c->tr.base, c->tr.limit);
	uint8_t t[104];
	if (c->tr.limit < 103 || !peek(m, c->tr.base, t, sizeof t)) {
		pr(o, "  (no readable 64-bit TSS)\n");
		return;
	}
	uint64_t q;
	for (int k = 0; k < 3; k++) {
		memcpy(&q, t + 4 + 8 * k, 8);
		pr(o, "  RSP%d = %016" PRIx64 "%s\n", k, q,
		   k == 0 ? "  (kernel stack for interrupts from user mode)" : "");
	}
	for (int k = 0; k < 7; k++) {
		memcpy(&q, t + 36 + 8 * k, 8);
		pr(o, "  IST%d = %016" PRIx64 "\n", k + 1, q);
	}
	uint16_t io;
	memcpy(&io, t + 102, 2);
	pr(o, "  I/O map base = %#x\n", io);
}

/* gdb passes `monitor pt $rsi` literally: accept register names. */
static bool reg_by_name(const struct cpu *c, const char *s, uint64_t *v)
{
	static const char *const n[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					   "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	if (*s == '$')
		s++;
	for (int k = 0; k < 16; k++)
		if (!strcasecmp(s, n[k])) {
			*v = c->r[k];
			return true;
		}
	if (!strcasecmp(s, "rip") || !strcasecmp(s, "pc"))
		*v = c->rip;
	else if (!strcasecmp(s, "cr2"))
		*v = c->cr2;
	else if (!strcasecmp(s, "sp"))
		*v = c->r[R_RSP];
	else
		return false;
	return true;
}

static void mon_pt(struct machine *m, struct out *o, const char *arg)
{
	struct cpu *c = &m->cpu;
	char *end = (char *)"";
	uint64_t la;
	if (!reg_by_name(c, arg, &la))
		la = strtoull(arg, &end, 0);
	if (!*arg || *end) {
		pr(o, "usage: monitor pt ADDRESS|REGISTER (e.g. monitor pt 0x401000, monitor pt rip)\n");
		return;
	}
	static const char *const lvl[4] = { "PML4E", "PDPTE", "PDE", "PTE" };
	uint64_t table = c->cr3 & 0xFFFFFFFFFF000ULL;
	pr(o, "walk of %#" PRIx64 " from CR3=%#" PRIx64 "%s\n", la, c->cr3,
	   is_canonical(la) ? "" : " (not canonical: #GP on access)");
	for (int l = 0; l < 4; l++) {
		unsigned idx = (la >> (39 - 9 * l)) & 0x1FF;
		uint64_t pa = table + idx * 8, e = phys_read(m, pa, 8);
		pr(o, "  %-5s[%3u] at %#011" PRIx64 " = %016" PRIx64 " %s %s %s %s%s%s%s\n", lvl[l],
		   idx, pa, e, e & 1 ? "P" : "-", e & 2 ? "RW" : "RO", e & 4 ? "U" : "S",
		   e & (1ULL << 63) ? "XD" : "X", e & 0x20 ? " A" : "", e & 0x40 ? " D" : "",
		   (l == 1 || l == 2) && (e & 0x80) ? " PS" : "");
		if (!(e & 1)) {
			pr(o, "  not present: an access raises #PF\n");
			return;
		}
		if ((l == 1 || l == 2) && (e & 0x80)) {
			uint64_t size = l == 1 ? 1ULL << 30 : 1ULL << 21;
			uint64_t phys = (e & 0xFFFFFFFFFF000ULL & ~(size - 1)) | (la & (size - 1));
			pr(o, "  -> physical %#" PRIx64 " (%s page)\n", phys, l == 1 ? "1 GiB" : "2 MiB");
			return;
		}
		table = e & 0xFFFFFFFFFF000ULL;
	}
	pr(o, "  -> physical %#" PRIx64 " (4 KiB page)\n", table | (la & 0xFFF));
}

static const char *sysname(uint64_t nr)
{
	const char *n = syscall_name(nr);   /* kernel_model/syscall_64.tbl (emu/trace/strace.c) */
	return n ? n : "?";
}

static void mon_syscalls(struct machine *m, const struct gdb_syslog *log, struct out *o)
{
	char b[160];
	if (!log->n) {
		pr(o, "no system call yet\n");
		return;
	}
	uint64_t first = log->n > GDB_SYSLOG ? log->n - GDB_SYSLOG : 0;
	pr(o, "the last %" PRIu64 " of %" PRIu64 " system calls (oldest first):\n", log->n - first,
	   log->n);
	for (uint64_t k = first; k < log->n; k++) {
		const struct gdb_syscall *e = &log->e[k % GDB_SYSLOG];
		char ret[64];
		if (e->returned)
			snprintf(ret, sizeof ret, "= %" PRId64 " (%#" PRIx64 ")", (int64_t)e->ret, e->ret);
		else
			snprintf(ret, sizeof ret, "(no SYSRET yet)");
		pr(o, "  #%-4" PRIu64 " insn %-10" PRIu64 " %s(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
		   ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ") [nr %" PRIu64 "] %s  from %#" PRIx64 "%s\n",
		   k + 1, e->icount, sysname(e->nr), e->arg[0], e->arg[1], e->arg[2], e->arg[3],
		   e->arg[4], e->arg[5], e->nr, ret, e->user_rip, sym(m, e->user_rip, b, sizeof b));
	}
}

static void mon_tasks(struct machine *m, int running, struct out *o)
{
	static struct gtask t[1024];
	int n = tasks_list(m, t, 1024);
	if (n < 0) {
		pr(o, "no task table: this kernel has no 'task_table' of kernel_model's layout\n");
		return;
	}
	if (n > 1024)
		n = 1024;
	pr(o, "  %5s %5s %-5s %-15s %-20s %s\n", "TID", "PID", "STATE", "COMM", "WCHAN",
	   "KERNEL STACK");
	for (int k = 0; k < n; k++) {
		char note[48] = "";
		if (t[k].idle)
			snprintf(note, sizeof note, "  (idle task: gdb thread %d)", t[k].id);
		pr(o, "%c %5d %5d %-5s %-15s %-20s %#018" PRIx64 "%s\n",
		   t[k].id == running ? '*' : ' ', t[k].tid, t[k].tgid,
		   task_state_letter(t[k].state), t[k].comm, t[k].wchan[0] ? t[k].wchan : "-",
		   t[k].stack, note);
	}
	pr(o, "(* on the CPU; STATE as in ps: R runnable, S sleeping, D uninterruptible, "
	   "T stopped, Z zombie)\n");
}

static const char help[] =
	"lstar monitor commands:\n"
	"  monitor cpl             current privilege level and CS/SS\n"
	"  monitor msr [NAME|IDX]  model-specific registers (all, or one: LSTAR, 0xc0000082)\n"
	"  monitor cr              CR0, CR2, CR3, CR4, CR8 and EFER, decoded\n"
	"  monitor gdt             GDT descriptors\n"
	"  monitor idt             present IDT gates with their handlers\n"
	"  monitor tss             the 64-bit TSS: RSP0-2, IST1-7\n"
	"  monitor pt ADDR         page-table walk of a linear address\n"
	"  monitor syscalls        the last system calls (number, arguments, result)\n"
	"  monitor tasks           the guest kernel's tasks: tid, pid, state, name, wait, stack\n"
	"  monitor reverse [interval N]  reverse-execution snapshots: cost, interval\n";

void gdb_monitor(struct machine *m, const struct gdb_syslog *log, int running, const char *cmd,
		 void (*out)(const char *text, void *arg), void *arg)
{
	struct out o = { out, arg };
	struct cpu *c = &m->cpu;
	while (*cmd == ' ')
		cmd++;
	char word[32];
	size_t n = strcspn(cmd, " ");
	if (n >= sizeof word)
		n = sizeof word - 1;
	memcpy(word, cmd, n);
	word[n] = 0;
	const char *rest = cmd + strcspn(cmd, " ");
	while (*rest == ' ')
		rest++;
	if (!strcmp(word, "cpl")) {
		pr(&o, "CPL %d (%s)  CS=%#06x SS=%#06x\n", c->cpl, c->cpl ? "user" : "kernel",
		   c->seg[SEG_CS].sel, c->seg[SEG_SS].sel);
	} else if (!strcmp(word, "msr")) {
		mon_msr(m, &o, rest);
	} else if (!strcmp(word, "cr")) {
		mon_cr(m, &o);
	} else if (!strcmp(word, "gdt")) {
		mon_gdt(m, &o);
	} else if (!strcmp(word, "idt")) {
		mon_idt(m, &o);
	} else if (!strcmp(word, "tss")) {
		mon_tss(m, &o);
	} else if (!strcmp(word, "pt")) {
		mon_pt(m, &o, rest);
	} else if (!strcmp(word, "syscalls")) {
		mon_syscalls(m, log, &o);
	} else if (!strcmp(word, "tasks")) {
		mon_tasks(m, running, &o);
	} else if (!strcmp(word, "help") || !word[0]) {
		pr(&o, "%s", help);
	} else {
		pr(&o, "unknown monitor command '%s'\n%s", word, help);
	}
}
