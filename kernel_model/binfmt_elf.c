/*
 * binfmt_elf.c - turn the program the firmware loaded into a running
 * process (mirrors fs/binfmt_elf.c: load_elf_binary, create_elf_tables,
 * and arch/x86/kernel/process_64.c: start_thread).
 *
 * The firmware already parsed the ELF file and put each PT_LOAD's bytes in
 * physical memory (boot info, platform.md §4), so "loading" here means:
 * build the VMAs and pages of each segment, place the heap after the last
 * one, build the initial stack the SysV ABI prescribes, and enter CPL 3.
 */
#include "mm.h"
#include "processor.h"

#define STACK_SIZE	(8UL << 20)	/* RLIMIT_STACK */
#define MMAP_GAP	(128UL << 20)	/* Linux's minimum gap below the stack */
#define PATH_MAX_EXE	4096

static unsigned long seg_vm_flags(u32 f)
{
	return (f & LSTAR_SEG_R ? VM_READ : 0) | (f & LSTAR_SEG_W ? VM_WRITE : 0) |
	       (f & LSTAR_SEG_X ? VM_EXEC : 0);
}

/* Map one PT_LOAD: file bytes copied, the tail up to p_memsz (.bss) zero. */
static void map_segment(const struct lstar_boot_segment *s)
{
	u64 start = s->vaddr & PAGE_MASK, end = PAGE_ALIGN(s->vaddr + s->memsz);
	u64 fend = s->vaddr + s->filesz;

	if (end > TASK_SIZE_MAX || end <= start)
		panic("program segment at 0x%lx is outside user space", s->vaddr);
	if (vma_or_flags(start, end, seg_vm_flags(s->flags)))
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

static u64 push_string(u64 pa)
{
	const char *s = __va(pa);
	return push_bytes(s, strlen(s) + 1);
}

#define MAX_ARG_STRINGS 4096
static u64 argv_addr[MAX_ARG_STRINGS], envp_addr[MAX_ARG_STRINGS];

/*
 * The initial stack, from high addresses down (what _start finds at RSP):
 *   strings: execfn, environment, arguments, "x86_64", 16 random bytes
 *   (padding to 16 bytes)
 *   auxv pairs ending with AT_NULL, envp[] + NULL, argv[] + NULL, argc  <- RSP
 */
static void create_elf_tables(void)
{
	const struct lstar_boot_program *prog = &boot_info.program;
	u64 argc = MIN(boot_info.argc, (u64)MAX_ARG_STRINGS);
	u64 envc = MIN(boot_info.envc, (u64)MAX_ARG_STRINGS);
	const u64 *argv = __va(boot_info.argv), *envp = __va(boot_info.envp);

	sp = STACK_TOP;
	u64 execfn = prog->path ? push_string(prog->path) : 0;
	for (u64 i = envc; i-- > 0;)
		envp_addr[i] = push_string(envp[i]);
	for (u64 i = argc; i-- > 0;)
		argv_addr[i] = push_string(argv[i]);
	if (argc == 0 && execfn) {	/* always give the program an argv[0] */
		argv_addr[0] = execfn;
		argc = 1;
	}
	u64 platform = push_bytes("x86_64", 7);
	u64 random = push_bytes(boot_info.random, 16);

	u32 eax = 1, ebx, ecx = 0, edx;
	asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));

	u64 auxv[] = {
		AT_HWCAP, edx,			/* CPUID.1:EDX, as Linux reports */
		AT_PAGESZ, PAGE_SIZE,
		AT_CLKTCK, 100,
		AT_PHDR, prog->phdr_vaddr,
		AT_PHENT, prog->phent,
		AT_PHNUM, prog->phnum,
		AT_BASE, 0,			/* no interpreter */
		AT_FLAGS, 0,
		AT_ENTRY, prog->entry,
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
 * path is taken relative to the directory the program starts in. */
static void set_exe_path(u64 path_pa)
{
	static char exe[PATH_MAX_EXE];
	const char *p = __va(path_pa);
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
	memcpy(exe + n, p, len + 1);
	init_mm.exe_path = exe;
}

void load_elf_binary(void)
{
	const struct lstar_boot_program *prog = &boot_info.program;
	u64 top = 0;

	for (u64 i = 0; i < prog->nsegs && i < LSTAR_BOOT_MAX_SEGS; i++) {
		map_segment(&prog->seg[i]);
		top = MAX(top, prog->seg[i].vaddr + prog->seg[i].memsz);
	}
	init_mm.start_brk = init_mm.brk = PAGE_ALIGN(top);
	init_mm.mmap_base = STACK_TOP - MMAP_GAP;
	if (prog->path)
		set_exe_path(prog->path);

	if (vma_add(STACK_TOP - STACK_SIZE, STACK_TOP, VM_READ | VM_WRITE))
		panic("no room for the stack");
	create_elf_tables();

	/* start_thread: all registers zero (the ABI says RDX = 0 means
	 * "no exit handler to register"), interrupts on, user selectors. */
	user_regs.ip = prog->entry;
	user_regs.cs = __USER_CS;
	user_regs.flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	user_regs.sp = init_mm.start_stack;
	user_regs.ss = __USER_DS;
	ret_to_user(&user_regs);
}
