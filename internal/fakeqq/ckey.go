package fakeqq

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// checkCKey decrypts a getvinfo cKey (vqq.md §3) and checks that it signs
// this request: written independently of the extractor's encoder, so a
// test through the fake proves the two agree.
func checkCKey(q url.Values, wireUA string, now time.Time) error {
	ct, err := hex.DecodeString(q.Get("cKey"))
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return errors.New("cKey is not hex blocks")
	}
	key, _ := hex.DecodeString("4f6bdaa39e2f8cb07f5e722d9edef314")
	iv, _ := hex.DecodeString("01504af356e619cf2e42bba68c3f70f9")
	block, _ := aes.NewCipher(key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	text := strings.TrimRight(string(pt), " ")
	// "|checksum|vid|ts|mg3c3b04ba|appVer|guid|platform|url|ua||Mozilla|Netscape|Windows x86_64|00|"
	f := strings.Split(text, "|")
	if len(f) != 16 || f[0] != "" {
		return fmt.Errorf("cKey plaintext has %d fields", len(f))
	}
	payload := text[len(f[1])+2:]
	sum := 0
	for _, r := range payload {
		sum += int(r)
	}
	ts, _ := strconv.ParseInt(f[3], 10, 64)
	ua := []rune(strings.ToLower(wireUA))
	ua = ua[:min(len(ua), 48)]
	switch {
	case f[1] != strconv.Itoa(sum):
		return errors.New("cKey checksum")
	case f[2] != q.Get("vid"):
		return errors.New("cKey vid")
	case f[4] != "mg3c3b04ba" || f[5] != q.Get("appVer") || f[7] != q.Get("platform"):
		return errors.New("cKey constants")
	case f[6] != q.Get("guid") || len(f[6]) != 16:
		return errors.New("cKey guid")
	case f[9] != string(ua):
		return fmt.Errorf("cKey User-Agent %q is not the one sent (%q)", f[9], string(ua))
	case now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute:
		return errors.New("cKey time")
	case f[11] != "Mozilla" || f[14] != "00":
		return errors.New("cKey tail")
	}
	return nil
}
