package mux

import "io"

// movie is one parsed input file: its tracks with every sample expanded.
// Sample data is never loaded; samples point into src.
type movie struct {
	name       string // for messages
	src        io.ReaderAt
	size       int64  // of the file
	ftyp       []byte // raw box, copied to the output
	timescale  uint32 // mvhd
	duration   uint64 // mvhd, movie timescale
	fragmented bool
	tracks     []*track // audio and video (and other kinds, when fragmented)
	skipped    []string // handlers of the other tracks, not read
}

// track is one trak of a movie, reduced to what an output needs.
type track struct {
	id       uint32
	handler  string // "vide", "soun", ...
	other    bool   // neither audio nor video: only the header was read
	tkhd     tkhdFields
	mdhdLang uint16
	// timescale is the media (mdhd) timescale: stts, ctts, elst media_time.
	timescale uint32
	hdlr      []byte // raw boxes copied as they are
	mediaHdr  []byte // vmhd / smhd / nmhd
	dinf      []byte
	stsd      []byte
	entries   []sampleEntry
	edits     []edit
	samples   []sample
	hasSdtp   bool
	groupType string // the one sample grouping kept (e.g. "roll"), "" if none
	sgpd      []byte // raw sgpd box of groupType
	trex      trexDefaults
}

// tkhdFields are the track header values carried to the output.
type tkhdFields struct {
	flags                   uint32
	layer, altGroup, volume uint16
	matrix                  [36]byte
	width, height           uint32 // 16.16 fixed point
}

// edit is one elst entry. dur is in the movie timescale, mediaTime in the
// track timescale; mediaTime -1 is an empty edit.
type edit struct {
	dur       uint64
	mediaTime int64
	rate      uint32
}

// sample is one access unit. It is kept small: a 20-clip episode has
// about half a million of them.
type sample struct {
	off   int64  // in the source file
	size  uint32 //
	dur   uint32 // decode duration, track timescale
	cto   int32  // composition offset
	group uint32 // sample group description index, 0 = none
	sdi   uint16 // sample description index, 1-based
	src   uint16 // index of the source file (set when joining)
	sync  bool
	dep   uint8 // sdtp byte
}

// trexDefaults are a fragmented track's per-sample defaults (mvex/trex).
type trexDefaults struct {
	sdi, dur, size, flags uint32
}

// normalEdit returns the empty time before the first normal edit (movie
// timescale) and that edit's media time; ok is false without a normal edit.
func (t *track) normalEdit() (empty uint64, mediaTime int64, ok bool) {
	return normalEditOf(t.edits)
}

func normalEditOf(edits []edit) (empty uint64, mediaTime int64, ok bool) {
	for _, e := range edits {
		if e.mediaTime == -1 {
			empty += e.dur
			continue
		}
		return empty, e.mediaTime, true
	}
	return empty, 0, false
}

// mediaDuration is the sum of the sample durations.
func (t *track) mediaDuration() uint64 {
	var d uint64
	for _, s := range t.samples {
		d += uint64(s.dur)
	}
	return d
}

// sampleBudget bounds how many samples a file of this size may declare.
// Samples live in the file, so a real file has at most about one per byte
// (zero-byte samples are rare); a hostile 1 KB file claiming 50 million
// samples would otherwise cost gigabytes of sample records.
func sampleBudget(fileSize int64) int {
	return int(min(max(fileSize, 1<<16), maxSamples))
}
