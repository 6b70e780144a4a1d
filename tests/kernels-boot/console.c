/* Writes a line to the debug console (port 0xE9), powers off with 42. */
#include "klib.h"
uint64_t kmain(void *bi)
{
	(void)bi;
	puts_e9("hello from the console\n");
	return 42;
}
