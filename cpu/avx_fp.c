/*
 * avx_fp.c - (being written)
 */
#include "avx.h"
