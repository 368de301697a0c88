package fakeqq

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDanmakuEndpoints(t *testing.T) {
	s := newSite(t, Config{})
	get := func(path string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://"+DanmakuHost+path, nil))
		var v map[string]any
		json.Unmarshal(rec.Body.Bytes(), &v)
		return rec.Code, v
	}
	vid := Series2026Vid(1)
	code, base := get("/barrage/base/" + vid)
	index, _ := base["segment_index"].(map[string]any)
	if code != 200 || base["segment_span"] != "5000" || len(index) != 4 { // 15.02 s in 5 s windows
		t.Fatalf("base: %d %v", code, base)
	}
	seen := map[string]int{}
	for start := range index {
		name := index[start].(map[string]any)["segment_name"].(string)
		code, seg := get("/barrage/segment/" + vid + "/" + name)
		if code != 200 {
			t.Fatalf("%s: %d", name, code)
		}
		for _, it := range seg["barrage_list"].([]any) {
			if m, ok := it.(map[string]any); ok {
				seen[m["id"].(string)]++
			}
		}
	}
	want := s.DanmakuFor(vid)
	dups := 0
	for _, c := range want {
		if seen[c.ID] == 0 {
			t.Errorf("comment %s at %d ms not served", c.ID, c.TimeMS)
		}
		if seen[c.ID] > 1 {
			dups++
		}
	}
	if len(want) < 15 || dups != 3 { // one on each inner boundary
		t.Fatalf("%d comments, %d served twice", len(want), dups)
	}
	if code, _ := get("/barrage/base/zzzzzzzzzzz"); code != 404 {
		t.Fatalf("unknown vid: %d", code)
	}
	if code, _ := get("/barrage/segment/" + DanmakuFailVid + "/t/v1/10000/15000"); code != 500 {
		t.Fatalf("failing segment: %d", code)
	}
}
