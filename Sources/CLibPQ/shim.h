#ifndef WINDFLOW_CLIBPQ_SHIM_H
#define WINDFLOW_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
