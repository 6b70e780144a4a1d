/* templates_fp.h - diff_avx templates (grammar: diff_avx.c) for cpu/avx_fp.c and cpu/avx_fma.c. */
/* arithmetic: 58 add, 59 mul, 5C sub, 5D min, 5E div, 5F max */
"VEX LIG NP 0F WIG 58 /r x x x", "VEX LIG 66 0F WIG 58 /r x x x", "VEX LIG F3 0F WIG 58 /r x x x", "VEX LIG F2 0F WIG 58 /r x x x",
"VEX LIG NP 0F WIG 59 /r x x x", "VEX LIG 66 0F WIG 59 /r x x x", "VEX LIG F3 0F WIG 59 /r x x x", "VEX LIG F2 0F WIG 59 /r x x x",
"VEX LIG NP 0F WIG 5C /r x x x", "VEX LIG 66 0F WIG 5C /r x x x", "VEX LIG F3 0F WIG 5C /r x x x", "VEX LIG F2 0F WIG 5C /r x x x",
"VEX LIG NP 0F WIG 5D /r x x x", "VEX LIG 66 0F WIG 5D /r x x x", "VEX LIG F3 0F WIG 5D /r x x x", "VEX LIG F2 0F WIG 5D /r x x x",
"VEX LIG NP 0F WIG 5E /r x x x", "VEX LIG 66 0F WIG 5E /r x x x", "VEX LIG F3 0F WIG 5E /r x x x", "VEX LIG F2 0F WIG 5E /r x x x",
"VEX LIG NP 0F WIG 5F /r x x x", "VEX LIG 66 0F WIG 5F /r x x x", "VEX LIG F3 0F WIG 5F /r x x x", "VEX LIG F2 0F WIG 5F /r x x x",
/* 51 sqrt, 52 rsqrt, 53 rcp */
"VEX LIG NP 0F WIG 51 /r x - x", "VEX LIG 66 0F WIG 51 /r x - x", "VEX LIG F3 0F WIG 51 /r x x x", "VEX LIG F2 0F WIG 51 /r x x x",
"VEX LIG NP 0F WIG 52 /r x - x", "VEX LIG F3 0F WIG 52 /r x x x",
"VEX LIG NP 0F WIG 53 /r x - x", "VEX LIG F3 0F WIG 53 /r x x x",
/* D0 addsub, 7C hadd, 7D hsub */
"VEX LIG 66 0F WIG D0 /r x x x", "VEX LIG F2 0F WIG D0 /r x x x",
"VEX LIG 66 0F WIG 7C /r x x x", "VEX LIG F2 0F WIG 7C /r x x x",
"VEX LIG 66 0F WIG 7D /r x x x", "VEX LIG F2 0F WIG 7D /r x x x",
/* C2 compares (imm8 0-31 and above: the harness's random imm8) */
"VEX LIG NP 0F WIG C2 /r x x x ib", "VEX LIG 66 0F WIG C2 /r x x x ib",
"VEX LIG F3 0F WIG C2 /r x x x ib", "VEX LIG F2 0F WIG C2 /r x x x ib",
/* 2F comis, 2E ucomis */
"VEX LIG NP 0F WIG 2F /r x - x", "VEX LIG 66 0F WIG 2F /r x - x",
"VEX LIG NP 0F WIG 2E /r x - x", "VEX LIG 66 0F WIG 2E /r x - x",
/* conversions */
"VEX LIG NP 0F WIG 5B /r x - x", "VEX LIG 66 0F WIG 5B /r x - x", "VEX LIG F3 0F WIG 5B /r x - x",
"VEX LIG F3 0F WIG E6 /r x - x", "VEX LIG F2 0F WIG E6 /r x - x", "VEX LIG 66 0F WIG E6 /r x - x",
"VEX LIG NP 0F WIG 5A /r x - x", "VEX LIG 66 0F WIG 5A /r x - x",
"VEX LIG F3 0F WIG 5A /r x x x", "VEX LIG F2 0F WIG 5A /r x x x",
"VEX LIG F3 0F W0 2A /r x x g", "VEX LIG F3 0F W1 2A /r x x G",
"VEX LIG F2 0F W0 2A /r x x g", "VEX LIG F2 0F W1 2A /r x x G",
"VEX LIG F3 0F W0 2D /r g - x", "VEX LIG F3 0F W1 2D /r G - x",
"VEX LIG F3 0F W0 2C /r g - x", "VEX LIG F3 0F W1 2C /r G - x",
"VEX LIG F2 0F W0 2D /r g - x", "VEX LIG F2 0F W1 2D /r G - x",
"VEX LIG F2 0F W0 2C /r g - x", "VEX LIG F2 0F W1 2C /r G - x",
/* round, dot product */
"VEX LIG 66 0F3A WIG 08 /r x - x ib", "VEX LIG 66 0F3A WIG 09 /r x - x ib",
"VEX LIG 66 0F3A WIG 0A /r x x x ib", "VEX LIG 66 0F3A WIG 0B /r x x x ib",
"VEX LIG 66 0F3A WIG 40 /r x x x ib", "VEX 128 66 0F3A WIG 41 /r x x x ib",
/* MXCSR */
"VEX 128 NP 0F WIG AE /2 - M", "VEX 128 NP 0F WIG AE /3 - M",
/* blends, shuffles, unpacks */
"VEX LIG 66 0F3A WIG 0C /r x x x ib", "VEX LIG 66 0F3A WIG 0D /r x x x ib",
"VEX LIG 66 0F3A W0 4A /r x x x is4", "VEX LIG 66 0F3A W0 4B /r x x x is4",
"VEX LIG NP 0F WIG C6 /r x x x ib", "VEX LIG 66 0F WIG C6 /r x x x ib",
"VEX LIG NP 0F WIG 14 /r x x x", "VEX LIG NP 0F WIG 15 /r x x x",
"VEX LIG 66 0F WIG 14 /r x x x", "VEX LIG 66 0F WIG 15 /r x x x",
/* permutes, 128-bit halves, broadcasts */
"VEX LIG 66 0F38 W0 0C /r x x x", "VEX LIG 66 0F38 W0 0D /r x x x",
"VEX LIG 66 0F3A W0 04 /r x - x ib", "VEX LIG 66 0F3A W0 05 /r x - x ib",
"VEX 256 66 0F3A W0 06 /r x x x ib",
"VEX 256 66 0F3A W0 18 /r x x x ib", "VEX 256 66 0F3A W0 19 /r x - x ib",
"VEX LIG 66 0F38 W0 18 /r x - M", "VEX 256 66 0F38 W0 19 /r x - M", "VEX 256 66 0F38 W0 1A /r x - M",
"[avx2] VEX LIG 66 0F38 W0 18 /r x - xr", "[avx2] VEX 256 66 0F38 W0 19 /r x - xr",
"[avx2] VEX 256 66 0F38 W0 16 /r x x x", "[avx2] VEX 256 66 0F3A W1 01 /r x - x ib",
/* masked moves, sign masks, tests */
"VEX LIG 66 0F38 W0 2C /r x x M", "VEX LIG 66 0F38 W0 2D /r x x M",
"VEX LIG 66 0F38 W0 2E /r x x M", "VEX LIG 66 0F38 W0 2F /r x x M",
"VEX LIG NP 0F WIG 50 /r g - xr", "VEX LIG 66 0F WIG 50 /r g - xr",
"VEX LIG 66 0F38 W0 0E /r x - x", "VEX LIG 66 0F38 W0 0F /r x - x",
/* half moves, duplicates, insert/extract */
"VEX 128 NP 0F WIG 12 /r x x M", "VEX 128 NP 0F WIG 13 /r x - M",
"VEX 128 66 0F WIG 12 /r x x M", "VEX 128 66 0F WIG 13 /r x - M",
"VEX 128 NP 0F WIG 16 /r x x M", "VEX 128 NP 0F WIG 17 /r x - M",
"VEX 128 66 0F WIG 16 /r x x M", "VEX 128 66 0F WIG 17 /r x - M",
"VEX 128 NP 0F WIG 12 /r x x xr", "VEX 128 NP 0F WIG 16 /r x x xr",
"VEX LIG F2 0F WIG 12 /r x - x", "VEX LIG F3 0F WIG 12 /r x - x", "VEX LIG F3 0F WIG 16 /r x - x",
"VEX 128 66 0F3A WIG 21 /r x x x ib", "VEX 128 66 0F3A WIG 17 /r x - g ib",
