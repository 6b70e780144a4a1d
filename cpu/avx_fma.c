/*
 * avx_fma.c - (being written)
 */
#include "avx.h"
