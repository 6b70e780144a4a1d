/* Linked at 0xffffffff80100000, loaded at 0x100000: the boot page tables
 * must map p_vaddr onto p_paddr and still identity-map RAM. */
#include "klib.h"
#include "lstar/bootinfo.h"
static volatile uint64_t data_word = 0x1234;
uint64_t kmain(struct lstar_bootinfo *bi)
{
	uint64_t here = (uint64_t)&kmain;
	puts_e9("higher-half kmain at ");
	puthex(here);
	puts_e9("\n");
	if (here < 0xffffffff80000000ULL)
		return 1;
	/* boot info is reached through the identity map */
	if (bi->magic != LSTAR_BOOTINFO_MAGIC)
		return 2;
	/* the same physical byte through both mappings */
	volatile uint64_t *low = (volatile uint64_t *)((uint64_t)&data_word - 0xffffffff80000000ULL);
	data_word = 0xabcdef;
	if (*low != 0xabcdef)
		return 3;
	if (bi->kernel.start != 0x100000)
		return 4;
	puts_e9("higher-half ok\n");
	return 0;
}
