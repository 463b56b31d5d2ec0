/*
 * fuzz_target.h - the libFuzzer entry points every harness in fuzz/<name>/ defines.
 *
 * LLVMFuzzerTestOneInput is required; LLVMFuzzerInitialize is optional (set up the hosted RAM
 * arena and the allocator there, once). With PETREL_FUZZ the binary links libFuzzer's main;
 * otherwise fuzz/driver/standalone.c replays files through the same two functions.
 * A harness reports a broken invariant by printing what broke and calling abort().
 */
#ifndef FUZZ_DRIVER_FUZZ_TARGET_H
#define FUZZ_DRIVER_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
