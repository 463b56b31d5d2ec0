/*
 * crc32c.c - CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78).
 *
 * Every TFS checksum (superblock, log record) is CRC32C: it detects all burst errors up to
 * 32 bits and is what the hardware crc32 instruction computes, should we want it later.
 * Software, slicing-by-one with a 256-entry table built on first use (1 KiB, no init call).
 */
#include "fs/tfs/tfs.h"

#define CRC32C_POLY 0x82F63B78u

static uint32_t crc_table[256];
static bool crc_table_ready;

static void crc_table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc_table[i] = c;
    }
    crc_table_ready = true;
}

uint32_t tfs_crc32c(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (!crc_table_ready)
        crc_table_init();
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
