/*
 * traps.c - the IDT and what happens on an exception (mirrors
 * arch/x86/kernel/idt.c and arch/x86/kernel/traps.c).
 *
 * A fault in user mode becomes a signal.  This kernel delivers no signal
 * handlers, so every such signal is fatal and takes the default action:
 * the program ends with status 128 + signal number, as a shell reports a
 * process killed by that signal.  A fault in kernel mode is a bug: oops.
 */
#include "sched.h"
#include "kernel.h"
#include "processor.h"
#include "mm.h"
#include "fs.h"

struct gate_struct {
	u16 offset_low;
	u16 segment;
	u16 bits;		/* IST 2:0, type 11:8, DPL 14:13, P 15 */
	u16 offset_middle;
	u32 offset_high;
	u32 reserved;
} __attribute__((packed));

#define NR_TRAPS 32
static struct gate_struct idt_table[256] __attribute__((aligned(16)));

#define GATE_INTERRUPT	0xE	/* clears IF on entry: we never want nesting */

static void set_gate(unsigned n, unsigned long addr, unsigned dpl)
{
	struct gate_struct *g = &idt_table[n];
	g->offset_low = addr & 0xFFFF;
	g->segment = __KERNEL_CS;
	g->bits = (GATE_INTERRUPT << 8) | (dpl << 13) | (1 << 15);
	g->offset_middle = (addr >> 16) & 0xFFFF;
	g->offset_high = addr >> 32;
	g->reserved = 0;
}

void idt_setup_traps(void)
{
	for (unsigned n = 0; n < NR_TRAPS; n++)
		set_gate(n, exception_entries[n], 0);
	/* INT3 and INTO are instructions user code may execute on purpose
	 * (debuggers, overflow checks): their gates must allow CPL 3,
	 * otherwise they would become #GP. */
	set_gate(3, exception_entries[3], 3);
	set_gate(4, exception_entries[4], 3);
	/* The external vectors: the local APIC timer (the scheduler's tick)
	 * and, for anything else, a handler that just returns. */
	extern void asm_sysvec_apic_timer_interrupt(void), asm_spurious_interrupt(void);
	for (unsigned n = NR_TRAPS; n < 256; n++)
		set_gate(n, (unsigned long)asm_spurious_interrupt, 0);
	set_gate(LOCAL_TIMER_VECTOR, (unsigned long)asm_sysvec_apic_timer_interrupt, 0);
	extern void asm_console_interrupt(void);
	set_gate(CONSOLE_INTR_VECTOR, (unsigned long)asm_console_interrupt, 0);

	struct { u16 limit; u64 base; } __attribute__((packed)) idtr = {
		sizeof(idt_table) - 1, (u64)idt_table
	};
	asm volatile("lidt %0" : : "m"(idtr));
}

static const char *const trap_names[NR_TRAPS] = {
	"divide error", "debug", "NMI", "int3", "overflow", "bounds",
	"invalid opcode", "device not available", "double fault",
	"coprocessor segment overrun", "invalid TSS", "segment not present",
	"stack segment", "general protection fault", "page fault", "reserved",
	"x87 floating point", "alignment check", "machine check",
	"SIMD floating point",
};

/* The signal a user-mode exception raises and its si_code (Linux's
 * choices in traps.c: FPE_INTDIV, TRAP_BRKPT, ILL_ILLOPN, BUS_ADRALN,
 * and SI_KERNEL for a general protection fault). */
static int trap_signal(unsigned long vector, int *code)
{
	switch (vector) {
	case 0:			*code = 1; return SIGFPE;
	case 16: case 19:	*code = 0; return SIGFPE;
	case 1: case 3:		*code = 1; return SIGTRAP;
	case 6:			*code = 2; return SIGILL;
	case 17:		*code = 1; return SIGBUS;
	default:		*code = 0x80; return SIGSEGV;
	}
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGILL:  return "SIGILL";
	case SIGFPE:  return "SIGFPE";
	case SIGTRAP: return "SIGTRAP";
	case SIGBUS:  return "SIGBUS";
	case SIGABRT: return "SIGABRT";
	case SIGPIPE: return "SIGPIPE";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGINT:  return "SIGINT";
	case SIGALRM: return "SIGALRM";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	default:      return "signal";
	}
}

/*
 * The program dies of `sig`: one line on the console (what, where, at
 * which instruction), then exit status 128 + sig (platform.md §5).
 */
/*
 * The instruction at a user address, as text: its bytes are copied (as
 * many of the 15 as are readable) and the host-call device disassembles
 * them with Zydis.  "?" when nothing is readable there.
 */
static const char *user_insn_text(unsigned long ip)
{
	static u8 code[16];
	static char text[96];
	u64 n = 0;
	while (n < 15 && copy_from_user(code + n, (const void __user *)(ip + n), 1) == 0)
		n++;
	if (!n || hostcall(LSTAR_HC_DISASM, hc_pa(code), n, ip, hc_pa(text), sizeof(text), 0) <= 0)
		return "?";
	return text;
}

void force_sig_exit(int sig, const char *what, unsigned long addr,
		    const struct pt_regs *regs)
{
	if (regs) {
		/* A trap (INT3, single-step) reports the RIP after the
		 * instruction; name the instruction that raised it instead. */
		unsigned long at = (sig == SIGTRAP && addr) ? addr : regs->ip;
		printk("lstar: %s (%s) at address 0x%lx, ip 0x%lx (%s), sp 0x%lx\n",
		       signame(sig), what, addr, regs->ip, user_insn_text(at), regs->sp);
	}
	else if (current->tgid == INIT_PID)
		/* The process whose status lstar reports; the others die
		 * quietly, as they would under a shell. */
		printk("lstar: killed by %s (%d)\n", signame(sig), sig);
	do_exit_signal(sig);
}

void do_trap_die(struct pt_regs *regs, unsigned long vector)
{
	printk("Oops: %s (vector %lu), error 0x%lx, cr2 0x%lx\n",
	       vector < NR_TRAPS && trap_names[vector] ? trap_names[vector] : "?",
	       vector, regs->orig_ax, read_cr2());
	printk("RIP: %04lx:%016lx RSP: %04lx:%016lx EFLAGS: %08lx\n",
	       regs->cs, regs->ip, regs->ss, regs->sp, regs->flags);
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", regs->ax, regs->bx, regs->cx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", regs->dx, regs->si, regs->di);
	panic("fatal exception in kernel mode");
}

/* Called by every idtentry stub in entry_64.S with a complete pt_regs. */
static void do_trap_user(struct pt_regs *regs, unsigned long vector);

void do_trap(struct pt_regs *regs, unsigned long vector)
{
	bool user = user_mode(regs);
	if (user)
		account_user_time();	/* cputime.c: a fault is kernel time */
	if (vector == 14)
		exc_page_fault(regs, regs->orig_ax, read_cr2());
	else if (!user)
		do_trap_die(regs, vector);
	else
		do_trap_user(regs, vector);
	if (user) {
		exit_to_user_mode_prepare(regs);
		account_system_time();
	}
}

static void do_trap_user(struct pt_regs *regs, unsigned long vector)
{
	/* For the traps (INT3, INTO, single-step) RIP is already past the
	 * instruction; report the instruction address itself for INT3. */
	unsigned long addr = regs->ip;
	if (vector == 3)
		addr = regs->ip - 1;
	int code, sig = trap_signal(vector, &code);
	if (sig == SIGSEGV)
		addr = 0;	/* a #GP has no faulting address to report */
	force_sig_fault(sig, code, addr, regs, trap_names[vector] ? trap_names[vector]
			: "exception");
}
