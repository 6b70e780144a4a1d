/*
 * binprm.h - what is being executed (a digest of include/linux/binfmts.h).
 * The first program comes from the firmware (binfmt_elf.c:
 * load_elf_binary); later ones from execve (exec.c), which reads the ELF
 * file itself.  Both end in setup_new_exec() and start_thread().
 */
#ifndef KM_BINPRM_H
#define KM_BINPRM_H

#include "kernel.h"

#define MAX_ARG_STRINGS 4096

struct linux_binprm {
	const char *const *argv;	/* kernel copies of the strings */
	u64 argc;
	const char *const *envp;
	u64 envc;
	const char *filename;		/* AT_EXECFN, /proc/self/exe */
	const u8 *random;		/* 16 bytes for AT_RANDOM */
	u64 entry;			/* e_entry + load bias */
	u64 phdr, phent, phnum;		/* AT_PHDR, AT_PHENT, AT_PHNUM */
	u64 top;			/* end of the highest segment: brk starts here */
};

unsigned long elf_vm_flags(u32 p_flags);
void setup_new_exec(struct linux_binprm *bprm);	/* brk, stack, initial stack */
void start_thread(struct pt_regs *regs, u64 ip, u64 sp);
void set_exe_path(const char *path);	/* /proc/self/exe */
void note_segment(u64 vaddr, u64 filesz, u32 flags);	/* LSTAR_SEG_* flags */

#endif
