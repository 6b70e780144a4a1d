/*
 * signal_64.c - running a signal handler and coming back from it (mirrors
 * arch/x86/kernel/signal.c and signal_64.c).
 *
 * To run a handler the kernel pushes a struct rt_sigframe onto the user
 * stack: the complete register state (a ucontext with a sigcontext), the
 * siginfo and the FPU/SSE state.  It then edits pt_regs so that the "return
 * to user mode" lands at the start of the handler, as if the interrupted
 * code had called it.  The handler's return address is the C library's
 * restorer (SA_RESTORER), whose only job is the rt_sigreturn system call;
 * rt_sigreturn reads the frame back into pt_regs and the program continues
 * where it was.  Both ways out of the kernel change RIP and RSP behind the
 * SYSCALL's back, so do_syscall_64 returns them through IRETQ.
 */
#include "sched.h"
#include "mm.h"
#include "processor.h"
#include "signal.h"

struct sigcontext_64 {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate;		/* user address of the XSAVE/FXSAVE image, or 0 */
	u64 reserved1[8];
};

struct ucontext {
	u64 uc_flags;
	u64 uc_link;
	struct stack_t_k uc_stack;
	struct sigcontext_64 uc_mcontext;
	u64 uc_sigmask;
};

struct rt_sigframe {
	u64 pretcode;		/* the handler's return address: the restorer */
	struct ucontext uc;
	u8 info[128];		/* siginfo_t */
};

#define UC_FP_XSTATE		0x1
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4

/*
 * The FPU image in a signal frame (Linux's arch/x86/kernel/fpu/signal.c):
 * with XSAVE, the XSAVE area of fpu_cfg.size bytes, 64-byte aligned; bytes
 * 464-511 of its legacy part, which the CPU never writes, describe it
 * (struct _fpx_sw_bytes) and a second magic word follows it, so user
 * code can tell an XSAVE frame from a bare FXSAVE one.
 */
#define FP_XSTATE_MAGIC1	0x46505853U
#define FP_XSTATE_MAGIC2	0x46505845U
#define FP_XSTATE_MAGIC2_SIZE	4
struct fpx_sw_bytes {
	u32 magic1;		/* FP_XSTATE_MAGIC1 */
	u32 extended_size;	/* the image plus MAGIC2 */
	u64 xfeatures;		/* the components saved (XCR0) */
	u32 xstate_size;	/* the image without MAGIC2 */
	u32 padding[7];
};
#define FPX_SW_OFFSET		464

/* Bytes of the FPU part of a signal frame. */
static u32 sig_fpu_size(void)
{
	return fpu_cfg.use_xsave ? fpu_cfg.size + FP_XSTATE_MAGIC2_SIZE : FXSAVE_SIZE;
}

/* AT_MINSIGSTKSZ: the largest frame setup_rt_frame() builds, with its
 * alignments (Linux's get_sigframe_size()). */
unsigned long signal_min_stack_size(void)
{
	return sizeof(struct rt_sigframe) + sig_fpu_size() + 64 + 16 + 8;
}

/* The flags a sigcontext may change (Linux's FIX_EFLAGS): the status
 * flags, DF, TF, AC and RF - never IF, IOPL or anything privileged. */
#define FIX_EFLAGS (X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF | X86_EFLAGS_TF | \
		    X86_EFLAGS_SF | X86_EFLAGS_ZF | X86_EFLAGS_AF | X86_EFLAGS_PF | \
		    X86_EFLAGS_CF | X86_EFLAGS_RF)

static u8 fxbuf[FPSTATE_MAX + FP_XSTATE_MAGIC2_SIZE] __attribute__((aligned(64)));
static struct rt_sigframe kframe;

static bool on_altstack(u64 sp)
{
	return sp - sig_altstack.sp < sig_altstack.size;
}

bool setup_rt_frame(int sig, const struct ksiginfo *info, struct pt_regs *regs)
{
	struct k_sigaction *ka = &sig_actions[sig - 1];
	u64 sp = regs->sp - 128;	/* skip the interrupted code's red zone */

	if ((ka->flags & SA_ONSTACK) && !(sig_altstack.flags & 2 /* SS_DISABLE */) &&
	    !on_altstack(regs->sp))
		sp = sig_altstack.sp + sig_altstack.size;
	if (!(ka->flags & SA_RESTORER))
		return false;		/* no way back: Linux x86-64 requires one */

	/* FPU/SSE/AVX state: the kernel never touched it, so it is still the
	 * interrupted code's.  XSAVE needs 64-byte alignment. */
	u32 fpsize = sig_fpu_size();
	u64 fp = (sp - fpsize) & ~63UL;
	memset(fxbuf, 0, sizeof(fxbuf));
	if (fpu_cfg.use_xsave) {
		asm volatile("xsave64 %0" : "+m"(*(u8 (*)[FPSTATE_MAX])fxbuf)
			     : "a"((u32)fpu_cfg.xfeatures), "d"((u32)(fpu_cfg.xfeatures >> 32))
			     : "memory");
		struct fpx_sw_bytes sw = {
			.magic1 = FP_XSTATE_MAGIC1,
			.extended_size = fpsize,
			.xfeatures = fpu_cfg.xfeatures,
			.xstate_size = fpu_cfg.size,
		};
		u32 magic2 = FP_XSTATE_MAGIC2;
		memcpy(fxbuf + FPX_SW_OFFSET, &sw, sizeof(sw));
		memcpy(fxbuf + fpu_cfg.size, &magic2, sizeof(magic2));
	} else {
		asm volatile("fxsave64 %0" : "=m"(*(u8 (*)[FXSAVE_SIZE])fxbuf));
	}
	if (copy_to_user((void *)fp, fxbuf, fpsize))
		return false;

	/* At the handler's first instruction RSP + 8 must be 16-aligned, as
	 * right after a CALL. */
	u64 frame = ((fp - sizeof(struct rt_sigframe)) & ~15UL) - 8;

	memset(&kframe, 0, sizeof(kframe));
	kframe.pretcode = ka->restorer;
	kframe.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS |
			     (fpu_cfg.use_xsave ? UC_FP_XSTATE : 0);
	kframe.uc.uc_stack = sig_altstack;
	struct sigcontext_64 *sc = &kframe.uc.uc_mcontext;
	sc->r8 = regs->r8; sc->r9 = regs->r9; sc->r10 = regs->r10; sc->r11 = regs->r11;
	sc->r12 = regs->r12; sc->r13 = regs->r13; sc->r14 = regs->r14; sc->r15 = regs->r15;
	sc->di = regs->di; sc->si = regs->si; sc->bp = regs->bp; sc->bx = regs->bx;
	sc->dx = regs->dx; sc->ax = regs->ax; sc->cx = regs->cx; sc->sp = regs->sp;
	sc->ip = regs->ip; sc->flags = regs->flags;
	sc->cs = regs->cs; sc->ss = regs->ss;
	sc->err = info->fault ? regs->orig_ax : 0;
	sc->cr2 = info->fault ? info->addr : 0;
	/* The mask to restore at rt_sigreturn: after sigsuspend, the one
	 * from before it, not its temporary one. */
	unsigned long oldmask = saved_sigmask_valid ? saved_sigmask : sig_blocked;
	saved_sigmask_valid = false;
	sc->oldmask = oldmask;
	sc->fpstate = fp;
	kframe.uc.uc_sigmask = oldmask;

	fill_siginfo(kframe.info, info->signo, info);

	if (copy_to_user((void *)frame, &kframe, sizeof(kframe)))
		return false;

	/* Enter the handler: handler(sig, &info, &uc), on the new frame. */
	regs->di = sig;
	regs->si = frame + offsetof(struct rt_sigframe, info);
	regs->dx = frame + offsetof(struct rt_sigframe, uc);
	regs->ax = 0;
	regs->sp = frame;
	regs->ip = ka->handler;
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	regs->flags &= ~(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF);

	/* While the handler runs, its own signal (unless SA_NODEFER) and
	 * sa_mask are blocked; SA_RESETHAND makes it a one-shot handler. */
	unsigned long block = ka->mask | ((ka->flags & SA_NODEFER) ? 0 : 1UL << (sig - 1));
	if (ka->flags & SA_RESETHAND)
		ka->handler = SIG_DFL;
	set_current_blocked(sig_blocked | block);
	return true;
}

/* On the way out of every system call: start a handler for one pending,
 * unblocked signal that has one (Linux's arch_do_signal_or_restart). */
void arch_do_signal(struct pt_regs *regs)
{
	struct task_struct *t = current;
	if (t->signal->group_exit || t->zap)
		do_task_exit(t->signal->group_exit ? t->signal->group_exit_code : 0);
	/* Default actions first: termination, stop, or dropping. */
	do_pending_default_actions();

	/* A system call a signal interrupted (Linux's restart codes; they
	 * never reach user space). */
	bool restart = t->in_syscall && ((long)regs->ax == -ERESTARTSYS ||
					 (long)regs->ax == -ERESTARTNOHAND);
	t->in_syscall = false;
	unsigned long ready = sig_pending & ~sig_blocked;
	for (int sig = 1; ready && sig <= _NSIG; sig++) {
		if (!(ready & (1UL << (sig - 1))))
			continue;
		sig_pending &= ~(1UL << (sig - 1));
		if (restart) {
			/* With SA_RESTART the call is made again after the
			 * handler; otherwise it fails with EINTR. */
			if ((long)regs->ax == -ERESTARTSYS &&
			    (sig_actions[sig - 1].flags & SA_RESTART)) {
				regs->ax = regs->orig_ax;
				regs->ip -= 2;		/* the SYSCALL instruction */
			} else {
				regs->ax = -EINTR;
			}
		}
		if (!setup_rt_frame(sig, &sig_info[sig - 1], regs))
			force_sig_exit(SIGSEGV, "cannot build a signal frame",
				       regs->sp, regs);
		return;
	}
	if (restart) {		/* no handler ran: the call goes on */
		regs->ax = regs->orig_ax;
		regs->ip -= 2;
	}
	if (saved_sigmask_valid) {	/* sigsuspend woke for nothing */
		set_current_blocked(saved_sigmask);
		saved_sigmask_valid = false;
	}
}

/*
 * Load the FPU image of a signal frame (Linux's fpu__restore_sig): an
 * XSAVE image when its software bytes and both magic words say so, else a
 * bare FXSAVE image, in which case the AVX state starts from its initial
 * configuration.  Whatever the frame says, nothing the kernel loads can
 * fault: reserved MXCSR bits are dropped, and the XSAVE header is made
 * valid for this CPU.
 */
static void restore_fpstate(u64 ufp, struct pt_regs *regs)
{
	struct fpx_sw_bytes sw;
	bool xstate = false;
	if ((ufp & 15) || copy_from_user(fxbuf, (void *)ufp, FXSAVE_SIZE))
		force_sig_exit(SIGSEGV, "bad FPU state in signal frame", ufp, regs);
	memcpy(&sw, fxbuf + FPX_SW_OFFSET, sizeof(sw));
	if (fpu_cfg.use_xsave && sw.magic1 == FP_XSTATE_MAGIC1 &&
	    sw.xstate_size >= FXSAVE_SIZE + 64 && sw.xstate_size <= fpu_cfg.size &&
	    sw.extended_size == sw.xstate_size + FP_XSTATE_MAGIC2_SIZE) {
		u32 magic2;
		if (copy_from_user(&magic2, (void *)(ufp + sw.xstate_size), sizeof(magic2)) == 0 &&
		    magic2 == FP_XSTATE_MAGIC2 &&
		    copy_from_user(fxbuf, (void *)ufp, sw.xstate_size) == 0)
			xstate = true;
	}
	u64 bv = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	if (xstate)
		memcpy(&bv, fxbuf + FXSAVE_SIZE, sizeof(bv));
	/* The frame's MXCSR keeps only the bits this CPU supports. */
	static u8 cur[FXSAVE_SIZE] __attribute__((aligned(64)));
	asm volatile("fxsave64 %0" : "=m"(cur));
	u32 mask = *(u32 *)(cur + 28) ? *(u32 *)(cur + 28) : 0xFFBF;
	*(u32 *)(fxbuf + 24) &= mask;
	if (!fpu_cfg.use_xsave) {
		asm volatile("fxrstor64 %0" : : "m"(*(u8 (*)[FXSAVE_SIZE])fxbuf));
		return;
	}
	/* A standard-form header: XSTATE_BV within XCR0, the rest zero;
	 * components the frame lacks are initialized. */
	bv &= fpu_cfg.xfeatures;
	if (!xstate)
		memset(fxbuf + FXSAVE_SIZE + 64, 0, fpu_cfg.size - FXSAVE_SIZE - 64);
	memset(fxbuf + FXSAVE_SIZE, 0, 64);
	memcpy(fxbuf + FXSAVE_SIZE, &bv, sizeof(bv));
	os_xrstor(fxbuf);
}

/*
 * rt_sigreturn - the restorer's system call, with RSP just past the
 * popped pretcode, i.e. at frame->uc.  It is the one call that rewrites all
 * of pt_regs (it gets our caller's frame: the const in the wrapper's
 * signature is for ordinary calls).  The value it "returns" is the
 * interrupted code's RAX, which x64_sys_call stores back into pt_regs->ax.
 */
long __x64_sys_rt_sigreturn(const struct pt_regs *cregs);
long __x64_sys_rt_sigreturn(const struct pt_regs *cregs)
{
	struct pt_regs *regs = (struct pt_regs *)cregs;
	u64 frame = regs->sp - 8;
	static struct ucontext uc;

	if (copy_from_user(&uc, (void *)(frame + offsetof(struct rt_sigframe, uc)),
			   sizeof(uc)))
		force_sig_exit(SIGSEGV, "bad signal frame", frame, regs);
	const struct sigcontext_64 *sc = &uc.uc_mcontext;
	regs->r8 = sc->r8; regs->r9 = sc->r9; regs->r10 = sc->r10; regs->r11 = sc->r11;
	regs->r12 = sc->r12; regs->r13 = sc->r13; regs->r14 = sc->r14; regs->r15 = sc->r15;
	regs->di = sc->di; regs->si = sc->si; regs->bp = sc->bp; regs->bx = sc->bx;
	regs->dx = sc->dx; regs->cx = sc->cx; regs->sp = sc->sp; regs->ip = sc->ip;
	regs->flags = (regs->flags & ~FIX_EFLAGS) | (sc->flags & FIX_EFLAGS);
	regs->cs = __USER_CS;		/* whatever the frame says: user mode */
	regs->ss = __USER_DS;
	regs->orig_ax = -1;		/* not in a system call any more */

	if (sc->fpstate)
		restore_fpstate(sc->fpstate, regs);
	set_current_blocked(uc.uc_sigmask);
	return sc->ax;
}
