package fakeqq

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The V85 vector of vqq.md §3b. v85Full is openssl's output over the
// plaintext (`openssl enc -aes-128-cbc -K 2A5AA6… -iv CFAC21…`, upper-case
// hex); v85Player is the prefix the player itself produced.
const (
	v85Plain  = `{"vid":"u4101r9hb9p","sdkVer":"1.0.1","nonce":"n4wVlPvP7g2","rand":"37320f4e","appVer":"1.27.3","guid":"a9cfcefeff33bd70","platform":"10201","ts":"1796304350","h38":"cabbe83c7f5c0234f118a098ef178980e2f408","sj":"","bj":"","os":"{}"}`
	v85Full   = "--01F510F98D8BF3E31B3519A45C5BF39A655E98977F8781B7B89E4C95B2E036E39BA46DA1173E15F691CF0EB8379054A9CF77155189455CD3F41BA55D94BED879F6BCF4A87B08ACE5F12FA6846CAF78FB2033855EED1EDF4A1164B116AB78BC44CE549191BF919833E3731A3CEBC80332C1AE59F8ECB15799BE330A23C473858996B8A51EBAAB949AEB078314FF25B3676352809CFC96D1263322488BBCDEF814531530612490F531F74CBF96D64E96494471E581E902FDA20673D5A4E5E8755F418194730F827F8B33502FEB453E88E091F1D1ED37773BFA64ACD358D98DF5E2757FC535498B1A161191A91FB7740484B3"
	v85Player = "--01F510F98D8BF3E31B3519A45C5BF39A655E98977F8781B7B89E4C95B2E036E39BA46DA1173E15F691CF0EB8379054A9CF77155189455CD3F41BA5"
)

// ckey85 is the tests' own 8.5 encoder: AES-128-CBC-PKCS7 over plaintext.
func ckey85(plaintext string) string {
	key, _ := hex.DecodeString(ckey85Key)
	iv, _ := hex.DecodeString(ckey85IV)
	block, _ := aes.NewCipher(key)
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	pt := append([]byte(plaintext), bytes.Repeat([]byte{byte(pad)}, pad)...)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, pt)
	return "--01" + strings.ToUpper(hex.EncodeToString(ct))
}

// plain85 is a plaintext for vid, guid and tm with a nonce and its rand.
func plain85(vid, guid string, tm int64, nonce string) string {
	sum := md5.Sum([]byte(nonce + "1234"))
	return fmt.Sprintf(`{"vid":%q,"sdkVer":"1.0.1","nonce":%q,"rand":%q,"appVer":"1.27.3","guid":%q,"platform":"10201","ts":"%d","h38":"cabbe83c7f5c0234f118a098ef178980e2f408","sj":"","bj":"","os":"{}"}`,
		vid, nonce, hex.EncodeToString(sum[:])[:8], guid, tm)
}

func TestCKey85Vector(t *testing.T) {
	if got := ckey85(v85Plain); got != v85Full {
		t.Fatalf("encoder: %s\nwant       %s", got, v85Full)
	}
	if !strings.HasPrefix(v85Full, v85Player) {
		t.Fatal("openssl's value does not start with the player's")
	}
	if got := plain85("u4101r9hb9p", "a9cfcefeff33bd70", 1796304350, "n4wVlPvP7g2"); got != v85Plain {
		t.Fatalf("plain85 = %s", got)
	}
}

// TestCheckCKey85 accepts the vector for its own request and refuses
// every field that does not sign it.
func TestCheckCKey85(t *testing.T) {
	const vid, guid, tm = "u4101r9hb9p", "a9cfcefeff33bd70", int64(1796304350)
	at := time.Unix(tm, 0)
	good := url.Values{"vid": {vid}, "guid": {guid}, "tm": {strconv.FormatInt(tm, 10)}, "appVer": {"1.27.3"}, "cKey": {v85Full}}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for key, vs := range good {
			q[key] = vs
		}
		q.Set(k, v)
		return q
	}
	// replace edits the vector's plaintext and signs it again.
	replace := func(old, new string) url.Values {
		return with("cKey", ckey85(strings.Replace(v85Plain, old, new, 1)))
	}
	tests := []struct {
		name string
		q    url.Values
		now  time.Time
		want string // "" = accepted, else a word of the error
	}{
		{"vector V85", good, at, ""},
		{"4 min 59 s late", good, at.Add(4*time.Minute + 59*time.Second), ""},
		{"6 min late", good, at.Add(6 * time.Minute), "time"},
		{"6 min early", good, at.Add(-6 * time.Minute), "time"},
		{"other vid", with("vid", "o3013za7cse"), at, "vid"},
		{"other guid", with("guid", "0123456789abcdef"), at, "guid"},
		{"other tm", with("tm", "1796304351"), at, "ts"},
		{"other appVer", with("appVer", "3.5.57"), at, "appVer"},
		{"no magic", with("cKey", strings.TrimPrefix(v85Full, "--01")), at, "--01"},
		{"lower-case hex", with("cKey", "--01"+strings.ToLower(v85Full[4:])), at, "upper-case"},
		{"not blocks", with("cKey", v85Full[:len(v85Full)-2]), at, "blocks"},
		{"last block tampered", with("cKey", v85Full[:len(v85Full)-2]+"00"), at, "padding"},
		{"wrong rand", replace(`"rand":"37320f4e"`, `"rand":"37320f4f"`), at, "rand"},
		{"nonce outside the alphabet", replace(`"nonce":"n4wVlPvP7g2"`, `"nonce":"n4wVlPvP7g3"`), at, "nonce"},
		{"short nonce", replace(`"nonce":"n4wVlPvP7g2"`, `"nonce":"n4wVlPvP7g"`), at, "nonce"},
		{"sdkVer", replace(`"sdkVer":"1.0.1"`, `"sdkVer":"1.0.2"`), at, "sdkVer"},
		{"platform", replace(`"platform":"10201"`, `"platform":"10901"`), at, "platform"},
		{"h38 short", replace(`ef178980e2f408`, `ef178980e2f4`), at, "h38"},
		{"h38 not hex", replace(`ef178980e2f408`, `ef178980e2f40z`), at, "h38"},
		{"tail", replace(`"os":"{}"`, `"os":"{ }"`), at, "tail"},
		{"key order", replace(`"vid":"u4101r9hb9p","sdkVer":"1.0.1"`, `"sdkVer":"1.0.1","vid":"u4101r9hb9p"`), at, "key"},
		{"extra key", replace(`"os":"{}"}`, `"os":"{}","x":""}`), at, "more than"},
		{"not compact", replace(`"sj":""`, `"sj": ""`), at, "compact"},
		{"ts a number", replace(`"ts":"1796304350"`, `"ts":1796304350`), at, "string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkCKey85(tc.q, tc.now)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
