/* stdio.c - buffered output, formatting, and reading standard input. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[256];
	int n = 0;

	printf("%s: %d argument%s\n", "stdio", argc - 1, argc == 2 ? "" : "s");
	printf("int %d, hex %#x, str [%8s], char %c\n", -42, 0xbeef, "pad", 'z');
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		n += (int)strlen(line);
	fprintf(stderr, "stdio: read %d bytes from stdin\n", n);
	printf("done\n");
	return 0;
}
