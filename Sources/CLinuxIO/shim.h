#ifndef DRAGOMAN_CLINUXIO_SHIM_H
#define DRAGOMAN_CLINUXIO_SHIM_H
// Linux readiness notification, which Glibc's Swift module leaves out.
#include <sys/epoll.h>
#endif
