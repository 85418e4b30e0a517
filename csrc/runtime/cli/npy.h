/* npy.h: NumPy .npy files for pyts-run, over the public pyts.h API only. Reads format versions
 * 1.0, 2.0 and 3.0 (little-endian or byte-order-free dtypes, C or Fortran order) into tensors and
 * writes tensors as version 1.0 files (2.0 when the header needs it). Files are untrusted: every
 * length, size and count is checked against the bytes actually present before use. */
#ifndef PTS_CLI_NPY_H
#define PTS_CLI_NPY_H

#include <stddef.h>

#include "../../include/pyts/pyts.h"

#define NPY_MAX_HEADER (1 << 20)   /* bytes of the header dict we accept */

/* Parse a whole .npy image of n bytes at buf (from malloc; the call takes it over) into a tensor.
 * The tensor's memory is buf itself when it is suitably aligned (freed when the tensor dies),
 * else a copy. Returns 0, or -1 with *out NULL, msg holding the reason and buf freed. */
int npy_parse(void *buf, size_t n, pyts_value **out, char *msg, size_t msgn);
/* Read path and parse it. Returns 0, or -1 with msg set. */
int npy_load(const char *path, pyts_value **out, char *msg, size_t msgn);
/* Write tensor t to path (C order; bfloat16 is written as float32, which NumPy can read).
 * Returns 0, or -1 with msg set. */
int npy_save(const char *path, const pyts_value *t, char *msg, size_t msgn);

#endif
