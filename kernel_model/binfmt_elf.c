/*
 * binfmt_elf.c - turn the program the firmware loaded into a running
 * process (mirrors fs/binfmt_elf.c: load_elf_binary, create_elf_tables,
 * and arch/x86/kernel/process_64.c: start_thread).
 *
 * The firmware already parsed the ELF file and put each PT_LOAD's bytes in
 * physical memory (boot info, platform.md §4), so "loading" here means:
 * build the VMAs and pages of each segment, place the heap after the last
 * one, build the initial stack the SysV ABI prescribes, and enter CPL 3.
 * execve (exec.c) maps its segments from the file and shares the rest.
 */
#include "sched.h"
#include "mm.h"
#include "processor.h"
#include "binprm.h"

#define STACK_SIZE	(8UL << 20)	/* RLIMIT_STACK */
#define MMAP_GAP	(128UL << 20)	/* Linux's minimum gap below the stack */
#define PATH_MAX_EXE	4096

unsigned long elf_vm_flags(u32 f)
{
	return (f & LSTAR_SEG_R ? VM_READ : 0) | (f & LSTAR_SEG_W ? VM_WRITE : 0) |
	       (f & LSTAR_SEG_X ? VM_EXEC : 0);
}

/* The code and data bounds /proc/self/stat reports, as Linux's
 * load_elf_binary computes them: code from the executable segments,
 * data up to the end of the file bytes of every segment. */
void note_segment(u64 vaddr, u64 filesz, u32 flags)
{
	if (!init_mm.start_code && !init_mm.end_code && !init_mm.end_data)
		init_mm.start_code = ~0UL;	/* the first segment of a program */
	if ((flags & LSTAR_SEG_X) && vaddr < init_mm.start_code)
		init_mm.start_code = vaddr;
	if (vaddr > init_mm.start_data)
		init_mm.start_data = vaddr;
	if ((flags & LSTAR_SEG_X) && vaddr + filesz > init_mm.end_code)
		init_mm.end_code = vaddr + filesz;
	if (vaddr + filesz > init_mm.end_data)
		init_mm.end_data = vaddr + filesz;
}

/* Map one PT_LOAD: file bytes copied, the tail up to p_memsz (.bss) zero. */
static void map_segment(const struct lstar_boot_segment *s)
{
	u64 start = s->vaddr & PAGE_MASK, end = PAGE_ALIGN(s->vaddr + s->memsz);
	u64 fend = s->vaddr + s->filesz;

	if (end > TASK_SIZE_MAX || end <= start)
		panic("program segment at 0x%lx is outside user space", s->vaddr);
	if (vma_or_flags(start, end, elf_vm_flags(s->flags)))
		panic("too many program segments");
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		u8 *page = populate_page(va);
		if (!page)
			panic("out of memory loading the program");
		u64 lo = MAX(va, s->vaddr), hi = MIN(va + PAGE_SIZE, fend);
		if (lo < hi)
			memcpy(page + (lo - va), __va(s->paddr + (lo - start)), hi - lo);
	}
}

static u64 sp;		/* the user stack pointer while we build the stack */

static u64 push_bytes(const void *p, u64 n)
{
	sp -= n;
	if (copy_to_user((void *)sp, p, n))
		panic("cannot write the initial stack");
	return sp;
}

static u64 push_string(const char *s)
{
	return push_bytes(s, strlen(s) + 1);
}

static u64 argv_addr[MAX_ARG_STRINGS], envp_addr[MAX_ARG_STRINGS];

/*
 * The initial stack, from high addresses down (what _start finds at RSP):
 *   strings: execfn, environment, arguments, "x86_64", 16 random bytes
 *   (padding to 16 bytes)
 *   auxv pairs ending with AT_NULL, envp[] + NULL, argv[] + NULL, argc  <- RSP
 */
static void create_elf_tables(const struct linux_binprm *b)
{
	u64 argc = b->argc, envc = b->envc;

	sp = STACK_TOP;
	u64 execfn = b->filename ? push_string(b->filename) : 0;
	for (u64 i = envc; i-- > 0;)
		envp_addr[i] = push_string(b->envp[i]);
	for (u64 i = argc; i-- > 0;)
		argv_addr[i] = push_string(b->argv[i]);
	/* /proc/self/cmdline and environ: the strings as they lie on the
	 * stack, arguments right below the environment. */
	init_mm.arg_start = argc ? argv_addr[0] : sp;
	init_mm.arg_end = init_mm.env_start = envc ? envp_addr[0] : execfn ? execfn : STACK_TOP;
	init_mm.env_end = execfn ? execfn : STACK_TOP;
	if (argc == 0 && execfn) {	/* always give the program an argv[0] */
		argv_addr[0] = execfn;
		argc = 1;
	}
	u64 platform = push_bytes("x86_64", 7);
	u64 random = push_bytes(b->random, 16);

	u32 eax = 1, ebx, ecx = 0, edx;
	asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));

	u64 auxv[] = {
		AT_HWCAP, edx,			/* CPUID.1:EDX, as Linux reports */
		AT_PAGESZ, PAGE_SIZE,
		AT_CLKTCK, 100,
		AT_PHDR, b->phdr,
		AT_PHENT, b->phent,
		AT_PHNUM, b->phnum,
		AT_BASE, 0,			/* no interpreter */
		AT_FLAGS, 0,
		AT_ENTRY, b->entry,
		AT_UID, boot_info.uid, AT_EUID, boot_info.uid,
		AT_GID, boot_info.gid, AT_EGID, boot_info.gid,
		AT_SECURE, 0,
		AT_RANDOM, random,
		AT_HWCAP2, 0,
		AT_EXECFN, execfn,
		AT_PLATFORM, platform,
		AT_NULL, 0,
	};

	/* RSP must be 16-byte aligned at _start: count the words first. */
	u64 words = 1 + (argc + 1) + (envc + 1) + ARRAY_SIZE(auxv);
	sp &= ~15UL;
	if (words & 1)
		sp -= 8;

	u64 zero = 0;
	push_bytes(auxv, sizeof(auxv));
	push_bytes(&zero, 8);
	push_bytes(envp_addr, envc * 8);
	push_bytes(&zero, 8);
	push_bytes(argv_addr, argc * 8);
	push_bytes(&argc, 8);
	init_mm.start_stack = sp;
}

static struct pt_regs user_regs;

/* /proc/self/exe is always absolute (glibc asserts it): a relative program
 * path is taken relative to the current directory. */
void set_exe_path(const char *p)
{
	static char exe[PATH_MAX_EXE];
	long n = 0;

	if (p[0] != '/') {
		n = hostcall(HC_GETCWD, __pa_symbol(exe), sizeof(exe), 0, 0, 0, 0);
		if (n <= 0)
			n = 1, exe[0] = 0;
		exe[n - 1] = '/';	/* replaces the NUL */
		if (n == 2 && exe[0] == '/')
			n = 1;		/* cwd "/" */
	}
	size_t len = strlen(p);
	if (n + len + 1 > sizeof(exe))
		return;
	memmove(exe + n, p, len + 1);
	init_mm.exe_path = exe;
}

/* After the segments are mapped: heap, mmap base, stack, initial stack. */
void setup_new_exec(struct linux_binprm *b)
{
	init_mm.start_brk = init_mm.brk = PAGE_ALIGN(b->top);
	init_mm.mmap_base = STACK_TOP - MMAP_GAP;
	if (b->filename) {
		set_exe_path(b->filename);
		set_task_comm(b->filename);
	}
	if (vma_add(STACK_TOP - STACK_SIZE, STACK_TOP, VM_READ | VM_WRITE))
		panic("no room for the stack");
	create_elf_tables(b);
}

/* All registers zero (the ABI says RDX = 0 means "no exit handler to
 * register"), interrupts on, user selectors. */
void start_thread(struct pt_regs *regs, u64 ip, u64 sp_)
{
	memset(regs, 0, sizeof(*regs));
	regs->ip = ip;
	regs->cs = __USER_CS;
	regs->flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	regs->sp = sp_;
	regs->ss = __USER_DS;
	regs->orig_ax = -1;
}

static const char *boot_argv[MAX_ARG_STRINGS], *boot_envp[MAX_ARG_STRINGS];

void load_elf_binary(void)
{
	const struct lstar_boot_program *prog = &boot_info.program;
	struct linux_binprm b = {
		.argc = MIN(boot_info.argc, (u64)MAX_ARG_STRINGS),
		.envc = MIN(boot_info.envc, (u64)MAX_ARG_STRINGS),
		.argv = boot_argv, .envp = boot_envp,
		.filename = prog->path ? __va(prog->path) : NULL,
		.random = boot_info.random,
		.entry = prog->entry,
		.phdr = prog->phdr_vaddr, .phent = prog->phent, .phnum = prog->phnum,
	};
	const u64 *argv = __va(boot_info.argv), *envp = __va(boot_info.envp);
	for (u64 i = 0; i < b.argc; i++)
		boot_argv[i] = __va(argv[i]);
	for (u64 i = 0; i < b.envc; i++)
		boot_envp[i] = __va(envp[i]);

	for (u64 i = 0; i < prog->nsegs && i < LSTAR_BOOT_MAX_SEGS; i++) {
		map_segment(&prog->seg[i]);
		note_segment(prog->seg[i].vaddr, prog->seg[i].filesz, prog->seg[i].flags);
		b.top = MAX(b.top, prog->seg[i].vaddr + prog->seg[i].memsz);
	}
	setup_new_exec(&b);
	start_thread(&user_regs, prog->entry, init_mm.start_stack);
	cputime_init();		/* the first process's clock starts now */
	ret_to_user(&user_regs);
}
