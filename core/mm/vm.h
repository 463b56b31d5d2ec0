/*
 * vm.h - a process's user address space: VM areas, mmap/munmap/mprotect/brk, demand paging.
 *
 * A struct vm_space is the kernel's view of one user address space. It owns:
 *
 *   - the HAL handle (struct hal_as) whose page tables the hardware (or the hosted arena) uses;
 *   - VM areas: page-aligned [start, end) ranges with a protection and a kind, in a red-black
 *     tree keyed by start, never overlapping;
 *   - the physical pages mapped so far, in a second tree keyed by virtual address: private
 *     pages (anonymous pages start zeroed, private file pages are copies read through struct
 *     vm_file) are this space's and freed on munmap and destroy; pages of shared file
 *     mappings are the file's page-cache pages, pinned while mapped (vm_file pin/unpin);
 *   - the layout: a stack growing down from the top (bounded by RLIMIT_STACK), the
 *     mmap base (top-down allocation starts below the room kept for the stack), and the
 *     brk state.
 *
 *   va_min                                                                        va_max
 *   | program image | brk -> ...   ... <- mmap (top down) | stack room | <- stack | gap |
 *                                                          ^ mmap_base             ^ stack_top
 *
 * Nothing is mapped in the HAL until touched: vm_fault() (called by the copy helpers of
 * uaccess.h and, on x86, by the page-fault path) allocates and maps one page at a time.
 *
 * Locking: every function takes the space's mutex (a sleeping lock) and may sleep; call from
 * thread context with no spinlock held. Errors are Linux errno values (docs/memory.md lists
 * exactly which call returns which, as Linux does).
 */
#ifndef CORE_MM_VM_H
#define CORE_MM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi/mman.h"
#include "core/lib/rbtree.h"
#include "core/mm/uaccess.h"
#include "core/sched/sched.h"
#include "hal/hal_mem.h"
#include "hal/hal_user.h"

struct vfs_file;

/* Linux mmap/mprotect constants (x86-64 values), as the syscall layer passes them. */
#define VM_PROT_NONE LINUX_PROT_NONE
#define VM_PROT_READ LINUX_PROT_READ  /* == HAL_PROT_READ */
#define VM_PROT_WRITE LINUX_PROT_WRITE /* == HAL_PROT_WRITE */
#define VM_PROT_EXEC LINUX_PROT_EXEC  /* == HAL_PROT_EXEC */
#define VM_PROT_SEM LINUX_PROT_SEM
#define VM_PROT_GROWSDOWN LINUX_PROT_GROWSDOWN
#define VM_PROT_GROWSUP LINUX_PROT_GROWSUP

#define VM_MAP_SHARED LINUX_MAP_SHARED
#define VM_MAP_PRIVATE LINUX_MAP_PRIVATE
#define VM_MAP_SHARED_VALIDATE LINUX_MAP_SHARED_VALIDATE
#define VM_MAP_TYPE LINUX_MAP_TYPE
#define VM_MAP_FIXED LINUX_MAP_FIXED
#define VM_MAP_ANONYMOUS LINUX_MAP_ANONYMOUS
#define VM_MAP_32BIT LINUX_MAP_32BIT
#define VM_MAP_GROWSDOWN LINUX_MAP_GROWSDOWN
#define VM_MAP_DENYWRITE LINUX_MAP_DENYWRITE
#define VM_MAP_EXECUTABLE LINUX_MAP_EXECUTABLE
#define VM_MAP_LOCKED LINUX_MAP_LOCKED
#define VM_MAP_NORESERVE LINUX_MAP_NORESERVE
#define VM_MAP_POPULATE LINUX_MAP_POPULATE
#define VM_MAP_NONBLOCK LINUX_MAP_NONBLOCK
#define VM_MAP_STACK LINUX_MAP_STACK
#define VM_MAP_HUGETLB LINUX_MAP_HUGETLB
#define VM_MAP_SYNC LINUX_MAP_SYNC
#define VM_MAP_FIXED_NOREPLACE LINUX_MAP_FIXED_NOREPLACE

#define VM_STACK_SIZE (8ULL << 20)      /* RLIMIT_STACK's default soft limit (Linux's _STK_LIM) */
#define VM_STACK_EXPAND (128ULL << 10)  /* room made below exec's arguments (Linux's stack_expand) */
#define VM_MMAP_GAP_MIN (128ULL << 20)  /* mmap_base at least this far below the top (SIZE_128M) */
#define VM_GROWSDOWN_GAP (256ULL << 12) /* free below a MAP_GROWSDOWN area (stack_guard_gap) */

/*
 * A source of file bytes for file-backed mappings and the ELF loader: a VFS file
 * (vm_file_from_vfs) or a kernel buffer (vm_file_mem_create; tests, fuzzers, a future vDSO).
 * Areas hold a reference (get/put).
 */
struct vm_file_ops {
    /* Read up to n bytes at off into buf: bytes read (short or 0 at EOF) or -errno. May sleep. */
    long (*read)(void *obj, uint64_t off, void *buf, size_t n);
    /* Size in bytes, or -errno. */
    int64_t (*size)(void *obj);
    void (*get)(void *obj);
    void (*put)(void *obj);
    /* Shared mappings (NULL: this source cannot be mapped shared): pin the file's own page
     * idx (vfs_mmap_pin: -ENXIO past the end), unpin it, write the file back (msync), punch
     * a hole (MADV_REMOVE). */
    int (*pin)(void *obj, uint64_t idx, bool writer, void **h, uint64_t *pa);
    void (*unpin)(void *obj, void *h, bool writer);
    int (*sync)(void *obj);
    int (*punch)(void *obj, uint64_t off, uint64_t len); /* MADV_REMOVE: a hole, as zeros */
    /* exec_protection: may this file be mapped executable (an execute bit)? NULL: never */
    bool (*executable)(void *obj);
    /* A shared area that may be made writable came (1) or went (-1). Optional. */
    void (*map_writable)(void *obj, int delta);
    /* Fault-around (optional): fn(arg, idx, data) for each page idx of [first, first + n)
     * whose 4 KiB are at hand without reading (cached, wholly inside the file), in order,
     * until fn returns false (vfs_mmap_cached). */
    void (*cached)(void *obj, uint64_t first, uint64_t n,
                   bool (*fn)(void *arg, uint64_t idx, const void *data), void *arg);
    /* Private mappings map the file's own page read-only until written (optional; NULL:
     * copies at the fault): pin page idx as a reader (released by unpin, writer false),
     * -EAGAIN to make a copy instead (vfs_mmap_share); and fault-around's pinned neighbours
     * (vfs_mmap_share_cached: fn returns 1 mapped and pinned, 0 not, -1 stop; false back:
     * stopped at the pin cap). */
    int (*share)(void *obj, uint64_t idx, void **h, uint64_t *pa);
    bool (*share_cached)(void *obj, uint64_t first, uint64_t n,
                         int (*fn)(void *arg, uint64_t idx, void *h, uint64_t pa), void *arg);
};

struct vm_file {
    const struct vm_file_ops *ops; /* NULL: no file (anonymous) */
    void *obj;
};

/* Wrap a VFS file (no reference taken; areas take their own). */
struct vm_file vm_file_from_vfs(struct vfs_file *f);
/* A refcounted kernel copy of data[0..size). Returns 0 or -ENOMEM; drop with vm_file_put. */
int vm_file_mem_create(const void *data, size_t size, struct vm_file *out);
void vm_file_get(const struct vm_file *f);
void vm_file_put(const struct vm_file *f);
long vm_file_read(const struct vm_file *f, uint64_t off, void *buf, size_t n);
int64_t vm_file_size(const struct vm_file *f);

/* Kernel-provided mappings (Linux's special mappings), told apart where Linux's answers
 * depend on their VM flags: madvise refuses the advice that needs pages of a VM_PFNMAP|VM_IO
 * area ([vvar]) and DODUMP on any VM_SPECIAL one; mlock never marks them locked. */
enum vm_special {
    VM_SPECIAL_NONE,
    VM_SPECIAL_CODE, /* [vdso]: VM_DONTEXPAND */
    VM_SPECIAL_DATA, /* [vvar]: VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP */
};

enum vm_kind {
    VM_ANON,  /* anonymous: zero-filled pages (shared: the same, see vm_area.shared) */
    VM_FILE,  /* file-backed: private copies of file pages, zero beyond file_end; or, shared,
                 the file's page-cache pages themselves */
    VM_STACK, /* the initial thread's stack (anonymous, grows down: growsdown is set) */
    VM_GUARD, /* a reservation never faulted in (procfs's [vsyscall] line only) */
};

struct vm_area {
    struct rb_node node; /* in vm_space.areas, keyed by start */
    uint64_t start, end; /* page aligned, start < end */
    unsigned prot;       /* VM_PROT_READ|WRITE|EXEC */
    enum vm_kind kind;
    bool shared;         /* MAP_SHARED (VM_ANON: one process, no fork: behaves as private
                            except that MADV_DONTNEED keeps the data and MADV_FREE refuses) */
    bool maywrite;       /* shared VM_FILE: the file was open for writing (PROT_WRITE allowed) */
    bool growsdown;      /* MAP_GROWSDOWN: a fault in the gap just below extends it */
    bool locked;         /* mlock/MAP_LOCKED was asked (every page is resident anyway) */
    enum vm_special special;
    struct vm_file file; /* VM_FILE: a reference */
    uint64_t file_off;   /* VM_FILE: file offset of `start`; shared VM_ANON: object offset */
    uint64_t shm_size;   /* shared VM_ANON: the object's size (mmap's length); past it SIGBUS */
    uint64_t file_end;   /* VM_FILE: virtual address from which bytes read as zero (bss) */
};

struct vm_space {
    struct mutex lock;       /* guards everything below */
    struct hal_as *as;       /* the HAL's page tables */
    struct rb_tree areas;    /* struct vm_area by start */
    struct vm_area *last;    /* the area vm_area_find found last (or NULL): asked again
                                first, as most lookups hit the buffer the previous one did */
    struct rb_tree pages;    /* the mapped pages: clusters of 16 by address (fault.c) */
    void *pmemo;             /* the cluster of `pages` found last (or NULL) */
    uint64_t nr_pages;       /* pages in `pages` */
    uint64_t va_min, va_max; /* hal_user_va_min/max() at creation */
    uint64_t stack_top;      /* one past the stack area (randomised) */
    uint64_t mmap_base;      /* top-down mmap allocation starts below this */
    uint64_t brk_start;      /* set by the loader (vm_brk_init); 0: no brk yet */
    uint64_t brk;            /* current break, brk_start <= brk */
    unsigned flags;          /* VM_SPACE_* as created */
    uint64_t as_limit;       /* RLIMIT_AS in bytes (UINT64_MAX: none): vm_set_as_limit */
    uint64_t stack_limit;    /* RLIMIT_STACK in bytes (UINT64_MAX: none): vm_set_stack_limit */
};

/* Space policies (the manifest's keys, docs/manifest.md). */
#define VM_SPACE_NOASLR 0x1u       /* noaslr: fixed stack top, mmap base, PIE base, brk start */
#define VM_SPACE_EXEC_PROTECT 0x2u /* exec_protection: see vm_mmap (-EACCES) */

/* Everything a mapping needs; vm_mmap() builds one from Linux arguments. */
struct vm_map_req {
    uint64_t addr; /* hint, or the exact address with fixed */
    uint64_t len;  /* bytes, > 0 (rounded up to pages) */
    unsigned prot; /* VM_PROT_* */
    enum vm_kind kind;
    bool shared, maywrite, growsdown, locked; /* as in struct vm_area */
    enum vm_special special;                  /* as in struct vm_area (core/vdso's) */
    bool fixed;          /* place at addr, replacing what is there */
    bool noreplace;      /* with fixed: -EEXIST instead of replacing */
    struct vm_file file; /* VM_FILE */
    uint64_t file_off;   /* page aligned */
    uint64_t file_bytes; /* VM_FILE: bytes of file data from addr; the rest reads as zero */
};

/*
 * Create an empty space with the stack at a randomised top: a growing-down area (VM_STACK,
 * RW) of min(VM_STACK_EXPAND, the stack limit) that user faults below it extend while it
 * stays within the stack limit (RLIMIT_STACK) and the guard gap. The mmap base sits below
 * the top by the stack limit plus the gap and the stack's random range, clamped between
 * VM_MMAP_GAP_MIN and 5/6 of the space, and a random distance more, as Linux's mmap_base
 * (hal_entropy: seeded, so deterministic in hosted mode). Returns 0, -ENOMEM. Never sleeps.
 */
int vm_space_create(struct vm_space **out);
/* The same with VM_SPACE_* policies (vm_space_create: none) and the default stack limit
 * (VM_STACK_SIZE). */
int vm_space_create_flags(struct vm_space **out, unsigned flags);
/* The same with a stack limit in bytes (UINT64_MAX: none): execve passes the old space's
 * s->flags and the process's RLIMIT_STACK soft limit. */
int vm_space_create_limit(struct vm_space **out, unsigned flags, uint64_t stack_limit);
/*
 * Make the stack area reach bytes below s->stack_top plus VM_STACK_EXPAND, the latter capped
 * by the stack limit (Linux's setup_arg_pages), before exec writes the arguments there.
 * Returns 0, -ENOMEM (something mapped in the way, or RLIMIT_AS). May sleep.
 */
int vm_stack_setup(struct vm_space *s, uint64_t bytes);
/* RLIMIT_STACK (bytes, UINT64_MAX: none), pushed by core/proc on every set: the most a
 * growing-down area may span after a fault grows it (Linux's acct_stack_growth); an area
 * already larger is kept. May sleep. */
void vm_set_stack_limit(struct vm_space *s, uint64_t bytes);
/*
 * User ASLR for the ELF loader and the stack setup: a random page-aligned offset in
 * [0, range) from the kernel's entropy (seeded in hosted mode), or 0 when s has
 * VM_SPACE_NOASLR. The PIE load base and the brk start use it.
 */
uint64_t vm_aslr_offset(struct vm_space *s, uint64_t range);
/* Free every page and area and the HAL space. Deactivates it first if current. May sleep. */
void vm_space_destroy(struct vm_space *s);

/* Make s the current CPU's user address space (hal_as_activate); NULL: none. */
void vm_activate(struct vm_space *s);
/* The space the copy helpers check against: the last one activated on this CPU. */
struct vm_space *vm_current(void);

/*
 * mmap(2) with Linux semantics for private mappings. file: the open file (NULL with
 * MAP_ANONYMOUS). On success 0 and the mapping's address in *out. Errors: -EINVAL (len 0,
 * misaligned offset or MAP_FIXED address, unknown map type, MAP_FIXED|MAP_ANONYMOUS file),
 * -ENOMEM (no room, range outside the user half), -EPERM (MAP_FIXED below the user range),
 * -EEXIST (MAP_FIXED_NOREPLACE over a mapping), -EOVERFLOW (offset + len wraps),
 * -EACCES (file not open for reading, or not for writing with MAP_SHARED and PROT_WRITE;
 * exec_protection), -ENODEV (not a regular file of a filesystem that can share its pages),
 * -EOPNOTSUPP (unknown flag with MAP_SHARED_VALIDATE; MAP_SYNC). With VM_SPACE_EXEC_PROTECT
 * (Nanos's exec_protection) a mapping is never both writable and executable, and PROT_EXEC
 * is only for mappings of files with an execute permission bit (the program, its interpreter
 * and libraries): anonymous memory is never executable. mprotect enforces the same.
 */
/*
 * RLIMIT_AS (the process's soft limit, bytes; pushed here by core/proc whenever it is set and
 * when a space is made for exec): mmap, brk and a growing mremap that would bring the bytes
 * of all areas past it fail (-ENOMEM; brk keeps the old break), as Linux's may_expand_vm;
 * what a MAP_FIXED mapping replaces is not counted twice. May sleep.
 */
void vm_set_as_limit(struct vm_space *s, uint64_t bytes);
int vm_mmap(struct vm_space *s, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
            struct vfs_file *file, uint64_t off, uint64_t *out);
/* The same from a prepared request (the ELF loader). Same errors; takes its own file ref. */
int vm_map(struct vm_space *s, const struct vm_map_req *req, uint64_t *out);
/* munmap(2): -EINVAL for a misaligned addr, len 0 or a range outside the user half; holes
 * are fine. Splits areas and frees their pages. */
int vm_munmap(struct vm_space *s, uint64_t addr, uint64_t len);
/* mprotect(2): -EINVAL (misaligned, unknown prot bits), -ENOMEM (any page of the range
 * unmapped; nothing is changed then), -EACCES (PROT_WRITE on a shared mapping of a file not
 * open for writing; exec_protection). len 0: 0. */
int vm_mprotect(struct vm_space *s, uint64_t addr, uint64_t len, unsigned prot);
/* brk(2): move the break to newbrk and return the new break; on any failure (or newbrk 0, or
 * below brk_start) return the current break, as Linux does. */
uint64_t vm_brk(struct vm_space *s, uint64_t newbrk);
/* Start the heap at start (page aligned; the loader calls it after the image). */
void vm_brk_init(struct vm_space *s, uint64_t start);

/*
 * Resolve a fault at addr for access (VM_PROT_READ, _WRITE or _EXEC): 0 when the page is (now)
 * mapped with a protection allowing it; -EFAULT (no area, or the area forbids the access),
 * -ENOMEM (out of pages), -EIO (the file read failed). May sleep (file reads).
 */
int vm_fault(struct vm_space *s, uint64_t addr, unsigned access);
/* For the HAL's kernel_user_fault: vm_fault on the current space for a page-fault kind. */
int vm_user_fault(enum hal_fault_kind kind, uint64_t addr);

/* Pages the faults of every space mapped since boot (a diagnostic: petrel run --summary). */
struct vm_fault_stats {
    uint64_t file;   /* private file pages mapped (copies, or the page cache's read-only) */
    uint64_t around; /* of those, mapped around a fault (fault-around) */
    uint64_t file_ro; /* of those, the page cache's own page, read-only (copy on write) */
    uint64_t cow;    /* copies made by a write to such a page */
    uint64_t shared; /* shared file pages (the page cache's own) */
    uint64_t anon;   /* zeroed pages: anonymous memory, stacks, the bss */
    uint64_t user_faults, user_ns; /* hardware faults of user code, and their time in here */
};
void vm_get_fault_stats(struct vm_fault_stats *st);

/*
 * madvise(2): -EINVAL (misaligned addr, unknown advice, wrapping range, advice the area
 * refuses: DONTNEED/FREE on locked areas, FREE on anything but private anonymous memory,
 * REMOVE on private mappings, POPULATE_* without the protection), -EACCES (REMOVE without
 * PROT_WRITE), -ENOMEM (a hole; nothing done then), -EFAULT (POPULATE past the end of a
 * file). DONTNEED refills private pages (zeros or the file's bytes) and keeps shared data;
 * REMOVE zeroes shared data (a hole punched in the file); the hints do nothing. len 0: 0.
 */
int vm_madvise(struct vm_space *s, uint64_t addr, uint64_t len, int advice);
/* msync(2): -EINVAL (unknown flags, MS_ASYNC with MS_SYNC, misaligned), -ENOMEM (a hole),
 * -EBUSY (MS_INVALIDATE over a locked area); MS_SYNC writes the shared files back. */
int vm_msync(struct vm_space *s, uint64_t addr, uint64_t len, unsigned flags);
/* mincore(2): one byte per page into user vec (1: mapped here now). -EINVAL, -ENOMEM, -EFAULT. */
int vm_mincore(struct vm_space *s, uint64_t addr, uint64_t len, struct uptr vec);
/* mlock/munlock (on false) of the pages covering [addr, addr+len): -ENOMEM for a hole. */
int vm_mlock(struct vm_space *s, uint64_t addr, uint64_t len, bool on);
/* mlockall(flags) (on) / munlockall (on false, flags ignored): -EINVAL for bad flags. */
int vm_mlockall(struct vm_space *s, unsigned flags, bool on);
/* mremap(2): the new address or -errno (remap.c lists Linux's rules). */
long vm_mremap(struct vm_space *s, uint64_t addr, uint64_t old_len, uint64_t new_len,
               unsigned flags, uint64_t new_addr);

/* Copy the area containing addr into *out (file not referenced); -ENOENT when none. */
int vm_area_query(struct vm_space *s, uint64_t addr, struct vm_area *out);
/* How many bytes from addr on (at most n) lie in areas that allow prot, with no gap between
 * them: what a copy there moves before it faults (n when all of it; 0 when addr is in no
 * such area). One lock hold, no copy of the areas: the syscalls' buffer checks. May sleep. */
size_t vm_user_room(struct vm_space *s, uint64_t addr, size_t n, unsigned prot);
/*
 * What a shared futex at addr is keyed by (core/proc/futex.c): in a shared file mapping, the
 * file's inode (*obj) and the byte offset in the file (*off), so mappings of one file (a
 * memfd mapped twice, two opens of one file) at different addresses give one key; anywhere
 * else *obj NULL and *off = addr (memory mapped once: the address names it). -ENOENT when no
 * area holds addr. *obj is only an identity to compare, not a reference. May sleep.
 */
int vm_futex_key(struct vm_space *s, uint64_t addr, const void **obj, uint64_t *off);
/* The same for the area containing addr or, when none does, the first one above it (walking
 * every area: /proc/self/maps). */
int vm_area_query_from(struct vm_space *s, uint64_t addr, struct vm_area *out);
/* Number of areas (tests). */
size_t vm_area_count(struct vm_space *s);
/* Is the page at addr backed by a physical page now? (tests) */
bool vm_page_present(struct vm_space *s, uint64_t addr);

#endif
