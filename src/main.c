/* SPDX-License-Identifier: MIT */
/* main.c - the program: the locale, everything from the command line on
 * in mgpt_main() (dispatch.c), and stdout checked at the end. */
#include "config.h"

#include <locale.h>

#include "cli.h"
#include "cmd.h"

int
main(int argc, char **argv)
{
	/* the user's character set (curses draws UTF-8 with it), but numbers
	 * always with a decimal point, as the reference prints them */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	/* every command's output is checked here, once: a full disk or a
	 * closed pipe is an error, not a silent success */
	return cli_close_stdout(mgpt_main(argc, argv));
}
