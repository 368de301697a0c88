package main

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// origin serves data over HTTP and HTTPS and remembers whether requests
// arrived with a proxy's Via header.
type origin struct {
	plain, tls *httptest.Server
	viaSeen    atomic.Int64
	certFile   string // PEM of the TLS server's certificate, for SSL_CERT_FILE
}

func startOrigin(t *testing.T, data []byte) *origin {
	t.Helper()
	o := &origin{}
	h := ms.Handler(data, ms.Options{})
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Via") != "" {
			o.viaSeen.Add(1)
		}
		h.ServeHTTP(w, r)
	})
	o.plain = httptest.NewServer(wrapped)
	o.tls = httptest.NewTLSServer(wrapped)
	t.Cleanup(o.plain.Close)
	t.Cleanup(o.tls.Close)
	o.certFile = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: o.tls.Certificate().Raw})
	if err := os.WriteFile(o.certFile, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return o
}

// startTinyproxy runs tinyproxy on loopback and returns its port and log path.
func startTinyproxy(t *testing.T) (int, string) {
	t.Helper()
	bin := requireTool(t, "tinyproxy")
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil { // tinyproxy drops privileges to write its log
		t.Fatal(err)
	}
	port := freePort(t)
	logPath := filepath.Join(dir, "tinyproxy.log")
	conf := fmt.Sprintf("Port %d\nListen 127.0.0.1\nTimeout 60\nLogFile %q\nLogLevel Connect\nMaxClients 64\nAllow 127.0.0.1\n", port, logPath)
	confPath := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, port, filepath.Join(dir, "stderr.log"), bin, "-d", "-c", confPath)
	return port, logPath
}

// startDante runs dante's SOCKS5 server with username authentication.
// The account comes from VDL_SOCKS_USER/VDL_SOCKS_PASS (a system user that
// .ci/run creates, since dante checks the system password database).
func startDante(t *testing.T) (port int, user, pass, logPath string) {
	t.Helper()
	bin := requireTool(t, "danted")
	user, pass = os.Getenv("VDL_SOCKS_USER"), os.Getenv("VDL_SOCKS_PASS")
	if user == "" || pass == "" {
		if os.Getenv("VDL_REQUIRE_TOOLS") == "1" {
			t.Fatal("VDL_SOCKS_USER/VDL_SOCKS_PASS must name a system account for dante (.ci/run creates one)")
		}
		t.Skip("set VDL_SOCKS_USER/VDL_SOCKS_PASS to a system account to test SOCKS5 auth through dante")
	}
	dir := t.TempDir()
	port = freePort(t)
	logPath = filepath.Join(dir, "danted.log")
	conf := fmt.Sprintf(`logoutput: %s
internal: 127.0.0.1 port = %d
external: 127.0.0.1
socksmethod: username
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error }
socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect error }
`, logPath, port)
	confPath := filepath.Join(dir, "danted.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, port, filepath.Join(dir, "stderr.log"), bin, "-f", confPath, "-p", filepath.Join(dir, "danted.pid"))
	return port, user, pass, logPath
}

func TestProxies(t *testing.T) {
	data := ms.RandomBytes(3<<20 + 5)
	o := startOrigin(t, data)
	tpPort, tpLog := startTinyproxy(t)
	dPort, dUser, dPass, dLog := startDante(t)
	httpProxy := fmt.Sprintf("http://127.0.0.1:%d", tpPort)
	socks := fmt.Sprintf("socks5://%s:%s@127.0.0.1:%d", dUser, dPass, dPort)

	tests := []struct {
		name, proxy, url string
		// evidence returns an error unless the proxy really carried the traffic.
		evidence func() error
	}{
		{"http proxy, http origin", httpProxy, o.plain.URL + "/a.bin", func() error {
			if o.viaSeen.Load() == 0 {
				return fmt.Errorf("origin never saw tinyproxy's Via header")
			}
			return nil
		}},
		{"http proxy, CONNECT to https origin", httpProxy, o.tls.URL + "/b.bin", logMentions(tpLog, "CONNECT", portOf(o.tls.URL))},
		{"socks5 with auth, http origin", socks, o.plain.URL + "/c.bin", logMentions(dLog, "pass", portOf(o.plain.URL))},
		{"socks5 with auth, https origin", socks, o.tls.URL + "/d.bin", logMentions(dLog, "pass", portOf(o.tls.URL))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runVDL(t, []string{"SSL_CERT_FILE=" + o.certFile}, "-q", "-n", "4", "--proxy", tt.proxy, "-d", dir, tt.url)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			name := tt.url[strings.LastIndex(tt.url, "/")+1:]
			if sha(t, filepath.Join(dir, name)) != sha256Of(data) {
				t.Fatal("file differs from the origin's")
			}
			if err := tt.evidence(); err != nil {
				t.Error(err)
			}
		})
	}

	t.Run("wrong socks password", func(t *testing.T) {
		bad := fmt.Sprintf("socks5://%s:wrong@127.0.0.1:%d", dUser, dPort)
		r := runVDL(t, nil, "-q", "--proxy", bad, "-d", t.TempDir(), o.plain.URL+"/e.bin")
		if r.code != exitNetwork {
			t.Errorf("exit %d, want %d", r.code, exitNetwork)
		}
		oneErrorLine(t, r.stderr, "authentication failed")
	})
	t.Run("TLS is verified", func(t *testing.T) {
		r := runVDL(t, nil, "-q", "-d", t.TempDir(), o.tls.URL+"/f.bin")
		if r.code != exitNetwork {
			t.Errorf("untrusted certificate: exit %d, want %d", r.code, exitNetwork)
		}
		oneErrorLine(t, r.stderr, "certificate")
		r = runVDL(t, nil, "-q", "--insecure", "-d", t.TempDir(), o.tls.URL+"/f.bin")
		if r.code != 0 || !strings.Contains(r.stderr, "--insecure") {
			t.Errorf("--insecure: exit %d, stderr %q; want success with a warning", r.code, r.stderr)
		}
	})
}

func portOf(u string) string { return u[strings.LastIndex(u, ":")+1:] }

// logMentions checks that some line of a proxy's log has all the words.
func logMentions(path string, words ...string) func() error {
	return func() error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			all := true
			for _, w := range words {
				all = all && strings.Contains(line, w)
			}
			if all {
				return nil
			}
		}
		return fmt.Errorf("%s has no line with %q:\n%s", filepath.Base(path), words, b)
	}
}
