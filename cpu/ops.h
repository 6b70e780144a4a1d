/*
 * ops.h - a declaration of every instruction handler named in the ops*.def
 * tables (cpu/ops.def describes them).  The dispatch tables in
 * cpu/decode.c reference each one, so a handler the tables name and no
 * family defines is a link error.
 */
#ifndef LSTAR_OPS_H
#define LSTAR_OPS_H

#include "cpu.h"

#define OP(mn, fn, fl, note) void fn(struct cpu *c, const struct insn *i);
#define FORM(mn, form, fn, note) void fn(struct cpu *c, const struct insn *i);
/* A FUSE row names the handlers of the pair for each condition of the Jcc
 * (NULL: that condition is not fused). */
#define FUSE(mn, form, fn, note) extern const insn_fn fn[16];
#include "ops.def"
#undef OP
#undef FORM
#undef FUSE

#endif
