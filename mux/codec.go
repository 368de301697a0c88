package mux

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// sampleEntry is one stsd entry and what must match for two clips'
// entries to be interchangeable.
type sampleEntry struct {
	format string // four-character code
	raw    []byte // the whole entry box
	// config is the codec configuration that must be equal across clips:
	// family, dimensions or channels and rate, and avcC/hvcC/ASC bytes.
	// Bitrate fields (btrt, esds avg/max bitrate) are deliberately left out.
	config string
	codec  string // human name for messages
}

// codecFamily folds sample entry codes that share a configuration format.
var codecFamily = map[string]string{
	"avc1": "avc", "avc3": "avc",
	"hvc1": "hevc", "hev1": "hevc",
	"mp4a": "aac",
	"ac-3": "ac-3", "ec-3": "ec-3", "Opus": "opus", ".mp3": "mp3",
}

// drmEntries are protected sample entries (CENC / SAMPLE-AES).
var drmEntries = map[string]bool{"encv": true, "enca": true, "drms": true, "drmi": true}

func parseStsd(raw []byte) ([]sampleEntry, error) {
	if len(raw) < 16 {
		return nil, corrupt("stsd truncated")
	}
	n := binary.BigEndian.Uint32(raw[12:16])
	var out []sampleEntry
	off := 16
	for i := uint32(0); i < n; i++ {
		if len(raw)-off < 8 {
			return nil, corrupt("stsd entry %d truncated", i+1)
		}
		size := int(binary.BigEndian.Uint32(raw[off:]))
		if size < 8 || size > len(raw)-off {
			return nil, corrupt("stsd entry %d has size %d", i+1, size)
		}
		e, err := parseSampleEntry(raw[off : off+size])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		off += size
	}
	if len(out) == 0 {
		return nil, corrupt("stsd has no entries")
	}
	return out, nil
}

func parseSampleEntry(box []byte) (sampleEntry, error) {
	e := sampleEntry{format: string(box[4:8]), raw: box}
	if drmEntries[e.format] {
		return e, fmt.Errorf("%w: protected (DRM) sample entry %q", ErrUnsupported, e.format)
	}
	family, known := codecFamily[e.format]
	if !known {
		return e, fmt.Errorf("%w: codec %q", ErrUnsupported, e.format)
	}
	e.codec = family
	switch family {
	case "avc", "hevc":
		// VisualSampleEntry: 8 header + 78 fixed bytes, then child boxes.
		if len(box) < 86 {
			return e, corrupt("%s sample entry truncated", e.format)
		}
		w, h := binary.BigEndian.Uint16(box[32:]), binary.BigEndian.Uint16(box[34:])
		cfgType := "avcC"
		if family == "hevc" {
			cfgType = "hvcC"
		}
		cfg := childPayload(box[86:], cfgType)
		if cfg == nil {
			return e, corrupt("%s sample entry without %s", e.format, cfgType)
		}
		e.config = fmt.Sprintf("%s %dx%d %s", family, w, h, hex.EncodeToString(cfg))
	case "aac":
		// AudioSampleEntry: 8 header + 28 fixed bytes, then esds.
		if len(box) < 36 {
			return e, corrupt("mp4a sample entry truncated")
		}
		ch, rate := binary.BigEndian.Uint16(box[24:]), binary.BigEndian.Uint32(box[32:])>>16
		esds := childPayload(box[36:], "esds")
		if esds == nil || len(esds) < 4 {
			return e, corrupt("mp4a sample entry without esds")
		}
		asc, err := audioSpecificConfig(esds[4:])
		if err != nil {
			return e, err
		}
		e.config = fmt.Sprintf("aac %dch %dHz %s", ch, rate, hex.EncodeToString(asc))
	default:
		// No bitrate fields to ignore: the entry bytes are the config.
		e.config = family + " " + hex.EncodeToString(box[8:])
	}
	return e, nil
}

// childPayload finds a direct child box in a run of boxes.
func childPayload(b []byte, typ string) []byte {
	for len(b) >= 8 {
		size := int(binary.BigEndian.Uint32(b))
		if size < 8 || size > len(b) {
			return nil
		}
		if string(b[4:8]) == typ {
			return b[8:size]
		}
		b = b[size:]
	}
	return nil
}

// audioSpecificConfig digs the DecoderSpecificInfo (tag 5) out of an
// ES_Descriptor (tag 3) > DecoderConfigDescriptor (tag 4).
func audioSpecificConfig(d []byte) ([]byte, error) {
	tag, body, _, err := descriptor(d)
	if err != nil || tag != 3 || len(body) < 3 {
		return nil, corrupt("esds: no ES descriptor")
	}
	flags := body[2]
	body = body[3:]
	if flags&0x80 != 0 { // streamDependenceFlag
		body = skip(body, 2)
	}
	if flags&0x40 != 0 && len(body) > 0 { // URL_Flag
		body = skip(body, 1+int(body[0]))
	}
	if flags&0x20 != 0 { // OCRstreamFlag
		body = skip(body, 2)
	}
	tag, dcd, _, err := descriptor(body)
	if err != nil || tag != 4 || len(dcd) < 13 {
		return nil, corrupt("esds: no decoder config descriptor")
	}
	tag, asc, _, err := descriptor(dcd[13:])
	if err != nil || tag != 5 {
		return nil, corrupt("esds: no AudioSpecificConfig")
	}
	return bytes.Clone(asc), nil
}

func skip(b []byte, n int) []byte {
	if n > len(b) {
		return nil
	}
	return b[n:]
}

// descriptor reads one MPEG-4 descriptor: tag, then a size in 7-bit groups.
func descriptor(b []byte) (tag byte, body, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, corrupt("esds descriptor truncated")
	}
	tag = b[0]
	size, i := 0, 1
	for ; i < len(b) && i <= 4; i++ {
		size = size<<7 | int(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			i++
			break
		}
	}
	if size > len(b)-i {
		return 0, nil, nil, corrupt("esds descriptor size %d exceeds %d", size, len(b)-i)
	}
	return tag, b[i : i+size], b[i+size:], nil
}
