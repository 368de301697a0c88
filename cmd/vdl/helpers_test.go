package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vdlproject/vdl/internal/testtools"
)

// vdlBin is the real binary, built once by TestMain.
var vdlBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vdl-bin")
	if err != nil {
		panic(err)
	}
	vdlBin = filepath.Join(dir, "vdl")
	// The binary's records of finished files go to a folder of the tests.
	os.Setenv("VDL_STATE_DIR", filepath.Join(dir, "state"))
	build := exec.Command("go", "build", "-o", vdlBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building vdl:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireTool finds an external program (see testtools.Require).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	return testtools.Require(t, name)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// result is one finished run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// runVDL runs the binary to completion.
func runVDL(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(vdlBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startDaemon runs a server program in the foreground for the test's
// lifetime and waits until it accepts connections on port.
func startDaemon(t *testing.T, port int, logPath string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	// A process group of its own: nginx forks workers, which a kill of
	// the master alone would leave running after the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		logf.Close()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			out, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited before listening: %v\n%s", name, err, out)
		default:
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logPath)
			t.Fatalf("%s did not listen on %d: %s", name, port, out)
		}
		// Poll the port: a blocking dial with a short timeout paces the loop.
		time.Sleep(20 * time.Millisecond)
	}
}

// startNginx serves root on a loopback port; /slow/ is limited to
// limitRate per connection. It returns the base URL.
func startNginx(t *testing.T, root, limitRate string) string {
	t.Helper()
	bin := requireTool(t, "nginx")
	dir := t.TempDir()
	port := freePort(t)
	// Workers must read the test's 0700 temp dirs: as root, stay root.
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;"
	}
	conf := fmt.Sprintf(`%[5]s
worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 512; }
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  server {
    listen 127.0.0.1:%[2]d;
    root %[3]s;
    location /slow/ { alias %[3]s/; limit_rate %[4]s; }
  }
}
`, dir, port, root, limitRate, user)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, port, filepath.Join(dir, "stderr.log"), bin, "-c", confPath, "-p", dir)
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

func sha(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// oneErrorLine checks stderr holds exactly one "vdl: " error line.
func oneErrorLine(t *testing.T, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "vdl: ") || !strings.Contains(lines[0], want) {
		t.Errorf("stderr = %q, want one line containing %q", stderr, want)
	}
}

func sha256Of(b []byte) [32]byte { return sha256.Sum256(b) }

// interruptVDL starts the binary, sends sig once reached is closed (the
// server got that far), waits for the exit and returns its code (-1 for
// a kill) and how long the exit took after the signal.
func interruptVDL(t *testing.T, reached <-chan struct{}, sig os.Signal, args ...string) (int, time.Duration) {
	t.Helper()
	code, took, _ := interruptVDLOutput(t, reached, sig, args...)
	return code, took
}

// interruptVDLOutput is interruptVDL that also returns what vdl wrote
// on stderr.
func interruptVDLOutput(t *testing.T, reached <-chan struct{}, sig os.Signal, args ...string) (int, time.Duration, string) {
	t.Helper()
	cmd := exec.Command(vdlBin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-reached:
	case err := <-exited:
		t.Fatalf("vdl finished before the interruption point: %v", err)
	}
	signalled := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	<-exited
	return cmd.ProcessState.ExitCode(), time.Since(signalled), stderr.String()
}
