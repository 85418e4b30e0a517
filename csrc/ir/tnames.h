/* tnames.h: a replay of TorchScript's debug-name bookkeeping (Value::setDebugName), so a compiled
 * graph prints torch's value names (%x.1, %a.5, %x). The script compiler reports, in torch's
 * order, every name torch's frontend gives: to values of the graph, and to values torch makes and
 * later erases (prim::Load outputs, cloned loop conditions), which only take part in the
 * renaming. apply writes the final names onto the graph's values. */
#ifndef PTS_IR_TNAMES_H
#define PTS_IR_TNAMES_H

#include "ir.h"

typedef struct PtsNameSim PtsNameSim;

PTS_INTERNAL PtsNameSim *pts_namesim_new(void);   /* NULL on OOM */
PTS_INTERNAL void pts_namesim_free(PtsNameSim *s);
/* torch's setDebugName(name) on v (a graph value), or on a new value torch erases later (v NULL).
 * The value holding name before moves to `base.N` (N: the smallest free suffix past the last one
 * handed out for base). Returns the holder's index, -1 when nothing was recorded (OOM: the
 * simulation is then abandoned and apply changes nothing). */
PTS_INTERNAL int pts_namesim_set(PtsNameSim *s, PtsIrValue *v, const char *name);
/* Number of holders recorded so far, and the current name of holder h (NULL: none). */
PTS_INTERNAL int pts_namesim_count(const PtsNameSim *s);
PTS_INTERNAL const char *pts_namesim_name(const PtsNameSim *s, int h);
/* Does v hold a name in the simulation? */
PTS_INTERNAL bool pts_namesim_has(const PtsNameSim *s, const PtsIrValue *v);
/* torch's copyMetadata: holder `into` (a new unbound one when -1) takes from's current name, which
 * renames from. Returns the holder, -1 after an OOM. */
PTS_INTERNAL int pts_namesim_copy(PtsNameSim *s, int into, const PtsIrValue *from);
PTS_INTERNAL int pts_namesim_copy_holder(PtsNameSim *s, int into, int from);
/* v is the value of holder h from now on (a clone torch keeps where pyts keeps the original). */
PTS_INTERNAL void pts_namesim_bind(PtsNameSim *s, PtsIrValue *v, int h);
/* a value torch destroys: its name is free again. */
PTS_INTERNAL void pts_namesim_drop(PtsNameSim *s, const PtsIrValue *v);
PTS_INTERNAL void pts_namesim_drop_holder(PtsNameSim *s, int h);
/* torch's EraseLoadStores: the names of the values without a graph value (loads) are free again. */
PTS_INTERNAL void pts_namesim_erase_unbound(PtsNameSim *s);
/* Give every value of g the simulation holds its final name. False (nothing changed) after an OOM. */
PTS_INTERNAL bool pts_namesim_apply(PtsNameSim *s, PtsGraph *g);
/* torch's meaningfulName: not empty, not a compiler temporary ('$'), not `_` or `_<digits>`. */
PTS_INTERNAL bool pts_namesim_meaningful(const char *name);

#endif
