/*
 * avx_int.c - (being written)
 */
#include "avx.h"
