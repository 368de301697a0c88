package mux

import (
	"bytes"
	"errors"
)

// NAL units of H.264 and HEVC as MPEG-TS carries them (Annex B: each unit
// after a 00 00 01 start code), and the few fields of a sequence
// parameter set an MP4 sample entry needs.

// splitAnnexB appends to units the NAL units of an Annex B access unit,
// without start codes and without the zero bytes that pad between units.
// Data before the first start code is not a NAL unit and is dropped.
func splitAnnexB(units [][]byte, b []byte) [][]byte {
	start := -1
	for i := 0; ; {
		k := indexStartCode(b[i:])
		if k < 0 {
			break
		}
		if start >= 0 {
			units = appendUnit(units, b[start:i+k])
		}
		i += k + 3
		start = i
	}
	if start >= 0 {
		units = appendUnit(units, b[start:])
	}
	return units
}

// indexStartCode returns the index of the first 00 00 01 in b, or -1. It
// looks for the 01 and then behind it: in coded video 01 bytes are rarer
// than 00 bytes, so the vectorised byte search stops less often than
// bytes.Index's search for the leading 00 (1.5 times the speed on x264
// frames).
func indexStartCode(b []byte) int {
	for i := 2; i < len(b); {
		k := bytes.IndexByte(b[i:], 1)
		if k < 0 {
			return -1
		}
		if j := i + k; b[j-1] == 0 && b[j-2] == 0 {
			return j - 2
		}
		i += k + 1
	}
	return -1
}

// appendUnit adds a unit with its trailing zero bytes cut (they belong to
// the next start code, 00 00 00 01, or are trailing_zero_8bits).
func appendUnit(units [][]byte, u []byte) [][]byte {
	for len(u) > 0 && u[len(u)-1] == 0 {
		u = u[:len(u)-1]
	}
	if len(u) == 0 {
		return units
	}
	return append(units, u)
}

// unescapeRBSP removes emulation prevention bytes (00 00 03 -> 00 00).
func unescapeRBSP(b []byte) []byte {
	if !bytes.Contains(b, []byte{0, 0, 3}) {
		return b
	}
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

var errBits = errors.New("parameter set ends early")

// bitReader reads an RBSP bit by bit, with Exp-Golomb codes.
type bitReader struct {
	b   []byte
	pos int // in bits
	err error
}

func (r *bitReader) bit() uint32 {
	if r.pos >= len(r.b)*8 {
		r.err = errBits
		return 0
	}
	v := uint32(r.b[r.pos/8]>>(7-r.pos%8)) & 1
	r.pos++
	return v
}

func (r *bitReader) bits(n int) uint32 {
	var v uint32
	for i := 0; i < n; i++ {
		v = v<<1 | r.bit()
	}
	return v
}

func (r *bitReader) skip(n int) {
	r.pos += n
	if r.pos > len(r.b)*8 {
		r.err = errBits
	}
}

// ue reads an unsigned Exp-Golomb code; values past 32 bits are an error.
func (r *bitReader) ue() uint32 {
	zeros := 0
	for r.bit() == 0 {
		if r.err != nil || zeros >= 31 {
			r.err = errBits
			return 0
		}
		zeros++
	}
	return (1<<zeros - 1) + r.bits(zeros)
}

func (r *bitReader) se() int32 {
	v := r.ue()
	if v&1 == 1 {
		return int32((v + 1) / 2)
	}
	return -int32(v / 2)
}

// videoParams is what a sample entry says about the picture.
type videoParams struct {
	width, height uint32
	chromaFormat  uint32
	bitDepthLuma  uint32
	bitDepthChrom uint32
}

// parseH264SPS reads the picture size of an H.264 SPS (NAL header
// included), following 7.3.2.1.1 of the H.264 spec.
func parseH264SPS(nal []byte) (videoParams, error) {
	if len(nal) < 4 {
		return videoParams{}, errBits
	}
	r := &bitReader{b: unescapeRBSP(nal[1:])}
	profile := r.bits(8)
	r.skip(16) // constraint flags, level
	r.ue()     // seq_parameter_set_id
	p := videoParams{chromaFormat: 1, bitDepthLuma: 8, bitDepthChrom: 8}
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		p.chromaFormat = r.ue()
		if p.chromaFormat == 3 {
			r.skip(1) // separate_colour_plane_flag
		}
		p.bitDepthLuma = r.ue() + 8
		p.bitDepthChrom = r.ue() + 8
		r.skip(1) // qpprime_y_zero_transform_bypass_flag
		if r.bit() == 1 {
			lists := 8
			if p.chromaFormat == 3 {
				lists = 12
			}
			for i := 0; i < lists; i++ {
				if r.bit() == 1 {
					size := 16
					if i >= 6 {
						size = 64
					}
					skipScalingList(r, size)
				}
			}
		}
	}
	r.ue() // log2_max_frame_num_minus4
	switch r.ue() {
	case 0:
		r.ue() // log2_max_pic_order_cnt_lsb_minus4
	case 1:
		r.skip(1)
		r.se()
		r.se()
		n := r.ue()
		if n > 255 {
			return p, errBits
		}
		for i := uint32(0); i < n; i++ {
			r.se()
		}
	}
	r.ue()    // max_num_ref_frames
	r.skip(1) // gaps_in_frame_num_value_allowed_flag
	wMbs := r.ue() + 1
	hMapUnits := r.ue() + 1
	frameMbsOnly := r.bit()
	if frameMbsOnly == 0 {
		r.skip(1) // mb_adaptive_frame_field_flag
	}
	r.skip(1) // direct_8x8_inference_flag
	var cropL, cropR, cropT, cropB uint32
	if r.bit() == 1 {
		cropL, cropR, cropT, cropB = r.ue(), r.ue(), r.ue(), r.ue()
	}
	if r.err != nil {
		return p, r.err
	}
	// Crop units depend on the chroma format (Table 6-1) and field coding.
	cropX, cropY := uint32(1), 2-frameMbsOnly
	switch p.chromaFormat {
	case 1:
		cropX, cropY = 2, 2*(2-frameMbsOnly)
	case 2:
		cropX = 2
	}
	w := wMbs * 16
	h := hMapUnits * 16 * (2 - frameMbsOnly)
	if cropX*(cropL+cropR) >= w || cropY*(cropT+cropB) >= h || w > 16384 || h > 16384 {
		return p, errBits
	}
	p.width, p.height = w-cropX*(cropL+cropR), h-cropY*(cropT+cropB)
	return p, nil
}

func skipScalingList(r *bitReader, size int) {
	last, next := int32(8), int32(8)
	for j := 0; j < size && r.err == nil; j++ {
		if next != 0 {
			next = (last + r.se() + 256) % 256
		}
		if next != 0 {
			last = next
		}
	}
}
