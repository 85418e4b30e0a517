/* iface.c: TorchScript interface types (torch.jit.interface). An interface is a PtsClassType with
 * is_interface set whose methods are signatures; a class implements it when it has each of its
 * methods with a compatible schema. The check and its explanation follow torch's
 * ClassType::isSubtypeOfExt and FunctionSchema::isSubtypeOf, so error messages match. */
#include "ir.h"

static const char *arg_name(const PtsFunction *f, int i) {
    const PtsBlock *top = f->graph->top;
    if (f->arg_names && f->nargs == top->ninputs && f->arg_names[i]) return f->arg_names[i];
    return top->inputs[i]->name ? top->inputs[i]->name : "";
}

void pts_function_schema_print(PtsBuf *b, const PtsFunction *f) {
    const PtsBlock *top = f->graph->top;
    pts_buf_printf(b, "%s(", f->name);
    for (int i = 0; i < top->ninputs; i++) {
        if (i) pts_buf_puts(b, ", ");
        pts_type_print(b, top->inputs[i]->type, false);
        pts_buf_printf(b, " %s", arg_name(f, i));
    }
    pts_buf_puts(b, ") -> ");
    if (top->noutputs == 1) pts_type_print(b, top->outputs[0]->type, false);
    else {
        pts_buf_puts(b, "(");
        for (int i = 0; i < top->noutputs; i++) {
            if (i) pts_buf_puts(b, ", ");
            pts_type_print(b, top->outputs[i]->type, false);
        }
        pts_buf_puts(b, ")");
    }
}

/* Interfaces may name themselves in their signatures (`def f(self, o: I) -> I`): the check
 * assumes what it is proving past this depth, as a co-inductive check would. */
static _Thread_local int depth;

/* m (a method of a class) may stand for s (the interface's): parameters after self pairwise
 * with the same names, s's parameter types subtypes of m's, m's results subtypes of s's */
static bool schema_compatible(const PtsFunction *m, const PtsFunction *s) {
    const PtsBlock *mt = m->graph->top, *st = s->graph->top;
    if (mt->ninputs != st->ninputs || mt->noutputs != st->noutputs) return false;
    for (int i = 1; i < mt->ninputs; i++) {
        if (strcmp(arg_name(m, i), arg_name(s, i)) != 0) return false;
        if (!pts_type_subtype(st->inputs[i]->type, mt->inputs[i]->type)) return false;
    }
    for (int i = 0; i < mt->noutputs; i++)
        if (!pts_type_subtype(mt->outputs[i]->type, st->outputs[i]->type)) return false;
    return true;
}

bool pts_class_implements(const PtsClassType *c, const PtsClassType *iface, PtsBuf *why) {
    if (c == iface) return true;
    if (!iface->is_interface) return false;
    if (iface->is_module && !c->is_module) {
        if (why)
            pts_buf_printf(why, "Class '%s' is not a subtype of the module interface '%s' , only ScriptModule class "
                           "can be subtype of module interface.\n", c->qualname, iface->qualname);
        return false;
    }
    if (depth > 8) return true;
    depth++;
    bool ok = true;
    for (int i = 0; ok && i < iface->nmethods; i++) {
        const PtsFunction *s = iface->methods[i];
        const PtsFunction *m = pts_class_find_method(c, s->name);
        if (!m) {
            if (why) pts_buf_printf(why, "Class '%s' does not have method '%s' but '%s' does.\n", c->qualname, s->name, iface->qualname);
            ok = false;
        } else if (!m->graph || !s->graph || !schema_compatible(m, s)) {
            if (why && m->graph && s->graph) {
                pts_buf_printf(why, "Method on class '%s' (1) is not compatible with interface '%s' (2)\n  (1) ",
                               c->qualname, iface->qualname);
                pts_function_schema_print(why, m);
                pts_buf_puts(why, "\n  (2) ");
                pts_function_schema_print(why, s);
                pts_buf_puts(why, "\n");
            }
            ok = false;
        }
    }
    depth--;
    return ok;
}
