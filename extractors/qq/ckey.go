package qq

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"strconv"
	"strings"
)

// cKey 8.1 (vqq.md §3): the request signature getvinfo checks. It binds
// the vid, time, app version, guid, platform, page URL and User-Agent, so
// the UA hashed here must be the one sent on the wire.
var (
	ckeyAESKey, _ = hex.DecodeString("4f6bdaa39e2f8cb07f5e722d9edef314")
	ckeyAESIV, _  = hex.DecodeString("01504af356e619cf2e42bba68c3f70f9")
)

// ckeyInput is what the signature covers.
type ckeyInput struct {
	vid       string
	unix      int64
	appVer    string
	guid      string
	platform  string
	pageURL   string
	userAgent string
}

// ckeyPlaintext builds "|<checksum>|<payload>" where checksum is the sum
// of the payload's code points.
func ckeyPlaintext(in ckeyInput) string {
	payload := strings.Join([]string{
		in.vid, strconv.FormatInt(in.unix, 10), "mg3c3b04ba", in.appVer, in.guid, in.platform,
		firstRunes(in.pageURL, 48), firstRunes(strings.ToLower(in.userAgent), 48), "",
		"Mozilla", "Netscape", "Windows x86_64", "00", "",
	}, "|")
	sum := 0
	for _, r := range payload {
		sum += int(r)
	}
	return "|" + strconv.Itoa(sum) + "|" + payload
}

// ckey81 encrypts the plaintext with AES-128-CBC. Only a final partial
// block is padded, with spaces; an exact multiple of 16 gets no padding
// (not PKCS#7). The result is upper-case hex.
func ckey81(in ckeyInput) string {
	plain := []byte(ckeyPlaintext(in))
	if rem := len(plain) % aes.BlockSize; rem != 0 {
		plain = append(plain, []byte(strings.Repeat(" ", aes.BlockSize-rem))...)
	}
	block, _ := aes.NewCipher(ckeyAESKey) // a constant 16-byte key: cannot fail
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, ckeyAESIV).CryptBlocks(out, plain)
	return strings.ToUpper(hex.EncodeToString(out))
}

// firstRunes keeps the first n characters (code points, as the player's
// JavaScript substr does).
func firstRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
