/*
 * known.h - TFS behaviours that differ from Linux, found by these tests and reported to the
 * owner of fs/tfs (see docs/tools.md, "Known TFS deviations"). Each is a switch the oracle
 * honours so that the rest of a run keeps testing. When TFS is fixed, set the switch to 0:
 * the model test must then pass without it.
 */
#ifndef TOOLS_TFSKIT_KNOWN_H
#define TOOLS_TFSKIT_KNOWN_H

/* fs/tfs/data.c alloc_range(): fallocate(mode 0) that extends the size sets ctime but not
 * mtime (ext4 and XFS set both when the size changes). Reproducer: PETREL_SEED=1 model test,
 * op #67. */
#define TFS_KNOWN_FALLOC_KEEPS_MTIME 0

/* fs/tfs/namei.c rename_check(): a rename whose target is a directory containing the source
 * (rename("d/sub/file", "d")) answers -EISDIR (type check first); Linux answers -ENOTEMPTY
 * (do_renameat2's lock_rename trap comes before vfs_rename's type checks). Only the errno
 * differs. Reproducer: PETREL_SEED=2 model test, op #1390. */
#define TFS_KNOWN_RENAME_ANCESTOR_TYPE_FIRST 0

/* fs/tfs/replay.c check_rec(): a record with a good CRC but an unknown type is taken as the
 * end of the log (silently dropping every later committed record) instead of being refused
 * as damage, as docs/tfs-format.md 3.3 says. Reproducer: tests/unit/tfs_corrupt, field
 * rec1.hdr.type with checksums recomputed. */
#define TFS_KNOWN_REC_TYPE_ENDS_LOG 0

/* fs/tfs/replay.c: the record header's reserved bytes (36..39, "0" in the format) are never
 * checked, so a non-zero value is accepted silently. Reproducer: tests/unit/tfs_corrupt,
 * field rec0.hdr.reserved = all-ones with checksums recomputed. */
#define TFS_KNOWN_REC_RESERVED_UNCHECKED 0

/* fs/tfs/fsck.c repair: `fsck -y` leaves problems that its documented repair covers; a second
 * check still finds (a) a damaged checkpoint record ("log: checkpoint record N: bad record
 * checksum": the repair does not rewrite the log as a clean checkpoint), (b) "inode N: no
 * directory entry" (not moved to /lost+found) after a resummed op-code or body_len change,
 * (c) "superblocks 0 and 1 differ at the same generation" after a resummed change of
 * sb0.nblocks/log_start/log_len (the superblocks are not rewritten). Reproducer:
 * PETREL_CORRUPT_NOTES=1 tests/unit/tfs_corrupt. When fixed, set 0: the test then requires
 * every repaired image to check clean. */
#define TFS_KNOWN_REPAIR_INCOMPLETE 0

/* fs/tfs/data.c write_chunk() and alloc_range(): every write or fallocate chunk opens its
 * transaction with the worst case of a 2,048-block chunk (CHUNK_OPS * EXT_OP + INODE_OP, about
 * 164 KiB of log space) whatever its real size, so a 5-byte write into a freshly formatted
 * 64-block volume (TFS_MIN_BLOCKS, accepted by tfs_format, 48 blocks available) fails with
 * -ENOSPC, and fuller volumes refuse small writes tens of blocks early. The tests avoid it
 * (fuzz corpus volumes are 128 blocks); no switch. Reproducer: tfs_format 64 blocks,
 * tfs_create, tfs_write(5 bytes) -> -28. */

#endif
