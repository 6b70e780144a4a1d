/* templates_fp.h - diff_avx templates (grammar: diff_avx.c) for cpu/avx_fp.c and cpu/avx_fma.c. */
