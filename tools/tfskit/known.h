/*
 * known.h - TFS behaviours that differ from Linux, found by these tests and reported to the
 * owner of fs/tfs (see docs/tools.md, "Known TFS deviations"). Each is a switch the oracle
 * honours so that the rest of a run keeps testing. When TFS is fixed, set the switch to 0:
 * the model test must then pass without it. Every switch below is 0 today: the comments record
 * what each deviation was and where it was fixed (with its test in tests/unit/tfs).
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

/* Fixed deviation without a switch: small writes on small or nearly full volumes used to fail
 * with -ENOSPC (worst-case log reservation per chunk); fixed in fs/tfs/data.c (reservation
 * sized by the range, docs/tfs-format.md section 6), tested by tests/unit/tfs/test_tfs_space.c. */

#endif
