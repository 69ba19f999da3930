/* SPDX-License-Identifier: MIT */
/* attrib.h - what each head contributes, read from the one forward pass:
 * direct logit attribution, the logit lens, the loss of a name as training
 * scores it, the ablation sweep over subsets of heads, and activation
 * patching.
 *
 * Everything here reads a trace recorded by model_forward / model_reforward
 * (or recomputes part of one with model_forward_from_concat); nothing has a
 * copy of the model's math beyond applying lm_head and attn_wo to recorded
 * vectors. Functions print nothing and never exit.
 *
 * The residual stream of microgpt is
 *     x0 = rmsnorm(wte[tok] + wpe[pos])                          ("embed")
 *     x_mid[l] = x_in[l] + attn_wo[l] . att_cat[l]               ("Ll.attn")
 *     x_out[l] = x_mid[l] + mlp_fc2[l] . relu(...)               ("Ll.mlp")
 *     logits = lm_head . x_out[L-1]            (no final norm, no biases)
 * so the logits are exactly, up to rounding,
 *     lm_head . x0 + sum_l sum_h lm_head . (attn_wo[l][:, h's dims] . att_cat[l][h])
 *                  + sum_l lm_head . fc2[l]
 * and for one layer that is the embedding, the heads and the MLP. A head
 * switched off contributes zero (its slice of att_cat is zero). */
#ifndef MGPT_ATTRIB_H
#define MGPT_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "model.h"

/* ---- scoring a name as training does ---- */

/* Training's positions for a document of len characters: tok = BOS, the
 * characters; tgt = the characters, then BOS; both cut at block_size (a cut
 * name's last target is its next character). tok and tgt need block_size
 * entries. Returns the number of positions, min(len + 1, block_size). */
int    attrib_doc_tokens(const int *doc, size_t len, int bos, int block_size,
                         int *tok, int *tgt);
/* The loss of a pass whose positions all have targets, as training
 * computes it: (1 / n) * (sum of loss[0..n) added in order). */
double attrib_trace_loss(const struct trace *tr);

/* ---- direct logit attribution ---- */

/* Head (layer, head)'s direct contribution to the logits at pos:
 * out[V] = lm_head . (attn_wo[layer][:, head's dims] . att_cat[layer][pos][head's dims]).
 * tmp needs n_embd doubles. */
void   attrib_head_logits(const struct model *m, const struct trace *tr, int pos, int layer,
                          int head, double *out, double *tmp);

/* One position's logits in parts. */
struct attrib_parts {
	double *embed;    /* [V] lm_head . x0 */
	double *head;     /* [L][H][V] attrib_head_logits of every head */
	double *mlp;      /* [L][V] lm_head . fc2[l] */
	double *sum;      /* [V] embed + heads (layer, head order) + mlps, in that order */
	double *tmp;      /* [C] scratch */
};
void   attrib_parts_init(struct attrib_parts *p, const struct model_config *cfg);
void   attrib_parts_free(struct attrib_parts *p);
/* Fill p for position pos of tr. Returns max_v |sum[v] - logits[pos][v]|. */
double attrib_decompose(const struct model *m, const struct trace *tr, int pos,
                        struct attrib_parts *p);

/* ---- the logit lens ---- */

/* Residual points: 0 "embed" (x0), then per layer l: 1+2l "Ll.attn"
 * (x_mid), 2+2l "Ll.mlp" (x_out). The last point's lens is the logits, bit
 * for bit. */
static inline int attrib_lens_points(const struct model_config *cfg)
{ return 1 + 2 * cfg->n_layer; }
/* The point's name into buf ("embed", "L0.attn", ...); returns buf. */
char  *attrib_lens_name(int point, char *buf, size_t n);
/* The residual stream at a point and position (n_embd values). */
const double *attrib_lens_resid(const struct trace *tr, int pos, int point);
/* out[V] = lm_head . residual, by the forward pass's own linear kernel. */
void   attrib_lens(const struct model *m, const struct trace *tr, int pos, int point,
                   double *out);

/* ---- the ablation sweep ---- */

/* The subsets of heads a sweep switches off, as head masks (bit l*H+h, as
 * trace.head_mask): every subset in increasing order of the mask when the
 * model has at most ATTRIB_SWEEP_ALL heads in all, else none, every single
 * head and every pair (in increasing order of their bits). Writes up to
 * max masks when masks is not NULL; returns how many there are. */
#define ATTRIB_SWEEP_ALL 8
int    attrib_sweep_masks(const struct model_config *cfg, uint64_t *masks, int max);

/* Called after each document: done of total; a nonzero return cancels. */
typedef int (*attrib_progress_fn)(void *arg, size_t done, size_t total);

struct attrib_sweep {
	int       n_masks;
	uint64_t *mask;          /* [n_masks] the heads off (the first is 0: all on) */
	double   *text_loss;     /* [n_masks] the input's loss (NaN without input) */
	double   *dataset_loss;  /* [n_masks] mean over the documents of their
	                          * training loss (sum in document order / n_docs);
	                          * NaN without documents */
};
/* Allocates the sweep's masks for cfg (attrib_sweep_masks) and NaN losses. */
void   attrib_sweep_init(struct attrib_sweep *sw, const struct model_config *cfg);
void   attrib_sweep_free(struct attrib_sweep *sw);
/* Fill text_loss from the input (tok, tgt: n positions, every target
 * known; n == 0: none) and dataset_loss from every document of ds (ds NULL:
 * none) for every mask of sw, with m's weights. The losses are bit for bit
 * those of a full forward pass per mask: each document is run once with all
 * heads on and, per mask, recomputed from the concatenation of the first
 * layer with a head off (model_forward_from_concat). progress may be NULL.
 * Returns 0, or 1 when progress cancelled (the dataset losses are then
 * NaN). */
int    attrib_sweep_run(const struct model *m, const struct dataset *ds, const int *tok,
                        const int *tgt, int n, struct attrib_sweep *sw,
                        attrib_progress_fn progress, void *arg);

/* The same, a slice at a time, for a screen that computes between keys: begin
 * computes the input's losses (text_loss; dataset_loss NaN until the end)
 * and keeps m, ds, sw (not owned; they must stay valid until end); each step
 * runs up to max_docs more documents and returns how many are done; when
 * that is ds->n_docs, dataset_loss is filled. Stopping early (end before
 * all are done) is the cancel. The losses are attrib_sweep_run's, bit for bit. */
struct attrib_sweep_job;
struct attrib_sweep_job *attrib_sweep_begin(const struct model *m, const struct dataset *ds,
                                            const int *tok, const int *tgt, int n,
                                            struct attrib_sweep *sw);
size_t attrib_sweep_step(struct attrib_sweep_job *j, size_t max_docs);
void   attrib_sweep_end(struct attrib_sweep_job *j);

/* ---- activation patching ---- */

/* Replace head (layer, head)'s output at position pos in tr (att_head) with
 * its output in src, a pass of the same configuration and length over
 * another input, and recompute tr from that layer's concatenation on: tr
 * becomes the patched pass (a later model_reforward undoes the patch).
 * Returns 0, or -1 when an argument is out of range or the lengths differ. */
int    attrib_patch_head(const struct model *m, struct trace *tr, const struct trace *src,
                         int layer, int head, int pos);

#endif
