/* A static program for the built-in kernel: prints its arguments and the
 * auxiliary vector entries the firmware's boot info feeds, exits with 3.
 * A second line shows argv[0] and AT_EXECFN (the path that was loaded). */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char **argv)
{
	printf("argc=%d", argc);
	for (int i = 1; i < argc; i++)
		printf(" [%s]", argv[i]);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	printf(" phnum=%lu random=%s\n", getauxval(AT_PHNUM), rnd ? "yes" : "no");
	const char *fn = (const char *)getauxval(AT_EXECFN);
	printf("argv0=[%s] execfn=[%s]\n", argv[0], fn ? fn : "(none)");
	return 3;
}
