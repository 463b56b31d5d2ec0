/*
 * clone.c - a new thread of the process (clone/clone3 with CLONE_THREAD).
 *
 * The syscall layer decodes and validates the flags (core/syscall/sys_thread.c); this file
 * makes the thread:
 *
 *   parent: uthread_create (tid) -> state copied (sigmask, fs/gs base; CLONE_SETTLS: the
 *           new fs base; no robust list, no altstack: Linux resets both for CLONE_VM) ->
 *           CLONE_PARENT_SETTID written -> thread_create(clone_child) -> return the tid
 *   child:  bind the kernel thread -> CLONE_CHILD_SETTID written -> hal_user_enter(frame)
 *
 * The child's frame is the parent's syscall frame with rax = 0, rsp = the new stack (0:
 * the parent's) and fs_base = the TLS (CLONE_SETTLS), so it returns from the same syscall
 * instruction. Each thread runs on its own kernel thread and kernel stack; the HAL switches
 * the user state (TSS stack, FS/GS bases, FPU) with the thread that returns to user mode.
 * Writes of the tid words ignore faults, as Linux's do.
 */
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/mm/uaccess.h"
#include "core/abi/sched.h"
#include "core/proc/proc.h"
#include "hal/hal_errno.h"

struct clone_start {
    struct uthread *ut;
    struct hal_uregs regs;
    uint64_t child_settid; /* 0: none */
};

static void put_tid(uint64_t uaddr, int tid)
{
    int32_t v = tid;

    if (uaddr)
        (void)copy_to_user(uptr_make(uaddr), &v, sizeof(v));
}

static void clone_child(void *arg)
{
    struct clone_start *cs = arg;
    struct uthread *ut = cs->ut;
    struct hal_uregs regs = cs->regs;
    uint64_t settid = cs->child_settid;
    int rc;

    kfree(cs);
    uthread_bind(ut, NULL);
    put_tid(settid, ut->tid);
    uthread_return_check(); /* the process may have ended before this thread ran */
    rc = hal_user_enter(&regs);
    if (rc == 0)
        uthread_exit(0); /* hosted user mode: the thread's C function returned */
    /* A frame the CPU cannot enter (a non-canonical stack or rip): Linux's child would
     * fault at once and take the process down with SIGSEGV. */
    kprintf("petrel: thread %d cannot enter user mode (rip %#llx, rsp %#llx): error %d\n", ut->tid,
            (unsigned long long)regs.rip, (unsigned long long)regs.rsp, -rc);
    proc_exit_group(ut->proc, 128 + PROC_SIGSEGV);
}

/* The child's state from the parent's (Linux's copy_process for CLONE_VM|CLONE_THREAD). */
static void clone_copy_state(struct uthread *child, const struct uthread *parent,
                             const struct proc_clone_args *a)
{
    child->sigmask = parent->sigmask;
    child->fs_base = (a->flags & LINUX_CLONE_SETTLS) ? a->tls : parent->fs_base;
    child->gs_base = parent->gs_base;
    child->sched_policy = parent->sched_policy;
    child->sched_prio = parent->sched_prio;
    if (a->flags & LINUX_CLONE_CHILD_CLEARTID)
        child->clear_child_tid = a->child_tid;
}

long proc_clone_thread(const struct proc_clone_args *a)
{
    struct uthread *self = uthread_current();
    struct clone_start *cs;
    struct thread *t;
    int err = 0;

    if (!self->regs)
        return -ENOSYS; /* called as C (hosted ksys_call): no user frame to copy */
    cs = kmalloc(sizeof(*cs));
    if (!cs)
        return -ENOMEM;
    cs->ut = uthread_create(self->proc, &err);
    if (!cs->ut) {
        kfree(cs);
        return err;
    }
    clone_copy_state(cs->ut, self, a);
    cs->regs = *self->regs;
    cs->regs.rax = 0;
    if (a->stack)
        cs->regs.rsp = a->stack;
    cs->regs.fs_base = cs->ut->fs_base;
    cs->child_settid = (a->flags & LINUX_CLONE_CHILD_SETTID) ? a->child_tid : 0;
    if (a->flags & LINUX_CLONE_PARENT_SETTID)
        put_tid(a->parent_tid, cs->ut->tid);
    err = cs->ut->tid;
    t = thread_create("user", clone_child, cs);
    if (!t) {
        uthread_discard(cs->ut);
        kfree(cs);
        return -ENOMEM;
    }
    thread_detach(t);
    return err;
}
