#ifndef DRAGOMAN_CSPEEXDSP_SHIM_H
#define DRAGOMAN_CSPEEXDSP_SHIM_H
// speexdsp's resampler only (libspeexdsp-dev): the floor's rate conversion to 48 kHz.
#include <speex/speex_resampler.h>
#endif
