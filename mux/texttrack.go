package mux

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"time"
)

// Text tracks are written as 3GPP timed text (tx3g, "mov_text" to
// ffmpeg): a sample per cue, an empty sample for each gap, in a 1 kHz
// timescale, handler "sbtl" with a null media header, as MP4 players and
// ffmpeg's movenc lay them out.

const textTimescale = 1000

// textSource holds the samples of the text tracks in memory (a few bytes
// a cue) as one more source of a join.
type textSource struct {
	*bytes.Reader
}

func (textSource) Name() string { return "subtitles" }

// buildTextTracks makes one output track per subtitle track; their
// samples point into the returned source, which is source index src.
// Cues are shown up to end (the video's length) only: a cue that starts
// there or later is dropped, one that runs past it is cut, so that no
// server's cue at 999 h stretches the movie (and none past 2^32 ms wraps
// the 32-bit millisecond clock into the picture). past counts the
// cues dropped or cut; a track left with no cue is left out.
func buildTextTracks(subs []TextTrack, src uint16, end time.Duration) (tracks []*outTrack, s source, past int) {
	var data bytes.Buffer
	limit := min(end.Milliseconds(), math.MaxUint32-1) // room for the closing empty sample
	for _, st := range subs {
		t := &track{handler: "sbtl", timescale: textTimescale, mdhdLang: isoLang(st.Lang)}
		t.hdlr = handlerBox("sbtl", "SubtitleHandler")
		t.mediaHdr = boxOf(func(b *builder) { b.startFull("nmhd", 0, 0); b.end() })
		t.stsd = boxOf(writeTx3gStsd)
		t.tkhd.altGroup = 2 // subtitles are alternatives of each other, not mixed
		t.entries = []sampleEntry{{}}
		var samples []sample
		var cursor int64 // ms, never past limit
		add := func(text string, until int64) {
			if until <= cursor {
				return
			}
			off := int64(data.Len())
			_ = binary.Write(&data, binary.BigEndian, uint16(len(text)))
			data.WriteString(text)
			samples = append(samples, sample{off: off, size: uint32(2 + len(text)), dur: uint32(until - cursor), sdi: 1, src: src, sync: true})
			cursor = until
		}
		for _, c := range st.Cues {
			start, stop := max(c.Start.Milliseconds(), 0), c.End.Milliseconds()
			if start >= limit || stop > limit {
				past++
				if start >= limit {
					continue
				}
				stop = limit
			}
			add("", start) // the gap before the cue shows nothing
			add(clipText(c.Text), stop)
		}
		if len(samples) == 0 {
			continue
		}
		add("", cursor+1) // an empty sample ends the last cue (else players hold it to the end)
		ot := newOutTrack(t)
		ot.samples = samples
		tracks = append(tracks, ot)
	}
	return tracks, textSource{bytes.NewReader(data.Bytes())}, past
}

// clipText bounds one cue's text to what a tx3g sample holds.
func clipText(s string) string {
	if len(s) > 60000 {
		s = s[:60000]
	}
	return strings.ToValidUTF8(s, "")
}

// writeTx3gStsd writes a tx3g sample description: centred at the bottom,
// white on transparent, one font.
func writeTx3gStsd(b *builder) {
	b.startFull("stsd", 0, 0)
	b.u32(1)
	b.start("tx3g")
	b.zeros(6)
	b.u16(1)   // data reference index
	b.u32(0)   // display flags
	b.u8(1)    // horizontal justification: centre
	b.u8(0xff) // vertical justification: bottom (-1)
	b.zeros(4) // background colour: transparent
	b.zeros(8) // default text box
	b.u16(0)   // style record: start char
	b.u16(0)   // end char
	b.u16(1)   // font id
	b.u8(0)    // face style
	b.u8(18)   // font size
	b.bytes([]byte{0xff, 0xff, 0xff, 0xff})
	b.start("ftab")
	b.u16(1)
	b.u16(1)
	b.u8(5)
	b.bytes([]byte("Serif"))
	b.end()
	b.end() // tx3g
	b.end() // stsd
}

func boxOf(write func(b *builder)) []byte {
	b := &builder{}
	write(b)
	return b.buf
}
