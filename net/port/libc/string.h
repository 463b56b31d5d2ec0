/*
 * string.h (lwIP shim) - lwIP's sources include <string.h>; they get core/lib's functions.
 *
 * This directory is on the include path of lwIP's own sources only (net/CMakeLists.txt), so
 * lwIP is compiled without libc in the kernel build and against the same declarations in
 * the hosted one (where the host libc supplies the bodies, as for all kernel code).
 */
#ifndef NET_PORT_LIBC_STRING_H
#define NET_PORT_LIBC_STRING_H

#include "core/lib/kstring.h"

#endif
