/*
 * vecops.c - per-instruction speed of lstar's vector handlers.  One
 * variant per run: a loop of 10 000 000 iterations whose body is 8 copies
 * of the instruction under test (register operands, or a load from a hot
 * cache line) plus DEC/JNZ, so a run retires ~100 M user instructions of
 * which 80 % are the instruction measured.  bench/vecops.sh times each
 * variant under lstar and natively and prints instructions per second.
 *
 *   vecops VARIANT        (vecops list: the variants)
 */
#include <stdio.h>
#include <string.h>

#define N 10000000L
#define REP8(s) s s s s s s s s

static char buf[64] __attribute__((aligned(64)));

#define LOOP(name, body, ...)                                                 \
	static void name(void)                                                \
	{                                                                     \
		long n = N;                                                   \
		__asm__ volatile("1:\n\t" REP8(body "\n\t") "dec %0\n\tjnz 1b" \
				 : "+r"(n) : "r"(buf) : "memory", __VA_ARGS__); \
	}

LOOP(v_int_add, "add %%rax, %%rdx", "rax", "rdx")
LOOP(v_sse_paddd, "paddd %%xmm1, %%xmm0", "xmm0", "xmm1")
LOOP(v_sse_pxor, "pxor %%xmm1, %%xmm0", "xmm0", "xmm1")
LOOP(v_sse_pcmpeqb, "pcmpeqb %%xmm1, %%xmm0", "xmm0", "xmm1")
LOOP(v_sse_pmovmskb, "pmovmskb %%xmm1, %%eax", "rax", "xmm1")
LOOP(v_sse_movdqu_load, "movdqu (%1), %%xmm0", "xmm0")
LOOP(v_sse_addps, "addps %%xmm1, %%xmm0", "xmm0", "xmm1")
LOOP(v_sse_mulsd, "mulsd %%xmm1, %%xmm0", "xmm0", "xmm1")
LOOP(v_avx_vpaddd128, "vpaddd %%xmm1, %%xmm2, %%xmm0", "xmm0", "xmm1", "xmm2")
LOOP(v_avx_vpaddd256, "vpaddd %%ymm1, %%ymm2, %%ymm0", "xmm0", "xmm1", "xmm2")
LOOP(v_avx_vpxor256, "vpxor %%ymm1, %%ymm2, %%ymm0", "xmm0", "xmm1", "xmm2")
LOOP(v_avx_vpcmpeqb256, "vpcmpeqb %%ymm1, %%ymm2, %%ymm0", "xmm0", "xmm1", "xmm2")
LOOP(v_avx_vpmovmskb256, "vpmovmskb %%ymm1, %%eax", "rax", "xmm1")
LOOP(v_avx_vmovdqu256_load, "vmovdqu (%1), %%ymm0", "xmm0")
LOOP(v_avx_vaddps256, "vaddps %%ymm1, %%ymm2, %%ymm0", "xmm0", "xmm1", "xmm2")
LOOP(v_avx_vmulsd, "vmulsd %%xmm1, %%xmm2, %%xmm0", "xmm0", "xmm1", "xmm2")
LOOP(v_fma_vfmadd231ps256, "vfmadd231ps %%ymm1, %%ymm2, %%ymm0", "xmm0", "xmm1", "xmm2")

static const struct { const char *name; void (*fn)(void); } variants[] = {
	{ "int_add", v_int_add },
	{ "sse_paddd", v_sse_paddd }, { "sse_pxor", v_sse_pxor },
	{ "sse_pcmpeqb", v_sse_pcmpeqb }, { "sse_pmovmskb", v_sse_pmovmskb },
	{ "sse_movdqu_load", v_sse_movdqu_load }, { "sse_addps", v_sse_addps },
	{ "sse_mulsd", v_sse_mulsd },
	{ "avx_vpaddd128", v_avx_vpaddd128 }, { "avx_vpaddd256", v_avx_vpaddd256 },
	{ "avx_vpxor256", v_avx_vpxor256 }, { "avx_vpcmpeqb256", v_avx_vpcmpeqb256 },
	{ "avx_vpmovmskb256", v_avx_vpmovmskb256 },
	{ "avx_vmovdqu256_load", v_avx_vmovdqu256_load }, { "avx_vaddps256", v_avx_vaddps256 },
	{ "avx_vmulsd", v_avx_vmulsd }, { "fma_vfmadd231ps256", v_fma_vfmadd231ps256 },
};

int main(int argc, char **argv)
{
	for (size_t k = 0; k < sizeof variants / sizeof variants[0]; k++) {
		if (argc < 2 || !strcmp(argv[1], "list"))
			printf("%s\n", variants[k].name);
		else if (!strcmp(argv[1], variants[k].name)) {
			variants[k].fn();
			return 0;
		}
	}
	return argc < 2 || !strcmp(argv[1], "list") ? 0 : 2;
}
