package fakeqq

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Proxy is an HTTP proxy in front of a handler: plain requests go to it
// directly, CONNECT tunnels are terminated with a certificate for the
// requested host signed by the proxy's own CA. A client that trusts the
// CA (SSL_CERT_FILE=CAFile) sees the fake as the real hosts.
type Proxy struct {
	URL    string // http://127.0.0.1:PORT
	CAFile string // PEM of the CA

	outer, inner *http.Server
	ln           net.Listener
	tunnels      *connListener
	ca           *x509.Certificate
	caKey        *ecdsa.PrivateKey

	mu      sync.Mutex
	certs   map[string]*tls.Certificate
	connect map[string]int // CONNECT requests by host:port
}

// StartProxy listens on 127.0.0.1 and writes the CA into dir.
func StartProxy(h http.Handler, dir string) (*Proxy, error) {
	p := &Proxy{certs: map[string]*tls.Certificate{}, connect: map[string]int{}}
	if err := p.makeCA(filepath.Join(dir, "fakeqq-ca.pem")); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.ln, p.URL = ln, "http://"+ln.Addr().String()
	p.tunnels = &connListener{conns: make(chan net.Conn), done: make(chan struct{}), addr: ln.Addr()}
	// Clients that hang up mid-handshake (vdl exiting) are normal here.
	quiet := log.New(io.Discard, "", 0)
	p.inner = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
	p.outer = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
	go p.inner.Serve(tls.NewListener(p.tunnels, &tls.Config{GetCertificate: p.certFor}))
	go p.outer.Serve(ln)
	return p, nil
}

// Close stops both servers.
func (p *Proxy) Close() {
	p.outer.Close()
	p.tunnels.Close()
	p.inner.Close()
}

// Connects returns how many CONNECT tunnels were asked for host:port.
func (p *Proxy) Connects(hostPort string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.connect[hostPort]
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		p.inner.Handler.ServeHTTP(w, r) // absolute-form request: http:// hosts
		return
	}
	p.mu.Lock()
	p.connect[r.Host]++
	p.mu.Unlock()
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no hijack", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	select {
	case p.tunnels.conns <- conn:
	case <-p.tunnels.done:
		conn.Close()
	}
}

// certFor issues (once) a leaf certificate for the SNI name.
func (p *Proxy) certFor(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if name == "" {
		return nil, errors.New("fakeqq: no SNI")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.certs[name]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	p.certs[name] = c
	return c, nil
}

func (p *Proxy) makeCA(path string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fakeqq test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		return err
	}
	p.caKey, p.CAFile = key, path
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(path, pemBytes, 0o644); err != nil {
		return fmt.Errorf("fakeqq: write CA: %w", err)
	}
	return nil
}

// connListener hands hijacked tunnel connections to the inner server.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	addr  net.Addr
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }
