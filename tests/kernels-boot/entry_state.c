/*
 * entry_state.c - checks the CPU state at kernel entry (docs/spec/platform.md §3) and
 * the boot info block (§4).  Prints "FAIL: ..." for each broken rule and
 * "entry-state: N failures" at the end, then powers off with 0 (all good)
 * or 1.  Also prints "ram=0x..." so the test can check --mem.
 */
#include "klib.h"
#include "lstar/bootinfo.h"

static int failures;

static void check(int ok, const char *what, uint64_t val)
{
	if (!ok) {
		puts_e9("FAIL: ");
		puts_e9(what);
		puts_e9(" (value ");
		puthex(val);
		puts_e9(")\n");
		failures++;
	}
}

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

static int overlaps(const struct lstar_boot_range *a, const struct lstar_boot_range *b)
{
	return a->size && b->size && a->start < b->start + b->size && b->start < a->start + a->size;
}

/* Software walk of the boot page tables (identity mapped, so readable). */
static int walk(uint64_t cr3, uint64_t va, uint64_t *pa, uint64_t *flags)
{
	uint64_t *t = (uint64_t *)(cr3 & ~0xFFFULL);
	uint64_t acc = 7;   /* P RW US, ANDed down the levels */
	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[(va >> (12 + 9 * level)) & 511];
		if (!(e & 1))
			return 0;
		acc &= e | ~7ULL;
		if (level == 0 || (level < 3 && (e & 0x80))) {
			uint64_t psz = 1ULL << (12 + 9 * level);
			*pa = (e & 0x000FFFFFFFFFF000ULL & ~(psz - 1)) | (va & (psz - 1));
			*flags = acc | (e & (1ULL << 63));
			return 1;
		}
		t = (uint64_t *)(e & 0x000FFFFFFFFFF000ULL);
	}
	return 0;
}

extern char _start[];

uint64_t kmain(struct lstar_bootinfo *bi)
{
	const uint64_t *r = entry_regs;
	/* General registers: RSP and RDI set, all others zero. */
	static const char *const names[16] = {
		"RAX=0", "RCX=0", "RDX=0", "RBX=0", "RSP", "RBP=0", "RSI=0", "RDI",
		"R8=0", "R9=0", "R10=0", "R11=0", "R12=0", "R13=0", "R14=0", "R15=0",
	};
	for (int i = 0; i < 16; i++)
		if (i != 4 && i != 7)
			check(r[i] == 0, names[i], r[i]);
	check(r[7] == (uint64_t)bi, "RDI = boot info address", r[7]);
	check((r[4] & 15) == 0, "RSP 16-byte aligned", r[4]);
	check(r[16] == 0x2, "RFLAGS = 0x2", r[16]);
	check(r[17] == (uint64_t)_start, "RIP = e_entry", r[17]);

	uint64_t cr0 = READ_CR(0), cr4 = READ_CR(4), cr3 = READ_CR(3);
	check(cr0 & 1, "CR0.PE", cr0);
	check(cr0 & (1ULL << 31), "CR0.PG", cr0);
	check(!(cr0 & (1ULL << 16)), "CR0.WP clear (documented)", cr0);
	check(!(cr0 & ((1ULL << 29) | (1ULL << 30))), "CR0.CD/NW clear", cr0);
	check(cr4 & (1 << 5), "CR4.PAE", cr4);
	check((cr4 & ~(1ULL << 5)) == 0, "CR4 = PAE only (documented)", cr4);
	uint64_t efer = rdmsr(0xC0000080);
	check(efer & (1 << 8), "EFER.LME", efer);
	check(efer & (1 << 10), "EFER.LMA", efer);
	check(!(efer & 1), "EFER.SCE = 0", efer);
	check(!(efer & (1 << 11)), "EFER.NXE = 0", efer);
	check(rdmsr(0xC0000100) == 0, "FS base 0", rdmsr(0xC0000100));
	check(rdmsr(0xC0000101) == 0, "GS base 0", rdmsr(0xC0000101));

	check(READ_SEG(cs) == 0x08, "CS = 0x08", READ_SEG(cs));
	check(READ_SEG(ss) == 0x10, "SS = 0x10", READ_SEG(ss));
	check(READ_SEG(ds) == 0x10, "DS = 0x10", READ_SEG(ds));
	check(READ_SEG(es) == 0x10, "ES = 0x10", READ_SEG(es));
	check(READ_SEG(fs) == 0, "FS = 0", READ_SEG(fs));
	check(READ_SEG(gs) == 0, "GS = 0", READ_SEG(gs));

	struct dtr gdtr, idtr;
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	check(idtr.limit == 0, "IDTR.limit = 0", idtr.limit);
	check(gdtr.limit >= 23, "GDT has 3 entries", gdtr.limit);
	const uint64_t *gdt = (const uint64_t *)gdtr.base;
	check(gdt[0] == 0, "GDT[0] null", gdt[0]);
	uint64_t code = gdt[1], data = gdt[2];
	check((code >> 47) & 1, "GDT 0x08 present", code);
	check(((code >> 45) & 3) == 0, "GDT 0x08 DPL 0", code);
	check(((code >> 43) & 3) == 3, "GDT 0x08 is a code segment", code);
	check((code >> 53) & 1, "GDT 0x08 L=1 (64-bit)", code);
	check(!((code >> 54) & 1), "GDT 0x08 D=0", code);
	check((data >> 47) & 1, "GDT 0x10 present", data);
	check(((data >> 45) & 3) == 0, "GDT 0x10 DPL 0", data);
	check(((data >> 43) & 3) == 2, "GDT 0x10 is a data segment", data);
	check((data >> 41) & 1, "GDT 0x10 writable", data);

	/* Boot info. */
	check(bi->magic == LSTAR_BOOTINFO_MAGIC, "boot info magic", bi->magic);
	check(bi->version == LSTAR_BOOTINFO_VERSION, "boot info version", bi->version);
	check(bi->size == sizeof(*bi), "boot info size", bi->size);
	puts_e9("ram=");
	puthex(bi->ram_size);
	puts_e9(" vendor=");
	puthex(bi->vendor);
	puts_e9(" flags=");
	puthex(bi->flags);
	puts_e9("\n");
	uint64_t ram = bi->ram_size;
	check(ram >= (2ULL << 20) && (ram & 0xFFF) == 0, "ram_size sane", ram);
	check(bi->program.present == 0, "no program given", bi->program.present);
	check(bi->boot_stack.size == 0x10000, "boot stack 64 KiB", bi->boot_stack.size);
	check(r[4] == bi->boot_stack.start + bi->boot_stack.size, "RSP = top of boot stack", r[4]);
	check((cr3 & ~0xFFFULL) >= bi->page_tables.start &&
	      (cr3 & ~0xFFFULL) < bi->page_tables.start + bi->page_tables.size,
	      "CR3 inside page_tables", cr3);
	check((uint64_t)bi >= bi->reserved.start &&
	      (uint64_t)bi + sizeof(*bi) <= bi->reserved.start + bi->reserved.size,
	      "boot info inside reserved", (uint64_t)bi);
	check(gdtr.base >= bi->reserved.start && gdtr.base < bi->reserved.start + bi->reserved.size,
	      "GDT inside reserved", gdtr.base);
	check(bi->kernel.start <= 0x100000 && bi->kernel.start + bi->kernel.size > 0x100000,
	      "kernel range covers 1 MiB", bi->kernel.start);

	const struct lstar_boot_range *used[4] = {
		&bi->kernel, &bi->page_tables, &bi->boot_stack, &bi->reserved
	};
	for (int i = 0; i < 4; i++) {
		check(used[i]->start + used[i]->size <= ram, "used range inside RAM", used[i]->start);
		for (int j = 0; j < i; j++)
			check(!overlaps(used[i], used[j]), "used ranges do not overlap", used[i]->start);
	}
	check(bi->nfree >= 1 && bi->nfree <= LSTAR_BOOT_MAX_FREE, "nfree", bi->nfree);
	uint64_t total_free = 0, prev_end = 0;
	for (uint64_t i = 0; i < bi->nfree && i < LSTAR_BOOT_MAX_FREE; i++) {
		const struct lstar_boot_range *f = &bi->free[i];
		check((f->start & 0xFFF) == 0 && (f->size & 0xFFF) == 0 && f->size,
		      "free range page aligned", f->start);
		check(f->start >= prev_end, "free ranges sorted, disjoint", f->start);
		check(f->start + f->size <= ram, "free range inside RAM", f->start);
		for (int j = 0; j < 4; j++)
			check(!overlaps(f, used[j]), "free range overlaps a used range", f->start);
		prev_end = f->start + f->size;
		total_free += f->size;
	}
	check(total_free > ram / 2, "most of RAM is free", total_free);

	/* The identity map covers all of RAM: every 4 KiB page translates to
	 * itself, present, writable, supervisor; nothing maps past RAM (checked
	 * for the first page after it). */
	int bad = 0;
	for (uint64_t a = 0; a < ram && bad < 4; a += 0x1000) {
		uint64_t pa, fl;
		if (!walk(cr3, a, &pa, &fl) || pa != a || !(fl & 2) || (fl & 4) || (fl >> 63)) {
			check(0, "identity map of RAM (address)", a);
			bad++;
		}
	}
	/* And really use it: write and read back the last byte of RAM and
	 * one byte in each free 2 MiB. */
	volatile uint8_t *last = (volatile uint8_t *)(ram - 1);
	*last = 0x5A;
	check(*last == 0x5A, "last byte of RAM writable", ram - 1);
	for (uint64_t i = 0; i < bi->nfree; i++)
		for (uint64_t a = bi->free[i].start; a < bi->free[i].start + bi->free[i].size;
		     a += 0x200000) {
			volatile uint64_t *p = (volatile uint64_t *)a;
			*p = a ^ 0x1234;
			if (*p != (a ^ 0x1234)) {
				check(0, "free RAM read back", a);
				break;
			}
		}
	/* Physical memory past RAM reads all-ones (docs/spec/platform.md §1), seen
	 * through a temporary mapping would need page tables; skip. */

	puts_e9("entry-state: ");
	puthex((uint64_t)failures);
	puts_e9(failures ? " failures\n" : " failures, all good\n");
	return failures ? 1 : 0;
}
