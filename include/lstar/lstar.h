/*
 * lstar.h - the public C API of the lstar x86-64 machine.
 *
 * With it you build a machine, put code and page tables into its memory, set
 * registers, segments and MSRs, execute one instruction or run until an
 * event (an exception delivered, SYSCALL/SYSRET retired, power-off...) and
 * read back what happened.  It is meant for unit tests of SYSCALL/SYSRET
 * and other system instructions; docs/api.md has a complete cmocka example.
 *
 * Every function that can fail returns an `enum lstar_status`; none of them
 * calls exit() or prints.  The machine is opaque.  Link with
 * `pkg-config --cflags --libs lstar`.
 */
#ifndef LSTAR_LSTAR_H
#define LSTAR_LSTAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LSTAR_VERSION "0.1.0"

/* Marks the functions liblstar exports; the library is built with hidden
 * visibility, so nothing else in it is reachable from outside. */
#if defined(__GNUC__)
#define LSTAR_API __attribute__((visibility("default")))
#else
#define LSTAR_API
#endif

typedef struct lstar_machine lstar_machine;

enum lstar_status {
	LSTAR_OK = 0,          /* success */
	LSTAR_ERR_NOMEM,       /* the host could not allocate memory */
	LSTAR_ERR_ARG,         /* an argument is out of range (see the function) */
	LSTAR_ERR_IO,          /* a file could not be read or written */
	LSTAR_ERR_ELF,         /* an ELF file is malformed or of the wrong kind */
	LSTAR_ERR_FAULT,       /* a guest access would fault (no exception raised) */
	LSTAR_ERR_MSR,         /* the MSR index is not modelled or the value is refused (#GP) */
};

enum lstar_vendor { LSTAR_VENDOR_INTEL = 0, LSTAR_VENDOR_AMD = 1 };

/* The CPU model: an x86-64 psABI level (docs/cpu.md "CPU models").  CPUID
 * reports the level's features and an instruction beyond it raises #UD.
 * LSTAR_CPU_DEFAULT is x86-64-v3. */
enum lstar_cpu_level {
	LSTAR_CPU_DEFAULT = 0,
	LSTAR_CPU_X86_64 = 1,      /* the baseline: SSE2, CMOV, CX8, FXSR */
	LSTAR_CPU_X86_64_V2 = 2,   /* + SSE3, SSSE3, SSE4.1/4.2, POPCNT, CX16, LAHF */
	LSTAR_CPU_X86_64_V3 = 3,   /* + AVX, AVX2, BMI1/2, FMA, F16C, LZCNT, MOVBE, XSAVE... */
};

/* General registers, in encoding order, then RIP and RFLAGS. */
enum lstar_reg {
	LSTAR_RAX, LSTAR_RCX, LSTAR_RDX, LSTAR_RBX, LSTAR_RSP, LSTAR_RBP,
	LSTAR_RSI, LSTAR_RDI, LSTAR_R8, LSTAR_R9, LSTAR_R10, LSTAR_R11,
	LSTAR_R12, LSTAR_R13, LSTAR_R14, LSTAR_R15,
	LSTAR_RIP, LSTAR_RFLAGS,
	LSTAR_CR0, LSTAR_CR2, LSTAR_CR3, LSTAR_CR4,
	LSTAR_NREGS
};

enum lstar_sreg { LSTAR_ES, LSTAR_CS, LSTAR_SS, LSTAR_DS, LSTAR_FS, LSTAR_GS };

/* A segment register with its hidden part.  `attr` is the descriptor's
 * access byte in bits 7:0 and its flags nibble (AVL, L, D/B, G) in 15:12. */
struct lstar_segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint16_t attr;
};

/* Machine configuration; zero-initialize and set what you need. */
struct lstar_config {
	uint64_t mem_size;            /* guest RAM in bytes; 0 = 256 MiB */
	enum lstar_vendor vendor;     /* CPUID vendor and SYSRET flavour */
	const char *console_path;     /* port 0xE9 output file; NULL = stderr */
	int console_fd;               /* used when console_path is NULL and > 0; 0 = stderr */
	enum lstar_cpu_level cpu_level; /* CPU model; 0 = x86-64-v3 */
};

/* Why lstar_run()/lstar_step() returned. */
enum lstar_event {
	LSTAR_EV_NONE = 0,         /* nothing special: lstar_step() retired one instruction */
	LSTAR_EV_EXCEPTION = 1,    /* an exception or interrupt was delivered through the IDT */
	LSTAR_EV_SYSCALL = 2,      /* a SYSCALL retired (now at IA32_LSTAR, CPL 0) */
	LSTAR_EV_SYSRET = 4,       /* a SYSRET retired */
	LSTAR_EV_IRET = 8,         /* an IRETQ retired */
	LSTAR_EV_POWEROFF = 0x100, /* the guest wrote port 0xF4; exit_status holds value & 0xFF */
	LSTAR_EV_HALT = 0x200,     /* HLT with interrupts disabled, or with nothing that can wake the CPU */
	LSTAR_EV_TRIPLE_FAULT = 0x400, /* shutdown after a fault during #DF delivery or no IDT */
	LSTAR_EV_LIMIT = 0x800,    /* the instruction budget of lstar_run() ran out */
	LSTAR_EV_UNSUPPORTED = 0x1000, /* the guest entered a mode lstar does not model */
};

/* What happened, filled by lstar_step() and lstar_run(). */
struct lstar_exit {
	enum lstar_event event;    /* the event that stopped execution */
	int vector;                /* LSTAR_EV_EXCEPTION: the vector delivered */
	uint32_t error_code;       /* its error code (0 if it has none) */
	bool has_error_code;       /* whether an error code was pushed */
	int exit_status;           /* LSTAR_EV_POWEROFF: the status */
	uint64_t icount;           /* instructions retired since the machine was made */
	char message[256];         /* a one-line description (triple fault, #UD mnemonic...) */
};

/* ---- life cycle ---------------------------------------------------- */

/* Make a machine in the platform's reset state of the CPU (real 64-bit
 * long-mode entry state is set up by lstar_boot_kernel or by you).
 * On failure returns NULL and writes a message into err (if non-NULL). */
LSTAR_API lstar_machine *lstar_machine_new(const struct lstar_config *cfg, char *err, size_t errlen);
LSTAR_API void lstar_machine_free(lstar_machine *m);

/* Load a kernel ELF per platform.md §2-§4 and set the CPU's entry state
 * (§3).  `program_argv` (NULL-terminated, may be NULL) names a user program
 * and its arguments for the boot info block; envp likewise. */
LSTAR_API enum lstar_status lstar_boot_kernel(lstar_machine *m, const char *kernel_path,
				    const char *const *program_argv,
				    const char *const *envp,
				    char *err, size_t errlen);
/* Same, with the kernel image in memory. */
LSTAR_API enum lstar_status lstar_boot_kernel_image(lstar_machine *m, const void *image, size_t size,
					  const char *name,
					  const char *const *program_argv,
					  const char *const *envp,
					  char *err, size_t errlen);

/* The built-in kernel (kernel_model/), an ELF image to pass to
 * lstar_boot_kernel_image(); *size receives its length. */
LSTAR_API const void *lstar_default_kernel_image(size_t *size);

/* ---- a ready-made flat layout for tests ---------------------------- */

/*
 * Builds, in guest physical memory, what a test of system instructions
 * needs and enters 64-bit mode at CPL 0:
 *  - a GDT with Linux's layout: 0x08 unused 32-bit code, 0x10 kernel code,
 *    0x18 kernel data, 0x23 user 32-bit code, 0x2B user data, 0x33 user
 *    64-bit code, 0x40 a 64-bit TSS (loaded into TR);
 *  - page tables mapping [0, user_base) supervisor-only and
 *    [user_base, user_base + user_size) user-accessible, identity mapped,
 *    writable and executable;
 *  - an IDT of 256 interrupt gates (DPL 0, no IST) whose handlers are HLT
 *    stubs, so a delivered exception stops at LSTAR_EV_EXCEPTION first;
 *  - TSS.RSP0 = the top of a kernel stack, TSS.IST1..7 = tops of small
 *    stacks.
 * Addresses of all of these are reported in *layout.  EFER.SCE is left 0.
 */
struct lstar_flat_layout {
	uint64_t gdt, idt, tss;        /* physical = linear addresses */
	uint64_t pml4;                 /* CR3 */
	uint64_t kernel_stack_top;     /* TSS.RSP0 */
	uint64_t ist_top[8];           /* TSS.IST1..7 in [1..7] */
	uint64_t idt_stubs;            /* handler of vector v at idt_stubs + 16*v */
	uint64_t kernel_code;          /* free supervisor area for your code */
	uint64_t user_base, user_size; /* the user-accessible window */
};
LSTAR_API enum lstar_status lstar_setup_flat(lstar_machine *m, uint64_t user_base, uint64_t user_size,
				   struct lstar_flat_layout *layout);

/* ---- state --------------------------------------------------------- */

LSTAR_API uint64_t lstar_get_reg(const lstar_machine *m, enum lstar_reg r);
/* Sets a register as the hardware state would hold it (RFLAGS bit 1 is
 * forced to 1; control registers are written without checks and flush the
 * TLB). */
LSTAR_API void lstar_set_reg(lstar_machine *m, enum lstar_reg r, uint64_t value);
LSTAR_API void lstar_get_segment(const lstar_machine *m, enum lstar_sreg s, struct lstar_segment *out);
/* Setting CS also sets the CPL to CS's DPL. */
LSTAR_API void lstar_set_segment(lstar_machine *m, enum lstar_sreg s, const struct lstar_segment *seg);
LSTAR_API int lstar_get_cpl(const lstar_machine *m);
/* Switch to `cpl` by loading flat 64-bit CS/SS of that DPL with the given
 * selectors (e.g. 0x33/0x2B for CPL 3, 0x10/0x18 for CPL 0). */
LSTAR_API void lstar_enter_cpl(lstar_machine *m, int cpl, uint16_t cs, uint16_t ss);

/* MSR access as WRMSR/RDMSR at CPL 0 would do it: an unmodelled index or a
 * refused value returns LSTAR_ERR_MSR and changes nothing. */
LSTAR_API enum lstar_status lstar_rdmsr(lstar_machine *m, uint32_t index, uint64_t *value);
LSTAR_API enum lstar_status lstar_wrmsr(lstar_machine *m, uint32_t index, uint64_t value);
/* The name of an MSR ("IA32_LSTAR"), or NULL if not modelled. */
LSTAR_API const char *lstar_msr_name(uint32_t index);

/* Guest memory.  Physical accesses outside RAM fail with LSTAR_ERR_ARG.
 * Virtual accesses translate through the current CR3 as a supervisor
 * access without setting accessed/dirty bits and fail with
 * LSTAR_ERR_FAULT where the CPU would fault. */
LSTAR_API enum lstar_status lstar_write_phys(lstar_machine *m, uint64_t pa, const void *src, size_t n);
LSTAR_API enum lstar_status lstar_read_phys(lstar_machine *m, uint64_t pa, void *dst, size_t n);
LSTAR_API enum lstar_status lstar_write_virt(lstar_machine *m, uint64_t va, const void *src, size_t n);
LSTAR_API enum lstar_status lstar_read_virt(lstar_machine *m, uint64_t va, void *dst, size_t n);
LSTAR_API uint64_t lstar_mem_size(const lstar_machine *m);

/* ---- execution ----------------------------------------------------- */

/* Execute exactly one instruction (or deliver the exception it raises).
 * out->event tells whether it was an ordinary instruction (LSTAR_EV_NONE),
 * a SYSCALL/SYSRET/IRETQ, an exception delivery or a stop. */
LSTAR_API enum lstar_status lstar_step(lstar_machine *m, struct lstar_exit *out);
/* Run until one of the events in `stop_on` (a mask of LSTAR_EV_EXCEPTION,
 * _SYSCALL, _SYSRET, _IRET) happens, the machine stops by itself
 * (power-off, HLT, triple fault), or `max_insns` instructions retired
 * (0 = no limit). */
LSTAR_API enum lstar_status lstar_run(lstar_machine *m, unsigned stop_on, uint64_t max_insns,
			    struct lstar_exit *out);

/* Instructions retired so far. */
LSTAR_API uint64_t lstar_icount(const lstar_machine *m);

/* ---- x87/SSE state (emu/api_fpu.c) -------------------------------- */

/* The x87 and SSE state as the 512-byte FXSAVE64 image (SDM vol. 2A
 * "FXSAVE"): FCW at 0, FSW 2, abridged FTW 4, FOP 6, FIP 8, FDP 16,
 * MXCSR 24, MXCSR_MASK 28, ST(0)..ST(7) at 32 (16 bytes each, ST order),
 * XMM0..XMM15 at 160.  Setting ignores MXCSR bits the CPU does not
 * support and MXCSR_MASK; bytes 416-511 are ignored / returned as 0. */
LSTAR_API void lstar_get_fxsave(const lstar_machine *m, uint8_t image[512]);
LSTAR_API void lstar_set_fxsave(lstar_machine *m, const uint8_t image[512]);
/* One XMM register (n = 0-15) as 16 little-endian bytes. */
LSTAR_API void lstar_get_xmm(const lstar_machine *m, unsigned n, uint8_t value[16]);
/* YMM register n (0-15), 32 bytes, little-endian: bytes 0-15 are XMMn. */
LSTAR_API void lstar_get_ymm(const lstar_machine *m, unsigned n, uint8_t value[32]);
LSTAR_API void lstar_set_ymm(lstar_machine *m, unsigned n, const uint8_t value[32]);
/* XCR0, the XSAVE feature-enable register (what XSETBV writes).  Setting
 * keeps only the components the CPU model has (x87 always). */
LSTAR_API uint64_t lstar_get_xcr0(const lstar_machine *m);
LSTAR_API void lstar_set_xcr0(lstar_machine *m, uint64_t v);
LSTAR_API void lstar_set_xmm(lstar_machine *m, unsigned n, const uint8_t value[16]);
LSTAR_API uint32_t lstar_get_mxcsr(const lstar_machine *m);
LSTAR_API void lstar_set_mxcsr(lstar_machine *m, uint32_t value);

#ifdef __cplusplus
}
#endif
#endif
