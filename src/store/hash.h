/* SPDX-License-Identifier: MIT */
/* hash.h - the two digests the run store needs, without a library.
 *
 * SHA-256 names a dataset by its content (the key of the datasets table; a
 * user can check it with sha256sum). XXH64 is the snapshot checksum: fast
 * enough to verify ~100 KB on every replay. Both follow their published
 * specifications, so their values can be checked with other tools. */
#ifndef MGPT_HASH_H
#define MGPT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

/* Digest of len bytes into out[32]. */
void     sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Lower-case hex of the digest into hex[65] (NUL-terminated). */
void     sha256_hex(const void *data, size_t len, char hex[2 * SHA256_LEN + 1]);
/* XXH64 of len bytes with the given seed. */
uint64_t xxh64(const void *data, size_t len, uint64_t seed);

#endif
