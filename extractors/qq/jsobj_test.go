package qq

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// TestJSToJSON converts each literal form the pages use (vqq.md §4).
func TestJSToJSON(t *testing.T) {
	tests := []struct {
		name, js, want string
		rest           string // what follows the literal
	}{
		{name: "unquoted keys", js: `{a:1,$b_2:"x",中文:true}`, want: `{"a":1,"$b_2":"x","中文":true}`},
		{name: "number keys", js: `{0:"a",1.5:"b",0x10:"c"}`, want: `{"0":"a","1.5":"b","16":"c"}`},
		{name: "quoted keys", js: `{"a":1,'b':2}`, want: `{"a":1,"b":2}`},
		{name: "single-quoted string with escapes", js: `'it\'s \"q\" \\ \x41\u00e9\u{1F600} \n\t\0'`, want: `"it's \"q\" \\ Aé😀 \n\t\u0000"`},
		{name: "double-quoted string", js: `"\u8d4c\u4fa0 \"x\" a\/b"`, want: `"赌侠 \"x\" a/b"`},
		{name: "surrogate pair and a lone one", js: `["\ud83d\ude00","\ud800x"]`, want: `["😀","\ud800x"]`},
		{name: "legacy octal and other escapes", js: `"\101\7\v\q"`, want: `"A\u0007\u000bq"`},
		{name: "line continuation", js: "'a\\\nb'", want: `"ab"`},
		{name: "template without substitution", js: "`a\nb`", want: `"a\nb"`},
		{name: "control character in a string", js: "'a\x01'", want: `"a\u0001"`},
		{name: "void 0 and undefined", js: `{a:void 0,b:undefined,c:void(0)}`, want: `{"a":null,"b":null,"c":null}`},
		{name: "!0 and !1", js: `[!0,!1,!!1,!"",!{}]`, want: `[true,false,true,true,false]`},
		{name: "NaN and Infinity", js: `[NaN,Infinity,-Infinity,+Infinity]`, want: `[null,null,null,null]`},
		{name: "JS numbers", js: `[.5,5.,-0,1e3,1E+3,0x1F,0o17,0b101,1_000,10n,0755,08,+2]`, want: `[0.5,5,-0,1e3,1e+3,31,15,5,1000,10,493,8,2]`},
		{name: "new Map as an object", js: `new Map([["k",1],[2,{x:1}],["k",3]])`, want: `{"k":3,"2":{"x":1}}`},
		{name: "empty Map", js: `[new Map,new Map(),new Map([])]`, want: `[{},{},{}]`},
		{name: "new Set as an array", js: `new Set([1,"a",1,{}])`, want: `[1,"a",{}]`},
		{name: "new Date", js: `new Date(1767225600000)`, want: `1767225600000`},
		{name: "array-like in index order", js: `Array.prototype.slice.call({"1":"b","0":"a","length":2})`, want: `["a","b"]`},
		{name: "array-like length honoured", js: `Array.prototype.slice.call({0:"a",2:"c",5:"x",foo:1,length:3})`, want: `["a",null,"c"]`},
		{name: "array-like without length", js: `Array.prototype.slice.call({0:"a"})`, want: `[]`},
		{name: "trailing commas and holes", js: `{a:[1,2,],b:[,1],c:{x:1,},}`, want: `{"a":[1,2],"b":[null,1],"c":{"x":1}}`},
		{name: "regex and function values", js: `{r:/a[/]b\//gi,f:function(a){return {x:"}"}},g:function named(){},n:1}`, want: `{"r":null,"f":null,"g":null,"n":1}`},
		{name: "comments and spaces", js: " /* c */ {a : 1 , // c\n b: 2}", want: `{"a":1,"b":2}`},
		{name: "end found by brackets", js: `{a:"}",b:['{']},isHarmonyClient:!1}`, want: `{"a":"}","b":["{"]}`, rest: `,isHarmonyClient:!1}`},
		{name: "invalid UTF-8 replaced", js: "\"a\xffb\"", want: `"a` + "\uFFFD" + `b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := jsToJSON([]byte(tt.js))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want || tt.js[n:] != tt.rest {
				t.Errorf("got %s (rest %q), want %s (rest %q)", got, tt.js[n:], tt.want, tt.rest)
			}
			if !json.Valid(got) {
				t.Errorf("not JSON: %s", got)
			}
		})
	}
}

// TestJSToJSONErrors: what is not a serialised literal is an error with
// an offset, never a panic or a wrong value.
func TestJSToJSONErrors(t *testing.T) {
	tests := []struct{ name, js, want string }{
		{"empty", ``, "unexpected end"},
		{"unterminated object", `{a:1`, "unterminated object"},
		{"unterminated string", `{a:"x}`, "unterminated string"},
		{"missing colon", `{a 1}`, "expected :"},
		{"a variable", `{a:b}`, `unknown name "b"`},
		{"arrow function", `{a:()=>1}`, "unexpected"},
		{"computed key", `{[a]:1}`, "where a key should be"},
		{"concatenation", `{a:"x"+"y"}`, "expected , or }"},
		{"substitution", "`a${b}`", "substitution"},
		{"unknown constructor", `new Foo(1)`, `new "Foo"`},
		{"bad Map", `new Map([1])`, "not a pair"},
		{"Map with an object key", `new Map([[{},1]])`, "key is an object"},
		{"slice.call of an array", `Array.prototype.slice.call([1])`, "wants one object"},
		{"other Array method", `Array.from({})`, "only Array.prototype.slice.call"},
		{"huge length", `Array.prototype.slice.call({length:4294967296})`, "implausible"},
		{"length past the hole budget", `[Array.prototype.slice.call({length:60000}),Array.prototype.slice.call({length:60000})]`, "too many missing"},
		{"bad number", `[1.2.3]`, "bad number"},
		{"bad escape", `"\x4"`, `bad \x`},
		{"bad unicode escape", `"\u{110000}"`, `bad \u{}`},
		{"newline in a string", "'a\nb'", "line break"},
		{"unpaired function", `function(){)`, "do not pair"},
		{"deep nesting", strings.Repeat("[", 100000), "nested deeper than 512"},
		{"deep negation", strings.Repeat("!", 100000) + "0", "nested deeper than 512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := jsToJSON([]byte(tt.js))
			var je *jsError
			if err == nil || !errors.As(err, &je) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %s, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
}

// TestJSLiteralAfter finds the state literals the page forms assign.
func TestJSLiteralAfter(t *testing.T) {
	tests := []struct {
		name, text, key, want string
		wantErr               error
	}{
		{name: "2026 context", text: `window.__vikor__context__={_piniaState:{a:{b:1}},isHarmonyClient:!1};`, key: "_piniaState", want: `{"a":{"b":1}}`},
		{name: "quoted key", text: `x={"_piniaState":{a:1}}`, key: "_piniaState", want: `{"a":1}`},
		{name: "PINIA", text: `if(window.__PINIA__){};window.__PINIA__ = {a:1}`, key: "__PINIA__", want: `{"a":1}`},
		{name: "a comparison is not an assignment", text: `window.__PINIA__=={};__PINIA__={a:2}`, key: "__PINIA__", want: `{"a":2}`},
		{name: "var", text: `var COVER_INFO = {"title":'赌侠'};var COLUMN_INFO = {}`, key: "COVER_INFO", want: `{"title":"赌侠"}`},
		{name: "a longer name is not the name", text: `COVER_INFO_X={a:1};`, key: "COVER_INFO", wantErr: errJSNoLiteral},
		{name: "absent", text: `nothing here`, key: "COVER_INFO", wantErr: errJSNoLiteral},
		{name: "broken literal", text: `var COVER_INFO = {a:b};`, key: "COVER_INFO", wantErr: &jsError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jsLiteralAfter([]byte(tt.text), tt.key)
			var je *jsError
			switch {
			case tt.wantErr == errJSNoLiteral && !errors.Is(err, errJSNoLiteral),
				tt.wantErr != nil && tt.wantErr != errJSNoLiteral && !errors.As(err, &je),
				tt.wantErr == nil && (err != nil || string(got) != tt.want):
				t.Errorf("got %s, %v; want %s, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// FuzzJSObject: never a panic, and whatever converts is JSON.
func FuzzJSObject(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	for _, name := range append(pages, filepath.Join("testdata", "f5-cover.html")) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		for _, key := range stateNames {
			if i := strings.Index(string(b), key); i >= 0 {
				f.Add(string(b[i+len(key)+1:]))
			}
		}
	}
	for _, s := range []string{`{a:void 0,b:!0,c:new Map([["k",[1,,2]]])}`, `Array.prototype.slice.call({"0":1,"length":1})`,
		`'\u{1F600}\x41\ud800'`, `[0x1F,.5,1e400,10n]`, `{f:function(){return "}"}}`, `/[/]/g`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, n, err := jsToJSON([]byte(s))
		if err == nil && (!json.Valid(out) || !gjson.ValidBytes(out) || n < 0 || n > len(s)) {
			t.Fatalf("%q gave %q (used %d bytes): not JSON", s, out, n)
		}
		for _, key := range stateNames {
			if out, err := jsLiteralAfter([]byte(s), key); err == nil && !json.Valid(out) {
				t.Fatalf("%q after %s gave %q: not JSON", s, key, out)
			}
		}
	})
}
