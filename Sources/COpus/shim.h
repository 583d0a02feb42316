#ifndef DRAGOMAN_COPUS_SHIM_H
#define DRAGOMAN_COPUS_SHIM_H
#include <opus/opus.h>

// opus_encoder_ctl is variadic and its requests are macros: Swift can call neither, so these wrap them.
static inline int dragoman_opus_set_bitrate(OpusEncoder *enc, opus_int32 bps) { return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bps)); }
static inline int dragoman_opus_set_complexity(OpusEncoder *enc, opus_int32 c) { return opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(c)); }
static inline int dragoman_opus_set_bandwidth(OpusEncoder *enc, opus_int32 bw) { return opus_encoder_ctl(enc, OPUS_SET_BANDWIDTH(bw)); }
static inline int dragoman_opus_set_max_bandwidth(OpusEncoder *enc, opus_int32 bw) { return opus_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(bw)); }
static inline int dragoman_opus_set_signal(OpusEncoder *enc, opus_int32 s) { return opus_encoder_ctl(enc, OPUS_SET_SIGNAL(s)); }
static inline int dragoman_opus_set_vbr(OpusEncoder *enc, opus_int32 v) { return opus_encoder_ctl(enc, OPUS_SET_VBR(v)); }
static inline int dragoman_opus_set_inband_fec(OpusEncoder *enc, opus_int32 v) { return opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(v)); }
static inline int dragoman_opus_set_packet_loss_perc(OpusEncoder *enc, opus_int32 v) { return opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(v)); }
static inline int dragoman_opus_get_lookahead(OpusEncoder *enc, opus_int32 *v) { return opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(v)); }
static inline int dragoman_opus_get_final_range(OpusEncoder *enc, opus_uint32 *v) { return opus_encoder_ctl(enc, OPUS_GET_FINAL_RANGE(v)); }

#endif
