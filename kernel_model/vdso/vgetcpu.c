/*
 * vgetcpu.c - the vDSO's getcpu (mirrors arch/x86/entry/vdso/vgetcpu.c):
 * one CPU and one node, so both are 0 without asking anyone.
 */
struct getcpu_cache;

long __vdso_getcpu(unsigned *cpu, unsigned *node, struct getcpu_cache *unused)
{
	(void)unused;
	if (cpu)
		*cpu = 0;
	if (node)
		*node = 0;
	return 0;
}

long getcpu(unsigned *, unsigned *, struct getcpu_cache *) __attribute__((weak, alias("__vdso_getcpu")));
