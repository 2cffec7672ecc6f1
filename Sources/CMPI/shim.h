// Open MPI's C API for Swift. Its handles (MPI_COMM_WORLD, MPI_BYTE, MPI_ERRORS_RETURN) are macros over
// the addresses of globals, which Swift cannot import: these inline functions hand them over.
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int cmpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
