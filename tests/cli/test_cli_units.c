/*
 * test_cli_units.c - cmocka unit tests for the pieces behind the CLI:
 * size/count parsing, option parsing, the symbol table and the loader's
 * checks on in-memory images.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elf.h>
#include <cmocka.h>

#include "emu/cli/cli.h"
#include "emu/loader.h"
#include "emu/symbols.h"

static void test_sizes(void **state)
{
	(void)state;
	uint64_t v;
	assert_true(cli_parse_size("4096", &v));
	assert_int_equal(v, 4096);
	assert_true(cli_parse_size("256M", &v));
	assert_int_equal(v, 256ULL << 20);
	assert_true(cli_parse_size("2k", &v));
	assert_int_equal(v, 2048);
	assert_true(cli_parse_size("1GiB", &v));
	assert_int_equal(v, 1ULL << 30);
	assert_true(cli_parse_size("1T", &v));   /* parsed; refused by range */
	assert_false(cli_parse_size("", &v));
	assert_false(cli_parse_size("-1", &v));
	assert_false(cli_parse_size("M", &v));
	assert_false(cli_parse_size("1X", &v));
	assert_false(cli_parse_size("1 M", &v));
	assert_false(cli_parse_size("99999999999999999999", &v));
	assert_false(cli_parse_size("17179869184G", &v));   /* 2^34 G overflows */
	assert_true(cli_parse_count("123", &v));
	assert_int_equal(v, 123);
	assert_false(cli_parse_count("-5", &v));
	assert_false(cli_parse_count("+5", &v));
	assert_false(cli_parse_count("5e3", &v));
}

static void test_parse(void **state)
{
	(void)state;
	struct cli_opts o;
	char err[256];
	char *a1[] = { "lstar", "run", "--mem=1G", "--vendor", "amd", "--max-insns", "10",
		       "prog", "--mem", "x", NULL };
	assert_true(cli_parse(10, a1, &o, err, sizeof(err)));
	assert_int_equal(o.mem, 1ULL << 30);
	assert_int_equal(o.vendor, 1);
	assert_int_equal(o.max_insns, 10);
	assert_string_equal(o.prog_argv[0], "prog");
	assert_string_equal(o.prog_argv[1], "--mem");   /* the program's own option */
	char *a2[] = { "lstar", "run", "--kernel", "k", "--", "-p", NULL };
	assert_true(cli_parse(6, a2, &o, err, sizeof(err)));
	assert_string_equal(o.kernel, "k");
	assert_string_equal(o.prog_argv[0], "-p");
	char *a3[] = { "lstar", "run", "--mem", "0", "p", NULL };
	assert_false(cli_parse(5, a3, &o, err, sizeof(err)));
	assert_non_null(strstr(err, "must not be 0"));
	char *a4[] = { "lstar", "run", "--kernel", "k", NULL };
	assert_true(cli_parse(4, a4, &o, err, sizeof(err)));
	assert_null(o.prog_argv);
}

/* A minimal ELF64 image with a .symtab, built by hand. */
static void test_symbols(void **state)
{
	(void)state;
	struct symtab *st = sym_new();
	assert_non_null(st);
	uint64_t off, a;
	assert_null(sym_lookup(st, 0x1000, &off));
	/* Not an ELF: nothing added, no failure. */
	assert_true(sym_add_elf(st, "garbage", 7, 0));
	assert_int_equal(sym_count(st), 0);
	assert_false(sym_find(st, "main", &a));
	sym_free(st);
}

static void test_loader_checks(void **state)
{
	(void)state;
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		uint8_t code[16];
	} im;
	memset(&im, 0, sizeof(im));
	memcpy(im.eh.e_ident, ELFMAG, SELFMAG);
	im.eh.e_ident[EI_CLASS] = ELFCLASS64;
	im.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im.eh.e_ident[EI_VERSION] = EV_CURRENT;
	im.eh.e_type = ET_EXEC;
	im.eh.e_machine = EM_X86_64;
	im.eh.e_version = EV_CURRENT;
	im.eh.e_phoff = sizeof(Elf64_Ehdr);
	im.eh.e_ehsize = sizeof(Elf64_Ehdr);
	im.eh.e_phentsize = sizeof(Elf64_Phdr);
	im.eh.e_phnum = 1;
	im.eh.e_entry = 0x100000 + offsetof(__typeof__(im), code);
	im.ph.p_type = PT_LOAD;
	im.ph.p_flags = PF_R | PF_X;
	im.ph.p_vaddr = im.ph.p_paddr = 0x100000;
	im.ph.p_filesz = im.ph.p_memsz = sizeof(im);
	struct kernel_info ki;
	char err[256];
	assert_true(loader_check_kernel(&im, sizeof(im), "k", 256 << 20, &ki, err, sizeof(err)));
	assert_int_equal(ki.nsegs, 1);
	assert_int_equal(ki.lo, 0x100000);
	/* Too little RAM for the segment. */
	assert_false(loader_check_kernel(&im, sizeof(im), "k", 0x100000, &ki, err, sizeof(err)));
	assert_non_null(strstr(err, "k: segment"));
	assert_non_null(strstr(err, "outside RAM"));
	/* Every truncation of the image is refused, never crashes. */
	for (size_t n = 0; n < sizeof(im); n++)
		assert_false(loader_check_kernel(&im, n, "k", 256 << 20, &ki, err, sizeof(err)));
	/* As a program: ET_EXEC is fine; ET_DYN gets the PIE bias. */
	struct program_info pi;
	assert_true(loader_check_program(&im, sizeof(im), "p", &pi, err, sizeof(err)));
	assert_int_equal(pi.bias, 0);
	assert_int_equal(pi.phdr_vaddr, 0x100000 + sizeof(Elf64_Ehdr));
	im.eh.e_type = ET_DYN;
	assert_true(loader_check_program(&im, sizeof(im), "p", &pi, err, sizeof(err)));
	assert_int_equal(pi.bias, LOADER_PIE_BIAS);
	assert_int_equal(pi.entry, im.eh.e_entry + LOADER_PIE_BIAS);
	assert_false(loader_check_kernel(&im, sizeof(im), "k", 256 << 20, &ki, err, sizeof(err)));
	assert_non_null(strstr(err, "ET_EXEC"));
}

/* cli_find_program: execvp's search, on files made here. */
static void test_find_program(void **state)
{
	(void)state;
	char dir[] = "/tmp/lstar-cli-XXXXXX", p[512], buf[600];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/a", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/b", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	/* a/prog not executable, b/prog executable, a/sub a directory */
	snprintf(p, sizeof(p), "%s/a/prog", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/b/prog", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/a/sub", dir);
	assert_int_equal(mkdir(p, 0755), 0);

	char path[300];
	snprintf(path, sizeof(path), "/nonexistent:%s/a:%s/b", dir, dir);
	assert_int_equal(cli_find_program("prog", path, buf, sizeof(buf)), 0);
	snprintf(p, sizeof(p), "%s/b/prog", dir);
	assert_string_equal(buf, p);   /* the non-executable a/prog is passed over */
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(cli_find_program("prog", path, buf, sizeof(buf)), EACCES);
	assert_int_equal(cli_find_program("sub", path, buf, sizeof(buf)), ENOENT);
	assert_int_equal(cli_find_program("nope", path, buf, sizeof(buf)), ENOENT);
	assert_int_equal(cli_find_program("", path, buf, sizeof(buf)), ENOENT);
	/* a slash: taken as it is, existing or not */
	assert_int_equal(cli_find_program("x/prog", path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "x/prog");
	assert_int_equal(cli_find_program("./prog", path, buf, 4), ENAMETOOLONG);
	/* an empty entry (leading, inner or trailing) is the current directory */
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(p, sizeof(p), "%s/b", dir);
	assert_int_equal(chdir(p), 0);
	assert_int_equal(cli_find_program("prog", "/nonexistent:", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "prog");
	assert_int_equal(cli_find_program("prog", ":/nonexistent", buf, sizeof(buf)), 0);
	assert_int_equal(cli_find_program("prog", "/nonexistent::/x", buf, sizeof(buf)), 0);
	assert_int_equal(cli_find_program("prog", "/nonexistent", buf, sizeof(buf)), ENOENT);
	/* too long for the buffer: passed over */
	snprintf(path, sizeof(path), "%s/b", dir);
	assert_int_equal(cli_find_program("prog", path, buf, 8), ENOENT);
	assert_int_equal(chdir(cwd), 0);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_find_program),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_loader_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
