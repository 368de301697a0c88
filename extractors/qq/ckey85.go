package qq

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// cKey 8.5 (docs/vqq.md §3b): what the web player of 2024-2026 signs its
// proxyhttp requests with. Unlike 8.1 it binds no User-Agent or page:
// it is the AES-128-CBC (PKCS#7) encryption of a small JSON object
// naming the vid, the request's guid and time, and a random nonce and
// player id, upper-case hex behind the "--01" version marker.
var (
	ckey85Key, _ = hex.DecodeString("2A5AA60178AA6C8DA662E443773A6C4E")
	ckey85IV, _  = hex.DecodeString("CFAC216FAA2D396013575D4055C63350")
)

const (
	ckey85SDKVer = "1.0.1"
	// nonceAlphabet is the player's: the letters and digits without
	// those easily confused (D, M, U, d, h, o, t, y, 3, 5, 8).
	nonceAlphabet = "ABCEFGHIJKLNOPQRSTVWXYZabcefgijklmnpqrsuvwxz0124679"
)

// ckey85Input is what the signature covers. nonce and h38 are random per
// request (newCkey85Input); tests fix them.
type ckey85Input struct {
	vid, appVer, guid, platform string
	unix                        int64
	nonce                       string // 11 characters of nonceAlphabet
	h38                         string // 38 hex characters: the player instance's id
}

// newCkey85Input fills nonce and h38 from crypto/rand.
func newCkey85Input(vid, appVer, guid, platform string, unix int64) ckey85Input {
	return ckey85Input{vid: vid, appVer: appVer, guid: guid, platform: platform, unix: unix,
		nonce: randomFrom(nonceAlphabet, 11), h38: randomFrom("0123456789abcdef", 38)}
}

// ckey85Plaintext is the JSON the player encrypts, keys in its order
// (a Go map or struct tags would not keep "os" a string of "{}").
func ckey85Plaintext(in ckey85Input) []byte {
	sum := md5.Sum([]byte(in.nonce + "1234"))
	fields := [][2]string{
		{"vid", in.vid}, {"sdkVer", ckey85SDKVer}, {"nonce", in.nonce}, {"rand", hex.EncodeToString(sum[:])[:8]},
		{"appVer", in.appVer}, {"guid", in.guid}, {"platform", in.platform}, {"ts", strconv.FormatInt(in.unix, 10)},
		{"h38", in.h38}, {"sj", ""}, {"bj", ""}, {"os", "{}"},
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f[0])
		v, _ := json.Marshal(f[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	// json.Marshal escapes <, > and & as \u003c...; the player does not.
	// None of the fields can hold them (ids, hex, digits), so the bytes
	// are the player's.
	return b.Bytes()
}

// ckey85 encrypts the plaintext: AES-128-CBC with PKCS#7 padding (a full
// block of padding when the length is a multiple of 16, unlike 8.1).
func ckey85(in ckey85Input) string {
	plain := ckey85Plaintext(in)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(ckey85Key) // a constant 16-byte key: cannot fail
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, ckey85IV).CryptBlocks(out, plain)
	return "--01" + strings.ToUpper(hex.EncodeToString(out))
}

// randomFrom returns n characters of alphabet from crypto/rand. The
// modulo bias of a byte over these alphabets is irrelevant here: the
// server checks the shape, not the distribution.
func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
