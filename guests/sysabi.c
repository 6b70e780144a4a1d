/*
 * sysabi.c - the system call ABI itself, checked from user space
 * (syscall-sysret.md §6 cases 46-49): only EAX selects the call, bad
 * numbers give -ENOSYS, RCX/R11 come back as return address and flags --
 * checked against flags set with POPFQ and a label after the SYSCALL, not
 * against what the CPU left -- and every other register is preserved; "tf"
 * ends with a single-step trap after a syscall made with TF set (returned
 * through IRETQ).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static long raw(unsigned long nr)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

/* Fill the registers with patterns, make a syscall, save them again.
 * Plain assembly with global buffers: no compiler-allocated operands that
 * the pushes could move. */
unsigned long in_regs[12], out_regs[12], out_rcx, ret_addr;
void probe(void);
__asm__(
	".text\n.globl probe\nprobe:\n"
	"	push %rbp\n	push %rbx\n	push %r12\n"
	"	push %r13\n	push %r14\n	push %r15\n"
	"	mov in_regs+0(%rip), %rbx\n	mov in_regs+8(%rip), %rdx\n"
	"	mov in_regs+16(%rip), %rsi\n	mov in_regs+24(%rip), %rdi\n"
	"	mov in_regs+32(%rip), %r8\n	mov in_regs+40(%rip), %r9\n"
	"	mov in_regs+48(%rip), %r10\n	mov in_regs+56(%rip), %r12\n"
	"	mov in_regs+64(%rip), %r13\n	mov in_regs+72(%rip), %r14\n"
	"	mov in_regs+80(%rip), %r15\n	mov in_regs+88(%rip), %rbp\n"
	"	mov $39, %eax\n"		/* getpid: ignores its arguments */
	"	syscall\n"
	"probe_ret:\n"
	"	mov %rbx, out_regs+0(%rip)\n	mov %rdx, out_regs+8(%rip)\n"
	"	mov %rsi, out_regs+16(%rip)\n	mov %rdi, out_regs+24(%rip)\n"
	"	mov %r8, out_regs+32(%rip)\n	mov %r9, out_regs+40(%rip)\n"
	"	mov %r10, out_regs+48(%rip)\n	mov %r12, out_regs+56(%rip)\n"
	"	mov %r13, out_regs+64(%rip)\n	mov %r14, out_regs+72(%rip)\n"
	"	mov %r15, out_regs+80(%rip)\n	mov %rbp, out_regs+88(%rip)\n"
	"	mov %rcx, out_rcx(%rip)\n"
	"	lea probe_ret(%rip), %rax\n	mov %rax, ret_addr(%rip)\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n"
	"	pop %r12\n	pop %rbx\n	pop %rbp\n"
	"	ret\n");

/* SYSCALL from known flags: popfq loads `v` first, so what R11 and RCX
 * must hold is known without looking at what the CPU did.  Leaves with DF
 * clear for the C code. */
unsigned long flags_in, flags_r11, flags_rcx, flags_after, flags_ret_addr;
void probe_flags(void);
__asm__(
	".text\n.globl probe_flags\nprobe_flags:\n"
	"	push flags_in(%rip)\n	popfq\n"
	"	mov $39, %eax\n"
	"	syscall\n"
	"probe_flags_ret:\n"
	"	mov %r11, flags_r11(%rip)\n	mov %rcx, flags_rcx(%rip)\n"
	"	pushfq\n	pop %rax\n	mov %rax, flags_after(%rip)\n"
	"	cld\n"
	"	lea probe_flags_ret(%rip), %rax\n	mov %rax, flags_ret_addr(%rip)\n"
	"	ret\n");

/*
 * R11 is RFLAGS as it was when SYSCALL ran (SDM vol. 2B "SYSCALL": R11 :=
 * RFLAGS), which here is what POPFQ made of `v` at CPL 3: the status
 * flags and DF as given, IF still 1 and IOPL still 0 (CPL > IOPL), RF
 * cleared (POPF clears it, and SYSCALL saves it cleared), bit 1 set.
 * Linux returns it in R11 and, through SYSRET or IRETQ, in RFLAGS; RCX is
 * the address right after the SYSCALL (the label, not a register).
 */
static void known_flags(void)
{
	static const unsigned long vs[] = {
		0x0,                     /* nothing set */
		0x8d5,                   /* CF PF AF ZF SF OF */
		0xcd5,                   /* and DF */
		0x00041,                 /* CF ZF */
		0x13884,                 /* PF SF OF, with RF and IOPL 3 asked for */
	};
	for (unsigned k = 0; k < sizeof vs / sizeof vs[0]; k++) {
		unsigned long want = (vs[k] & 0xcd5) | 0x202;
		flags_in = vs[k];
		probe_flags();
		printf("flags %#lx: r11 ", vs[k]);
		if (flags_r11 == want)
			printf("ok");
		else
			printf("%#lx, want %#lx", flags_r11, want);
		printf(", rflags after ");
		if ((flags_after & ~0x10000UL) == want)
			printf("ok");
		else
			printf("%#lx, want %#lx", flags_after, want);
		printf(", rcx %s\n", flags_rcx == flags_ret_addr ? "ok" : "wrong");
	}
}

static void preserved(void)
{
	int same = 1;
	for (int i = 0; i < 12; i++)
		in_regs[i] = 0x1111111111111111UL * (i + 1);
	probe();
	for (int i = 0; i < 12; i++)
		if (in_regs[i] != out_regs[i]) {
			printf("register %d changed: %#lx -> %#lx\n", i, in_regs[i], out_regs[i]);
			same = 0;
		}
	printf("registers preserved: %d\n", same);
	printf("rcx == return address: %d\n", out_rcx == ret_addr);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "tf")) {
		/* TF set around a syscall: Linux (and lstar's kernel) must
		 * return with IRETQ; the trap then kills us with SIGTRAP. */
		__asm__ volatile("pushf; orq $0x100, (%%rsp); popf\n\t"
				 "mov $39, %%eax; syscall; nop; nop"
				 : : : "rax", "rcx", "r11", "memory");
		printf("not reached\n");
		return 0;
	}
	long pid = getpid();
	printf("upper half of rax ignored: %d\n",
	       raw(0xdeadbeef00000000UL | 39) == pid);
	printf("rax = -1: %ld\n", raw(-1UL));
	printf("rax = 1000: %ld\n", raw(1000));
	printf("rax = 0x7fffffff: %ld\n", raw(0x7fffffffUL));
	printf("rax = 0x80000000: %ld\n", raw(0x80000000UL));
	preserved();
	known_flags();
	return 0;
}
