/* dtype.c: dtype tables, promotion, half/bfloat16 conversion and per-element load/store. */
#include <math.h>

#include "tensor.h"

typedef struct DTypeInfo { const char *name; int kind; int size; bool valid; } DTypeInfo;
static const DTypeInfo dtype_info[PTS_DTYPE_SLOTS] = {
#define PTS_DTYPE(ID, v, ct, nm, kd, sz) [v] = { nm, kd, sz, true },
#include "dtypes.def"
#undef PTS_DTYPE
};

bool pts_dtype_valid(int d) { return d >= 0 && d < PTS_DTYPE_SLOTS && dtype_info[d].valid; }
const char *pts_dtype_name(PtsDType d) { return pts_dtype_valid(d) ? dtype_info[d].name : "?"; }
int pts_dtype_kind(PtsDType d) { return dtype_info[d].kind; }
size_t pts_dtype_size(PtsDType d) { return (size_t)dtype_info[d].size; }

PtsDType pts_dtype_from_name(const char *name) {
    static const struct { const char *n; PtsDType d; } alias[] = {
        {"float", PTS_FLOAT32}, {"double", PTS_FLOAT64}, {"half", PTS_FLOAT16},
        {"long", PTS_INT64}, {"int", PTS_INT32}, {"short", PTS_INT16}, {"uint8", PTS_UINT8},
        {"bool", PTS_BOOL}, {"cfloat", PTS_COMPLEX64}, {"cdouble", PTS_COMPLEX128},
    };
    for (int i = 0; i < PTS_DTYPE_SLOTS; i++)
        if (dtype_info[i].valid && strcmp(dtype_info[i].name, name) == 0) return (PtsDType)i;
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (strcmp(alias[i].n, name) == 0) return alias[i].d;
    return PTS_DTYPE_INVALID;
}

/* Rank within the integer lattice; uint8 is special (uint8 with int8 gives int16). */
static int int_rank(PtsDType d) {
    switch (d) {
    case PTS_INT8: return 1; case PTS_INT16: return 2; case PTS_INT32: return 3;
    case PTS_INT64: return 4; default: return 0;
    }
}

PtsDType pts_promote_types(PtsDType a, PtsDType b) {
    if (a == b) return a;
    if (a == PTS_BOOL) return b;
    if (b == PTS_BOOL) return a;
    int ka = pts_dtype_kind(a), kb = pts_dtype_kind(b);
    if (ka == PTS_KIND_COMPLEX || kb == PTS_KIND_COMPLEX) {
        /* the wider of the two value types (complex64 with float64 gives complex128) */
        if (a == PTS_COMPLEX128 || b == PTS_COMPLEX128 || a == PTS_FLOAT64 || b == PTS_FLOAT64)
            return PTS_COMPLEX128;
        return PTS_COMPLEX64;
    }
    if (ka == PTS_KIND_INT && kb == PTS_KIND_INT) {
        if (a == PTS_UINT8 || b == PTS_UINT8) {
            PtsDType o = a == PTS_UINT8 ? b : a;
            return o == PTS_INT8 ? PTS_INT16 : o;
        }
        return int_rank(a) >= int_rank(b) ? a : b;
    }
    if (ka == PTS_KIND_INT) return b;
    if (kb == PTS_KIND_INT) return a;
    /* both floating */
    if (a == PTS_FLOAT64 || b == PTS_FLOAT64) return PTS_FLOAT64;
    return PTS_FLOAT32; /* f16+bf16, f16+f32, bf16+f32 */
}

/* ---- IEEE half ---- */
float pts_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) bits = sign;
        else { /* subnormal: normalise */
            int e = -1;
            do { e++; man <<= 1; } while (!(man & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else if (exp == 0x1f) bits = sign | 0x7f800000u | (man << 13);
    else bits = sign | ((exp + 112) << 23) | (man << 13);
    union { uint32_t u; float f; } v = { bits };
    return v.f;
}

uint16_t pts_float_to_half(float f) {
    union { float f; uint32_t u; } v = { f };
    uint32_t x = v.u, sign = (x >> 16) & 0x8000;
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (uint16_t)(sign | 0x7e00);        /* NaN */
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00);       /* overflow -> inf */
    if (ax < 0x38800000u) {                                         /* subnormal or zero */
        if (ax < 0x33000000u) return (uint16_t)sign;
        uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - e;                                   /* 14 + (113 - e) - 1 */
        uint32_t r = m >> (shift - 0);
        /* m * 2^(e-127-23) / 2^-24 = m >> (126 - e) ; round to nearest even */
        uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1))) r++;
        return (uint16_t)(sign | r);
    }
    uint32_t r = ((ax - 0x38000000u) >> 13);
    uint32_t rem = ax & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (r & 1))) r++;
    return (uint16_t)(sign | r);
}

double pts_load_f64(PtsDType d, const void *p) {
    switch (d) {
    case PTS_UINT8: return *(const uint8_t *)p;
    case PTS_INT8: return *(const int8_t *)p;
    case PTS_INT16: return *(const int16_t *)p;
    case PTS_INT32: return *(const int32_t *)p;
    case PTS_INT64: return (double)*(const int64_t *)p;
    case PTS_FLOAT16: return pts_half_to_float(*(const uint16_t *)p);
    case PTS_FLOAT32: return *(const float *)p;
    case PTS_FLOAT64: return *(const double *)p;
    case PTS_BOOL: return *(const bool *)p;
    case PTS_BFLOAT16: return pts_bf16_to_float(*(const uint16_t *)p);
    case PTS_COMPLEX64: return *(const float *)p;     /* the real part */
    case PTS_COMPLEX128: return *(const double *)p;
    default: return 0;
    }
}

/* float -> int conversion that never invokes undefined behaviour on NaN/out of range */
static int64_t f2i(double v) {
    if (v != v) return INT64_MIN;
    if (v >= 9.2233720368547758e18) return INT64_MIN;
    if (v < -9.2233720368547758e18) return INT64_MIN;
    return (int64_t)v;
}

int64_t pts_load_i64(PtsDType d, const void *p) {
    switch (d) {
    case PTS_UINT8: return *(const uint8_t *)p;
    case PTS_INT8: return *(const int8_t *)p;
    case PTS_INT16: return *(const int16_t *)p;
    case PTS_INT32: return *(const int32_t *)p;
    case PTS_INT64: return *(const int64_t *)p;
    case PTS_BOOL: return *(const bool *)p;
    default: return f2i(pts_load_f64(d, p));
    }
}

void pts_store_f64(PtsDType d, void *p, double v) {
    switch (d) {
    case PTS_FLOAT16: *(uint16_t *)p = pts_float_to_half((float)v); break;
    case PTS_FLOAT32: *(float *)p = (float)v; break;
    case PTS_FLOAT64: *(double *)p = v; break;
    case PTS_BFLOAT16: *(uint16_t *)p = pts_float_to_bf16((float)v); break;
    case PTS_BOOL: *(bool *)p = v != 0; break;
    case PTS_COMPLEX64: ((float *)p)[0] = (float)v; ((float *)p)[1] = 0; break;
    case PTS_COMPLEX128: ((double *)p)[0] = v; ((double *)p)[1] = 0; break;
    default: pts_store_i64(d, p, f2i(v)); break;
    }
}

void pts_store_i64(PtsDType d, void *p, int64_t v) {
    switch (d) {
    case PTS_UINT8: *(uint8_t *)p = (uint8_t)v; break;
    case PTS_INT8: *(int8_t *)p = (int8_t)v; break;
    case PTS_INT16: *(int16_t *)p = (int16_t)v; break;
    case PTS_INT32: *(int32_t *)p = (int32_t)v; break;
    case PTS_INT64: *(int64_t *)p = v; break;
    case PTS_BOOL: *(bool *)p = v != 0; break;
    default: pts_store_f64(d, p, (double)v); break;
    }
}

void pts_load_c128(PtsDType d, const void *p, double *re, double *im) {
    switch (d) {
    case PTS_COMPLEX64: *re = ((const float *)p)[0]; *im = ((const float *)p)[1]; break;
    case PTS_COMPLEX128: *re = ((const double *)p)[0]; *im = ((const double *)p)[1]; break;
    case PTS_INT64: *re = (double)*(const int64_t *)p; *im = 0; break;
    default: *re = pts_load_f64(d, p); *im = 0; break;
    }
}

void pts_store_c128(PtsDType d, void *p, double re, double im) {
    switch (d) {
    case PTS_COMPLEX64: ((float *)p)[0] = (float)re; ((float *)p)[1] = (float)im; break;
    case PTS_COMPLEX128: ((double *)p)[0] = re; ((double *)p)[1] = im; break;
    case PTS_BOOL: *(bool *)p = re != 0 || im != 0; break;   /* torch: a complex is true when nonzero */
    default: pts_store_f64(d, p, re); break;
    }
}

PtsDType pts_dtype_to_complex(PtsDType d) {
    return d == PTS_FLOAT64 || d == PTS_COMPLEX128 ? PTS_COMPLEX128 : PTS_COMPLEX64;
}
PtsDType pts_dtype_to_real(PtsDType d) {
    return d == PTS_COMPLEX128 ? PTS_FLOAT64 : d == PTS_COMPLEX64 ? PTS_FLOAT32 : d;
}

/* PyTorch's ScalarType names ("Float", "Long"), which its messages and graph types use. */
const char *pts_dtype_scalar_name(PtsDType d, const char *fallback) {
    switch (d) {
    case PTS_UINT8: return "Byte";
    case PTS_INT8: return "Char";
    case PTS_INT16: return "Short";
    case PTS_INT32: return "Int";
    case PTS_INT64: return "Long";
    case PTS_FLOAT16: return "Half";
    case PTS_FLOAT32: return "Float";
    case PTS_FLOAT64: return "Double";
    case PTS_BOOL: return "Bool";
    case PTS_BFLOAT16: return "BFloat16";
    case PTS_COMPLEX64: return "ComplexFloat";
    case PTS_COMPLEX128: return "ComplexDouble";
    default: return fallback;
    }
}

/* The C++ type names ATen prints in some messages ("Input type (float) and bias type (double)"). */
const char *pts_dtype_cpp_name(PtsDType d) {
    switch (d) {
    case PTS_FLOAT32: return "float";
    case PTS_FLOAT64: return "double";
    case PTS_FLOAT16: return "c10::Half";
    case PTS_BFLOAT16: return "c10::BFloat16";
    case PTS_INT64: return "long int";
    case PTS_INT32: return "int";
    case PTS_INT16: return "short int";
    case PTS_INT8: return "signed char";
    case PTS_UINT8: return "unsigned char";
    case PTS_BOOL: return "bool";
    case PTS_COMPLEX64: return "c10::complex<float>";
    case PTS_COMPLEX128: return "c10::complex<double>";
    default: return "?";
    }
}
