/* hints.h: the "suggests the fix" part of compile errors. An edit distance, the closest name
 * among the candidates a compile site knows (a misspelt method, attribute, variable or keyword:
 * "Did you mean 'tanh'?"), and TorchScript's list of similar builtin ops for an unknown one. */
#ifndef PTS_HINTS_H
#define PTS_HINTS_H

#include "../base/base.h"

/* Levenshtein distance of a and b (insert, delete, substitute: TorchScript's measure for similar
 * ops); max + 1 as soon as it must exceed max (max 0: no limit). */
PTS_INTERNAL size_t pts_edit_distance(const char *a, const char *b, size_t max);

/* The closest candidate to a misspelt name. Distance is Levenshtein with a swap of two adjacent
 * characters counting 1 (tahn -> tanh); a candidate is kept only within max(1, len(name) / 3).
 * Ties go to a candidate with the same letters as the name (a swap), then the nearest length,
 * then the first in byte order. Candidates equal to the name, shorter than 3 characters (as
 * names shorter than that: one letter for another is noise, not a fix), or private (leading
 * '_') while the name is not, are ignored. */
typedef struct PtsNearest {
    const char *name;            /* borrowed */
    size_t limit;                /* largest distance kept */
    char best[128];              /* "" while none */
    size_t dist;
} PtsNearest;

PTS_INTERNAL void pts_nearest_init(PtsNearest *n, const char *name);
PTS_INTERNAL void pts_nearest_add(PtsNearest *n, const char *cand);
/* candidates separated by spaces ("helper forward weight") */
PTS_INTERNAL void pts_nearest_add_words(PtsNearest *n, const char *words);
/* the best candidate, NULL when none is close */
PTS_INTERNAL const char *pts_nearest_best(const PtsNearest *n);
/* "\nDid you mean 'best'?" into buf (cap bytes), "" when none; returns buf */
PTS_INTERNAL const char *pts_nearest_line(const PtsNearest *n, char *buf, size_t cap);

/* TorchScript's text for an unknown builtin op aten::<name>: the registry ops within edit
 * distance 2 of the qualified name, nearest first (equal distances in byte order):
 *   "Unknown builtin op: aten::tanhh.\nHere are some suggestions: \n\taten::tanh\n..."
 * or, with none, "...\nCould not find any similar ops to aten::tanhh. This op may not exist or
 * may not be currently supported in TorchScript." Appended to b. */
PTS_INTERNAL void pts_hint_unknown_op(PtsBuf *b, const char *name);

/* The names of Tensor methods (registry rows exposed as methods), for pts_nearest_add. */
PTS_INTERNAL void pts_nearest_add_tensor_methods(PtsNearest *n);
/* The names of registry rows exposed as functions (torch.X), for a misspelt module attribute. */
PTS_INTERNAL void pts_nearest_add_functions(PtsNearest *n);
/* The argument names of registry rows named `name` ("sum"), for a misspelt keyword. */
PTS_INTERNAL void pts_nearest_add_op_args(PtsNearest *n, const char *name);

#endif
