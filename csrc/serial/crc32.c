/* crc32.c: the zip CRC-32 (reflected polynomial 0xEDB88320) of archive records, fast enough that
 * checksumming a 44 MB archive costs a few milliseconds. x86-64 CPUs with carry-less multiply get
 * the folding method of Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ"
 * (chosen at run time); everything else gets slice-by-8 tables, built once. */
#include <pthread.h>

#include "serial.h"

#define CRC_POLY 0xEDB88320u

/* slice-by-8: table t[k][b] is the CRC of byte b followed by k zero bytes */
static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_tables(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int i = 0; i < 8; i++) c = (c >> 1) ^ (CRC_POLY & (0u - (c & 1)));
        crc_tab[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; b++)
        for (int k = 1; k < 8; k++) crc_tab[k][b] = (crc_tab[k - 1][b] >> 8) ^ crc_tab[0][crc_tab[k - 1][b] & 0xFF];
}

/* c is the running register (already inverted) */
static uint32_t crc_slice8(uint32_t c, const uint8_t *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) { c = (c >> 8) ^ crc_tab[0][(c ^ *p++) & 0xFF]; n--; }
    while (n >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        lo ^= c;
        c = crc_tab[7][lo & 0xFF] ^ crc_tab[6][(lo >> 8) & 0xFF] ^ crc_tab[5][(lo >> 16) & 0xFF] ^
            crc_tab[4][lo >> 24] ^ crc_tab[3][hi & 0xFF] ^ crc_tab[2][(hi >> 8) & 0xFF] ^
            crc_tab[1][(hi >> 16) & 0xFF] ^ crc_tab[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ crc_tab[0][(c ^ *p++) & 0xFF];
    return c;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CRC_HAVE_CLMUL 1

/* Folds 64 bytes at a time in four 128-bit lanes, then the lanes into one, then 16-byte blocks,
 * then reduces 128 -> 64 -> 32 bits (Barrett). Constants are x^k mod P for the bit-reflected
 * domain, from the paper's appendix: k1 = x^(4*128+32), k2 = x^(4*128-32), k3 = x^(128+32),
 * k4 = x^(128-32), k5 = x^64, and the Barrett pair P' and mu. n >= 64 and n % 16 == 0. */
__attribute__((target("pclmul,sse4.1")))
static uint32_t crc_clmul(uint32_t c, const uint8_t *p, size_t n) {
    const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596LL, 0x0154442bd4LL);
    const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009eLL, 0x01751997d0LL);
    const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124LL);
    const __m128i pmu = _mm_set_epi64x(0x01f7011641LL, 0x01db710641LL);
    const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
    __m128i a = _mm_loadu_si128((const __m128i *)p), b = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i d = _mm_loadu_si128((const __m128i *)(p + 32)), e = _mm_loadu_si128((const __m128i *)(p + 48));
    a = _mm_xor_si128(a, _mm_cvtsi32_si128((int)c));
    p += 64;
    n -= 64;
#define FOLD(x, k, next) _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next)
    while (n >= 64) {
        a = FOLD(a, k1k2, _mm_loadu_si128((const __m128i *)p));
        b = FOLD(b, k1k2, _mm_loadu_si128((const __m128i *)(p + 16)));
        d = FOLD(d, k1k2, _mm_loadu_si128((const __m128i *)(p + 32)));
        e = FOLD(e, k1k2, _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        n -= 64;
    }
    a = FOLD(a, k3k4, b);
    a = FOLD(a, k3k4, d);
    a = FOLD(a, k3k4, e);
    while (n >= 16) {
        a = FOLD(a, k3k4, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        n -= 16;
    }
#undef FOLD
    /* 128 -> 64 bits */
    __m128i t = _mm_clmulepi64_si128(a, k3k4, 0x10);
    a = _mm_xor_si128(_mm_srli_si128(a, 8), t);
    t = _mm_srli_si128(a, 4);
    a = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(a, low32), k5, 0x00), t);
    /* Barrett reduction to 32 bits */
    t = _mm_clmulepi64_si128(_mm_and_si128(a, low32), pmu, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), pmu, 0x00);
    a = _mm_xor_si128(a, t);
    return (uint32_t)_mm_extract_epi32(a, 1);
}

static int clmul_ok = -1;   /* -1 not probed yet; a benign race: every thread finds the same */
#endif

uint32_t pts_crc32_update(uint32_t crc, const void *data, size_t n) {
    const uint8_t *p = data;
    uint32_t c = ~crc;
    pthread_once(&crc_once, crc_tables);
#ifdef CRC_HAVE_CLMUL
    if (n >= 64) {
        int ok = __atomic_load_n(&clmul_ok, __ATOMIC_RELAXED);
        if (ok < 0) {
            __builtin_cpu_init();
            ok = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
            __atomic_store_n(&clmul_ok, ok, __ATOMIC_RELAXED);
        }
        if (ok) {
            size_t m = n & ~(size_t)15;
            c = crc_clmul(c, p, m);
            p += m;
            n -= m;
        }
    }
#endif
    return ~crc_slice8(c, p, n);
}

/* test hook: the portable path alone, to check it against the fast one */
uint32_t pts_crc32_portable(uint32_t crc, const void *data, size_t n) {
    pthread_once(&crc_once, crc_tables);
    return ~crc_slice8(~crc, data, n);
}
