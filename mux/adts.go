package mux

import "fmt"

// ADTS is how MPEG-TS carries AAC: each raw frame behind a 7-byte header
// (9 with a CRC) that holds what MP4 keeps once, in the esds.

var adtsRates = [...]uint32{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// adtsConfig is the part of an ADTS header that must stay the same for a
// track: it becomes the AudioSpecificConfig.
type adtsConfig struct {
	objectType uint8 // profile + 1 (2 = AAC LC)
	rateIndex  uint8
	channels   uint8
}

func (c adtsConfig) rate() uint32 { return adtsRates[c.rateIndex] }

// audioSpecificConfig is the 2-byte ISO 14496-3 config for c.
func (c adtsConfig) asc() []byte {
	v := uint16(c.objectType)<<11 | uint16(c.rateIndex)<<7 | uint16(c.channels)<<3
	return []byte{byte(v >> 8), byte(v)}
}

// parseADTS reads one ADTS frame at the start of b: its config, where the
// raw frame starts and the whole frame's length.
func parseADTS(b []byte) (cfg adtsConfig, headerLen, frameLen int, err error) {
	if len(b) < 7 {
		return cfg, 0, 0, fmt.Errorf("%w: ADTS header truncated", ErrCorrupt)
	}
	if b[0] != 0xff || b[1]&0xf6 != 0xf0 {
		return cfg, 0, 0, fmt.Errorf("%w: no ADTS sync word in the AAC stream", ErrCorrupt)
	}
	headerLen = 7
	if b[1]&1 == 0 {
		headerLen = 9 // CRC follows the header
	}
	cfg.objectType = b[2]>>6 + 1
	cfg.rateIndex = b[2] >> 2 & 0xf
	cfg.channels = (b[2]&1)<<2 | b[3]>>6
	frameLen = int(b[3]&3)<<11 | int(b[4])<<3 | int(b[5]>>5)
	blocks := b[6]&3 + 1
	switch {
	case int(cfg.rateIndex) >= len(adtsRates):
		return cfg, 0, 0, fmt.Errorf("%w: ADTS sampling frequency index %d", ErrCorrupt, cfg.rateIndex)
	case cfg.channels == 0:
		// Channel config 0 puts the layout in the stream (a PCE), which an
		// esds built from the header cannot describe.
		return cfg, 0, 0, fmt.Errorf("%w: AAC with an in-band channel layout (ADTS channel configuration 0)", ErrUnsupported)
	case blocks > 1:
		return cfg, 0, 0, fmt.Errorf("%w: ADTS frames of %d raw data blocks", ErrUnsupported, blocks)
	case frameLen <= headerLen:
		return cfg, 0, 0, fmt.Errorf("%w: ADTS frame length %d", ErrCorrupt, frameLen)
	}
	return cfg, headerLen, frameLen, nil
}

// mp4aEntry builds an mp4a sample entry with its esds for cfg.
func mp4aEntry(cfg adtsConfig, avgBitrate uint32) []byte {
	asc := cfg.asc()
	return boxOf(func(b *builder) {
		b.start("mp4a")
		b.zeros(6)
		b.u16(1) // data reference index
		b.zeros(8)
		b.u16(uint16(cfg.channels))
		b.u16(16) // sample size
		b.zeros(4)
		b.u32(cfg.rate() << 16)
		b.startFull("esds", 0, 0)
		// ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo,
		// then the SLConfigDescriptor MP4 files use (predefined 2).
		dsi := descriptorBytes(5, asc)
		dcd := []byte{0x40, 0x15, 0, 0, 0} // AAC, audio stream, no buffer size
		dcd = append(dcd, byte(avgBitrate>>24), byte(avgBitrate>>16), byte(avgBitrate>>8), byte(avgBitrate))
		dcd = append(dcd, byte(avgBitrate>>24), byte(avgBitrate>>16), byte(avgBitrate>>8), byte(avgBitrate))
		dcd = append(dcd, dsi...)
		es := append([]byte{0, 0, 0}, descriptorBytes(4, dcd)...) // ES_ID 0, no flags
		es = append(es, descriptorBytes(6, []byte{2})...)
		b.bytes(descriptorBytes(3, es))
		b.end()
		b.end()
	})
}

// descriptorBytes writes an MPEG-4 descriptor with a 4-byte size, as
// ffmpeg and most muxers do.
func descriptorBytes(tag byte, body []byte) []byte {
	n := len(body)
	out := []byte{tag, byte(n>>21) | 0x80, byte(n>>14) | 0x80, byte(n>>7) | 0x80, byte(n) & 0x7f}
	return append(out, body...)
}
