package qq

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"strings"
	"testing"
)

// v85 is vector V85 of docs/vqq.md §3b. want is the whole cKey, computed
// with `openssl enc -aes-128-cbc` over the plaintext; its start is what
// the player itself produced.
var v85 = struct {
	in           ckey85Input
	plain        string
	playerPrefix string
	want         string
}{
	in: ckey85Input{vid: "u4101r9hb9p", appVer: "1.27.3", guid: "a9cfcefeff33bd70", platform: "10201", unix: 1796304350,
		nonce: "n4wVlPvP7g2", h38: "cabbe83c7f5c0234f118a098ef178980e2f408"},
	plain:        `{"vid":"u4101r9hb9p","sdkVer":"1.0.1","nonce":"n4wVlPvP7g2","rand":"37320f4e","appVer":"1.27.3","guid":"a9cfcefeff33bd70","platform":"10201","ts":"1796304350","h38":"cabbe83c7f5c0234f118a098ef178980e2f408","sj":"","bj":"","os":"{}"}`,
	playerPrefix: "--01F510F98D8BF3E31B3519A45C5BF39A655E98977F8781B7B89E4C95B2E036E39BA46DA1173E15F691CF0EB8379054A9CF77155189455CD3F41BA5",
	want:         "--01F510F98D8BF3E31B3519A45C5BF39A655E98977F8781B7B89E4C95B2E036E39BA46DA1173E15F691CF0EB8379054A9CF77155189455CD3F41BA55D94BED879F6BCF4A87B08ACE5F12FA6846CAF78FB2033855EED1EDF4A1164B116AB78BC44CE549191BF919833E3731A3CEBC80332C1AE59F8ECB15799BE330A23C473858996B8A51EBAAB949AEB078314FF25B3676352809CFC96D1263322488BBCDEF814531530612490F531F74CBF96D64E96494471E581E902FDA20673D5A4E5E8755F418194730F827F8B33502FEB453E88E091F1D1ED37773BFA64ACD358D98DF5E2757FC535498B1A161191A91FB7740484B3",
}

func TestCKey85Vector(t *testing.T) {
	if got := string(ckey85Plaintext(v85.in)); got != v85.plain {
		t.Fatalf("plaintext\n got %s\nwant %s", got, v85.plain)
	}
	got := ckey85(v85.in)
	if got != v85.want {
		t.Fatalf("cKey\n got %s\nwant %s", got, v85.want)
	}
	if !strings.HasPrefix(got, v85.playerPrefix) {
		t.Fatalf("cKey does not start as the player's")
	}
}

// TestCKey85Random: fresh inputs have the player's shapes and decrypt
// back to their plaintext under PKCS#7.
func TestCKey85Random(t *testing.T) {
	in := newCkey85Input("a00269ix3l8", "1.27.3", "0123456789abcdef", "10201", 1800000000)
	if len(in.nonce) != 11 || strings.Trim(in.nonce, nonceAlphabet) != "" {
		t.Fatalf("nonce %q", in.nonce)
	}
	if _, err := hex.DecodeString(in.h38); err != nil || len(in.h38) != 38 {
		t.Fatalf("h38 %q", in.h38)
	}
	ct, err := hex.DecodeString(strings.TrimPrefix(ckey85(in), "--01"))
	if err != nil || len(ct)%aes.BlockSize != 0 {
		t.Fatalf("not hex blocks: %v", err)
	}
	block, _ := aes.NewCipher(ckey85Key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, ckey85IV).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > aes.BlockSize || string(pt[:len(pt)-pad]) != string(ckey85Plaintext(in)) {
		t.Fatalf("decrypts to %q", pt)
	}
}
