package mux

// HEVC parameter sets: the SPS fields an hvcC record and a sample entry
// need (H.265 7.3.2.2), and the NAL unit types that matter to a remux.

const (
	hevcVPS = 32
	hevcSPS = 33
	hevcPPS = 34
	hevcAUD = 35
)

func hevcType(nal []byte) byte { return nal[0] >> 1 & 0x3f }

// hevcIRAP reports a random access point picture (BLA, IDR, CRA), which
// MP4 lists as a sync sample.
func hevcIRAP(t byte) bool { return t >= 16 && t <= 21 }

// hevcSPSInfo is what hvcC repeats from the SPS.
type hevcSPSInfo struct {
	videoParams
	ptl            [12]byte // general profile, tier, compatibility, constraints, level
	subLayers      uint32   // sps_max_sub_layers_minus1 + 1
	temporalNested bool
}

func parseHEVCSPS(nal []byte) (hevcSPSInfo, error) {
	var s hevcSPSInfo
	if len(nal) < 16 {
		return s, errBits
	}
	rbsp := unescapeRBSP(nal[2:])
	if len(rbsp) < 13 {
		return s, errBits
	}
	r := &bitReader{b: rbsp}
	r.skip(4) // sps_video_parameter_set_id
	s.subLayers = r.bits(3) + 1
	s.temporalNested = r.bit() == 1
	copy(s.ptl[:], rbsp[1:13])
	r.skip(96) // the general profile_tier_level fields copied above
	sub := int(s.subLayers) - 1
	profilePresent := make([]bool, sub)
	levelPresent := make([]bool, sub)
	for i := 0; i < sub; i++ {
		profilePresent[i] = r.bit() == 1
		levelPresent[i] = r.bit() == 1
	}
	if sub > 0 {
		r.skip(2 * (8 - sub)) // reserved_zero_2bits
	}
	for i := 0; i < sub; i++ {
		if profilePresent[i] {
			r.skip(88)
		}
		if levelPresent[i] {
			r.skip(8)
		}
	}
	r.ue() // sps_seq_parameter_set_id
	s.chromaFormat = r.ue()
	if s.chromaFormat == 3 {
		r.skip(1) // separate_colour_plane_flag
	}
	w, h := r.ue(), r.ue()
	var cl, cr, ct, cb uint32
	if r.bit() == 1 {
		cl, cr, ct, cb = r.ue(), r.ue(), r.ue(), r.ue()
	}
	s.bitDepthLuma = r.ue() + 8
	s.bitDepthChrom = r.ue() + 8
	if r.err != nil {
		return s, r.err
	}
	subW, subH := uint32(1), uint32(1)
	switch s.chromaFormat {
	case 1:
		subW, subH = 2, 2
	case 2:
		subW = 2
	}
	if s.chromaFormat > 3 || w > 16888 || h > 16888 || subW*(cl+cr) >= w || subH*(ct+cb) >= h {
		return s, errBits
	}
	s.width, s.height = w-subW*(cl+cr), h-subH*(ct+cb)
	return s, nil
}

// hvcCRecord builds an HEVCDecoderConfigurationRecord holding the
// parameter sets, with 4-byte NAL lengths.
func hvcCRecord(s hevcSPSInfo, vps, sps, pps [][]byte) []byte {
	b := &builder{}
	b.u8(1)
	b.bytes(s.ptl[:])
	b.u16(0xf000) // min_spatial_segmentation_idc 0
	b.u8(0xfc)    // parallelismType 0
	b.u8(0xfc | byte(s.chromaFormat&3))
	b.u8(0xf8 | byte((s.bitDepthLuma-8)&7))
	b.u8(0xf8 | byte((s.bitDepthChrom-8)&7))
	b.u16(0) // avgFrameRate: unknown
	nested := byte(0)
	if s.temporalNested {
		nested = 1
	}
	b.u8(byte(min(s.subLayers, 7))<<3 | nested<<2 | 3)
	b.u8(3)
	for i, set := range [][][]byte{vps, sps, pps} {
		b.u8(0x80 | byte(hevcVPS+i)) // array_completeness: all sets are here
		b.u16(uint16(len(set)))
		for _, n := range set {
			b.u16(uint16(len(n)))
			b.bytes(n)
		}
	}
	return b.buf
}

// avcCRecord builds an AVCDecoderConfigurationRecord with 4-byte NAL
// lengths, including the High-profile extension when it applies.
func avcCRecord(p videoParams, sps, pps [][]byte) []byte {
	b := &builder{}
	b.u8(1)
	b.bytes(sps[0][1:4]) // profile, constraint flags, level
	b.u8(0xff)           // lengthSizeMinusOne 3
	b.u8(0xe0 | byte(len(sps)))
	for _, n := range sps {
		b.u16(uint16(len(n)))
		b.bytes(n)
	}
	b.u8(byte(len(pps)))
	for _, n := range pps {
		b.u16(uint16(len(n)))
		b.bytes(n)
	}
	switch sps[0][1] {
	case 100, 110, 122, 144:
		b.u8(0xfc | byte(p.chromaFormat&3))
		b.u8(0xf8 | byte((p.bitDepthLuma-8)&7))
		b.u8(0xf8 | byte((p.bitDepthChrom-8)&7))
		b.u8(0) // no SPS extensions
	}
	return b.buf
}
