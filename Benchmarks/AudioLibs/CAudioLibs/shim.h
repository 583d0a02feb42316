#ifndef DRAGOMAN_BENCH_CAUDIOLIBS_H
#define DRAGOMAN_BENCH_CAUDIOLIBS_H
// The libraries the audio-libs benchmark compares with the hand-written code (benchmark only, not linked into Dragoman).
#include <soxr.h>
#include <speex/speex_resampler.h>
#include <sndfile.h>
#include <ogg/ogg.h>
#include <opus/opusfile.h>
#include <opus/opusenc.h>
#endif
