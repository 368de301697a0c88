package main

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mediaDir is the project's copy of the shared media fixtures.
var mediaDir = filepath.Join("..", "..", "testdata", "media")

// fixtureFiles loads every file of a fixture folder as path -> content,
// under prefix ("/aes/seg000.ts").
func fixtureFiles(t *testing.T, dir, prefix string, into map[string][]byte) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(mediaDir, dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(mediaDir, dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		into[prefix+e.Name()] = b
	}
}

// plainTS returns the four clear TS segments of hls-ts and their
// concatenation, which every TS variant must reproduce byte for byte.
func plainTS(t *testing.T) (segs [][]byte, joined []byte) {
	t.Helper()
	for i := range 4 {
		b, err := os.ReadFile(filepath.Join(mediaDir, "hls-ts", fmt.Sprintf("seg%03d.ts", i)))
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, b)
		joined = append(joined, b...)
	}
	return segs, joined
}

// encryptCBC is AES-128-CBC with PKCS#7 padding, as HLS segments are.
func encryptCBC(t *testing.T, key, iv, plain []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	pad := 16 - len(plain)%16
	buf := append(append([]byte{}, plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return buf
}

func seqIV(n uint64) []byte {
	iv := make([]byte, 16)
	binary.BigEndian.PutUint64(iv[8:], n)
	return iv
}

// keyRotationSite encrypts the plain segments with two keys: the first
// two with key A and an explicit IV, the last two with key B and the
// media-sequence IV (the sequence starts at 20).
func keyRotationSite(t *testing.T, files map[string][]byte) {
	t.Helper()
	segs, _ := plainTS(t)
	keyA, keyB := []byte("AAAAAAAAAAAAAAAA"), []byte("BBBBBBBBBBBBBBBB")
	ivA := bytes.Repeat([]byte{0x5a}, 16)
	files["/rot/a.key"], files["/rot/b.key"] = keyA, keyB
	var pl strings.Builder
	pl.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:5\n#EXT-X-MEDIA-SEQUENCE:20\n")
	pl.WriteString(fmt.Sprintf("#EXT-X-KEY:METHOD=AES-128,URI=\"a.key\",IV=0x%x\n", ivA))
	for i, s := range segs {
		if i == 2 {
			pl.WriteString("#EXT-X-KEY:METHOD=AES-128,URI=\"/rot/b.key\"\n")
		}
		name := fmt.Sprintf("r%d.ts", i)
		if i < 2 {
			files["/rot/"+name] = encryptCBC(t, keyA, ivA, s)
		} else {
			files["/rot/"+name] = encryptCBC(t, keyB, seqIV(uint64(20+i)), s)
		}
		pl.WriteString("#EXTINF:4.0,\n" + name + "\n")
	}
	pl.WriteString("#EXT-X-ENDLIST\n")
	files["/rot/index.m3u8"] = []byte(pl.String())
}

// byteRangeSite puts the plain segments into one file and lists them as
// byte ranges: the first with an offset, the rest continuing after it.
func byteRangeSite(t *testing.T, files map[string][]byte) {
	t.Helper()
	segs, joined := plainTS(t)
	files["/br/all.ts"] = joined
	var pl strings.Builder
	pl.WriteString("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:5\n")
	for i, s := range segs {
		if i == 0 {
			pl.WriteString(fmt.Sprintf("#EXTINF:4.0,\n#EXT-X-BYTERANGE:%d@0\nall.ts\n", len(s)))
		} else {
			pl.WriteString(fmt.Sprintf("#EXTINF:4.0,\n#EXT-X-BYTERANGE:%d\nall.ts\n", len(s)))
		}
	}
	pl.WriteString("#EXT-X-ENDLIST\n")
	files["/br/index.m3u8"] = []byte(pl.String())
}

// separateAVSite serves the separate-av fixture as HLS: a master whose
// variant has a video-only fMP4 playlist and an audio rendition with its
// own playlist, both as byte ranges of the .m4s files (init = ftyp+moov,
// then one segment per moof+mdat).
func separateAVSite(t *testing.T, files map[string][]byte) {
	t.Helper()
	for _, name := range []string{"video", "audio"} {
		data, err := os.ReadFile(filepath.Join(mediaDir, "separate-av", name+".m4s"))
		if err != nil {
			t.Fatal(err)
		}
		files["/av/"+name+".m4s"] = data
		var pl strings.Builder
		pl.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n")
		var off int64
		for off < int64(len(data)) {
			size := int64(binary.BigEndian.Uint32(data[off:]))
			typ := string(data[off+4 : off+8])
			switch typ {
			case "moov":
				pl.WriteString(fmt.Sprintf("#EXT-X-MAP:URI=\"%s.m4s\",BYTERANGE=\"%d@0\"\n", name, off+size))
			case "moof":
				mdat := int64(binary.BigEndian.Uint32(data[off+size:]))
				pl.WriteString(fmt.Sprintf("#EXTINF:1.0,\n#EXT-X-BYTERANGE:%d@%d\n%s.m4s\n", size+mdat, off, name))
				size += mdat
			}
			off += size
		}
		pl.WriteString("#EXT-X-ENDLIST\n")
		files["/av/"+name+".m3u8"] = []byte(pl.String())
	}
	files["/av/master.m3u8"] = []byte("#EXTM3U\n" +
		"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"main\",DEFAULT=YES,URI=\"audio.m3u8\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=160000,RESOLUTION=320x180,CODECS=\"avc1.4d400d,mp4a.40.2\",AUDIO=\"a\"\nvideo.m3u8\n")
}

// masterSite lists the TS and the fMP4 fixtures as two variants; the fMP4
// one claims to be taller, so it is "best".
func masterSite(files map[string][]byte) {
	files["/master.m3u8"] = []byte("#EXTM3U\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=320x180,CODECS=\"avc1.4d400d,mp4a.40.2\",FRAME-RATE=25\nplain/index.m3u8\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=480x270,CODECS=\"avc1.4d4015,mp4a.40.2\",FRAME-RATE=25\nfmp4/index.m3u8\n")
	// A variant whose playlist says AC-3 audio: a codec the remux cannot
	// carry, so the download stays TS.
	files["/ac3/master.m3u8"] = []byte("#EXTM3U\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=320x180,CODECS=\"avc1.4d400d,ac-3\"\n../plain/index.m3u8\n")
}

// splitTSSite serves testdata/hls-split-ts: a master whose variant is
// video-only TS with an audio rendition of audio-only TS.
func splitTSSite(t *testing.T, files map[string][]byte) {
	t.Helper()
	for _, kind := range []string{"video", "audio"} {
		dir := filepath.Join("..", "..", "testdata", "hls-split-ts", kind)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files["/split/"+kind+"/"+e.Name()] = b
		}
	}
	files["/split/master.m3u8"] = []byte("#EXTM3U\n" +
		"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"main\",DEFAULT=YES,URI=\"audio/index.m3u8\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=160000,RESOLUTION=320x180,CODECS=\"avc1.4d400d,mp4a.40.2\",AUDIO=\"aac\"\nvideo/index.m3u8\n")
}

// subtitlesSite serves /subs/master.m3u8: the fMP4 video with an English
// WebVTT rendition in two segments (the second repeats a cue across the
// boundary, as packagers do) and a French one in a single segment.
func subtitlesSite(files map[string][]byte) {
	files["/subs/master.m3u8"] = []byte("#EXTM3U\n" +
		"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"English\",LANGUAGE=\"en\",URI=\"en.m3u8\"\n" +
		"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"Français\",LANGUAGE=\"fr\",URI=\"fr.m3u8\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x180,CODECS=\"avc1.4d400d,mp4a.40.2\",SUBTITLES=\"s\"\n../fmp4/index.m3u8\n")
	files["/subs/en.m3u8"] = []byte("#EXTM3U\n#EXT-X-TARGETDURATION:8\n#EXTINF:8.0,\nen0.vtt\n#EXTINF:7.02,\nen1.vtt\n#EXT-X-ENDLIST\n")
	files["/subs/fr.m3u8"] = []byte("#EXTM3U\n#EXT-X-TARGETDURATION:16\n#EXTINF:15.02,\nfr0.vtt\n#EXT-X-ENDLIST\n")
	files["/subs/en0.vtt"] = []byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:03.000\nHello\n\n00:00:07.000 --> 00:00:09.000\nacross\n")
	files["/subs/en1.vtt"] = []byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:07.000 --> 00:00:09.000\nacross\n\n00:00:10.500 --> 00:00:12.000\nBye\n")
	files["/subs/fr0.vtt"] = []byte("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBonjour\n")
}
