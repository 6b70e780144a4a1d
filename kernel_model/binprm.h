/*
 * binprm.h - what is being executed (a digest of include/linux/binfmts.h).
 * The first program comes from the firmware (binfmt_elf.c:
 * load_elf_binary); later ones from execve (exec.c), which opens the file
 * and asks the formats in turn: binfmt_script.c (#! lines) and
 * binfmt_elf.c (load_elf_binprm).  Both end in setup_new_exec(),
 * finalize_exec() and start_thread().
 */
#ifndef KM_BINPRM_H
#define KM_BINPRM_H

#include "kernel.h"

#define MAX_ARG_STRINGS 4096
#define BINPRM_BUF_SIZE 256		/* the first bytes of the file, for the formats */
#define BINPRM_MAX_RECURSION 5		/* exec_binprm: format rewrites (#!) before ELOOP */

struct linux_binprm {
	const char **argv;		/* kernel copies of the strings */
	u64 argc;
	const char *const *envp;
	u64 envc;
	const char *filename;		/* the name given to execve: AT_EXECFN, comm */
	const char *interp;		/* the file being run (a script's interpreter) */
	long file;			/* its device handle, or -1 */
	char buf[BINPRM_BUF_SIZE];	/* its first bytes (zero padded) */
	const u8 *random;		/* 16 bytes for AT_RANDOM */
	u64 entry;			/* e_entry + load bias: AT_ENTRY */
	u64 phdr, phent, phnum;		/* AT_PHDR, AT_PHENT, AT_PHNUM */
	u64 top;			/* end of the highest segment: brk starts here */
	u64 interp_base;		/* AT_BASE: where the ELF interpreter is, or 0 */
	u64 start;			/* where user mode starts: entry, or the interpreter's */
	u64 arg_used;			/* bytes of the argument space taken */
};

/* binfmt_elf.c */
unsigned long elf_vm_flags(u32 p_flags);
long load_elf_binprm(struct linux_binprm *bprm, struct pt_regs *regs);
void setup_new_exec(struct linux_binprm *bprm);	/* brk, mmap base, names */
void finalize_exec(struct linux_binprm *bprm);	/* stack, initial stack */
void start_thread(struct pt_regs *regs, u64 ip, u64 sp);
void set_exe_path(const char *path);	/* /proc/self/exe */
void note_segment(u64 vaddr, u64 filesz, u32 flags);	/* LSTAR_SEG_* flags */

/* binfmt_script.c: -ENOEXEC when not a script, 0 when bprm now names
 * the interpreter to run instead */
long load_script(struct linux_binprm *bprm);

/* exec.c */
long open_exec(int dfd, const char *path, struct linux_binprm *bprm);	/* handle, fills buf */
long kernel_read_at(long handle, void *dst, u64 n, u64 off);	/* all n bytes or -errno */
void begin_new_exec(struct linux_binprm *bprm, struct pt_regs *regs);	/* no return from here */
void exec_unlock(void);		/* before a failure kills the process */
long bprm_add_string(struct linux_binprm *bprm, const char *s, const char **out);
long kernel_execve(const char *path, const char *const *argv, u64 argc,
		   const char *const *envp, u64 envc, struct pt_regs *regs,
		   const char **failed);	/* the file that could not be run */

#endif
