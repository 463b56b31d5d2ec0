/*
 * fuzz_elf.c - fuzz target for the ELF loader (core/proc/elf.c) over the VM (core/mm).
 *
 * Every input boots a small hosted kernel (the VM sleeps on mutexes, so the loader must run in
 * a kernel thread), creates a fresh vm_space and loads the input as an executable. An input
 * that starts with "PAIR" and a u32 length is a program and its interpreter (the interpreter
 * source serves the second part under any path); any other input is a program alone, whose
 * interpreter is never found. Invariants:
 *   - a refusal returns a negative errno, writes a message, and leaves only the stack mapped
 *     (nothing of the image stays);
 *   - a success describes an image inside the user range with the entry inside it, and the
 *     image's pages can be faulted in (reads either succeed or are refused with -EFAULT, never
 *     crash), and an initial stack can be built for it;
 *   - the machine shuts down cleanly (every page of the space freed: vm_space_destroy panics
 *     on a leak, and a panic aborts the harness).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/elf.h"
#include "core/proc/stack.h"
#include "fuzz/driver/fuzz_target.h"
#include "hal/hal_errno.h"
#include "hal_hosted/hosted.h"

#define FUZZ_TOUCH_PAGES 64

static const uint8_t *in_data, *in_interp;
static size_t in_size, in_interp_size;

static void broken(const char *what, long v)
{
    fprintf(stderr, "fuzz_elf: invariant broken: %s (%ld)\n", what, v);
    abort();
}

static void touch_image(const struct elf_info *info)
{
    static uint8_t buf[4096];
    uint64_t n = 0;

    for (uint64_t a = info->image_start; a < info->image_end && n < FUZZ_TOUCH_PAGES;
         a += 4096, n++) {
        int rc = copy_from_user(buf, uptr_make(a), sizeof(buf));

        if (rc != 0 && rc != -EFAULT)
            broken("copy_from_user of the image", rc);
    }
}

static void check_loaded(struct vm_space *s, const struct elf_info *info, const char *msg)
{
    const char *const argv[] = {"fuzz"};
    struct stack_args a = {argv, 1, NULL, 0, "/fuzz", info, 0, 0, 2048, 0};
    struct stack_layout lay;

    if (msg[0])
        broken("message on success", 0);
    if (info->image_start < s->va_min || info->image_end > s->va_max ||
        info->image_start >= info->image_end)
        broken("image outside the user range", (long)info->image_start);
    if (info->entry < info->image_start || info->entry >= info->image_end)
        broken("entry outside the image", (long)info->entry);
    if (info->interp_end && (info->start < info->interp_start || info->start >= info->interp_end))
        broken("start outside the interpreter", (long)info->start);
    if (!info->interp_end && info->start != info->entry)
        broken("start is not the entry", (long)info->start);
    touch_image(info);
    if (stack_build(s, &a, &lay) != 0 || lay.sp % 16)
        broken("stack_build", 0);
}

static int interp_open(void *arg, const char *path, struct vm_file *out)
{
    (void)arg;
    if (!path[0])
        broken("empty interpreter path", 0);
    if (!in_interp)
        return -ENOENT;
    return vm_file_mem_create(in_interp, in_interp_size, out);
}

static int fuzz_entry(void *arg)
{
    struct vm_space *s;
    struct vm_file f;
    struct elf_info info;
    char msg[ELF_MSG_SIZE];
    int rc;

    (void)arg;
    if (vm_space_create(&s) || vm_file_mem_create(in_data, in_size, &f))
        broken("setup", 0);
    vm_activate(s);
    static const struct elf_interp_src src = {interp_open, NULL};

    rc = elf_load_exec(s, &f, &src, &info, msg, sizeof(msg));
    vm_file_put(&f);
    if (rc == 0) {
        check_loaded(s, &info, msg);
    } else {
        if (rc >= 0 || rc < -4095)
            broken("error is not -errno", rc);
        if (!msg[0])
            broken("refusal without a message", rc);
        if (vm_area_count(s) != 1)
            broken("refusal left mappings", (long)vm_area_count(s));
    }
    vm_space_destroy(s);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hosted_config c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 16u << 20;
    c.has_seed = true;
    c.seed = 1;
    c.entry = fuzz_entry;
    in_data = data;
    in_size = size;
    in_interp = NULL;
    in_interp_size = 0;
    if (size >= 8 && memcmp(data, "PAIR", 4) == 0) {
        uint32_t n;

        memcpy(&n, data + 4, 4);
        if (n <= size - 8) {
            in_data = data + 8;
            in_size = n;
            in_interp = data + 8 + n;
            in_interp_size = size - 8 - n;
        }
    }
    rc = hosted_boot(&c);
    if (rc != 0)
        broken("hosted_boot", rc);
    return 0;
}
