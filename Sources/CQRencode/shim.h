#ifndef DRAGOMAN_CQRENCODE_SHIM_H
#define DRAGOMAN_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
