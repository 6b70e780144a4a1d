/*
 * system.h - the system family's internal interface (cpu/exception.c,
 * cpu/descriptor.c, cpu/system.c, cpu/cpuid.c).
 *
 * Other families call seg_load() (POP FS/GS).  The forms of move-family
 * mnemonics that are system instructions (MOV to/from Sreg, CRn, DRn; far
 * JMP/CALL/RET) are FORM rows of ops_system.def.
 */
#ifndef LSTAR_SYSTEM_H
#define LSTAR_SYSTEM_H

#include "cpu.h"

/* Hidden attributes (struct seg.attr) of the flat segments SYSCALL/SYSRET
 * load without reading the GDT (SDM vol. 2B SYSCALL/SYSRET). */
#define SA_KCODE64 0xA09B  /* G L P DPL0 S type B (execute/read, accessed) */
#define SA_KDATA   0xC093  /* G B P DPL0 S type 3 (read/write, accessed) */
#define SA_UCODE64 0xA0FB  /* same, DPL 3 */
#define SA_UDATA   0xC0F3  /* same, DPL 3 */

/* ---- cpu/descriptor.c ---- */

/* Read the 8-byte descriptor `sel` names from the GDT or LDT (supervisor
 * access).  Returns false when the selector's index lies beyond the table
 * limit (the caller raises #GP(selector)). */
bool desc_read(struct cpu *c, uint16_t sel, uint64_t *desc);
/* Fill a segment register's hidden part from a descriptor. */
void seg_from_desc(struct seg *s, uint16_t sel, uint64_t desc);
/* MOV/POP to DS, ES, FS, GS or SS with the checks of 64-bit mode
 * (SDM vol. 2B MOV "Protected Mode Exceptions"; vol. 3A §5.4.1). */
void seg_load(struct cpu *c, int sreg, uint16_t sel);

void op_mov_sreg(struct cpu *c, const struct insn *i);
void op_retf(struct cpu *c, const struct insn *i);
void op_far_jmp(struct cpu *c, const struct insn *i);
void op_far_call(struct cpu *c, const struct insn *i);

/* ---- cpu/system.c ---- */
void op_mov_cr(struct cpu *c, const struct insn *i);
void op_mov_dr(struct cpu *c, const struct insn *i);

/* ---- cpu/cpuid.c ---- */
/* CPUID leaf/subleaf as the CPU answers it (vendor, model, CR4.OSXSAVE,
 * XCR0): r = EAX, EBX, ECX, EDX. */
void cpuid_query(const struct cpu *c, uint32_t leaf, uint32_t sub, uint32_t r[4]);
/* The CPUF_* set of a psABI level (1-3) that lstar implements. */
unsigned cpu_level_features(int level);

/* ---- cpu/xsave.c ---- */
/* CPUID leaf 0xD subleaf `sub` (SDM vol. 1 13.2). */
void xsave_cpuid(const struct cpu *c, uint32_t sub, uint32_t r[4]);

/* ---- cpu/exception.c ---- */

/* Stop the machine because the guest entered a mode lstar does not model;
 * `fmt` describes it (goes into the machine's stop_message). */
_Noreturn void cpu_unsupported(struct cpu *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "#GP" etc. for diagnostics. */
const char *exc_name(int vector);

#endif
