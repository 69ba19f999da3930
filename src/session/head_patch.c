/* SPDX-License-Identifier: MIT */
/* head_patch.c - see head_patch.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "head_patch.h"
#include "head_report.h"
#include "xmalloc.h"

int
head_patch_set(struct head_patch *p, const struct debug_session *s, const uint32_t *text, int n,
    char *err, size_t errlen)
{
	const int T = s->cfg.block_size;
	int *doc, *tok, *tgt, i, np;
	size_t len = 0;

	doc = xcalloc((size_t)n + 1, sizeof *doc);
	for (i = 0; i < n; i++)
		if ((doc[i] = dataset_token(s->ds, text[i])) < 0) {
			if (text[i] >= 0x20 && text[i] != 0x7f && text[i] < 0x110000) {
				char u8[8];

				u8[utf8_put(u8, text[i])] = '\0';
				snprintf(err, errlen, "'%s' is not in the run's vocabulary", u8);
			} else
				snprintf(err, errlen, "U+%04X is not in the run's vocabulary",
				    (unsigned)text[i]);
			free(doc);
			return -1;
		}
	tok = xcalloc((size_t)T, sizeof *tok);
	tgt = xcalloc((size_t)T, sizeof *tgt);
	np = attrib_doc_tokens(doc, (size_t)n, s->cfg.vocab_size - 1, T, tok, tgt);
	free(doc);
	if (np != s->tr.n_pos) {
		snprintf(err, errlen, "the patch text has %d character%s and the input %d:"
		    " they must be as long", np - 1, np == 2 ? "" : "s", s->tr.n_pos - 1);
		free(tok);
		free(tgt);
		return -1;
	}
	head_patch_free(p);
	p->tok = tok;
	p->tgt = tgt;
	p->n = np;
	for (i = 0; i < n && len + 5 < sizeof p->text; i++)
		len += (size_t)utf8_put(p->text + len, text[i]);
	p->text[len] = '\0';
	trace_init(&p->src, &s->cfg);
	trace_init(&p->tr, &s->cfg);
	p->have_tr = 1;
	p->on = 1;
	p->layer = p->head = p->pos = -1;
	return 0;
}

int
head_patch_apply(struct head_patch *p, const struct debug_session *s, int layer, int head, int pos)
{
	const struct trace *in = &s->tr;

	if (!p->on || p->n != in->n_pos)
		return -1;
	/* TEXT2 and a copy of the input's pass, both with the session's heads off */
	trace_reset(&p->src);
	p->src.head_mask = in->head_mask;
	model_forward_seq(s->m, &p->src, p->tok, p->tgt, p->n);
	trace_reset(&p->tr);
	p->tr.head_mask = in->head_mask;
	model_forward_seq(s->m, &p->tr, in->token, in->target, in->n_pos);
	if (attrib_patch_head(s->m, &p->tr, &p->src, layer, head, pos) < 0)
		return -1;
	p->layer = layer;
	p->head = head;
	p->pos = pos;
	p->loss = head_report_loss(&p->tr, NULL);
	return 0;
}

void
head_patch_free(struct head_patch *p)
{
	free(p->tok);
	free(p->tgt);
	if (p->have_tr) {
		trace_free(&p->src);
		trace_free(&p->tr);
	}
	memset(p, 0, sizeof *p);
}
