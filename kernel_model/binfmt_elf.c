/*
 * binfmt_elf.c - ELF programs and their interpreter (mirrors
 * fs/binfmt_elf.c: load_elf_binary, load_elf_interp, elf_map,
 * create_elf_tables, and arch/x86/kernel/process_64.c: start_thread).
 *
 * The first program: the firmware already parsed the ELF file and put
 * each PT_LOAD's bytes in physical memory (boot info, platform.md §4), so
 * "loading" it means building the VMAs and pages of each segment.  A
 * program run by execve (exec.c) is mapped from its file: each PT_LOAD
 * becomes a private file mapping (elf_map), served by the page cache
 * (filemap.c), plus anonymous memory for the .bss beyond the file bytes.
 *
 * A dynamically linked program names its interpreter in PT_INTERP:
 * /lib64/ld-linux-x86-64.so.2 for glibc, /lib/ld-musl-x86_64.so.1 for
 * musl.  The kernel maps that file too, an ET_DYN placed below mmap_base
 * like any mmap, and user mode starts at the interpreter's entry point,
 * not the program's.  The auxiliary vector tells the interpreter where
 * the program is (AT_PHDR, AT_PHNUM, AT_ENTRY) and where it is itself
 * (AT_BASE); it then maps the shared libraries with mmap and jumps to
 * AT_ENTRY.  Then, for both: place the heap after the program's last
 * segment, build the initial stack the SysV ABI prescribes, enter CPL 3.
 */
#include "sched.h"
#include "mm.h"
#include "fs.h"
#include "processor.h"
#include "binprm.h"

#define STACK_EXPAND	(128UL << 10)	/* Linux's stack_expand: room below the arguments */
#define MMAP_MIN_GAP	(128UL << 20)	/* Linux's smallest gap below the stack top */
#define MMAP_MAX_GAP	(TASK_SIZE_MAX / 6 * 5)
#define PATH_MAX_EXE	4096
#define ELF_ET_DYN_BASE	0x555555554000UL	/* where Linux puts a PIE */
#define MAX_PHNUM	64

struct elf64_hdr {
	u8 e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define PT_LOAD		1
#define PT_INTERP	3
#define ET_EXEC		2
#define ET_DYN		3
#define EM_X86_64	62

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

/* Map one PT_LOAD of the first program.  The firmware put its file bytes
 * in pages of their own, zero around the bytes and used by nobody else:
 * those frames become the segment's pages, nothing is copied (and they
 * go to the free list when the program unmaps them).  The .bss pages
 * past the file bytes come on demand, zeroed. */
static void map_segment(const struct lstar_boot_segment *s)
{
	u64 start = s->vaddr & PAGE_MASK, end = PAGE_ALIGN(s->vaddr + s->memsz);
	u64 fend = s->vaddr + s->filesz;

	if (end > TASK_SIZE_MAX || end <= start)
		panic("program segment at 0x%lx is outside user space", s->vaddr);
	if (vma_or_flags(start, end, elf_vm_flags(s->flags)))
		panic("too many program segments");
	for (u64 va = start; s->filesz && va < fend; va += PAGE_SIZE) {
		u64 pa = s->paddr + (va - start);
		if (!vm_insert_page(va, pa))
			continue;
		/* A page the previous segment maps too: copy our bytes in. */
		u8 *page = populate_page(va);
		if (!page)
			panic("out of memory loading the program");
		u64 lo = MAX(va, s->vaddr), hi = MIN(va + PAGE_SIZE, fend);
		memcpy(page + (lo - va), __va(pa + (lo - va)), hi - lo);
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
		AT_SYSINFO_EHDR, init_mm.vdso,	/* first, as Linux's ARCH_DLINFO */
		AT_HWCAP, edx,			/* CPUID.1:EDX, as Linux reports */
		AT_PAGESZ, PAGE_SIZE,
		AT_CLKTCK, 100,
		AT_PHDR, b->phdr,
		AT_PHENT, b->phent,
		AT_PHNUM, b->phnum,
		AT_BASE, b->interp_base,	/* the ELF interpreter, 0 if none */
		AT_FLAGS, 0,
		AT_ENTRY, b->entry,
		AT_UID, boot_info.uid, AT_EUID, boot_info.uid,
		AT_GID, boot_info.gid, AT_EGID, boot_info.gid,
		AT_SECURE, 0,
		AT_RANDOM, random,
		AT_HWCAP2, 0,
		AT_EXECFN, execfn,
		AT_PLATFORM, platform,
		AT_MINSIGSTKSZ, signal_min_stack_size(), /* the signal frame with its XSAVE area */
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
		n = hostcall(LSTAR_HC_GETCWD, __pa_symbol(exe), sizeof(exe), 0, 0, 0, 0);
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

/* The new program's layout and names: mmap base; /proc/self/exe is the
 * file run (a script's interpreter), the name (comm) the one execve got. */
void setup_new_exec(struct linux_binprm *b)
{
	/* mmap_base (mm/util.c): below room for a stack of RLIMIT_STACK and
	 * its guard gap, at least 128 MiB, at most 5/6 of the address space
	 * (an unlimited stack). */
	u64 gap = current->signal->rlim[RLIMIT_STACK].rlim_cur;
	if (gap + STACK_GUARD_GAP > gap)
		gap += STACK_GUARD_GAP;
	gap = MIN(MAX(gap, MMAP_MIN_GAP), MMAP_MAX_GAP);
	init_mm.mmap_base = PAGE_ALIGN(STACK_TOP - gap);
	if (b->filename) {
		set_exe_path(b->interp ? b->interp : b->filename);
		set_task_comm(b->filename);
	}
}

/* After the segments: the heap starts above the program's last one. */
static void set_brk(const struct linux_binprm *b)
{
	init_mm.start_brk = init_mm.brk = PAGE_ALIGN(b->top);
}

/* The stack and what _start finds on it. */
void finalize_exec(struct linux_binprm *b)
{
	/* The arguments, their pointers and the auxv, and 128 KiB more; the
	 * stack grows from there on demand (find_extend_vma). */
	u64 size = PAGE_ALIGN(b->arg_used + (b->argc + b->envc + 64) * 8) + STACK_EXPAND;
	if (vma_add(STACK_TOP - size, STACK_TOP, VM_READ | VM_WRITE | VM_GROWSDOWN))
		panic("no room for the stack");
	arch_setup_additional_pages();	/* the vDSO; a program runs without one */
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

/* ---- ELF files: execve, and every interpreter ---- */

static bool elf_check_arch(const struct elf64_hdr *e)
{
	return !memcmp(e->e_ident, "\177ELF", 4) && e->e_ident[4] == 2 /* 64-bit */ &&
	       e->e_ident[5] == 1 /* little-endian */ && e->e_machine == EM_X86_64 &&
	       (e->e_type == ET_EXEC || e->e_type == ET_DYN);
}

static unsigned long elf_prot(u32 p_flags)
{
	return (p_flags & LSTAR_SEG_R ? PROT_READ : 0) | (p_flags & LSTAR_SEG_W ? PROT_WRITE : 0) |
	       (p_flags & LSTAR_SEG_X ? PROT_EXEC : 0);
}

/* Read and check the program headers (load_elf_phdrs): every PT_LOAD must
 * fit in user space with its file offset and address congruent modulo
 * the page size, as mmap needs. */
static long elf_read_phdrs(long h, const struct elf64_hdr *e, struct elf64_phdr *ph)
{
	if (e->e_phentsize != sizeof(*ph) || e->e_phnum == 0 || e->e_phnum > MAX_PHNUM)
		return -ENOEXEC;
	long err = kernel_read_at(h, ph, e->e_phnum * sizeof(*ph), e->e_phoff);
	if (err)
		return err;
	bool any = false;
	for (int i = 0; i < e->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		u64 end = p->p_vaddr + p->p_memsz;
		if (p->p_filesz > p->p_memsz || end < p->p_vaddr || end > TASK_SIZE_MAX ||
		    ((p->p_vaddr ^ p->p_offset) & ~PAGE_MASK))
			return -ENOEXEC;
		any = true;
	}
	return any ? 0 : -ENOEXEC;
}

/* Without a page cache entry (see filemap.c: only when it is full of
 * files in use), the file bytes are copied in now. */
static long load_bytes(long h, u64 va, u64 off, u64 n)
{
	while (n) {
		u64 chunk = MIN(n, (u64)HC_BOUNCE_SIZE);
		long r = hostcall(LSTAR_HC_PREAD, h, hc_pa(hc_bounce), chunk, off, 0, 0);
		if (r <= 0)
			return r < 0 ? r : -EIO;
		for (u64 done = 0; done < (u64)r;) {
			u8 *page = populate_page(va + done);
			if (!page)
				return -ENOMEM;
			u64 in = MIN((u64)r - done, PAGE_SIZE - ((va + done) & ~PAGE_MASK));
			memcpy(page + ((va + done) & ~PAGE_MASK), hc_bounce + done, in);
			done += in;
		}
		va += r; off += r; n -= r;
	}
	return 0;
}

/*
 * elf_map - one PT_LOAD at bias + p_vaddr: the file's pages as a private
 * mapping with the segment's rights, and for the .bss the rest of the
 * last file page cleared (padzero) and anonymous pages after it.
 */
static long elf_map(struct address_space *as, long h, const struct elf64_phdr *p, u64 bias)
{
	u64 va = bias + p->p_vaddr, start = va & PAGE_MASK;
	u64 fend = va + p->p_filesz, mend = va + p->p_memsz;
	unsigned long prot = elf_prot(p->p_flags);
	long r;

	if (p->p_filesz) {
		if (as) {
			r = do_mmap(start, PAGE_ALIGN(fend) - start, prot, MAP_PRIVATE | MAP_FIXED,
				    as, p->p_offset & PAGE_MASK);
			/* Mapped now rather than on first touch: the program's
			 * and ld.so's constants (the paths they pass to system
			 * calls) are there for --strace to read at the SYSCALL. */
			if (r >= 0)
				mm_populate(start, PAGE_ALIGN(fend));
			if (r >= 0 && (prot & PROT_EXEC))
				filemap_note_exec(as, start, PAGE_ALIGN(fend) - start,
						  p->p_offset & PAGE_MASK);
		} else {
			r = do_mmap(start, PAGE_ALIGN(fend) - start, prot,
				    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, NULL, 0);
			if (r >= 0)
				r = load_bytes(h, va, p->p_offset, p->p_filesz);
		}
		if (r < 0)
			return r;
		if (mend > fend && (fend & ~PAGE_MASK)) {
			u8 *page = populate_page(fend);
			if (!page)
				return -ENOMEM;
			memset(page + (fend & ~PAGE_MASK), 0, PAGE_SIZE - (fend & ~PAGE_MASK));
		}
	}
	u64 bss = p->p_filesz ? PAGE_ALIGN(fend) : start;
	if (PAGE_ALIGN(mend) > bss) {
		r = do_mmap(bss, PAGE_ALIGN(mend) - bss, prot,
			    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, NULL, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The ELF interpreter, checked before the point of no return. */
static struct elf64_hdr exe_ehdr, interp_ehdr;
static struct elf64_phdr exe_phdrs[MAX_PHNUM], interp_phdrs[MAX_PHNUM];
static char interp_name[PATH_MAX];
static struct linux_binprm interp_bprm;	/* only its buf: the first bytes */

/* Open the interpreter and check its headers: -ELIBBAD for a file that
 * is no x86-64 ELF (what Linux answers), the open's error otherwise. */
static long open_elf_interp(const char *path)
{
	long h = open_exec(AT_FDCWD, path, &interp_bprm);
	if (h < 0)
		return h;
	memcpy(&interp_ehdr, interp_bprm.buf, sizeof(interp_ehdr));
	long err = -ELIBBAD;
	if (elf_check_arch(&interp_ehdr))
		err = elf_read_phdrs(h, &interp_ehdr, interp_phdrs);
	if (err == -ENOEXEC)
		err = -ELIBBAD;
	if (err) {
		hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
		return err;
	}
	return h;
}

/*
 * load_elf_interp - map the interpreter: an ET_DYN (ld.so always is) goes
 * where mmap would put the whole span of its segments, top-down below
 * mmap_base; an ET_EXEC at its own addresses.  Sets AT_BASE (its load
 * bias) and the address user mode starts at (its entry point).
 */
static long load_elf_interp(struct linux_binprm *b, long h, const char *path)
{
	u64 lo = ~0UL, hi = 0, bias = 0;
	for (int i = 0; i < interp_ehdr.e_phnum; i++) {
		const struct elf64_phdr *p = &interp_phdrs[i];
		if (p->p_type != PT_LOAD)
			continue;
		lo = MIN(lo, p->p_vaddr & PAGE_MASK);
		hi = MAX(hi, p->p_vaddr + p->p_memsz);
	}
	if (interp_ehdr.e_type == ET_DYN) {
		u64 addr = get_unmapped_area(PAGE_ALIGN(hi) - lo);
		if (!addr)
			return -ENOMEM;
		bias = addr - lo;
	}
	long err = 0;
	struct address_space *as = filemap_get(h, &err);
	if (!as && err != -ENFILE)
		return err;
	if (as && !*filemap_name(as))
		filemap_set_name(as, path);
	for (int i = 0; i < interp_ehdr.e_phnum && !err; i++)
		if (interp_phdrs[i].p_type == PT_LOAD)
			err = elf_map(as, h, &interp_phdrs[i], bias);
	filemap_unpin(as);
	if (err)
		return err;
	b->interp_base = bias;
	b->start = bias + interp_ehdr.e_entry;
	return 0;
}

static const char *errname(long err)
{
	switch (-err) {
	case ENOENT: return "No such file or directory";
	case EACCES: return "Permission denied";
	case ENOEXEC: return "Exec format error";
	case ELIBBAD: return "Accessing a corrupted shared library";
	case ENOMEM: return "Cannot allocate memory";
	case ENOTDIR: return "Not a directory";
	case ELOOP: return "Too many levels of symbolic links";
	default: return "error";
	}
}

/*
 * load_elf_binprm - execve's ELF format (load_elf_binary): bprm->file is
 * open and its first bytes are in bprm->buf.  Returns an error while the
 * old program can still go on; once begin_new_exec has run, the new
 * program starts (the system call returns into it), or the process dies.
 */
long load_elf_binprm(struct linux_binprm *b, struct pt_regs *regs)
{
	struct elf64_hdr *eh = &exe_ehdr;
	memcpy(eh, b->buf, sizeof(*eh));
	if (!elf_check_arch(eh))
		return -ENOEXEC;
	long err = elf_read_phdrs(b->file, eh, exe_phdrs);
	if (err)
		return err;
	u64 bias = eh->e_type == ET_DYN ? ELF_ET_DYN_BASE : 0;
	long ih = -1;
	for (int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &exe_phdrs[i];
		if (p->p_type == PT_LOAD && bias + p->p_vaddr + p->p_memsz > TASK_SIZE_MAX)
			return -ENOEXEC;
		if (p->p_type != PT_INTERP || ih >= 0)
			continue;
		/* A NUL-terminated path, opened like the program. */
		if (p->p_filesz < 2 || p->p_filesz > PATH_MAX)
			return -ENOEXEC;
		if ((err = kernel_read_at(b->file, interp_name, p->p_filesz, p->p_offset)))
			return err;
		if (interp_name[p->p_filesz - 1])
			return -ENOEXEC;
		ih = open_elf_interp(interp_name);
		if (ih < 0)
			return ih;
	}
	struct address_space *as = filemap_get(b->file, &err);
	if (!as && err != -ENFILE) {
		if (ih >= 0)
			hostcall(LSTAR_HC_CLOSE, ih, 0, 0, 0, 0, 0);
		return err;
	}

	begin_new_exec(b, regs);	/* the point of no return */
	setup_new_exec(b);
	if (as && !*filemap_name(as) && init_mm.exe_path)
		filemap_set_name(as, init_mm.exe_path);	/* absolute */
	for (int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &exe_phdrs[i];
		if (p->p_type != PT_LOAD)
			continue;
		u64 va = bias + p->p_vaddr;
		if (elf_map(as, b->file, p, bias)) {
			if (ih >= 0)
				hostcall(LSTAR_HC_CLOSE, ih, 0, 0, 0, 0, 0);
			exec_unlock();
			force_sig_exit(SIGKILL, "execve: cannot load the segments", va, regs);
		}
		/* AT_PHDR: the program headers as the segment holding them maps them. */
		if (!b->phdr && p->p_offset <= eh->e_phoff && eh->e_phoff < p->p_offset + p->p_filesz)
			b->phdr = va + (eh->e_phoff - p->p_offset);
		b->top = MAX(b->top, va + p->p_memsz);
		note_segment(va, p->p_filesz, p->p_flags);	/* LSTAR_SEG_* are ELF's PF_* */
	}
	filemap_unpin(as);
	hostcall(LSTAR_HC_CLOSE, b->file, 0, 0, 0, 0, 0);
	b->file = -1;
	b->entry = b->start = bias + eh->e_entry;
	b->phent = eh->e_phentsize;
	b->phnum = eh->e_phnum;
	set_brk(b);
	if (ih >= 0) {
		err = load_elf_interp(b, ih, interp_name);
		hostcall(LSTAR_HC_CLOSE, ih, 0, 0, 0, 0, 0);
		if (err) {
			exec_unlock();
			force_sig_exit(SIGKILL, "execve: cannot load the interpreter", 0, regs);
		}
	}
	finalize_exec(b);
	start_thread(regs, b->start, init_mm.start_stack);
	return 0;
}

/* ---- the first program, from the firmware ---- */

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
		.entry = prog->entry, .start = prog->entry,
		.phdr = prog->phdr_vaddr, .phent = prog->phent, .phnum = prog->phnum,
		.file = -1,
	};
	const u64 *argv = __va(boot_info.argv), *envp = __va(boot_info.envp);
	for (u64 i = 0; i < b.argc; i++)
		boot_argv[i] = __va(argv[i]);
	for (u64 i = 0; i < b.envc; i++)
		boot_envp[i] = __va(envp[i]);

	if (boot_info.flags & LSTAR_BOOT_F_EXEC) {
		/* Not an ELF file (a script): the kernel executes it. */
		const char *failed = b.filename;
		long err = kernel_execve(b.filename, boot_argv, b.argc, boot_envp, b.envc,
					 &user_regs, &failed);
		if (err < 0) {
			if (strcmp(failed, b.filename) && err != -ELOOP)
				printk("lstar: %s: bad interpreter %s: %s\n", b.filename, failed,
				       errname(err));
			else
				printk("lstar: %s: cannot execute it: %s\n", b.filename, errname(err));
			do_exit(err == -ENOENT ? 127 : 126);
		}
		cputime_init();
		ret_to_user(&user_regs);
	}
	setup_new_exec(&b);
	/* /proc/self/exe and the program's lines in /proc/self/maps: the
	 * path with symlinks, "." and ".." resolved, as Linux's d_path, when
	 * the firmware's (host) path is the guest's too (no --root). */
	if (boot_info.exe_path && !(boot_info.flags & LSTAR_BOOT_F_ROOT))
		set_exe_path(__va(boot_info.exe_path));
	for (u64 i = 0; i < prog->nsegs && i < LSTAR_BOOT_MAX_SEGS; i++) {
		map_segment(&prog->seg[i]);
		note_segment(prog->seg[i].vaddr, prog->seg[i].filesz, prog->seg[i].flags);
		b.top = MAX(b.top, prog->seg[i].vaddr + prog->seg[i].memsz);
	}
	set_brk(&b);
	if (boot_info.interp) {
		/* A dynamic program: its interpreter comes from the guest's
		 * file system (the --root directory, when there is one). */
		const char *path = __va(boot_info.interp);
		long h = open_elf_interp(path), err = h;
		if (h >= 0) {
			err = load_elf_interp(&b, h, path);
			hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
		}
		if (err < 0) {
			printk("lstar: %s: cannot load its interpreter %s: %s\n",
			       b.filename ? b.filename : "program", path, errname(err));
			do_exit(127);
		}
	}
	finalize_exec(&b);
	start_thread(&user_regs, b.start, init_mm.start_stack);
	cputime_init();		/* the first process's clock starts now */
	ret_to_user(&user_regs);
}
