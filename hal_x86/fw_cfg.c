/*
 * fw_cfg.c - QEMU's firmware configuration device: find a named file, read it into memory.
 *
 * `petrel run` hands the kernel its run's settings (arguments, environment, a static address)
 * as a file, `-fw_cfg name=opt/petrel/cmdline,file=...`, because the PVH command line is
 * small on q35 (its option ROM puts the start info ~4 KiB after the line) and bounded by the
 * host's 128 KiB per argument on microvm. Both machines have the device at the same I/O
 * ports (QEMU's docs/specs/fw_cfg.rst; hw/nvram/fw_cfg.c):
 *
 *   0x510  selector, 16-bit write (little-endian): the item to read, from its start
 *   0x511  data, 8-bit read: the item's next byte (0 past its end)
 *   0x514  DMA address, big-endian: the high 32 bits at 0x514, the low 32 at 0x518, whose
 *          write runs the transfer described at that physical address (synchronously):
 *          be32 control, be32 length, be64 address. control = key << 16 | SELECT | READ;
 *          the device clears it when done, or leaves ERROR set.
 *
 * Item 0 is the signature "QEMU", item 1 a little-endian feature word (bit 1: DMA), item
 * 0x19 the file directory: be32 count, then per file be32 size, be16 key, be16 reserved,
 * char name[56]. Reads use DMA when the device offers it (one exit for the whole file) and
 * the byte port otherwise. Only the boot uses this, before any other CPU or interrupt.
 */
#include "hal_x86/x86.h"

#define FW_SEL 0x510
#define FW_DATA 0x511
#define FW_DMA_HI 0x514
#define FW_DMA_LO 0x518
#define KEY_SIGNATURE 0x00
#define KEY_FEATURES 0x01
#define KEY_DIR 0x19
#define FEAT_DMA 0x2u
#define CTL_ERROR 0x01u
#define CTL_READ 0x02u
#define CTL_SELECT 0x08u
#define NAME_LEN 56

struct fw_dma {
    uint32_t control, length; /* big-endian */
    uint64_t address;         /* big-endian */
};

struct fw_file {
    uint32_t size;     /* big-endian */
    uint16_t key, pad; /* big-endian */
    char name[NAME_LEN];
};

static bool fw_dma;
/* One early page: the DMA descriptor, then the directory's count and one entry at a time
 * (DMA writes to physical memory; the byte port path uses the same page). */
static uint64_t scratch_pa;
#define SCRATCH ((uint8_t *)(DIRECT_MAP + scratch_pa))
#define SCRATCH_COUNT 16
#define SCRATCH_ENTRY 64

static uint32_t be32(uint32_t v)
{
    return __builtin_bswap32(v);
}

static uint16_t be16(uint16_t v)
{
    return __builtin_bswap16(v);
}

/* Copy the next len bytes of item key (from its start when select) to physical address pa. */
static bool fw_read_pa(uint16_t key, bool select, uint64_t pa, uint32_t len)
{
    volatile struct fw_dma *d = (volatile struct fw_dma *)SCRATCH;

    if (!fw_dma) {
        volatile uint8_t *dst = (volatile uint8_t *)(DIRECT_MAP + pa);
        if (select)
            outw(FW_SEL, key);
        for (uint32_t i = 0; i < len; i++)
            dst[i] = inb(FW_DATA);
        return true;
    }
    d->control = be32((select ? (uint32_t)key << 16 | CTL_SELECT : 0) | CTL_READ);
    d->length = be32(len);
    d->address = __builtin_bswap64(pa);
    __asm__ __volatile__("" ::: "memory");
    outl(FW_DMA_HI, be32((uint32_t)(scratch_pa >> 32)));
    outl(FW_DMA_LO, be32((uint32_t)scratch_pa)); /* runs the transfer before returning */
    __asm__ __volatile__("" ::: "memory");       /* the device wrote memory behind the compiler */
    return d->control == 0;
}

/* The device, if any: its signature, then DMA when it offers it. */
static bool fw_probe(void)
{
    static int state; /* 0 unknown, 1 present, -1 absent */
    uint8_t sig[4];
    uint32_t feat = 0;

    if (state)
        return state > 0;
    state = -1;
    outw(FW_SEL, KEY_SIGNATURE);
    for (int i = 0; i < 4; i++)
        sig[i] = inb(FW_DATA);
    if (sig[0] != 'Q' || sig[1] != 'E' || sig[2] != 'M' || sig[3] != 'U')
        return false;
    outw(FW_SEL, KEY_FEATURES);
    for (int i = 0; i < 4; i++)
        feat |= (uint32_t)inb(FW_DATA) << (8 * i);
    if (!(scratch_pa = early_page_alloc()))
        return false;
    fw_dma = (feat & FEAT_DMA) != 0;
    state = 1;
    return true;
}

bool fw_cfg_find(const char *name, uint16_t *key, uint32_t *size)
{
    const struct fw_file *f;
    uint32_t count;

    if (!fw_probe() || !fw_read_pa(KEY_DIR, true, scratch_pa + SCRATCH_COUNT, 4))
        return false;
    f = (const struct fw_file *)(SCRATCH + SCRATCH_ENTRY); /* scratch_pa is known now */
    count = be32(*(volatile uint32_t *)(SCRATCH + SCRATCH_COUNT));
    for (uint32_t i = 0; i < count && i < 0x1000; i++) {
        size_t n = 0;
        if (!fw_read_pa(KEY_DIR, false, scratch_pa + SCRATCH_ENTRY, sizeof(*f)))
            return false;
        while (n < NAME_LEN && name[n] && f->name[n] == name[n])
            n++;
        if (n < NAME_LEN && !name[n] && !f->name[n]) {
            *key = be16(f->key);
            *size = be32(f->size);
            return true;
        }
    }
    return false;
}

bool fw_cfg_read(uint16_t key, uint64_t pa, uint32_t len)
{
    return fw_probe() && fw_read_pa(key, true, pa, len);
}
