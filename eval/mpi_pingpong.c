// Latency and bandwidth between two Open MPI ranks, for the projections in BENCHMARKS.md ("Open MPI").
// Ping-pong of MPI_BYTE messages from 8 B to 64 MB; prints the one-way time (half the round trip, best of the
// repetitions) and the bandwidth. Build and run (root needs --allow-run-as-root):
//
//   mpicc -O2 -o /tmp/mpi_pingpong eval/mpi_pingpong.c
//   mpirun -np 2 --mca btl tcp,self --mca btl_tcp_if_include lo /tmp/mpi_pingpong
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0) fprintf(stderr, "mpi_pingpong: run with -np 2\n");
        MPI_Finalize();
        return 1;
    }
    const long largest = 64L << 20;
    char *buffer = calloc(largest, 1);
    if (rank == 0) printf("%12s %14s %12s\n", "bytes", "one-way (us)", "MB/s");
    for (long bytes = 8; bytes <= largest; bytes *= 4) {
        int repetitions = bytes < (1 << 20) ? 200 : 10;
        double best = 1e30;
        for (int r = 0; r < repetitions; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double start = MPI_Wtime();
            if (rank == 0) {
                MPI_Send(buffer, (int)bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
                MPI_Recv(buffer, (int)bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                MPI_Recv(buffer, (int)bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(buffer, (int)bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
            }
            double oneWay = (MPI_Wtime() - start) / 2;
            if (oneWay < best) best = oneWay;
        }
        if (rank == 0) printf("%12ld %14.1f %12.1f\n", bytes, best * 1e6, bytes / best / 1e6);
    }
    free(buffer);
    MPI_Finalize();
    return 0;
}
