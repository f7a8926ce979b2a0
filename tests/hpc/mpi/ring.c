/*
 * MPI ring for the launch/rsh tests: rank 0 sends a token around every rank and checks it
 * came back incremented once per rank. Arguments:
 *   (none)      print "ring ok: N ranks" on rank 0, exit 0
 *   exit R N    rank R exits with status N after the ring
 *   hang        every rank sleeps after the ring (for the kill tests)
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rank, size, token = 0;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (size > 1) {
		if (rank == 0) {
			token = 1;
			MPI_Send(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
			MPI_Recv(&token, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(&token, 1, MPI_INT, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			token++;
			MPI_Send(&token, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD);
		}
	} else {
		token = 1;
	}
	if (rank == 0) {
		if (token != size) {
			fprintf(stderr, "ring broken: token %d, %d ranks\n", token, size);
			MPI_Abort(MPI_COMM_WORLD, 2);
		}
		printf("ring ok: %d ranks\n", size);
		fflush(stdout);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	if (argc >= 4 && strcmp(argv[1], "exit") == 0 && rank == atoi(argv[2]))
		exit(atoi(argv[3]));
	if (argc >= 2 && strcmp(argv[1], "hang") == 0) {
		printf("rank %d hanging\n", rank);
		fflush(stdout);
		for (;;)
			pause();
	}
	MPI_Finalize();
	return 0;
}
