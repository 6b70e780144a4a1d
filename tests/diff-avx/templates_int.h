/* templates_int.h - diff_avx templates (grammar: diff_avx.c) for cpu/avx_int.c. */
