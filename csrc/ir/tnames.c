/* tnames.c: TorchScript's debug-name rules replayed (torch/csrc/jit/ir/ir.cpp, Value::setDebugName):
 * a graph-wide map from names to their holders and, per base name, the suffix last handed out.
 * Giving a held name to another value renames the old holder `base.N`; torch stores the counter
 * one past the suffix it used and starts the next search one past that, so the renamed holders of
 * one base get .1, .3, .5... Values torch erases later (loads) hold names meanwhile, which is why
 * the compiler reports them too. See tnames.h. */
#include <stdio.h>
#include <stdlib.h>

#include "tnames.h"

/* {==== a small string -> long map with removal ==== */
typedef struct Entry {
    char *key;
    long val;
    struct Entry *next;
} Entry;

typedef struct Map {
    Entry **b;
    size_t nb, n;
} Map;

static size_t hash(const char *s) {
    size_t h = 1469598103934665603u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static Entry **slot(const Map *m, const char *key) {
    Entry **p = &m->b[hash(key) % m->nb];
    while (*p && strcmp((*p)->key, key) != 0) p = &(*p)->next;
    return p;
}

static bool map_get(const Map *m, const char *key, long *val) {
    if (!m->nb) return false;
    Entry *e = *slot(m, key);
    if (e && val) *val = e->val;
    return e != NULL;
}

static bool map_grow(Map *m) {
    size_t nb = m->nb ? m->nb * 2 : 64;
    Entry **b = pts_calloc(nb, sizeof *b);
    if (!b) return false;
    for (size_t i = 0; i < m->nb; i++)
        for (Entry *e = m->b[i], *next; e; e = next) {
            next = e->next;
            size_t k = hash(e->key) % nb;
            e->next = b[k];
            b[k] = e;
        }
    pts_free(m->b);
    m->b = b;
    m->nb = nb;
    return true;
}

static bool map_put(Map *m, const char *key, long val) {
    if ((m->n + 1 > m->nb * 2 || !m->nb) && !map_grow(m)) return false;
    Entry **p = slot(m, key);
    if (*p) { (*p)->val = val; return true; }
    Entry *e = pts_malloc(sizeof *e);
    if (!e) return false;
    if (!(e->key = pts_strdup(key))) { pts_free(e); return false; }
    e->val = val;
    e->next = NULL;
    *p = e;
    m->n++;
    return true;
}

static void map_del(Map *m, const char *key) {
    if (!m->nb) return;
    Entry **p = slot(m, key);
    Entry *e = *p;
    if (!e) return;
    *p = e->next;
    pts_free(e->key);
    pts_free(e);
    m->n--;
}

static void map_free(Map *m) {
    for (size_t i = 0; i < m->nb; i++)
        for (Entry *e = m->b[i], *next; e; e = next) {
            next = e->next;
            pts_free(e->key);
            pts_free(e);
        }
    pts_free(m->b);
    m->b = NULL;
    m->nb = m->n = 0;
}
/* }==== */

typedef struct Holder {
    PtsIrValue *v;      /* NULL: a value torch erases later */
    char *name;         /* current full name ("x.3"), owned, or NULL */
} Holder;

struct PtsNameSim {
    Holder *h;
    int nh, caph;
    int *by_id;         /* value id -> holder index + 1 (0: none) */
    int nid;
    Map names;          /* full name -> holder index */
    Map suffixes;       /* base -> torch's name_base_suffix_ entry */
    bool broken;        /* an allocation failed: apply does nothing */
};

PtsNameSim *pts_namesim_new(void) { return pts_calloc(1, sizeof(PtsNameSim)); }

void pts_namesim_free(PtsNameSim *s) {
    if (!s) return;
    for (int i = 0; i < s->nh; i++) pts_free(s->h[i].name);
    pts_free(s->h);
    pts_free(s->by_id);
    map_free(&s->names);
    map_free(&s->suffixes);
    pts_free(s);
}

bool pts_namesim_meaningful(const char *name) {
    if (!name || !*name || name[0] == '$') return false;
    if (name[0] != '_') return true;
    for (const char *p = name + 1; *p; p++)
        if (*p < '0' || *p > '9') return true;
    return false;
}

/* Value::setDebugName on holder k */
static bool set_name(PtsNameSim *s, int k, const char *name) {
    if (s->h[k].name) {
        map_del(&s->names, s->h[k].name);
        pts_free(s->h[k].name);
        s->h[k].name = NULL;
    }
    if (!*name) return true;
    long old;
    if (map_get(&s->names, name, &old)) {
        /* base and starting suffix: "x.3" is base x from 3, "x" base x from 1 */
        size_t len = strlen(name), blen = len;
        long suffix = 1;
        const char *dot = strrchr(name, '.');
        if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1) && strlen(dot + 1) < 10) {
            suffix = strtol(dot + 1, NULL, 10);
            blen = (size_t)(dot - name);
        }
        char *base = pts_malloc(blen + 1), *repl = pts_malloc(blen + 24);
        if (!base || !repl) { pts_free(base); pts_free(repl); return false; }
        memcpy(base, name, blen);
        base[blen] = 0;
        long st;
        if (map_get(&s->suffixes, base, &st) && st + 1 > suffix) suffix = st + 1;
        do {
            snprintf(repl, blen + 24, "%s.%ld", base, suffix++);
        } while (map_get(&s->names, repl, NULL));
        bool ok = map_put(&s->suffixes, base, suffix) && set_name(s, (int)old, repl);
        pts_free(base);
        pts_free(repl);
        if (!ok) return false;
    }
    char *own = pts_strdup(name);
    if (!own || !map_put(&s->names, name, k)) { pts_free(own); return false; }
    s->h[k].name = own;
    return true;
}

int pts_namesim_set(PtsNameSim *s, PtsIrValue *v, const char *name) {
    if (!s || s->broken || !name) return -1;
    int k = -1;
    if (v && v->id >= 0 && v->id < s->nid && s->by_id[v->id]) k = s->by_id[v->id] - 1;
    if (k < 0) {
        if (s->nh == s->caph) {
            int cap = s->caph ? s->caph * 2 : 64;
            Holder *h = pts_realloc(s->h, sizeof *h * (size_t)cap);
            if (!h) { s->broken = true; return -1; }
            s->h = h;
            s->caph = cap;
        }
        if (v) {
            if (v->id < 0) { s->broken = true; return -1; }
            if (v->id >= s->nid) {
                int n = v->id * 2 + 64;
                int *b = pts_realloc(s->by_id, sizeof *b * (size_t)n);
                if (!b) { s->broken = true; return -1; }
                memset(b + s->nid, 0, sizeof *b * (size_t)(n - s->nid));
                s->by_id = b;
                s->nid = n;
            }
            s->by_id[v->id] = s->nh + 1;
        }
        k = s->nh++;
        s->h[k] = (Holder){ v, NULL };
    }
    if (!set_name(s, k, name)) { s->broken = true; return -1; }
    return k;
}

int pts_namesim_count(const PtsNameSim *s) { return s ? s->nh : 0; }

const char *pts_namesim_name(const PtsNameSim *s, int h) {
    return s && h >= 0 && h < s->nh ? s->h[h].name : NULL;
}

bool pts_namesim_has(const PtsNameSim *s, const PtsIrValue *v) {
    return s && v->id >= 0 && v->id < s->nid && s->by_id[v->id] && s->h[s->by_id[v->id] - 1].name;
}

/* the holder of a graph value, -1 when none */
static int holder_of(const PtsNameSim *s, const PtsIrValue *v) {
    return v->id >= 0 && v->id < s->nid && s->by_id[v->id] ? s->by_id[v->id] - 1 : -1;
}

/* a new holder without a graph value (a value torch makes and erases, or a clone not bound yet) */
static int new_holder(PtsNameSim *s) {
    if (s->nh == s->caph) {
        int cap = s->caph ? s->caph * 2 : 64;
        Holder *h = pts_realloc(s->h, sizeof *h * (size_t)cap);
        if (!h) { s->broken = true; return -1; }
        s->h = h;
        s->caph = cap;
    }
    s->h[s->nh] = (Holder){ NULL, NULL };
    return s->nh++;
}

int pts_namesim_copy(PtsNameSim *s, int into, const PtsIrValue *from) {
    return pts_namesim_copy_holder(s, into, s ? holder_of(s, from) : -1);
}

int pts_namesim_copy_holder(PtsNameSim *s, int into, int k) {
    if (!s || s->broken) return -1;
    if (into < 0 && (into = new_holder(s)) < 0) return -1;
    if (k < 0 || k >= s->nh || !s->h[k].name) return into;
    /* the rename below frees the source's string */
    char *nm = pts_strdup(s->h[k].name);
    if (!nm || !set_name(s, into, nm)) s->broken = true;
    pts_free(nm);
    return s->broken ? -1 : into;
}

void pts_namesim_bind(PtsNameSim *s, PtsIrValue *v, int h) {
    if (!s || s->broken || h < 0 || h >= s->nh || v->id < 0) return;
    int k = holder_of(s, v);
    if (k >= 0) s->h[k].v = NULL;
    if (v->id >= s->nid) {
        int n = v->id * 2 + 64;
        int *b = pts_realloc(s->by_id, sizeof *b * (size_t)n);
        if (!b) { s->broken = true; return; }
        memset(b + s->nid, 0, sizeof *b * (size_t)(n - s->nid));
        s->by_id = b;
        s->nid = n;
    }
    s->by_id[v->id] = h + 1;
    s->h[h].v = v;
}

void pts_namesim_drop(PtsNameSim *s, const PtsIrValue *v) {
    if (!s || s->broken) return;
    int k = holder_of(s, v);
    if (k >= 0) (void)set_name(s, k, "");
}

void pts_namesim_drop_holder(PtsNameSim *s, int h) {
    if (s && !s->broken && h >= 0 && h < s->nh) (void)set_name(s, h, "");
}

void pts_namesim_erase_unbound(PtsNameSim *s) {
    if (!s || s->broken) return;
    for (int i = 0; i < s->nh; i++)
        if (!s->h[i].v) (void)set_name(s, i, "");
}

/* the name of holder k onto v (base + suffix, as the printer and the passes expect) */
static bool apply_value(const PtsNameSim *s, PtsGraph *g, PtsIrValue *v) {
    int k = holder_of(s, v);
    if (k < 0) return true;
    const char *nm = s->h[k].name;
    if (!nm) { v->name = NULL; v->name_suffix = 0; return true; }
    size_t blen = strlen(nm);
    int suffix = 0;
    const char *dot = strrchr(nm, '.');
    if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1) && strlen(dot + 1) < 10) {
        suffix = (int)strtol(dot + 1, NULL, 10);
        blen = (size_t)(dot - nm);
    }
    char buf[256];
    if (blen >= sizeof buf) return true;   /* keep the compiler's own name */
    memcpy(buf, nm, blen);
    buf[blen] = 0;
    const char *b = pts_graph_intern(g, buf);
    if (!b) return false;
    v->name = (char *)b;
    v->name_suffix = suffix;
    return true;
}

/* values are found through the graph (values the passes destroyed are not touched) */
static bool apply_block(const PtsNameSim *s, PtsGraph *g, PtsBlock *b) {
    for (int i = 0; i < b->ninputs; i++)
        if (!apply_value(s, g, b->inputs[i])) return false;
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->noutputs; i++)
            if (!apply_value(s, g, n->outputs[i])) return false;
        for (int i = 0; i < n->nblocks; i++)
            if (!apply_block(s, g, n->blocks[i])) return false;
    }
    return true;
}

bool pts_namesim_apply(PtsNameSim *s, PtsGraph *g) {
    if (!s || s->broken) return false;
    return apply_block(s, g, g->top);
}
