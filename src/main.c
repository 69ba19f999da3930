/* main.c - the program: everything from the command line on is mgpt_main()
 * (dispatch.c). */
#include "config.h"

#include "cmd.h"

int
main(int argc, char **argv)
{
	return mgpt_main(argc, argv);
}
