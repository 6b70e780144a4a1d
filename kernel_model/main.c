/*
 * main.c - start_kernel: from the firmware's hand-off to the first user
 * instruction (mirrors init/main.c and arch/x86/kernel/head64.c).
 */
#include "sched.h"
#include "mm.h"
#include "fs.h"
#include "processor.h"

struct lstar_bootinfo boot_info;

void load_elf_binary(void);
void page_refs_init(u64 ram_top);
void idle_task_init(void);
void exit_stats_enable(void);

/* LSTAR_KSTATS in the program's environment asks for the unimplemented
 * syscall report on the console at exit. */
static bool env_has(const char *name)
{
	const u64 *envp = __va(boot_info.envp);
	size_t n = strlen(name);
	for (u64 i = 0; i < boot_info.envc; i++) {
		const char *e = __va(envp[i]);
		if (!strncmp(e, name, n) && e[n] == '=')
			return true;
	}
	return false;
}

/*
 * The machine boots with the RAM the platform contract gives (256 MiB
 * unless --mem says otherwise); lstar can add more behind it when asked,
 * as a PC adds hot-plugged memory.  It is added before anything is built
 * on the memory map: the direct map covers it and the page allocator
 * takes it as one more free range, used after the boot RAM.
 */
static void memory_hotplug(void)
{
	long end = hostcall(LSTAR_HC_MEMORY_ADD, 0, 0, 0, 0, 0, 0);
	u64 old = boot_info.ram_size;
	if (end <= 0 || (u64)end <= old || boot_info.nfree >= LSTAR_BOOT_MAX_FREE)
		return;
	boot_info.free[boot_info.nfree].start = old;
	boot_info.free[boot_info.nfree].size = (u64)end - old;
	boot_info.nfree++;
	boot_info.ram_size = end;
}

void start_kernel(u64 boot_info_pa)
{
	/* Still on the firmware's identity map: physical == virtual.  Keep
	 * a copy, because that map (and the block's memory) goes away. */
	const struct lstar_bootinfo *bi = (const void *)boot_info_pa;
	if (bi->magic != LSTAR_BOOTINFO_MAGIC)
		panic("bad boot info magic at 0x%lx", boot_info_pa);
	memcpy(&boot_info, bi, MIN((u64)bi->size, sizeof(boot_info)));

	cpu_init();		/* GDT, TSS, per-CPU, syscall_init() */
	idt_setup_traps();	/* exceptions now reach traps.c */
	memory_hotplug();	/* more RAM than we booted with, if lstar has it */
	page_alloc_init(&boot_info);
	init_mem_mapping();	/* our page tables; the identity map is gone */
	sched_init();		/* we are task 0, the first process */
	page_refs_init(boot_info.ram_size);
	vdso_init();		/* the vDSO's frames; the time it publishes */
	idle_task_init();
	apic_init();		/* the timer behind the scheduler */
	/* Ctrl-C at lstar's terminal becomes an interrupt (tty_io.c). */
	hostcall(LSTAR_HC_SIGINT_VECTOR, CONSOLE_INTR_VECTOR, 0, 0, 0, 0, 0);
	files_init();		/* fds 0, 1, 2 */

	if (inl(LSTAR_HC_PORT_ID) != LSTAR_HC_ID)
		printk("lstar kernel: no host-call device; file I/O will fail\n");
	if (env_has("LSTAR_KSTATS") || (boot_info.flags & LSTAR_BOOT_F_STATS))
		exit_stats_enable();
	if (!boot_info.program.present) {
		printk("lstar kernel: no user program given; powering off\n");
		do_exit(0);
	}
	load_elf_binary();	/* does not return: the program runs */
}
