/*
 * tools.h - what mkfs, dump and fsck agree on (docs/tools.md).
 */
#ifndef TOOLS_TOOLS_H
#define TOOLS_TOOLS_H

/*
 * The kernel's configuration (the manifest's root tuple less every `contents` and `imagesize`) is
 * stored as compact manifest text in this extended attribute of the root directory. The name
 * has no Linux namespace prefix, so the VFS never hands it to an application. Until tfs.h
 * offers a dedicated configuration record this is the one place; the boot code reads it with
 * tfs_getxattr(vol, TFS_ROOT_INO, TOOLS_CONFIG_XATTR, ...).
 */
#define TOOLS_CONFIG_XATTR "petrel.config"

/* fsck exit codes (as e2fsck): bits that may combine. */
#define TOOLS_FSCK_CLEAN 0
#define TOOLS_FSCK_REPAIRED 1
#define TOOLS_FSCK_DAMAGED 4
#define TOOLS_FSCK_FAILED 8
#define TOOLS_FSCK_USAGE 16

#endif
