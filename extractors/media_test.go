package extractors

import "testing"

// TestOutputExt: TS media becomes MP4 unless kept, plain files keep their
// container, and TS in codecs the remux cannot carry stays TS.
func TestOutputExt(t *testing.T) {
	tests := []struct {
		f      Format
		keepTS bool
		want   string
	}{
		{Format{Container: "ts"}, false, "mp4"},
		{Format{Container: "ts", Codecs: "avc1.4d401f,mp4a.40.2"}, false, "mp4"},
		{Format{Container: "ts", Codecs: "hvc1.1.6.L93.B0,mp4a.40.5"}, false, "mp4"},
		{Format{Container: "ts+ts", Codecs: "avc1.64001f"}, false, "mp4"},
		{Format{Container: "ts"}, true, "ts"},
		{Format{Container: "ts", Plain: true}, false, "ts"},
		{Format{Container: "ts", Codecs: "avc1.4d401f,ac-3"}, false, "ts"},
		{Format{Container: "ts", Codecs: "avc1.4d401f,mp4a.40.34"}, false, "ts"},
		{Format{Container: "ts", Codecs: "mp4v.20.9,mp4a.40.2"}, false, "ts"},
		{Format{Container: "mp4"}, false, "mp4"},
		{Format{Container: "mp4+mp4"}, true, "mp4"},
		{Format{Container: "webm", Plain: true}, false, "webm"},
	}
	for _, tt := range tests {
		if got := tt.f.OutputExt(tt.keepTS); got != tt.want {
			t.Errorf("%+v keepTS=%v: %q, want %q", tt.f, tt.keepTS, got, tt.want)
		}
	}
}
