/*
 * mmio.c - the virtio-mmio transport (virtio 1.x section 4.2, version 2 registers).
 *
 * QEMU's microvm appends one `virtio_mmio.device=<size>@<base>:<irq>` word per device to
 * the kernel command line (the same syntax Linux parses; size takes K/M suffixes). Legacy
 * (version 1) devices are skipped with a message: scripts/qemu passes
 * `-global virtio-mmio.force-legacy=false` so QEMU offers version 2.
 */
#include "hal/hal_console.h"
#include "hal/hal_errno.h"
#include "hal_x86/virtio/virtio.h"

#define MAX_MMIO_DEVS 8

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEATURES 0x010
#define R_DEV_FEATURES_SEL 0x014
#define R_DRV_FEATURES 0x020
#define R_DRV_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INT_STATUS 0x060
#define R_INT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0
#define R_CONFIG 0x100

static struct virtio_dev devs[MAX_MMIO_DEVS];
static unsigned ndevs;

static uint32_t rd(struct virtio_dev *d, unsigned r)
{
    return mmio_read32(d->base + r);
}

static void wr(struct virtio_dev *d, unsigned r, uint32_t v)
{
    mmio_write32(d->base + r, v);
}

static uint64_t get_features(struct virtio_dev *d)
{
    wr(d, R_DEV_FEATURES_SEL, 1);
    uint64_t hi = rd(d, R_DEV_FEATURES);
    wr(d, R_DEV_FEATURES_SEL, 0);
    return (hi << 32) | rd(d, R_DEV_FEATURES);
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
    wr(d, R_DRV_FEATURES_SEL, 1);
    wr(d, R_DRV_FEATURES, (uint32_t)(f >> 32));
    wr(d, R_DRV_FEATURES_SEL, 0);
    wr(d, R_DRV_FEATURES, (uint32_t)f);
}

static uint8_t get_status(struct virtio_dev *d)
{
    return (uint8_t)rd(d, R_STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
    wr(d, R_STATUS, s);
}

static uint32_t config_read(struct virtio_dev *d, unsigned off, unsigned size)
{
    volatile uint8_t *p = d->base + R_CONFIG + off;
    switch (size) {
    case 1:
        return *p;
    case 2:
        return *(volatile uint16_t *)p;
    default:
        return *(volatile uint32_t *)p;
    }
}

static unsigned queue_max(struct virtio_dev *d, unsigned q)
{
    wr(d, R_QUEUE_SEL, q);
    return rd(d, R_QUEUE_NUM_MAX);
}

static void wr64(struct virtio_dev *d, unsigned r, uint64_t v)
{
    wr(d, r, (uint32_t)v);
    wr(d, r + 4, (uint32_t)(v >> 32));
}

static int queue_setup(struct virtio_dev *d, unsigned q, unsigned size, uint64_t desc,
                       uint64_t avail, uint64_t used)
{
    wr(d, R_QUEUE_SEL, q);
    if (rd(d, R_QUEUE_READY))
        return -EBUSY;
    wr(d, R_QUEUE_NUM, size);
    wr64(d, R_QUEUE_DESC, desc);
    wr64(d, R_QUEUE_DRIVER, avail);
    wr64(d, R_QUEUE_DEVICE, used);
    wr(d, R_QUEUE_READY, 1);
    return 0;
}

static void notify(struct virtio_dev *d, unsigned q)
{
    wr(d, R_QUEUE_NOTIFY, q);
}

static int irq_setup(struct virtio_dev *d, x86_irq_fn *fn, void *arg)
{
    uint8_t vec = x86_irq_alloc(fn, arg);
    if (!vec)
        return -ENOSPC;
    ioapic_route(d->irq, vec, false, false);
    return 0;
}

static void irq_ack(struct virtio_dev *d)
{
    wr(d, R_INT_ACK, rd(d, R_INT_STATUS));
}

static const struct virtio_ops mmio_ops = {
    get_features, set_features, get_status, set_status, config_read,
    queue_max,    queue_setup,  notify,     irq_setup,  irq_ack,
};

/* Parse an unsigned number (0x hex or decimal) at *p; advances *p. false if none. */
static bool parse_num(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    unsigned base = 10, digits = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (;; s++, digits++) {
        unsigned dv;
        if (*s >= '0' && *s <= '9')
            dv = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            dv = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            dv = (unsigned)(*s - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - dv) / base)
            return false;
        v = v * base + dv;
    }
    *p = s;
    *out = v;
    return digits > 0;
}

/* "<size>[K|M]@<base>:<irq>" -> fields; false when malformed. */
static bool parse_device(const char *s, uint64_t *size, uint64_t *base, uint64_t *irq)
{
    if (!parse_num(&s, size))
        return false;
    if (*s == 'K' || *s == 'k')
        *size <<= 10, s++;
    else if (*s == 'M' || *s == 'm')
        *size <<= 20, s++;
    if (*s++ != '@' || !parse_num(&s, base) || *s++ != ':' || !parse_num(&s, irq))
        return false;
    return *s == 0 || *s == ' ' || *s == ':';
}

static void say(const char *a, const char *b)
{
    size_t n = 0;
    while (a[n])
        n++;
    hal_console_write(a, n);
    for (n = 0; b[n] && b[n] != ' '; n++)
        ;
    hal_console_write(b, n);
    hal_console_write("\n", 1);
}

static void probe_one(const char *arg)
{
    uint64_t size, base, irq;
    if (!parse_device(arg, &size, &base, &irq) || size < 0x100 || irq > 255) {
        say("virtio-mmio: malformed device ", arg);
        return;
    }
    if (ndevs >= MAX_MMIO_DEVS)
        return;
    struct virtio_dev *d = &devs[ndevs];
    d->ops = &mmio_ops;
    d->irq = (unsigned)irq;
    d->base = mmio_map(base, size);
    if (!d->base || rd(d, R_MAGIC) != 0x74726976u)
        return;
    if (rd(d, R_VERSION) != 2) {
        say("virtio-mmio: legacy (version 1) device skipped: ", arg);
        return;
    }
    d->device_id = rd(d, R_DEVICE_ID);
    if (d->device_id == 0)
        return; /* an empty slot */
    ndevs++;
    if (d->device_id == VIRTIO_ID_BLK)
        virtio_blk_probe(d);
    else if (d->device_id == VIRTIO_ID_NET)
        virtio_net_probe(d);
    else if (d->device_id == VIRTIO_ID_CONSOLE)
        virtio_console_probe(d);
}

void virtio_mmio_probe_cmdline(const char *cmdline)
{
    static const char key[] = "virtio_mmio.device=";
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        unsigned i = 0;
        while (key[i] && p[i] == key[i])
            i++;
        if (!key[i])
            probe_one(p + i);
        while (*p && *p != ' ')
            p++;
    }
}
