package mux

import "strings"

// Languages of text tracks. An MP4 track's language (mdhd) is an ISO
// 639-2/T code packed in 15 bits. A site's tag ("zh-cn", "EN", "chi") is
// mapped only when its primary subtag is a language this table knows;
// anything else a server sends ("日", "123", 45 bytes of junk) is "und",
// never three arbitrary letters made of its bytes.

// iso639 maps the ISO 639-1 codes of the languages video sites subtitle
// in (and the 639-2/B and 639-3 codes sites use for them) to 639-2/T.
var iso639 = map[string]string{
	"ar": "ara", "bg": "bul", "bn": "ben", "bo": "bod", "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan",
	"de": "deu", "el": "ell", "en": "eng", "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin",
	"fil": "fil", "fr": "fra", "ga": "gle", "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun",
	"hy": "hye", "id": "ind", "is": "isl", "it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz", "km": "khm",
	"kn": "kan", "ko": "kor", "lo": "lao", "lt": "lit", "lv": "lav", "mk": "mkd", "ml": "mal", "mn": "mon",
	"mr": "mar", "ms": "msa", "my": "mya", "nb": "nob", "ne": "nep", "nl": "nld", "nn": "nno", "no": "nor",
	"pa": "pan", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "si": "sin", "sk": "slk", "sl": "slv",
	"sq": "sqi", "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
	"tr": "tur", "ug": "uig", "uk": "ukr", "ur": "urd", "uz": "uzb", "vi": "vie", "zh": "zho",
	// 639-2/B codes, as some sites write them
	"alb": "sqi", "arm": "hye", "baq": "eus", "bur": "mya", "chi": "zho", "cze": "ces", "dut": "nld",
	"fre": "fra", "geo": "kat", "ger": "deu", "gre": "ell", "ice": "isl", "mac": "mkd", "may": "msa",
	"per": "fas", "rum": "ron", "slo": "slk", "tib": "bod", "wel": "cym",
	// 639-3 codes of Chinese languages, which 639-2 files under zho
	"cmn": "zho", "yue": "zho", "wuu": "zho", "nan": "zho", "hak": "zho",
	// 639-2 codes for no language
	"und": "und", "mul": "mul", "zxx": "zxx",
}

// langCode is the ISO 639-2/T code of a site's language tag, "und" when
// the tag names no language the table knows.
func langCode(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_") // "zh_CN"
	if code, ok := iso639[primary]; ok {
		return code
	}
	for _, code := range iso639 {
		if code == primary { // a 639-2/T code as such
			return code
		}
	}
	return "und"
}

// isoLang packs a site's language tag as the code mdhd holds.
func isoLang(tag string) uint16 {
	code := langCode(tag)
	return uint16(code[0]-0x60)<<10 | uint16(code[1]-0x60)<<5 | uint16(code[2]-0x60)
}
