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
#define TFS_KNOWN_FALLOC_KEEPS_MTIME 1

/* fs/tfs/namei.c rename_check(): a rename whose target is a directory containing the source
 * (rename("d/sub/file", "d")) answers -EISDIR (type check first); Linux answers -ENOTEMPTY
 * (do_renameat2's lock_rename trap comes before vfs_rename's type checks). Only the errno
 * differs. Reproducer: PETREL_SEED=2 model test, op #1390. */
#define TFS_KNOWN_RENAME_ANCESTOR_TYPE_FIRST 1

#endif
