package qq

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

// TestDecodeGetPage reads the two recorded tabs: items in position
// order (children_list keys are numbers, written out of order), tabs
// sorted by begin, the title numbers with their gap, the trailer and
// the vid-less item marked.
func TestDecodeGetPage(t *testing.T) {
	type tabSummary struct {
		Begin    int    `json:"begin"`
		End      int    `json:"end"`
		Selected bool   `json:"selected"`
		Context  string `json:"page_context"`
	}
	tests := []struct {
		file    string
		numbers []int
		intro   bool
	}{
		{file: "getpage-tab1", numbers: []int{1, 2, 3, 4, 5, 0, 0}, intro: true},
		{file: "getpage-tab2", numbers: []int{7, 8, 9, 10, 11, 12, 13}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, err := decodeGetPage(loadReply(t, filepath.Join("pages", tt.file+".json")))
			if err != nil {
				t.Fatal(err)
			}
			var tabs []tabSummary
			for _, tb := range rep.tabs {
				tabs = append(tabs, tabSummary{tb.begin, tb.end, tb.selected, tb.context})
			}
			pagesGolden(t, tt.file, map[string]any{"items": summarize(rep.items), "tabs": tabs, "intro": rep.intro.Value()})
			var numbers []int
			for _, it := range rep.items {
				numbers = append(numbers, it.number)
			}
			if !slices.Equal(numbers, tt.numbers) || len(rep.tabs) != 2 || rep.tabs[0].begin != 1 || rep.tabs[1].begin != 7 ||
				rep.intro.Exists() != tt.intro {
				t.Errorf("numbers %v tabs %+v intro %v", numbers, rep.tabs, rep.intro.Exists())
			}
		})
	}
	tab1, _ := decodeGetPage(loadReply(t, filepath.Join("pages", "getpage-tab1.json")))
	if it := tab1.items[5]; it.vid != "t4100gap0tr" || !it.trailer {
		t.Errorf("the trailer: %+v", it)
	}
	tab2, _ := decodeGetPage(loadReply(t, filepath.Join("pages", "getpage-tab2.json")))
	if it := tab2.items[6]; it.vid != "" || it.title == "" {
		t.Errorf("the vid-less item: %+v", it)
	}
}

// TestDecodeGetPageChanged: a reply of another shape is ErrAPIChanged
// naming what is missing, never a panic.
func TestDecodeGetPageChanged(t *testing.T) {
	list := func(tabs, children string) string {
		return `{"ret":0,"data":{"CardList":[{"type":"pc_web_episode_list","params":{"tabs":` + tabs + `},"children_list":` + children + `}]}}`
	}
	item := `{"cards":[{"params":{"vid":"k4100gap001","title":"1"}}]}`
	tests := []struct {
		name, reply, want string
		items             int // when it decodes
	}{
		{name: "not JSON", reply: `<html>`, want: "not JSON"},
		{name: "refused", reply: `{"ret":-3,"msg":"参数错误"}`, want: "ret -3 (参数错误)"},
		{name: "missing CardList", reply: `{"ret":0,"data":{}}`, want: "no data.CardList"},
		{name: "no episode card", reply: `{"ret":0,"data":{"CardList":[{"type":"pc_introduction"}]}}`, want: "no pc_web_episode_list card"},
		{name: "tabs not JSON", reply: list(`"[{begin:1"`, `{"0":`+item+`}`), want: "params.tabs: not JSON"},
		{name: "tabs not a list", reply: list(`"{}"`, `{"0":`+item+`}`), want: "params.tabs: not a list"},
		{name: "no children", reply: list(`""`, `null`), want: "no pc_web_episode_list.children_list"},
		{name: "children keyed otherwise", reply: list(`""`, `{"a":`+item+`}`), want: `key "a" is not a position`},
		{name: "an item with no vid is an item without one", reply: list(`""`, `{"0":{"cards":[{"params":{"title":"1"}}]},"1":`+item+`}`), items: 2},
		{name: "an item with no cards", reply: list(`""`, `{"0":{},"1":`+item+`}`), items: 2},
		{name: "children as an array", reply: list(`"[]"`, `[`+item+`]`), items: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := decodeGetPage([]byte(tt.reply))
			if tt.want == "" {
				if err != nil || len(rep.items) != tt.items || rep.items[len(rep.items)-1].vid != "k4100gap001" {
					t.Fatalf("got %+v, %v", rep, err)
				}
				return
			}
			if err == nil || !errors.Is(err, extractors.ErrAPIChanged) || !strings.Contains(err.Error(), tt.want) ||
				!strings.HasPrefix(strings.TrimPrefix(err.Error(), extractors.ErrAPIChanged.Error()+": "), "getPage: ") {
				t.Fatalf("got %v, want ErrAPIChanged naming getPage and %q", err, tt.want)
			}
		})
	}
}

// TestTitleNumber: a title is an episode number only when it is one.
func TestTitleNumber(t *testing.T) {
	for title, want := range map[string]int{"1": 1, "07": 7, " 12 ": 12, "第1集": 0, "预告": 0, "1.5": 0, "": 0, "-1": 0, "99999999": 0} {
		if got := titleNumber(title); got != want {
			t.Errorf("titleNumber(%q) = %d, want %d", title, got, want)
		}
	}
}

// TestNewDeviceGUID: 16 hex digits, new each time.
func TestNewDeviceGUID(t *testing.T) {
	a, b := newDeviceGUID(), newDeviceGUID()
	if len(a) != 16 || strings.Trim(a, "0123456789abcdef") != "" || a == b {
		t.Errorf("guids %q %q", a, b)
	}
}
