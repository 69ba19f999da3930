# SPDX-License-Identifier: MIT
# mgpt_fpeval.m4 - MGPT_CHECK_DOUBLE_EVAL: refuse to build a binary whose
# double arithmetic is not IEEE binary64 rounded at every operation.
#
# The numbers are the product: every value must equal what microgpt.py
# (Python floats, binary64) computes. x87 floating point (i386 without
# SSE2 code generation) evaluates doubles in 80-bit extended precision,
# FLT_EVAL_METHOD 2, and gives other bits. The probe reads FLT_EVAL_METHOD
# at compile time (AC_COMPUTE_INT compiles only, so it works cross too):
# 0 (or 1, which only widens float, and mgpt-tui computes in double) is
# kept; anything else is retried with -msse2 -mfpmath=sse, which are then
# added to EXACT_CFLAGS (every object) when the compiler takes them and the
# probe then gives 0; otherwise configure stops. Each result is a cache
# variable, so a test can force one: mgpt_cv_flt_eval_method (the
# compiler as it is) and mgpt_cv_flt_eval_method_sse (with the flags;
# "no" when the compiler refuses them).
AC_DEFUN([MGPT_CHECK_DOUBLE_EVAL], [
AC_CACHE_CHECK([FLT_EVAL_METHOD (how $CC evaluates double arithmetic)],
  [mgpt_cv_flt_eval_method],
  [AC_COMPUTE_INT([mgpt_cv_flt_eval_method], [FLT_EVAL_METHOD],
     [[#include <float.h>]], [mgpt_cv_flt_eval_method=unknown])])
FPMATH_CFLAGS=""
AS_CASE([$mgpt_cv_flt_eval_method],
  [0|1], [],
  [AC_CACHE_CHECK([FLT_EVAL_METHOD with -msse2 -mfpmath=sse],
     [mgpt_cv_flt_eval_method_sse],
     [mgpt_save_CFLAGS=$CFLAGS
      CFLAGS="$CFLAGS -Werror -msse2 -mfpmath=sse"
      AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
        [AC_COMPUTE_INT([mgpt_cv_flt_eval_method_sse], [FLT_EVAL_METHOD],
           [[#include <float.h>]], [mgpt_cv_flt_eval_method_sse=unknown])],
        [mgpt_cv_flt_eval_method_sse=no])
      CFLAGS=$mgpt_save_CFLAGS])
   AS_CASE([$mgpt_cv_flt_eval_method_sse],
     [0], [FPMATH_CFLAGS="-msse2 -mfpmath=sse"
           AC_MSG_NOTICE([double arithmetic in SSE2: adding $FPMATH_CFLAGS to every object])],
     [no], [AC_MSG_ERROR([$CC evaluates double arithmetic with FLT_EVAL_METHOD $mgpt_cv_flt_eval_method (x87 extended precision) and refuses -msse2 -mfpmath=sse: mgpt-tui's numbers would differ from the reference's. Use a compiler that evaluates double as double (on i386, one that takes -msse2 -mfpmath=sse, for a CPU with SSE2).])],
     [AC_MSG_ERROR([$CC evaluates double arithmetic with FLT_EVAL_METHOD $mgpt_cv_flt_eval_method, and $mgpt_cv_flt_eval_method_sse with -msse2 -mfpmath=sse: mgpt-tui's numbers would differ from the reference's. Use a compiler that evaluates double as double (FLT_EVAL_METHOD 0).])])])
AC_SUBST([FPMATH_CFLAGS])
])
