package fakeqq

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The cKey of encryptVer 8.5 (vqq.md §3b): "--01" + upper-case hex of
// AES-128-CBC-PKCS7 over a compact JSON object whose keys come in a fixed
// order. checkCKey85 is written independently of the extractor's encoder,
// so a test through the fake proves the two agree.

const (
	ckey85Key   = "2A5AA60178AA6C8DA662E443773A6C4E"
	ckey85IV    = "CFAC216FAA2D396013575D4055C63350"
	ckey85Magic = "--01"
	// nonceAlphabet is the player's nonce alphabet (no D, M, U, d, h, o,
	// t, y, 3, 5, 8).
	nonceAlphabet = "ABCEFGHIJKLNOPQRSTVWXYZabcefgijklmnpqrsuvwxz0124679"
	maxSkew       = 5 * time.Minute
)

// ckey85Fields are the plaintext's keys, in the player's order.
func ckey85Fields() []string {
	return []string{"vid", "sdkVer", "nonce", "rand", "appVer", "guid", "platform", "ts", "h38", "sj", "bj", "os"}
}

// checkCKey85 decrypts q's cKey and checks that it signs this request:
// vid, guid and tm are the request's, the constants are the player's,
// rand matches the nonce, and tm is within 5 minutes of now.
func checkCKey85(q url.Values, now time.Time) error {
	f, err := decryptCKey85(q.Get("cKey"))
	if err != nil {
		return err
	}
	ts, terr := strconv.ParseInt(f["ts"], 10, 64)
	sum := md5.Sum([]byte(f["nonce"] + "1234"))
	switch {
	case f["vid"] != q.Get("vid"):
		return fmt.Errorf("cKey vid %q is not the request's %q", f["vid"], q.Get("vid"))
	case f["sdkVer"] != "1.0.1":
		return fmt.Errorf("cKey sdkVer %q", f["sdkVer"])
	case len(f["nonce"]) != 11 || strings.Trim(f["nonce"], nonceAlphabet) != "":
		return fmt.Errorf("cKey nonce %q is not 11 chars of the player's alphabet", f["nonce"])
	case f["rand"] != hex.EncodeToString(sum[:])[:8]:
		return fmt.Errorf("cKey rand %q is not md5(nonce+\"1234\")[:8]", f["rand"])
	case f["appVer"] != "1.27.3" || q.Get("appVer") != f["appVer"]:
		return fmt.Errorf("cKey appVer %q (request %q), want 1.27.3", f["appVer"], q.Get("appVer"))
	case f["guid"] != q.Get("guid") || !isHex(f["guid"], 16):
		return fmt.Errorf("cKey guid %q is not the request's %q (16 hex)", f["guid"], q.Get("guid"))
	case f["platform"] != "10201":
		return fmt.Errorf("cKey platform %q", f["platform"])
	case terr != nil || f["ts"] != q.Get("tm"):
		return fmt.Errorf("cKey ts %q is not the request's tm %q", f["ts"], q.Get("tm"))
	case now.Sub(time.Unix(ts, 0)).Abs() > maxSkew:
		return fmt.Errorf("cKey time %s is more than %s from now", time.Unix(ts, 0).UTC(), maxSkew)
	case !isHex(f["h38"], 38):
		return fmt.Errorf("cKey h38 %q is not 38 hex chars", f["h38"])
	case f["sj"] != "" || f["bj"] != "" || f["os"] != "{}":
		return errors.New("cKey tail (sj, bj, os) differs")
	}
	return nil
}

// decryptCKey85 returns the plaintext's fields, after checking the
// framing, the padding and the key order (every value is a string).
func decryptCKey85(ckey string) (map[string]string, error) {
	body, ok := strings.CutPrefix(ckey, ckey85Magic)
	if !ok {
		return nil, fmt.Errorf("cKey does not start %q", ckey85Magic)
	}
	ct, err := hex.DecodeString(body)
	switch {
	case err != nil || strings.ToUpper(body) != body:
		return nil, errors.New("cKey is not upper-case hex")
	case len(ct) == 0 || len(ct)%aes.BlockSize != 0:
		return nil, errors.New("cKey is not whole AES blocks")
	}
	key, _ := hex.DecodeString(ckey85Key)
	iv, _ := hex.DecodeString(ckey85IV)
	block, _ := aes.NewCipher(key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(pt[len(pt)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("cKey does not decrypt (bad PKCS#7 padding)")
	}
	pt = pt[:len(pt)-pad]
	dec := json.NewDecoder(bytes.NewReader(pt))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("cKey plaintext is not a JSON object")
	}
	fields := map[string]string{}
	for _, want := range ckey85Fields() {
		k, err := dec.Token()
		if err != nil || k != want {
			return nil, fmt.Errorf("cKey plaintext: key %v where %q belongs", k, want)
		}
		v, err := dec.Token()
		s, isStr := v.(string)
		if err != nil || !isStr {
			return nil, fmt.Errorf("cKey plaintext: %s is not a string", want)
		}
		fields[want] = s
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') || dec.More() {
		return nil, errors.New("cKey plaintext has more than the player's keys")
	}
	// Compact JSON: re-encoding in order gives the same bytes.
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range ckey85Fields() {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(fields[k])
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	if !bytes.Equal(b.Bytes(), pt) {
		return nil, errors.New("cKey plaintext is not compact JSON")
	}
	return fields, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
