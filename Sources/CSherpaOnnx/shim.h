#ifndef DRAGOMAN_CSHERPAONNX_SHIM_H
#define DRAGOMAN_CSHERPAONNX_SHIM_H
// sherpa-onnx's C API from the PyPI wheel sherpa-onnx-core: scripts/setup links the wheel's sherpa_onnx folder to
// vendor/sherpa-onnx (gitignored). Package.swift adds -L and an rpath for vendor/sherpa-onnx/lib.
#include "../../vendor/sherpa-onnx/include/sherpa-onnx/c-api/c-api.h"
#endif
