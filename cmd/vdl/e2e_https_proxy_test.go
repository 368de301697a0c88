package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/internal/testtools"
)

// testCA is a certificate authority of the test and a certificate for
// 127.0.0.1 that it signed, as PEM files.
type testCA struct {
	caFile, certFile, keyFile string
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := testCA{caFile: filepath.Join(dir, "ca.pem"), certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem")}
	for path, block := range map[string]*pem.Block{
		c.caFile:   {Type: "CERTIFICATE", Bytes: caDER},
		c.certFile: {Type: "CERTIFICATE", Bytes: der},
		c.keyFile:  {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// bundle writes the PEM files into one, for SSL_CERT_FILE.
func bundle(t *testing.T, files ...string) string {
	t.Helper()
	return testtools.ConcatTo(t, filepath.Join(t.TempDir(), "bundle.pem"), files...)
}

// startAuthTinyproxy runs tinyproxy on loopback asking for user:pass
// (BasicAuth) and returns its port and log path.
func startAuthTinyproxy(t *testing.T, user, pass string) (int, string) {
	t.Helper()
	bin := requireTool(t, "tinyproxy")
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil { // tinyproxy drops privileges to write its log
		t.Fatal(err)
	}
	port := freePort(t)
	logPath := filepath.Join(dir, "tinyproxy.log")
	conf := fmt.Sprintf("Port %d\nListen 127.0.0.1\nTimeout 60\nLogFile %q\nLogLevel Connect\nMaxClients 64\nAllow 127.0.0.1\nBasicAuth %s %s\n",
		port, logPath, user, pass)
	confPath := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, port, filepath.Join(dir, "stderr.log"), bin, "-d", "-c", confPath)
	return port, logPath
}

// startStunnel puts TLS (ca's certificate) in front of the TCP service
// at backend: an https:// proxy made of an http:// one. It returns the
// port and the log, where stunnel notes each connection it accepts.
func startStunnel(t *testing.T, ca testCA, backend int) (int, string) {
	t.Helper()
	bin := requireTool(t, "stunnel4")
	dir := t.TempDir()
	port := freePort(t)
	logPath := filepath.Join(dir, "stunnel.log")
	conf := fmt.Sprintf("foreground = yes\npid =\ndebug = info\noutput = %s\n[proxy]\naccept = 127.0.0.1:%d\nconnect = 127.0.0.1:%d\ncert = %s\nkey = %s\n",
		logPath, port, backend, ca.certFile, ca.keyFile)
	confPath := filepath.Join(dir, "stunnel.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, port, filepath.Join(dir, "stderr.log"), bin, confPath)
	return port, logPath
}

// TestHTTPSProxy: --proxy https://user:pass@host:port, as the README
// promises. stunnel (TLS, with a certificate of a test CA) in front of
// tinyproxy (BasicAuth): vdl speaks TLS to the proxy, trusting the CA
// through SSL_CERT_FILE, authenticates, and reaches an https origin by
// CONNECT inside that TLS and an http origin by a proxied request. A
// proxy whose certificate the CA did not sign is refused before any
// request leaves, and so are wrong credentials.
func TestHTTPSProxy(t *testing.T) {
	data := ms.RandomBytes(2<<20 + 3)
	o := startOrigin(t, data)
	const user, pass = "vdlproxy", "pr0xy-s3cret"
	tpPort, tpLog := startAuthTinyproxy(t, user, pass)
	ca := newTestCA(t, "proxy")
	stPort, stLog := startStunnel(t, ca, tpPort)
	proxy := fmt.Sprintf("https://%s:%s@127.0.0.1:%d", user, pass, stPort)
	trusted := bundle(t, ca.caFile, o.certFile)

	tests := []struct {
		name, url string
		evidence  func() error
	}{
		{"https origin, CONNECT inside TLS", o.tls.URL + "/a.bin", logMentions(tpLog, "CONNECT", portOf(o.tls.URL))},
		{"http origin, a proxied request inside TLS", o.plain.URL + "/b.bin", func() error {
			if o.viaSeen.Load() == 0 {
				return fmt.Errorf("origin never saw tinyproxy's Via header")
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runVDL(t, []string{"SSL_CERT_FILE=" + trusted}, "-q", "-n", "4", "--proxy", proxy, "-d", dir, tt.url)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if sha(t, filepath.Join(dir, tt.url[strings.LastIndex(tt.url, "/")+1:])) != sha256Of(data) {
				t.Fatal("file differs from the origin's")
			}
			if err := tt.evidence(); err != nil {
				t.Error(err)
			}
			if err := logMentions(stLog, "accepted connection")(); err != nil {
				t.Error(err)
			}
			if strings.Contains(r.stderr, pass) {
				t.Errorf("the proxy password is on stderr: %q", r.stderr)
			}
		})
	}

	// tinyproxy answers bad credentials with 401 (not 407), and Go reports
	// a refused CONNECT as the bare status text: request.Retryable takes
	// it as final (with the default retries, a retried 401 took 107 s).
	other := newTestCA(t, "other")
	wrong := fmt.Sprintf("https://%s:wrong@127.0.0.1:%d", user, stPort)
	refusals := []struct {
		name, proxy, trust, url string
		args                    []string
		code                    int
		want                    string
	}{
		{"a proxy certificate of another CA", proxy, bundle(t, other.caFile, o.certFile), o.tls.URL, nil, exitNetwork, "certificate"},
		{"no CA for the proxy at all", proxy, o.certFile, o.tls.URL, nil, exitNetwork, "certificate"},
		{"wrong proxy password, CONNECT", wrong, trusted, o.tls.URL, nil, exitNetwork, "Unauthorized"}, // final: never retried
		{"wrong proxy password, a proxied request", wrong, trusted, o.plain.URL, nil, exitNetwork, "Unauthorized"},
	}
	for i, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tpLog)
			args := append([]string{"-q", "--proxy", tt.proxy, "-d", t.TempDir()}, tt.args...)
			r := runVDL(t, []string{"SSL_CERT_FILE=" + tt.trust}, append(args, fmt.Sprintf("%s/r%d.bin", tt.url, i))...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			oneErrorLine(t, r.stderr, tt.want)
			if strings.Contains(r.stderr, "wrong") || strings.Contains(r.stderr, pass) {
				t.Errorf("a proxy password is on stderr: %q", r.stderr)
			}
			after, _ := os.ReadFile(tpLog)
			if tt.want == "certificate" && strings.Contains(string(after[len(before):]), "CONNECT") {
				t.Errorf("tinyproxy got a request through a proxy vdl should not trust:\n%s", after[len(before):])
			}
		})
	}
}
