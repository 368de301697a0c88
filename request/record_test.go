package request

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// exchanges collects what Client.Record is told.
type exchanges struct {
	mu  sync.Mutex
	all []Exchange
}

func (e *exchanges) record(ex Exchange) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ex)
}

func (e *exchanges) list() []Exchange {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Exchange(nil), e.all...)
}

// TestRecordEachAttempt: Read tells Record of every attempt (a retried
// 503, a refused 403 with its body, a request that got no reply), with
// the request as sent (the jar's cookies included) and the reply; Open
// tells it nothing.
func TestRecordEachAttempt(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/retry":
			if n.Add(1) == 1 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Echo", string(body))
			w.Write([]byte("answer"))
		case "/refused":
			http.Error(w, "denied: bad key", http.StatusForbidden)
		case "/redirect":
			http.Redirect(w, r, "/retry", http.StatusFound)
		default:
			w.Write([]byte("media"))
		}
	}))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(srv.URL)
	jar.SetCookies(base, []*http.Cookie{{Name: "session", Value: "s3cret"}})
	var got exchanges
	c := &Client{HTTP: &http.Client{Jar: jar}, Record: got.record,
		Policy: Policy{Retries: 2, Sleep: func(context.Context, time.Duration) error { return nil }}}
	ctx := context.Background()

	if _, err := c.Read(ctx, Spec{Method: http.MethodPost, URL: srv.URL + "/retry", Body: []byte(`{"a":1}`),
		Header: http.Header{"Content-Type": {"application/json"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(ctx, Spec{URL: srv.URL + "/refused"}); err == nil {
		t.Fatal("403 accepted")
	}
	if _, err := c.Read(ctx, Spec{URL: srv.URL + "/redirect"}); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Open(ctx, Spec{URL: srv.URL + "/media"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c.Policy.Retries = -1
	if _, err := c.Read(ctx, Spec{URL: dead.URL + "/gone"}); err == nil {
		t.Fatal("a closed server answered")
	}

	all := got.list()
	want := []struct {
		method, path string
		status       int
		body         string
		failed       bool
	}{
		{"POST", "/retry", 503, "busy\n", true},
		{"POST", "/retry", 200, "answer", false},
		{"GET", "/refused", 403, "denied: bad key\n", true},
		{"GET", "/redirect", 200, "answer", false},
		{"GET", "/gone", 0, "", true},
	}
	if len(all) != len(want) {
		t.Fatalf("%d exchanges recorded, want %d: %+v", len(all), len(want), all)
	}
	for i, w := range want {
		ex := all[i]
		u, _ := url.Parse(ex.URL)
		if ex.Method != w.method || u.Path != w.path || ex.Status != w.status || string(ex.RespBody) != w.body || (ex.Err != nil) != w.failed {
			t.Errorf("exchange %d = %s %s %d %q err %v, want %+v", i, ex.Method, ex.URL, ex.Status, ex.RespBody, ex.Err, w)
		}
		if ex.Start.IsZero() || ex.Duration < 0 {
			t.Errorf("exchange %d: start %v, duration %v", i, ex.Start, ex.Duration)
		}
		if w.status != 0 && !strings.Contains(ex.Header.Get("Cookie"), "session=s3cret") {
			t.Errorf("exchange %d: request header %v lacks the jar's cookie", i, ex.Header)
		}
	}
	if string(all[1].Body) != `{"a":1}` || all[1].Header.Get("Content-Type") != "application/json" || all[1].RespHeader.Get("X-Echo") != `{"a":1}` {
		t.Errorf("the retried POST was recorded as %q %v -> %v", all[1].Body, all[1].Header, all[1].RespHeader)
	}
	if all[3].FinalURL != srv.URL+"/retry" {
		t.Errorf("redirect: FinalURL %q", all[3].FinalURL)
	}
}

// TestRecordTooBig: a body past the limit is recorded as far as it was
// read, with the error.
func TestRecordTooBig(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	var got exchanges
	c := &Client{HTTP: srv.Client(), Record: got.record}
	if _, err := c.Read(context.Background(), Spec{URL: srv.URL, Limit: 10}); err == nil {
		t.Fatal("no error for a body past the limit")
	}
	all := got.list()
	if len(all) != 1 || len(all[0].RespBody) != 11 || all[0].Err == nil || all[0].Status != 200 {
		t.Fatalf("recorded %+v", all)
	}
}
